package staffaccounts_test

import (
	"testing"

	"github.com/wuxi-enrol/enrol/functions/staffaccounts"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
)

// FuzzRoutes: every staff route and the counter's, as a city officer, with fuzzed path
// values, query and body, answers a success, a 4xx problem or, once its
// input is accepted, the (offline) store's 503: never a 500
// (lambdafntest.FuzzRoutes). The user pool is never reached: the centre is
// read from the store first.
func FuzzRoutes(f *testing.F) {
	officer := lambdafntest.Officer("officer-1")
	routes := []lambdafntest.Route{
		{Pattern: "GET /v1/centres/{centre_id}/staff", As: officer},
		{Pattern: "POST /v1/centres/{centre_id}/staff", As: officer},
		{Pattern: "DELETE /v1/centres/{centre_id}/staff/{user_id}", As: officer},
		{Pattern: "POST /v1/centres/{centre_id}/assisted", As: officer},
	}
	lambdafntest.FuzzRoutes(f, staffaccounts.New, routes,
		lambdafntest.FuzzInput{Route: 0, Params: "c1", Query: "limit=5"},
		lambdafntest.FuzzInput{Route: 1, Params: "c1", Body: `{"phone":"13912345678","name":"王老师"}`},
		lambdafntest.FuzzInput{Route: 1, Params: "c1", Body: `{"email":"wang@example.cn","name":"王老师"}`},
		lambdafntest.FuzzInput{Route: 1, Params: "c1", Body: `{"phone":"+12025550123","name":""}`},
		lambdafntest.FuzzInput{Route: 2, Params: "c1,7d0c3a52-9f1e-4b6a-8c2d-5e4f3a2b1c0d"},
		lambdafntest.FuzzInput{Route: 3, Params: "c1", Body: `{"phone":"+86 139-1234-5678","name":"王奶奶"}`},
		lambdafntest.FuzzInput{Route: 3, Params: "c1", Body: `{"phone":"86139123456789","name":""}`},
	)
}
