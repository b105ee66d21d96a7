package catalogue_test

import (
	"testing"

	"github.com/wuxi-enrol/enrol/functions/catalogue"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
)

// FuzzRoutes: every public route of the catalogue, with fuzzed path
// values and query, answers a success, a 4xx problem or, once its input is
// accepted, the (offline) store's 503: never a 500
// (lambdafntest.FuzzRoutes).
func FuzzRoutes(f *testing.F) {
	routes := []lambdafntest.Route{
		{Pattern: "GET /v1/centres", As: nil},
		{Pattern: "GET /v1/centres/{centre_id}", As: nil},
		{Pattern: "GET /v1/offerings", As: nil},
		{Pattern: "GET /v1/offerings/{offering_id}", As: nil},
		{Pattern: "GET /v1/offerings/{offering_id}/draw", As: nil},
		{Pattern: "GET /v1/privacy-notice", As: nil},
		{Pattern: "GET /v1/rounds", As: nil},
		{Pattern: "GET /v1/rounds/{round_id}", As: nil},
		{Pattern: "GET /v1/rounds/{round_id}/draw", As: nil},
		{Pattern: "GET /v1/city/priority-policies/{kind}", As: nil},
	}
	lambdafntest.FuzzRoutes(f, catalogue.New, routes,
		lambdafntest.FuzzInput{Route: 0, Query: "district=binhu&limit=20"},
		lambdafntest.FuzzInput{Route: 1, Params: "c1"},
		lambdafntest.FuzzInput{Route: 2, Query: "kind=childcare&district=liangxi&age_months=30&available=true&starts_after=2025-09-01&q=托班"},
		lambdafntest.FuzzInput{Route: 2, Query: "kind=pool&limit=0&cursor=!!"},
		lambdafntest.FuzzInput{Route: 3, Params: "o1"},
		lambdafntest.FuzzInput{Route: 5, Query: "version=2025-01&lang=en"},
		lambdafntest.FuzzInput{Route: 6, Query: "kind=childcare&status=open"},
		lambdafntest.FuzzInput{Route: 9, Params: "evening_course"},
	)
}
