package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
)

// TestSeniorCourseEndToEnd is 锡银学堂 through the gateway on a plain stack:
// staff of a 锡银学堂 centre are refused a course for 50 and over (422 on
// min_age_months) and publish one with the kind's defaults (55 and over);
// a 60-year-old books it, a 50-year-old is refused (422 not_eligible); the
// catalogue's kind=senior_course finds it, and the city's capacity shows
// its places under senior_course, and the other kinds' as before.
func TestSeniorCourseEndToEnd(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	centre := domain.Centre{ID: "c-liangxi-senior", Name: "梁溪区老年大学锡银学堂", District: "liangxi",
		Address: "无锡市梁溪区健康路 18 号", Phone: "0510-82728855", Kinds: []domain.Kind{domain.SeniorCourse}}
	if err := e.st.Store.PutCentre(ctx, centre, false); err != nil {
		t.Fatal(err)
	}
	start := e.st.Now().AddDate(0, 1, 0)
	d := func(t time.Time) string { return t.In(domain.CityZone).Format(domain.DateLayout) }
	// An evening course in service elsewhere, which stays out of senior_course.
	e.offering("o-binhu-evening", 12, func(o *domain.Offering) {
		o.Term, o.StartsOn, o.EndsOn = domain.TermOf(start), d(start), d(start.AddDate(0, 0, 14))
		o.Schedule.Sessions = []string{d(start), d(start.AddDate(0, 0, 14))}
	})
	staff := e.tokenFor("staff-senior", []string{"centre-staff"}, centre.ID)
	city := e.officerToken()

	body := func(minAge any) map[string]any {
		b := map[string]any{"kind": "senior_course", "title": "锡银学堂 · 书法：颜体楷书", "description": "每周二上午",
			"starts_on": d(start), "ends_on": d(start.AddDate(0, 0, 14)),
			"schedule": map[string]any{"text": "每周二 9:00–11:00", "sessions": []string{d(start), d(start.AddDate(0, 0, 7)), d(start.AddDate(0, 0, 14))}},
			"capacity": 24, "status": "published"}
		if minAge != nil {
			b["min_age_months"] = minAge
		}
		return b
	}
	r := e.do("POST", "/v1/centres/"+centre.ID+"/offerings", staff, body(600))
	e.expect(r, 422, "validation_failed")
	if !problemNames(r, "min_age_months") {
		t.Errorf("a course for 50 and over: %s, want an error on min_age_months", r.body)
	}
	r = e.do("POST", "/v1/centres/"+centre.ID+"/offerings", staff, body(nil))
	e.expect(r, 201, "")
	offering := r.str("id")
	if r.num("min_age_months") != 660 || r.num("max_per_participant_per_term") != 2 || r.str("kind") != "senior_course" {
		t.Fatalf("published: %s", r.body)
	}

	// register adds a participant of years on the course's first day.
	seq := 500
	register := func(tok string, years int) string {
		t.Helper()
		seq++
		s := start.In(domain.CityZone)
		birth := time.Date(s.Year()-years, s.Month(), s.Day(), 0, 0, 0, 0, domain.CityZone).AddDate(0, 0, -30)
		r := e.do("POST", "/v1/me/participants", tok, map[string]any{"name": fmt.Sprintf("居民%d", seq),
			"birth_date": d(birth), "id_number": idnumber.Make("320213", birth, seq)})
		e.expect(r, 201, "")
		return r.str("id")
	}
	grandma := e.token("senior-60", "residents")
	r = e.book(grandma, offering, register(grandma, 60), false)
	e.expect(r, 201, "")
	if r.str("status") != "confirmed" {
		t.Fatalf("the 60-year-old: %s", r.body)
	}
	younger := e.token("senior-50", "residents")
	e.expect(e.book(younger, offering, register(younger, 50), false), 422, "not_eligible")

	r = e.do("GET", "/v1/offerings?kind=senior_course", "", nil)
	e.expect(r, 200, "")
	items := r.json["items"].([]any)
	if len(items) != 1 || items[0].(map[string]any)["id"] != offering {
		t.Errorf("kind=senior_course lists %s, want %s only", r.body, offering)
	}
	r = e.do("GET", "/v1/offerings?kind=evening_course", "", nil)
	e.expect(r, 200, "")
	for _, it := range r.json["items"].([]any) {
		if it.(map[string]any)["id"] == offering {
			t.Errorf("kind=evening_course lists the senior course")
		}
	}

	r = e.do("GET", "/v1/city/capacity", city, nil)
	e.expect(r, 200, "")
	var capacity struct {
		ByKind []struct {
			Kind      string `json:"kind"`
			Capacity  int    `json:"capacity"`
			Confirmed int    `json:"confirmed"`
			Offerings int    `json:"offerings"`
		} `json:"by_kind"`
	}
	if err := json.Unmarshal(r.body, &capacity); err != nil {
		t.Fatal(err)
	}
	got := map[string][3]int{}
	for _, k := range capacity.ByKind {
		got[k.Kind] = [3]int{k.Capacity, k.Confirmed, k.Offerings}
	}
	want := map[string][3]int{"childcare": {}, "care_class": {}, "evening_course": {12, 0, 1}, "senior_course": {24, 1, 1}}
	if len(got) != len(domain.Kinds) {
		t.Errorf("by_kind %v, want every kind", got)
	}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s: capacity, confirmed, offerings %v, want %v", k, got[k], w)
		}
	}
	r = e.do("GET", "/v1/city/capacity?kind=senior_course", city, nil)
	e.expect(r, 200, "")
	if total := r.json["total"].(map[string]any); total["capacity"] != 24.0 || total["centres"] != 1.0 {
		t.Errorf("kind=senior_course: %s", r.body)
	}
}

// problemNames reports whether a problem's errors name field.
func problemNames(r reply, field string) bool {
	errs, _ := r.json["errors"].([]any)
	for _, x := range errs {
		if m, _ := x.(map[string]any); m["field"] == field {
			return true
		}
	}
	return false
}
