package city_test

import (
	"testing"

	"github.com/wuxi-enrol/enrol/functions/city"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
)

// FuzzRoutes: every route of the city function, with fuzzed path values,
// query and body, answers a success, a 4xx problem or, once its input is
// accepted, the (offline) store's 503: never a 500
// (lambdafntest.FuzzRoutes).
func FuzzRoutes(f *testing.F) {
	officer := lambdafntest.Officer("o1")
	routes := []lambdafntest.Route{
		{Pattern: "GET /v1/city/capacity", As: officer},
		{Pattern: "GET /v1/city/capacity/history", As: officer},
		{Pattern: "GET /v1/city/capacity/changes", As: officer},
		{Pattern: "GET /v1/city/targets", As: officer},
		{Pattern: "GET /v1/city/demand", As: officer},
		{Pattern: "GET /v1/city/message-failures", As: officer},
		{Pattern: "PUT /v1/city/priority-policies/{kind}", As: officer},
		{Pattern: "GET /v1/city/priority-policies/{kind}/versions", As: officer},
		{Pattern: "GET /v1/city/priority-policies/{kind}/versions/{version}", As: officer},
		{Pattern: "POST /v1/city/rounds", As: officer},
		{Pattern: "POST /v1/rounds/{round_id}/draw", As: officer},
		{Pattern: "PUT /v1/city/priority-policies/{kind}", As: lambdafntest.Staff("s1", "c1")},
		{Pattern: "GET /v1/city/capacity", As: nil},
		{Pattern: "PUT /v1/city/targets/{year}/{kind}", As: officer},
		{Pattern: "PUT /v1/city/targets/{year}/{kind}", As: lambdafntest.DistrictOfficer("d1", "binhu")},
	}
	lambdafntest.FuzzRoutes(f, city.New, routes,
		lambdafntest.FuzzInput{Route: 0, Query: "kind=childcare&district=binhu&format=csv"},
		lambdafntest.FuzzInput{Route: 1, Query: "from=2025-01-01&to=2025-07-31"},
		lambdafntest.FuzzInput{Route: 1, Query: "from=2020-01-01&to=2025-07-31"},
		lambdafntest.FuzzInput{Route: 2, Query: "from=2025-07-31&to=2025-01-01&limit=3"},
		lambdafntest.FuzzInput{Route: 3, Query: "kind=evening_course&format=xml"},
		lambdafntest.FuzzInput{Route: 5, Query: "limit=2&cursor=eyJQSyI6IngifQ"},
		lambdafntest.FuzzInput{Route: 6, Params: "childcare", Body: `{"tiers":[{"code":"sibling","title_zh":"兄弟姐妹","title_en":"Sibling"}],"effective_from":"2025-08-01T10:00:30+08:00"}`},
		lambdafntest.FuzzInput{Route: 6, Params: "pool", Body: `{"tiers":[]}`},
		lambdafntest.FuzzInput{Route: 8, Params: "childcare,3"},
		lambdafntest.FuzzInput{Route: 8, Params: "childcare,-1"},
		lambdafntest.FuzzInput{Route: 9, Body: `{"title_zh":"秋季托班","title_en":"Autumn childcare","kind":"childcare","term":"2025-autumn","offering_ids":["o1","o2"],"max_choices":2}`},
		lambdafntest.FuzzInput{Route: 9, Body: `{"offering_ids":["o1","o1"],"max_choices":4}`},
		lambdafntest.FuzzInput{Route: 10, Params: "r1"},
		lambdafntest.FuzzInput{Route: 13, Params: "2027,childcare", Body: `{"target":2800,"baseline":"2027-01-01","title":"新增托位 · New places"}`},
		lambdafntest.FuzzInput{Route: 13, Params: "99999999999999999999,yoga", Body: `{"target":-1,"baseline":"2027-02-30","title":"\u0000"}`},
		lambdafntest.FuzzInput{Route: 3, Query: "history=true&format=csv"},
		lambdafntest.FuzzInput{Route: 14, Params: "2027,childcare", Body: `{"target":1,"title":"xx"}`},
	)
}
