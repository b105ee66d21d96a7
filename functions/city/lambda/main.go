// Command lambda is CityFunction's entry point on AWS Lambda.
package main

import (
	"github.com/wuxi-enrol/enrol/functions/city"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

func main() { lambdafn.Main(lambdafn.WithBeacon(city.New)) }
