// Command lambda is DrawsFunction's entry point on AWS Lambda, invoked by
// its EventBridge schedule.
package main

import (
	"github.com/wuxi-enrol/enrol/functions/draws"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

func main() { lambdafn.MainJob(lambdafn.WithBeacon(draws.New)) }
