// Command lambda is RemindersFunction's entry point on AWS Lambda, invoked
// by its EventBridge schedule.
package main

import (
	"github.com/wuxi-enrol/enrol/functions/reminders"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

func main() { lambdafn.MainJob(reminders.New) }
