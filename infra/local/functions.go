// Package local is the whole of enrol on one machine: the embedded DynamoDB,
// the table and routes read from template.yaml, every function's Lambda
// handler in-process behind the API Gateway stand-in, the scheduled functions
// on their template schedules, and the demo data.
package local

import (
	"net/http"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/wuxi-enrol/enrol/functions/accounts"
	"github.com/wuxi-enrol/enrol/functions/bookings"
	"github.com/wuxi-enrol/enrol/functions/catalogue"
	"github.com/wuxi-enrol/enrol/functions/centres"
	"github.com/wuxi-enrol/enrol/functions/city"
	"github.com/wuxi-enrol/enrol/functions/dispatcher"
	"github.com/wuxi-enrol/enrol/functions/draws"
	"github.com/wuxi-enrol/enrol/functions/offers"
	"github.com/wuxi-enrol/enrol/functions/reminders"
	"github.com/wuxi-enrol/enrol/functions/retention"
	"github.com/wuxi-enrol/enrol/functions/snapshot"
	"github.com/wuxi-enrol/enrol/functions/staffaccounts"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// Functions builds each template function's handler, by logical id: the same
// constructors the functions' Lambda entry points call.
var Functions = map[string]func(lambdafn.Deps) http.Handler{
	"CatalogueFunction": catalogue.New,
	"BookingsFunction":  bookings.New,
	"CentresFunction":   centres.New,
	"CityFunction":      city.New,
	// StaffAccountsFunction invites staff into the Cognito stand-in.
	"StaffAccountsFunction": staffaccounts.New,
}

// Jobs builds each scheduled function's job (a function with Schedule
// events), by logical id: the same constructors their Lambda entry points
// call.
var Jobs = map[string]func(lambdafn.Deps) lambdafn.Job{
	"SnapshotFunction":   snapshot.New,
	"RetentionFunction":  retention.New,
	"RemindersFunction":  reminders.New,
	"DispatcherFunction": dispatcher.New,
	"OffersFunction":     offers.New,
	"DrawsFunction":      draws.New,
}

// Triggers builds each user pool trigger function's handler (a function
// the pool's LambdaConfig names), by logical id: the stack runs it with
// Cognito's events at POST /_local/signup and when it mints a token.
var Triggers = map[string]func(lambdafn.Deps) lambda.Handler{
	"AccountsFunction": accounts.New,
}

// Streams builds the handler of each function a mapping of the table's
// stream invokes (samtemplate.Streams), by logical id: the same constructors
// its Lambda entry point calls (streams.go runs them as Lambda's event
// source mapping would).
var Streams = map[string]func(lambdafn.Deps) lambdafn.StreamHandler{
	"DispatcherFunction": dispatcher.NewStream,
}
