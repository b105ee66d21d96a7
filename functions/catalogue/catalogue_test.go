package catalogue_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/functions/catalogue"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
)

// TestRoutes: the catalogue answers anyone, signed in or not; unknown ids,
// drafts, kinds without a policy in force and bad parameters are refused
// with their codes.
func TestRoutes(t *testing.T) {
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	d := lambdafntest.Deps(t, clock.Fixed(now))
	c := dbtest.Centre("c1", "binhu")
	lambdafntest.Put(t, d, []domain.Centre{c}, dbtest.Offering("open", c, 10, now),
		dbtest.Offering("draft", c, 10, now, func(o *domain.Offering) { o.Status = domain.OfferingDraft }))
	if err := d.Store.PutPolicy(t.Context(), domain.PriorityPolicy{Kind: domain.Childcare, Version: 1, EffectiveFrom: now.AddDate(0, -1, 0), CreatedAt: now,
		Tiers: []domain.PolicyTier{{Code: "dual_worker", ZH: "双职工", EN: "Dual worker", Evidence: "合同"}, {Code: "general", ZH: "其他", EN: "Everyone else"}}}); err != nil {
		t.Fatal(err)
	}
	type tc = lambdafntest.Case
	get := func(name, path string, status int, code apperr.Code) tc {
		return tc{Name: name, Method: http.MethodGet, Path: path, Status: status, Code: code}
	}
	lambdafntest.Run(t, catalogue.New(d), []tc{
		get("centres", "/v1/centres", 200, ""),
		get("centres of a district", "/v1/centres?district=binhu", 200, ""),
		get("centres of no such district", "/v1/centres?district=atlantis", 400, apperr.InvalidRequest),
		get("centres, unknown parameter", "/v1/centres?colour=red", 400, apperr.InvalidRequest),
		get("centres, bad limit", "/v1/centres?limit=0", 400, apperr.InvalidRequest),
		get("centre", "/v1/centres/c1", 200, ""),
		get("no such centre", "/v1/centres/c9", 404, apperr.NotFound),
		get("offerings", "/v1/offerings?kind=evening_course&available=true&age_months=300", 200, ""),
		get("offerings, bad age", "/v1/offerings?age_months=-1", 400, apperr.InvalidRequest),
		get("offerings, bad available", "/v1/offerings?available=maybe", 400, apperr.InvalidRequest),
		get("offerings, bad kind", "/v1/offerings?kind=yoga", 400, apperr.InvalidRequest),
		get("offering", "/v1/offerings/open", 200, ""),
		get("a draft is not found", "/v1/offerings/draft", 404, apperr.NotFound),
		get("no such offering", "/v1/offerings/nope", 404, apperr.NotFound),
		get("privacy notice", "/v1/privacy-notice", 200, ""),
		get("priority policy", "/v1/city/priority-policies/childcare", 200, ""),
		get("no priority policy in force", "/v1/city/priority-policies/care_class", 404, apperr.NotFound),
		get("priority policy of no such kind", "/v1/city/priority-policies/yoga", 404, apperr.NotFound),
		{Name: "signed in, the same", As: lambdafntest.Resident("u1"), Method: http.MethodGet, Path: "/v1/offerings/open", Status: 200},
	})
}
