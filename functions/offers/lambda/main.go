// Command lambda is OffersFunction's entry point on AWS Lambda, invoked by
// its EventBridge schedule.
package main

import (
	"github.com/wuxi-enrol/enrol/functions/offers"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

func main() { lambdafn.MainJob(offers.New) }
