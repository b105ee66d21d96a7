// Command lambda is CatalogueFunction's entry point on AWS Lambda.
package main

import (
	"github.com/wuxi-enrol/enrol/functions/catalogue"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

func main() { lambdafn.Main(catalogue.New) }
