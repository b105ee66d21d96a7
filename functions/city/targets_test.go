package city_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/functions/city"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
)

type targetChange struct {
	Target    int       `json:"target"`
	Baseline  string    `json:"baseline"`
	Title     string    `json:"title"`
	ChangedAt time.Time `json:"changed_at"`
	ChangedBy string    `json:"changed_by"`
}

type targetItem struct {
	Kind     string          `json:"kind"`
	Year     int             `json:"year"`
	Metric   string          `json:"metric"`
	Target   int             `json:"target"`
	Baseline string          `json:"baseline"`
	Title    string          `json:"title"`
	From     string          `json:"from"`
	Achieved int             `json:"achieved"`
	History  *[]targetChange `json:"history"`
}

// TestTargetRoutes: only city officers set targets (401 without a caller,
// 403 for residents, centre staff and district officers); every bad field
// is named at once (422); a new target is 201, a change 200, and each
// change shows in ?history=true, oldest first, for city and district
// officers alike (the refused requests wrote nothing: the first PUT that
// passes is 201); without it the items have no history.
func TestTargetRoutes(t *testing.T) {
	now := time.Date(2026, 8, 1, 10, 0, 0, 0, domain.CityZone)
	at := now
	d := lambdafntest.Deps(t, func() time.Time { return at })
	// Places published this year: 10 in binhu, 25 in xishan.
	var ledger []cityfigures.Change
	for i, p := range []struct {
		district domain.District
		places   int
	}{{"binhu", 10}, {"xishan", 25}} {
		day := time.Date(2026, time.Month(3+i), 1, 9, 0, 0, 0, domain.CityZone)
		ledger = append(ledger, cityfigures.Change{At: day, Date: day.Format(time.DateOnly), Kind: domain.Childcare, District: p.district,
			CentreID: "c-" + string(p.district), OfferingID: "o-" + string(p.district), Reason: cityfigures.Published, After: p.places, Delta: p.places, Actor: "staff"})
	}
	if err := d.Store.RecordChanges(t.Context(), ledger); err != nil {
		t.Fatal(err)
	}
	h := city.New(d)
	officer, district := lambdafntest.Officer("officer-1"), lambdafntest.DistrictOfficer("officer-binhu", "binhu")
	const path = "/v1/city/targets/2026/childcare"
	const body = `{"target":600,"baseline":"2026-01-01","title":"新增托位 / New nursery places"}`
	put := func(name string, as *auth.Caller, path, body string, status int, code apperr.Code) lambdafntest.Case {
		return lambdafntest.Case{Name: name, As: as, Method: http.MethodPut, Path: path, Body: body, Status: status, Code: code}
	}
	get := func(name string, as *auth.Caller, path string, status int, code apperr.Code) lambdafntest.Case {
		return lambdafntest.Case{Name: name, As: as, Method: http.MethodGet, Path: path, Status: status, Code: code}
	}
	lambdafntest.Run(t, h, []lambdafntest.Case{
		put("no caller", nil, path, body, 401, apperr.Unauthorized),
		put("a resident", lambdafntest.Resident("u1"), path, body, 403, apperr.Forbidden),
		put("centre staff", lambdafntest.Staff("s1", "c1"), path, body, 403, apperr.Forbidden),
		put("a district officer", district, path, body, 403, apperr.Forbidden),
		put("an unknown field", officer, path, `{"target":600,"title":"新增托位","metric":"x"}`, 400, apperr.InvalidRequest),
		put("a fraction", officer, path, `{"target":600.5,"title":"新增托位"}`, 400, apperr.InvalidRequest),
		put("a query parameter", officer, path+"?x=1", body, 400, apperr.InvalidRequest),
		put("a year before 2020", officer, "/v1/city/targets/2019/childcare", body, 422, apperr.ValidationFailed),
		put("an unknown kind", officer, "/v1/city/targets/2026/yoga", body, 422, apperr.ValidationFailed),
		put("a line break in the title", officer, path, `{"target":600,"title":"新增\n托位"}`, 422, apperr.ValidationFailed),
		put("a title of 81 characters", officer, path, `{"target":600,"title":"`+strings.Repeat("位", 81)+`"}`, 422, apperr.ValidationFailed),
		put("a target over a million", officer, path, `{"target":1000001,"title":"新增托位"}`, 422, apperr.ValidationFailed),
		put("a baseline not a date", officer, path, `{"target":600,"baseline":"2026-02-30","title":"新增托位"}`, 422, apperr.ValidationFailed),
		put("a year with a sign", officer, "/v1/city/targets/+2026/childcare", body, 422, apperr.ValidationFailed),
		get("history neither true nor false", officer, "/v1/city/targets?history=nope", 400, apperr.InvalidRequest),
		get("history as CSV", officer, "/v1/city/targets?history=true&format=csv", 400, apperr.InvalidRequest),
	})

	// Every bad field is named, Chinese first.
	w := lambdafntest.Serve(h, put("", officer, "/v1/city/targets/2019/yoga", `{"target":0,"baseline":"2025-12-31","title":" x "}`, 0, ""))
	var problem struct {
		Errors []struct{ Field, Message string } `json:"errors"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &problem); err != nil || w.Code != 422 {
		t.Fatalf("bad fields: %d %s", w.Code, w.Body)
	}
	var fields []string
	for _, e := range problem.Errors {
		fields = append(fields, e.Field)
	}
	if want := []string{"year", "kind", "target", "baseline", "title"}; !slices.Equal(fields, want) {
		t.Fatalf("fields %v, want %v: %s", fields, want, w.Body)
	}
	w = lambdafntest.Serve(h, put("", officer, path, `{"title":"新增托位"}`, 0, ""))
	if w.Code != 422 || !json.Valid(w.Body.Bytes()) {
		t.Fatalf("no target: %d %s", w.Code, w.Body)
	}

	putTarget := func(as *auth.Caller, body string, status int) targetItem {
		t.Helper()
		w := lambdafntest.Serve(h, put("", as, path, body, 0, ""))
		var it targetItem
		if err := json.Unmarshal(w.Body.Bytes(), &it); err != nil || w.Code != status {
			t.Fatalf("PUT %s: %d %s, want %d", body, w.Code, w.Body, status)
		}
		return it
	}
	it := putTarget(officer, body, 201)
	if it.Kind != "childcare" || it.Year != 2026 || it.Metric != "new_places" || it.Target != 600 || it.From != "2026-01-01" || it.Achieved != 35 || it.History != nil {
		t.Fatalf("new target: %+v", it)
	}
	at = at.Add(time.Hour)
	putTarget(lambdafntest.Officer("officer-2"), `{"target":650,"title":"  新增托位 / New nursery places  "}`, 200) // baseline left out: 1 January
	at = at.Add(time.Hour)
	it = putTarget(officer, `{"target":650,"baseline":"2026-04-01","title":"新增托位 / New nursery places"}`, 200)
	if it.Target != 650 || it.From != "2026-04-01" || it.Achieved != 25 {
		t.Fatalf("changed target: %+v", it)
	}
	putTarget(officer, `{"target":650,"baseline":"2026-04-01","title":"新增托位 / New nursery places"}`, 200) // the same: no change kept

	read := func(as *auth.Caller, query string) []targetItem {
		t.Helper()
		w := lambdafntest.Serve(h, get("", as, "/v1/city/targets"+query, 0, ""))
		var res struct {
			Items []targetItem `json:"items"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &res); err != nil || w.Code != 200 || len(res.Items) != 1 {
			t.Fatalf("GET targets%s: %d %s", query, w.Code, w.Body)
		}
		return res.Items
	}
	if items := read(officer, ""); items[0].History != nil || items[0].Target != 650 {
		t.Fatalf("without history: %+v", items[0])
	}
	want := []targetChange{
		{600, "2026-01-01", "新增托位 / New nursery places", now, "officer-1"},
		{650, "2026-01-01", "新增托位 / New nursery places", now.Add(time.Hour), "officer-2"},
		{650, "2026-04-01", "新增托位 / New nursery places", now.Add(2 * time.Hour), "officer-1"},
	}
	for as, achieved := range map[*auth.Caller]int{officer: 25, district: 0} {
		items := read(as, "?history=true&kind=childcare")
		if items[0].Achieved != achieved {
			t.Errorf("%s: achieved %d, want %d", as.Sub, items[0].Achieved, achieved)
		}
		got := items[0].History
		if got == nil || len(*got) != len(want) {
			t.Fatalf("history for %s: %+v, want %+v", as.Sub, got, want)
		}
		for i, c := range *got {
			if c.Target != want[i].Target || c.Baseline != want[i].Baseline || c.Title != want[i].Title ||
				!c.ChangedAt.Equal(want[i].ChangedAt) || c.ChangedBy != want[i].ChangedBy {
				t.Errorf("history[%d] for %s = %+v, want %+v", i, as.Sub, c, want[i])
			}
		}
	}
	// A target written before changes were kept has an empty history.
	legacy := cityfigures.Target{Kind: domain.EveningCourse, Year: 2026, Metric: cityfigures.NewPlaces, Target: 40, Baseline: "2026-01-01", Title: "夜校 / Evening school"}
	if err := d.Store.PutTarget(t.Context(), legacy, false); err != nil {
		t.Fatal(err)
	}
	if items := read(officer, "?history=true&kind=evening_course"); items[0].History == nil || len(*items[0].History) != 0 {
		t.Fatalf("a target without history: %+v", items[0])
	}
}
