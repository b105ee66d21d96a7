package city_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/functions/city"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestRoutes: only city officers read the city's figures (401 without a
// caller, 403 for residents and centre staff); each route answers JSON and
// CSV, and refuses bad parameters naming them.
func TestRoutes(t *testing.T) {
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	d := lambdafntest.Deps(t, clock.Fixed(now))
	c := dbtest.Centre("c1", "binhu")
	lambdafntest.Put(t, d, []domain.Centre{c}, dbtest.Offering("o1", c, 10, now))
	officer := lambdafntest.Officer("officer")
	get := func(name string, as *auth.Caller, path string, status int, code apperr.Code) lambdafntest.Case {
		return lambdafntest.Case{Name: name, As: as, Method: http.MethodGet, Path: path, Status: status, Code: code}
	}
	lambdafntest.Run(t, city.New(d), []lambdafntest.Case{
		get("no caller", nil, "/v1/city/capacity", 401, apperr.Unauthorized),
		get("a resident", lambdafntest.Resident("u1"), "/v1/city/capacity", 403, apperr.Forbidden),
		get("centre staff", lambdafntest.Staff("s1", "c1"), "/v1/city/demand", 403, apperr.Forbidden),

		get("capacity", officer, "/v1/city/capacity", 200, ""),
		get("capacity of a district and kind", officer, "/v1/city/capacity?district=binhu&kind=evening_course", 200, ""),
		get("capacity as CSV", officer, "/v1/city/capacity?format=csv", 200, ""),
		get("capacity, bad format", officer, "/v1/city/capacity?format=xml", 400, apperr.InvalidRequest),
		get("capacity, bad district", officer, "/v1/city/capacity?district=atlantis", 400, apperr.InvalidRequest),
		get("capacity, unknown parameter", officer, "/v1/city/capacity?colour=red", 400, apperr.InvalidRequest),

		get("history", officer, "/v1/city/capacity/history", 200, ""),
		get("history as CSV", officer, "/v1/city/capacity/history?format=csv&from=2025-07-01", 200, ""),
		get("history reversed", officer, "/v1/city/capacity/history?from=2025-08-01&to=2025-07-01", 400, apperr.InvalidRequest),
		get("history over 3 years", officer, "/v1/city/capacity/history?from=2020-01-01&to=2025-07-01", 400, apperr.InvalidRequest),
		get("history, bad date", officer, "/v1/city/capacity/history?to=2025-13-01", 400, apperr.InvalidRequest),

		get("changes", officer, "/v1/city/capacity/changes?limit=10", 200, ""),
		get("changes as CSV", officer, "/v1/city/capacity/changes?format=csv", 200, ""),
		get("changes, bad cursor", officer, "/v1/city/capacity/changes?cursor=nonsense", 400, apperr.InvalidRequest),

		get("targets", officer, "/v1/city/targets", 200, ""),
		get("targets as CSV", officer, "/v1/city/targets?format=csv&kind=childcare", 200, ""),
		get("targets by district", officer, "/v1/city/targets?district=binhu", 400, apperr.InvalidRequest),

		get("demand", officer, "/v1/city/demand?limit=5", 200, ""),
		get("demand as CSV", officer, "/v1/city/demand?format=csv&district=binhu", 200, ""),
		get("demand, bad limit", officer, "/v1/city/demand?limit=0", 400, apperr.InvalidRequest),

		get("message failures", officer, "/v1/city/message-failures?limit=20", 200, ""),
		get("message failures, a resident", lambdafntest.Resident("u1"), "/v1/city/message-failures", 403, apperr.Forbidden),
		get("message failures, bad cursor", officer, "/v1/city/message-failures?cursor=nonsense", 400, apperr.InvalidRequest),
		get("message failures, unknown parameter", officer, "/v1/city/message-failures?account=u1", 400, apperr.InvalidRequest),
	})
}

// TestPolicyRoutes: only officers write and list versions; a kind not
// known and a version not written are 404; a body with an unknown field is
// 400, bad tiers 422; a new version is 201 with its address.
func TestPolicyRoutes(t *testing.T) {
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	d := lambdafntest.Deps(t, clock.Fixed(now))
	officer := lambdafntest.Officer("officer")
	const body = `{"tiers":[{"code":"dual_worker","zh":"双职工家庭","en":"Both parents work","evidence":"劳动合同"},{"code":"general","zh":"其他","en":"Everyone else","evidence":""}]}`
	put := func(name string, as *auth.Caller, path, body string, status int, code apperr.Code) lambdafntest.Case {
		return lambdafntest.Case{Name: name, As: as, Method: http.MethodPut, Path: path, Body: body, Status: status, Code: code}
	}
	get := func(name string, as *auth.Caller, path string, status int, code apperr.Code) lambdafntest.Case {
		return lambdafntest.Case{Name: name, As: as, Method: http.MethodGet, Path: path, Status: status, Code: code}
	}
	h := city.New(d)
	lambdafntest.Run(t, h, []lambdafntest.Case{
		put("no caller", nil, "/v1/city/priority-policies/childcare", body, 401, apperr.Unauthorized),
		put("a resident", lambdafntest.Resident("u1"), "/v1/city/priority-policies/childcare", body, 403, apperr.Forbidden),
		put("centre staff", lambdafntest.Staff("s1", "c1"), "/v1/city/priority-policies/childcare", body, 403, apperr.Forbidden),
		put("no such kind", officer, "/v1/city/priority-policies/yoga", body, 404, apperr.NotFound),
		put("an unknown field", officer, "/v1/city/priority-policies/childcare", `{"tiers":[],"colour":"red"}`, 400, apperr.InvalidRequest),
		put("one tier", officer, "/v1/city/priority-policies/childcare", `{"tiers":[{"code":"general","zh":"其他","en":"Everyone"}]}`, 422, apperr.ValidationFailed),
		get("no versions yet", officer, "/v1/city/priority-policies/childcare/versions", 200, ""),
		put("version 1", officer, "/v1/city/priority-policies/childcare", body, 201, ""),
		get("versions", officer, "/v1/city/priority-policies/childcare/versions?limit=1", 200, ""),
		get("versions, a resident", lambdafntest.Resident("u1"), "/v1/city/priority-policies/childcare/versions", 403, apperr.Forbidden),
		get("versions, unknown parameter", officer, "/v1/city/priority-policies/childcare/versions?at=now", 400, apperr.InvalidRequest),
		get("versions of no such kind", officer, "/v1/city/priority-policies/yoga/versions", 404, apperr.NotFound),
		get("version 1", officer, "/v1/city/priority-policies/childcare/versions/1", 200, ""),
		get("version 2", officer, "/v1/city/priority-policies/childcare/versions/2", 404, apperr.NotFound),
		get("version x", officer, "/v1/city/priority-policies/childcare/versions/x", 404, apperr.NotFound),
		get("version 1, staff", lambdafntest.Staff("s1", "c1"), "/v1/city/priority-policies/childcare/versions/1", 403, apperr.Forbidden),
	})
	w := lambdafntest.Serve(h, put("", officer, "/v1/city/priority-policies/care_class", body, 0, ""))
	var p map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil || w.Code != 201 || w.Header().Get("Location") != "/v1/city/priority-policies/care_class/versions/1" ||
		p["version"] != 1.0 || p["status"] != "in_force" || p["effective_from"] != "2025-08-01T10:00:00+08:00" || p["created_by"] != nil {
		t.Fatalf("care_class v1: %d %v %s", w.Code, w.Header(), w.Body)
	}
}

// TestMessageFailures: officers page the dead letters newest first, with
// the resident's sub and no personal data.
func TestMessageFailures(t *testing.T) {
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, domain.CityZone)
	d := lambdafntest.Deps(t, clock.Fixed(now))
	ctx := t.Context()
	for i, account := range []string{"sub-1", "sub-2"} {
		n := notices.New(notices.Promoted, now)
		n.Account, n.OfferingID, n.Title = account, "o1", "托班"
		if err := d.Store.PutNotice(ctx, n); err != nil {
			t.Fatal(err)
		}
		e, err := d.Store.TakeNotice(ctx, store.OutboxEntry{Notice: n}, now.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Store.DeadLetter(ctx, e, "no verified contact", now.Add(time.Duration(i)*time.Second), nil); err != nil {
			t.Fatal(err)
		}
	}
	h := city.New(d)
	var page struct {
		Items      []map[string]any `json:"items"`
		NextCursor string           `json:"next_cursor"`
	}
	w := lambdafntest.Serve(h, lambdafntest.Case{As: lambdafntest.Officer("o"), Method: http.MethodGet, Path: "/v1/city/message-failures?limit=1"})
	if err := json.Unmarshal(w.Body.Bytes(), &page); err != nil || w.Code != 200 || len(page.Items) != 1 || page.NextCursor == "" {
		t.Fatalf("%d %s", w.Code, w.Body)
	}
	got := page.Items[0]
	if got["account"] != "sub-2" || got["event"] != "promoted" || got["offering_id"] != "o1" || got["reason"] != "no verified contact" ||
		got["attempts"] != 1.0 || got["failed_at"] == "" || len(got) != 7 {
		t.Fatalf("newest dead letter %v", got)
	}
}

// TestDistrictOfficers: a district officer reads every city view for their
// own district only, named or not; another district is 403; writes stay
// the city officers'.
func TestDistrictOfficers(t *testing.T) {
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	d := lambdafntest.Deps(t, clock.Fixed(now))
	binhu, xishan := dbtest.Centre("c-binhu", "binhu"), dbtest.Centre("c-xishan", "xishan")
	lambdafntest.Put(t, d, []domain.Centre{binhu, xishan}, dbtest.Offering("o-binhu", binhu, 10, now), dbtest.Offering("o-xishan", xishan, 25, now))
	ctx := t.Context()
	for _, o := range []string{"o-binhu", "o-xishan"} {
		n := notices.New(notices.Promoted, now)
		n.Account, n.OfferingID, n.CentreID = "sub-"+o, o, "c-"+o[2:]
		if err := d.Store.PutNotice(ctx, n); err != nil {
			t.Fatal(err)
		}
		e, err := d.Store.TakeNotice(ctx, store.OutboxEntry{Notice: n}, now.Add(time.Minute))
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Store.DeadLetter(ctx, e, "no verified contact", now, nil); err != nil {
			t.Fatal(err)
		}
	}
	h := city.New(d)
	officer := lambdafntest.DistrictOfficer("d-binhu", "binhu")
	get := func(name string, as *auth.Caller, path string, status int, code apperr.Code) lambdafntest.Case {
		return lambdafntest.Case{Name: name, As: as, Method: http.MethodGet, Path: path, Status: status, Code: code}
	}
	var cases []lambdafntest.Case
	for _, path := range []string{"/v1/city/capacity", "/v1/city/capacity/history", "/v1/city/capacity/changes", "/v1/city/targets", "/v1/city/demand"} {
		cases = append(cases,
			get(path+", own district unnamed", officer, path, 200, ""),
			get(path+", own district named", officer, path+"?district=binhu", 200, ""),
			get(path+", as CSV", officer, path+"?format=csv", 200, ""),
			get(path+", another district", officer, path+"?district=xishan", 403, apperr.Forbidden),
			get(path+", no district in the token", lambdafntest.DistrictOfficer("d-none", ""), path, 403, apperr.Forbidden))
	}
	cases = append(cases,
		get("policy versions", officer, "/v1/city/priority-policies/childcare/versions", 200, ""),
		lambdafntest.Case{Name: "writing a policy", As: officer, Method: http.MethodPut, Path: "/v1/city/priority-policies/childcare", Body: `{"tiers":[]}`, Status: 403, Code: apperr.Forbidden},
		lambdafntest.Case{Name: "creating a round", As: officer, Method: http.MethodPost, Path: "/v1/city/rounds", Body: `{}`, Status: 403, Code: apperr.Forbidden})
	lambdafntest.Run(t, h, cases)

	var capacity struct {
		District   string `json:"district"`
		Total      struct{ Capacity, Centres int }
		ByDistrict []struct{ District string } `json:"by_district"`
	}
	w := lambdafntest.Serve(h, get("", officer, "/v1/city/capacity", 0, ""))
	if err := json.Unmarshal(w.Body.Bytes(), &capacity); err != nil || w.Code != 200 || capacity.District != "binhu" ||
		capacity.Total.Capacity != 10 || capacity.Total.Centres != 1 || len(capacity.ByDistrict) != 1 || capacity.ByDistrict[0].District != "binhu" {
		t.Fatalf("district capacity: %d %s", w.Code, w.Body)
	}
	var failures struct {
		Items []struct {
			OfferingID string `json:"offering_id"`
		} `json:"items"`
	}
	w = lambdafntest.Serve(h, get("", officer, "/v1/city/message-failures", 0, ""))
	if err := json.Unmarshal(w.Body.Bytes(), &failures); err != nil || w.Code != 200 || len(failures.Items) != 1 || failures.Items[0].OfferingID != "o-binhu" {
		t.Fatalf("district message failures: %d %s", w.Code, w.Body)
	}
	w = lambdafntest.Serve(h, get("", lambdafntest.Officer("o"), "/v1/city/message-failures", 0, ""))
	if err := json.Unmarshal(w.Body.Bytes(), &failures); err != nil || len(failures.Items) != 2 {
		t.Fatalf("city message failures: %d %s", w.Code, w.Body)
	}
}
