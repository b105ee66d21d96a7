package local_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Targets as data through the gateway: a city officer sets 2027's
// childcare target (201) and changes it an hour later (200); district
// officers, staff and residents may not; the targets view shows progress
// against the current target — places centres published through the API,
// city-wide for the officer, the district's part for its district officer —
// and, with history=true, both changes oldest first, with who made them and
// when; the CSV still downloads.
func TestTargetsSetChangedAndShownWithHistory(t *testing.T) {
	clk := newMovableClock(time.Date(2027, 3, 10, 10, 0, 0, 0, domain.CityZone))
	e := start(t, clk.option())
	xishan := dbtest.Centre("c-xishan-1", "xishan")
	if err := e.st.Store.PutCentre(t.Context(), xishan, false); err != nil {
		t.Fatal(err)
	}
	now := e.st.Now()
	for centre, capacity := range map[string]int{e.centre.ID: 12, xishan.ID: 20} {
		staff := e.tokenFor("staff-"+centre, []string{"centre-staff"}, centre)
		e.expect(e.do("POST", "/v1/centres/"+centre+"/offerings", staff, map[string]any{
			"kind": "childcare", "title": "普惠托位", "starts_on": "2027-04-01", "ends_on": "2027-07-31", "capacity": capacity,
			"schedule": map[string]any{"text": "周一至周五 8:00–17:00"}, "status": "published", "min_age_months": 12, "max_age_months": 36,
			"booking_opens_at": now.Add(time.Hour), "booking_closes_at": time.Date(2027, 3, 31, 20, 0, 0, 0, domain.CityZone),
		}), 201, "")
	}

	const path = "/v1/city/targets/2027/childcare"
	officerTok := e.officerToken()
	district, err := e.st.DistrictToken("officer-binhu", "binhu")
	if err != nil {
		t.Fatal(err)
	}
	first := map[string]any{"target": 100, "baseline": "2027-01-01", "title": "2027 年新增普惠性托位 100 个 · 100 new places in 2027"}
	for who, tok := range map[string]string{"a district officer": district, "a resident": e.token("acc-t", "residents"),
		"centre staff": e.tokenFor("staff-t", []string{"centre-staff"}, e.centre.ID)} {
		if r := e.do("PUT", path, tok, first); r.status != 403 {
			t.Errorf("%s set a target: %d %s", who, r.status, r.body)
		}
	}
	e.expect(e.do("PUT", path, "", first), 401, "")
	e.expect(e.do("PUT", "/v1/city/targets/2019/childcare", officerTok, first), 422, "validation_failed")

	// The stack's clock runs on: each change is timed between its request's
	// start and its answer.
	var sent, answered [2]time.Time
	sent[0] = e.st.Now()
	r := e.do("PUT", path, officerTok, first)
	answered[0] = e.st.Now()
	e.expect(r, 201, "")
	if r.num("target") != 100 || r.num("achieved") != 32 || r.str("from") != "2027-01-01" {
		t.Fatalf("the new target: %s", r.body)
	}
	clk.move(time.Hour)
	second := map[string]any{"target": 120, "baseline": "2027-03-01", "title": "2027 年新增普惠性托位 120 个 · 120 new places in 2027"}
	sent[1] = e.st.Now()
	r = e.do("PUT", path, officerTok, second)
	answered[1] = e.st.Now()
	e.expect(r, 200, "")
	if r.num("target") != 120 || r.num("achieved") != 32 || r.num("remaining") != 88 || r.str("from") != "2027-03-01" {
		t.Fatalf("the changed target: %s", r.body)
	}

	type change struct {
		Target    int       `json:"target"`
		Baseline  string    `json:"baseline"`
		Title     string    `json:"title"`
		ChangedAt time.Time `json:"changed_at"`
		ChangedBy string    `json:"changed_by"`
	}
	type view struct {
		District string `json:"district"`
		Items    []struct {
			Year      int       `json:"year"`
			Target    int       `json:"target"`
			Achieved  int       `json:"achieved"`
			Remaining int       `json:"remaining"`
			History   *[]change `json:"history"`
		} `json:"items"`
	}
	read := func(tok, query string) view {
		t.Helper()
		r := e.do("GET", "/v1/city/targets"+query, tok, nil)
		e.expect(r, 200, "")
		var v view
		if err := json.Unmarshal(r.body, &v); err != nil || len(v.Items) != 1 || v.Items[0].Year != 2027 || v.Items[0].Target != 120 {
			t.Fatalf("GET targets%s: %s", query, r.body)
		}
		return v
	}
	if v := read(officerTok, ""); v.Items[0].History != nil {
		t.Errorf("history without history=true: %+v", v.Items[0])
	}
	want := []change{
		{100, "2027-01-01", first["title"].(string), sent[0], officer},
		{120, "2027-03-01", second["title"].(string), sent[1], officer},
	}
	for _, c := range []struct {
		tok, district string
		achieved      int
	}{{officerTok, "", 32}, {district, "binhu", 12}} {
		v := read(c.tok, "?history=true")
		it := v.Items[0]
		if v.District != c.district || it.Achieved != c.achieved || it.Remaining != 120-c.achieved || it.History == nil || len(*it.History) != len(want) {
			t.Fatalf("with history (%q): %+v", c.district, v)
		}
		for i, h := range *it.History {
			if h.Target != want[i].Target || h.Baseline != want[i].Baseline || h.Title != want[i].Title ||
				h.ChangedAt.Before(sent[i]) || h.ChangedAt.After(answered[i]) || h.ChangedBy != want[i].ChangedBy {
				t.Errorf("history[%d] (%q) = %+v, want %+v", i, c.district, h, want[i])
			}
		}
	}
	csv := e.do("GET", "/v1/city/targets?format=csv", officerTok, nil)
	e.expect(csv, 200, "")
	if !strings.HasPrefix(csv.header.Get("Content-Type"), "text/csv") || !strings.Contains(string(csv.body), ",120,2027-03-01,") {
		t.Fatalf("CSV: %s %s", csv.header.Get("Content-Type"), csv.body)
	}
	e.expect(e.do("GET", "/v1/city/targets?format=csv&history=true", officerTok, nil), 400, "invalid_request")
}
