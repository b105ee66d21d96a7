// Command lambda is RetentionFunction's entry point on AWS Lambda, invoked
// by its EventBridge schedule.
package main

import (
	"github.com/wuxi-enrol/enrol/functions/retention"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

func main() { lambdafn.MainJob(retention.New) }
