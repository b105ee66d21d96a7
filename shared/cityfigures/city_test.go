package cityfigures

import (
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

func offering(id string, k domain.Kind, d domain.District, centre string, status domain.OfferingStatus, capacity, confirmed, waitlisted int) domain.Offering {
	return domain.Offering{ID: id, Kind: k, Centre: domain.CentreRef{ID: centre, Name: "中心 " + centre, District: d}, Title: "项目 " + id,
		Term: "2026-autumn", StartsOn: "2026-09-01", EndsOn: "2026-12-31", Status: status,
		Capacity: capacity, Confirmed: confirmed, Waitlisted: waitlisted}
}

func TestInService(t *testing.T) {
	o := offering("o1", domain.Childcare, "binhu", "c1", domain.OfferingPublished, 10, 0, 0)
	tests := []struct {
		name   string
		status domain.OfferingStatus
		date   string
		want   bool
	}{
		{"published, running", domain.OfferingPublished, "2026-11-28", true},
		{"published, before it starts", domain.OfferingPublished, "2026-06-01", true},
		{"closed still holds its places", domain.OfferingClosed, "2026-11-28", true},
		{"last day counts", domain.OfferingPublished, "2026-12-31", true},
		{"the day after does not", domain.OfferingPublished, "2027-01-01", false},
		{"draft", domain.OfferingDraft, "2026-11-28", false},
		{"cancelled", domain.OfferingCancelled, "2026-11-28", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o.Status = tt.status
			if got := InService(o, tt.date); got != tt.want {
				t.Errorf("InService = %v, want %v", got, tt.want)
			}
			if want := map[bool]int{true: 10, false: 0}[tt.want]; Places(o, tt.date) != want {
				t.Errorf("Places = %d, want %d", Places(o, tt.date), want)
			}
		})
	}
}

func TestChangeOf(t *testing.T) {
	at := time.Date(2026, 11, 28, 10, 0, 0, 0, domain.CityZone)
	base := offering("o1", domain.EveningCourse, "xinwu", "c1", domain.OfferingPublished, 30, 5, 0)
	with := func(status domain.OfferingStatus, capacity int) domain.Offering {
		o := base
		o.Status, o.Capacity = status, capacity
		return o
	}
	tests := []struct {
		name          string
		before, after domain.Offering
		ok            bool
		reason        Reason
		delta         int
	}{
		{"created published", domain.Offering{}, with(domain.OfferingPublished, 30), true, Published, 30},
		{"created as draft", domain.Offering{}, with(domain.OfferingDraft, 30), false, "", 0},
		{"draft published", with(domain.OfferingDraft, 30), with(domain.OfferingPublished, 30), true, Published, 30},
		{"draft capacity edited", with(domain.OfferingDraft, 30), with(domain.OfferingDraft, 40), false, "", 0},
		{"raised", with(domain.OfferingPublished, 30), with(domain.OfferingPublished, 36), true, CapacityRaised, 6},
		{"cut while closed", with(domain.OfferingClosed, 30), with(domain.OfferingClosed, 25), true, CapacityCut, -5},
		{"closed: places stay", with(domain.OfferingPublished, 30), with(domain.OfferingClosed, 30), false, "", 0},
		{"cancelled", with(domain.OfferingClosed, 30), with(domain.OfferingCancelled, 30), true, Cancelled, -30},
		{"title only", with(domain.OfferingPublished, 30), with(domain.OfferingPublished, 30), false, "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, ok := ChangeOf(tt.before, tt.after, "staff-1", at)
			if ok != tt.ok || c.Reason != tt.reason || c.Delta != tt.delta {
				t.Fatalf("ChangeOf = %+v, %v; want reason %q delta %d ok %v", c, ok, tt.reason, tt.delta, tt.ok)
			}
			if ok && (c.Date != "2026-11-28" || c.After-c.Before != c.Delta || c.Actor != "staff-1" || c.District != "xinwu" || c.CentreID != "c1") {
				t.Errorf("entry %+v", c)
			}
		})
	}
	ended := with(domain.OfferingPublished, 30)
	ended.EndsOn = "2026-11-01"
	if _, ok := ChangeOf(ended, with(domain.OfferingPublished, 40), "x", at); ok {
		// before ended (0 places), after runs to December (40): a change.
	} else {
		t.Error("an edit that brings places back into service is a change")
	}
}

func TestEndOf(t *testing.T) {
	o := offering("o1", domain.CareClass, "yixing", "c1", domain.OfferingClosed, 45, 40, 3)
	c, ok := EndOf(o)
	want := time.Date(2027, 1, 1, 0, 0, 0, 0, domain.CityZone)
	if !ok || c.Reason != Ended || c.Delta != -45 || c.Before != 45 || c.After != 0 || !c.At.Equal(want) || c.Date != "2027-01-01" || c.Actor != SystemActor {
		t.Errorf("EndOf = %+v, %v", c, ok)
	}
	o.Status = domain.OfferingCancelled
	if _, ok := EndOf(o); ok {
		t.Error("a cancelled offering's places already left: no end entry")
	}
}

func TestCount(t *testing.T) {
	os := []domain.Offering{
		offering("a", domain.Childcare, "binhu", "c1", domain.OfferingPublished, 10, 10, 2),
		offering("b", domain.Childcare, "binhu", "c1", domain.OfferingClosed, 20, 5, 0),
		offering("c", domain.EveningCourse, "binhu", "c1", domain.OfferingPublished, 30, 1, 0),
		offering("d", domain.EveningCourse, "liangxi", "c2", domain.OfferingPublished, 40, 40, 9),
		offering("e", domain.EveningCourse, "liangxi", "c2", domain.OfferingDraft, 99, 0, 0),
		offering("f", domain.EveningCourse, "nowhere", "c3", domain.OfferingPublished, 99, 0, 0),
		offering("g", domain.SeniorCourse, "liangxi", "c4", domain.OfferingPublished, 20, 19, 0),
		offering("h", domain.SeniorCourse, "liangxi", "c4", domain.OfferingPublished, 30, 30, 6),
	}
	tally := Count(os, "2026-11-28")
	// every kind and all kinds, by every district and all districts
	if len(tally) != len(Scopes()) || len(Scopes()) != (len(domain.Kinds)+1)*(len(domain.Districts)+1) {
		t.Fatalf("%d scopes", len(tally))
	}
	tests := []struct {
		scope Scope
		want  Figures
	}{
		{Scope{}, Figures{Capacity: 150, Confirmed: 105, Waitlisted: 17, Centres: 3, Offerings: 6}},
		{Scope{District: "binhu"}, Figures{Capacity: 60, Confirmed: 16, Waitlisted: 2, Centres: 1, Offerings: 3}},
		{Scope{District: "liangxi"}, Figures{Capacity: 90, Confirmed: 89, Waitlisted: 15, Centres: 2, Offerings: 3}},
		{Scope{Kind: domain.EveningCourse}, Figures{Capacity: 70, Confirmed: 41, Waitlisted: 9, Centres: 2, Offerings: 2}},
		{Scope{Kind: domain.SeniorCourse}, Figures{Capacity: 50, Confirmed: 49, Waitlisted: 6, Centres: 1, Offerings: 2}},
		{Scope{domain.SeniorCourse, "liangxi"}, Figures{Capacity: 50, Confirmed: 49, Waitlisted: 6, Centres: 1, Offerings: 2}},
		{Scope{domain.SeniorCourse, "binhu"}, Figures{}},
		{Scope{domain.Childcare, "binhu"}, Figures{Capacity: 30, Confirmed: 15, Waitlisted: 2, Centres: 1, Offerings: 2}},
		{Scope{domain.CareClass, "binhu"}, Figures{}},
	}
	for _, tt := range tests {
		if got := tally[tt.scope]; got != tt.want {
			t.Errorf("%+v: %+v, want %+v", tt.scope, got, tt.want)
		}
	}
	if u := tally[Scope{}].Utilization(); u != 0.7 {
		t.Errorf("utilization %v", u)
	}
	if (Figures{}).Utilization() != 0 || (Figures{Capacity: 3, Confirmed: 4}).Available() != 0 {
		t.Error("no places: utilization 0, available never negative")
	}
}

func TestMeasure(t *testing.T) {
	tg := Target{Kind: domain.Childcare, Year: 2025, Metric: NewPlaces, Target: 100, Baseline: "2025-01-01"}
	if err := tg.Validate(); err != nil {
		t.Fatal(err)
	}
	changes := []Change{
		{Kind: domain.Childcare, Date: "2024-12-31", Delta: 500}, // before the baseline
		{Kind: domain.Childcare, Date: "2025-01-01", Delta: 30},
		{Kind: domain.Childcare, Date: "2025-06-01", Delta: -10},
		{Kind: domain.CareClass, Date: "2025-06-01", Delta: 45}, // another kind
		{Kind: domain.Childcare, Date: "2025-12-31", Delta: 20},
		{Kind: domain.Childcare, Date: "2026-01-01", Delta: 99}, // after the year
	}
	tests := []struct {
		today           string
		achieved, count int
		to              string
	}{
		{"2026-11-28", 40, 3, "2025-12-31"},
		{"2025-06-01", 20, 2, "2025-06-01"},
	}
	for _, tt := range tests {
		p := Measure(tg, changes, tt.today)
		if p.Achieved != tt.achieved || p.Changes != tt.count || p.To != tt.to || p.From != "2025-01-01" ||
			p.Remaining != 100-tt.achieved || p.Progress != float64(tt.achieved)/100 {
			t.Errorf("as of %s: %+v", tt.today, p)
		}
	}
	for _, bad := range []Target{
		{Kind: "nursery", Year: 2025, Metric: NewPlaces, Target: 1, Baseline: "2025-01-01"},
		{Kind: domain.Childcare, Year: 2025, Metric: "seats", Target: 1, Baseline: "2025-01-01"},
		{Kind: domain.Childcare, Year: 2025, Metric: NewPlaces, Target: 0, Baseline: "2025-01-01"},
		{Kind: domain.Childcare, Year: 2025, Metric: NewPlaces, Target: 1, Baseline: "2024-12-31"},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v validated", bad)
		}
	}
}

func TestDemandOf(t *testing.T) {
	opens := time.Date(2026, 11, 20, 9, 0, 0, 0, domain.CityZone)
	full := func(o domain.Offering, after time.Duration) domain.Offering {
		o.BookingOpensAt = opens
		at := opens.Add(after)
		o.FullAt = &at
		return o
	}
	os := []domain.Offering{
		full(offering("fast", domain.EveningCourse, "binhu", "c1", domain.OfferingPublished, 30, 30, 13), 90*time.Second),
		full(offering("slow", domain.EveningCourse, "binhu", "c1", domain.OfferingClosed, 20, 20, 12), 50*time.Hour),
		full(offering("mid", domain.Childcare, "liangxi", "c2", domain.OfferingPublished, 10, 10, 0), 3*time.Hour),
		offering("open", domain.Childcare, "liangxi", "c2", domain.OfferingPublished, 10, 4, 0),
		offering("gone", domain.Childcare, "liangxi", "c2", domain.OfferingCancelled, 10, 0, 0),
	}
	d := DemandOf(os, "2026-11-28")
	var order []string
	for _, o := range d.Offerings {
		order = append(order, o.OfferingID)
	}
	if want := "fast slow mid open"; join(order) != want {
		t.Errorf("order %q, want %q", join(order), want)
	}
	if h := d.Offerings[0].HoursToFull; h == nil || *h != 0.03 {
		t.Errorf("fast filled in %v hours", d.Offerings[0])
	}
	tot := d.Total
	if tot.Offerings != 4 || tot.FullOfferings != 3 || tot.Waitlisted != 25 || tot.FilledWithinDay != 2 || tot.MedianHoursToFull == nil || *tot.MedianHoursToFull != 3 {
		t.Errorf("total %+v", tot)
	}
	for _, dd := range d.ByDistrict {
		switch dd.District {
		case "binhu":
			// median of 0.03 and 50 hours
			if dd.Offerings != 2 || dd.MedianHoursToFull == nil || *dd.MedianHoursToFull != 25.02 {
				t.Errorf("binhu %+v", dd)
			}
		case "liangxi":
			if dd.Offerings != 2 || dd.FullOfferings != 1 || *dd.MedianHoursToFull != 3 {
				t.Errorf("liangxi %+v", dd)
			}
		default:
			if dd.Offerings != 0 || dd.MedianHoursToFull != nil {
				t.Errorf("%s %+v", dd.District, dd)
			}
		}
	}
	if o := d.Offerings[1]; o.Oversubscription != 1.6 {
		t.Errorf("slow oversubscription %v", o.Oversubscription)
	}
}

func join(xs []string) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
