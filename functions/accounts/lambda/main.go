// Command lambda is AccountsFunction's entry point on AWS Lambda, invoked by
// the user pool's PreSignUp, PostConfirmation and PreTokenGeneration
// triggers.
package main

import (
	"github.com/wuxi-enrol/enrol/functions/accounts"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

func main() { lambdafn.MainTrigger(accounts.New) }
