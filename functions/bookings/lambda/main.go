// Command lambda is BookingsFunction's entry point on AWS Lambda.
package main

import (
	"github.com/wuxi-enrol/enrol/functions/bookings"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

func main() { lambdafn.Main(bookings.New) }
