// Command lambda is StaffAccountsFunction's entry point on AWS Lambda.
package main

import (
	"github.com/wuxi-enrol/enrol/functions/staffaccounts"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

func main() { lambdafn.Main(staffaccounts.New) }
