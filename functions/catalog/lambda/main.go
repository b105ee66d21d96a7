// Command lambda is CatalogFunction's entry point on AWS Lambda.
package main

import (
	"github.com/wuxi-enrol/enrol/functions/catalog"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

func main() { lambdafn.Main(catalog.New) }
