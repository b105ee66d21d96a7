// Command lambda is DispatcherFunction's entry point on AWS Lambda, invoked
// by its EventBridge schedule every minute and by the table's stream
// (BookingStream) with new bookings.
package main

import (
	"github.com/wuxi-enrol/enrol/functions/dispatcher"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

func main() { lambdafn.MainJobAndStream(dispatcher.New, dispatcher.NewStream) }
