package domain

import (
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

func TestTerms(t *testing.T) {
	cases := []struct {
		start, term string
	}{{"2026-01-10", "2026-winter"}, {"2026-03-02", "2026-spring"}, {"2026-07-07", "2026-summer"}, {"2026-12-30", "2026-autumn"}}
	for _, c := range cases {
		if got := TermOf(date(c.start)); got != c.term {
			t.Errorf("TermOf(%s) = %s", c.start, got)
		}
	}
	evening := []string{"spring", "autumn"}
	steps := []struct{ term, prev, next string }{
		{"2026-autumn", "2026-spring", "2027-spring"},
		{"2027-spring", "2026-autumn", "2027-autumn"},
	}
	for _, s := range steps {
		if p, _ := PreviousTerm(s.term, evening); p != s.prev {
			t.Errorf("PreviousTerm(%s) = %s", s.term, p)
		}
		if n, _ := NextTerm(s.term, evening); n != s.next {
			t.Errorf("NextTerm(%s) = %s", s.term, n)
		}
	}
	if end, ok := TermEnds("2026-autumn"); !ok || end.Format(DateLayout) != "2027-01-31" {
		t.Errorf("autumn ends %v", end)
	}
	for _, bad := range []string{"", "2026", "2026-monsoon", "autumn-2026", "1999-spring"} {
		if ValidTerm(bad) {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestCreateOffering(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, CityZone)
	c := Centre{ID: "c1", Name: "滨湖区青年夜校", District: "binhu"}
	base := func() NewOffering {
		return NewOffering{Kind: EveningCourse, Title: "摄影", StartsOn: "2026-12-07", EndsOn: "2026-12-21", Capacity: 30,
			Schedule: Schedule{Text: "周一", Sessions: []string{"2026-12-07", "2026-12-14", "2026-12-21"}}}
	}
	o, err := Create(base(), c, now)
	if err != nil {
		t.Fatal(err)
	}
	if o.Status != OfferingDraft || o.Term != "2026-autumn" || o.MinAgeMonths != 216 || o.MaxPerParticipantPerTerm != 2 ||
		!o.WaitlistEnabled || o.NoShowRule == nil || !o.BookingOpensAt.Equal(now) || o.BookingClosesAt.Format(DateLayout) != "2026-12-07" {
		t.Fatalf("defaults: %+v", o)
	}
	kid := base()
	kid.Kind, kid.Schedule = Childcare, Schedule{Text: "周一至周五"}
	if o, err := Create(kid, c, now); err != nil || o.MaxAgeMonths != 36 || o.NoShowRule != nil {
		t.Fatalf("childcare: %+v %v", o, err)
	}
	ptr := func(i int) *int { return &i }
	late := now.AddDate(1, 0, 0)
	bad := map[string]func(*NewOffering){
		"kind":            func(n *NewOffering) { n.Kind = "yoga" },
		"title":           func(n *NewOffering) { n.Title = "  " },
		"dates reversed":  func(n *NewOffering) { n.EndsOn = "2026-12-01" },
		"in the past":     func(n *NewOffering) { n.StartsOn, n.Schedule.Sessions = "2026-01-05", nil },
		"capacity":        func(n *NewOffering) { n.Capacity = 0 },
		"ages for kind":   func(n *NewOffering) { n.MinAgeMonths, n.MaxAgeMonths = ptr(0), ptr(36) },
		"ages reversed":   func(n *NewOffering) { n.MinAgeMonths, n.MaxAgeMonths = ptr(300), ptr(250) },
		"closes late":     func(n *NewOffering) { n.BookingClosesAt = &late },
		"no sessions":     func(n *NewOffering) { n.Schedule.Sessions = nil },
		"session outside": func(n *NewOffering) { n.Schedule.Sessions = []string{"2027-01-01"} },
		"session order":   func(n *NewOffering) { n.Schedule.Sessions = []string{"2026-12-14", "2026-12-07"} },
		"term":            func(n *NewOffering) { n.Term = "autumn" },
		"status":          func(n *NewOffering) { n.Status = OfferingClosed },
		"fee":             func(n *NewOffering) { n.FeeFen = -1 },
	}
	for name, edit := range bad {
		in := base()
		edit(&in)
		if _, err := Create(in, c, now); !apperr.Is(err, apperr.ValidationFailed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPatch(t *testing.T) {
	o := Offering{Title: "t", Capacity: 10, Status: OfferingDraft, StartsOn: "2026-12-07",
		BookingOpensAt: date("2026-11-01"), BookingClosesAt: date("2026-12-01")}
	st := func(s OfferingStatus) *OfferingStatus { return &s }
	cases := []struct {
		name string
		from OfferingStatus
		p    Patch
		want OfferingStatus
		code apperr.Code
	}{
		{"publish a draft", OfferingDraft, Patch{Status: st(OfferingPublished)}, OfferingPublished, ""},
		{"close", OfferingPublished, Patch{Status: st(OfferingClosed)}, OfferingClosed, ""},
		{"reopen", OfferingClosed, Patch{Status: st(OfferingPublished)}, OfferingPublished, ""},
		{"close a draft", OfferingDraft, Patch{Status: st(OfferingClosed)}, "", apperr.ValidationFailed},
		{"back to draft", OfferingPublished, Patch{Status: st(OfferingDraft)}, "", apperr.ValidationFailed},
		{"cancel by patch", OfferingPublished, Patch{Status: st(OfferingCancelled)}, "", apperr.ValidationFailed},
		{"edit a cancelled one", OfferingCancelled, Patch{}, "", apperr.Conflict},
	}
	for _, c := range cases {
		in := o
		in.Status = c.from
		got, err := c.p.Apply(in, date("2026-11-01"))
		if c.code != "" && !apperr.Is(err, c.code) || c.code == "" && (err != nil || got.Status != c.want) {
			t.Errorf("%s: %v %v", c.name, got.Status, err)
		}
	}
	tooBig, opensLate := 10001, date("2026-12-02")
	for name, p := range map[string]Patch{"capacity": {Capacity: &tooBig}, "window": {BookingOpensAt: &opensLate}} {
		if _, err := p.Apply(o, date("2026-11-01")); !apperr.Is(err, apperr.ValidationFailed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}
