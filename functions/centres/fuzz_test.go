package centres_test

import (
	"testing"

	"github.com/wuxi-enrol/enrol/functions/centres"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
)

// FuzzRoutes: every route of the centres' function, with fuzzed path
// values, query and body, answers a success, a 4xx problem or, once its
// input is accepted, the (offline) store's 503: never a 500
// (lambdafntest.FuzzRoutes). The bodies' rules that need the offering
// first are fuzzed in shared/domain (FuzzCreateOffering, FuzzPatch).
func FuzzRoutes(f *testing.F) {
	staff, officer := lambdafntest.Staff("s1", "c1"), lambdafntest.Officer("o1")
	routes := []lambdafntest.Route{
		{Pattern: "GET /v1/centres/{centre_id}/offerings", As: staff},
		{Pattern: "POST /v1/centres/{centre_id}/offerings", As: staff},
		{Pattern: "PATCH /v1/offerings/{offering_id}", As: staff},
		{Pattern: "POST /v1/offerings/{offering_id}/cancel", As: staff},
		{Pattern: "GET /v1/offerings/{offering_id}/roster", As: staff},
		{Pattern: "PUT /v1/offerings/{offering_id}/attendance/{date}", As: staff},
		{Pattern: "GET /v1/offerings/{offering_id}/attendance", As: staff},
		{Pattern: "GET /v1/centres/{centre_id}/audit", As: officer},
		{Pattern: "POST /v1/offerings/{offering_id}/roster/{booking_id}/verify-identity", As: staff},
		{Pattern: "POST /v1/offerings/{offering_id}/draw", As: staff},
		{Pattern: "GET /v1/offerings/{offering_id}/applications", As: staff},
		{Pattern: "GET /v1/offerings/{offering_id}/applications/{application_id}", As: staff},
		{Pattern: "POST /v1/offerings/{offering_id}/applications/{application_id}/claims", As: staff},
		{Pattern: "GET /v1/centres/{centre_id}/offerings", As: lambdafntest.Resident("r1")},
		{Pattern: "POST /v1/centres/{centre_id}/offerings", As: nil},
	}
	lambdafntest.FuzzRoutes(f, centres.New, routes,
		lambdafntest.FuzzInput{Route: 0, Params: "c1", Query: "limit=10"},
		lambdafntest.FuzzInput{Route: 1, Params: "c1", Body: `{"kind":"childcare","title":"托班","term":"2025-autumn","starts_on":"2025-09-01","ends_on":"2026-01-15","schedule":{"days":["mon"],"start":"09:00","end":"11:00"},"capacity":10}`},
		lambdafntest.FuzzInput{Route: 2, Params: "o1", Body: `{"capacity":12,"status":"published","booking_opens_at":"2025-08-01T09:00:00+08:00"}`},
		lambdafntest.FuzzInput{Route: 3, Params: "o1", Body: `{"reason":"场地维修"}`},
		lambdafntest.FuzzInput{Route: 3, Params: "o1", Body: `{"reason":""}`},
		lambdafntest.FuzzInput{Route: 4, Params: "o1", Query: "format=csv"},
		lambdafntest.FuzzInput{Route: 5, Params: "o1,2025-09-01", Body: `{"records":[{"booking_id":"b1","status":"present"},{"booking_id":"b2","status":"absent"}]}`},
		lambdafntest.FuzzInput{Route: 5, Params: "o1,2025-02-30", Body: `{"records":[]}`},
		lambdafntest.FuzzInput{Route: 7, Params: "c1", Query: "limit=1&cursor=abc"},
		lambdafntest.FuzzInput{Route: 8, Params: "o1,b1", Body: `{"id_number":"11010519491231002X","document":"resident_id_card"}`},
		lambdafntest.FuzzInput{Route: 10, Params: "o1", Query: "claims=pending"},
		lambdafntest.FuzzInput{Route: 12, Params: "o1,a1", Body: `{"code":"sibling","decision":"rejected","note":""}`},
	)
}
