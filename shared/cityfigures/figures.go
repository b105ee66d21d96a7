// Package cityfigures holds the rules behind the education bureau's figures: which
// offerings count as places on a day, how figures add up by kind and
// district, what a change in places is, how a target's progress is measured,
// and what unmet demand looks like. It is free of storage and HTTP, so the
// city function, the daily snapshot and the seed count alike.
package cityfigures

import (
	"math"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// InService reports whether an offering's places count on date (YYYY-MM-DD,
// city time): from publication until its last day, and not once cancelled.
// A closed offering still counts: its booking is closed, its places are not.
func InService(o domain.Offering, date string) bool {
	return (o.Status == domain.OfferingPublished || o.Status == domain.OfferingClosed) && date <= o.EndsOn
}

// Places is what an offering counts toward the city's places on date. A
// suspended centre's offerings count none (issue 19): their places are not
// open to anyone until it is reinstated; the bookings they hold still count
// as confirmed (Count), as those residents keep their places.
func Places(o domain.Offering, date string) int {
	if InService(o, date) && !o.CentreSuspended {
		return o.Capacity
	}
	return 0
}

// Date is t's day in the city's time zone.
func Date(t time.Time) string { return t.In(domain.CityZone).Format(time.DateOnly) }

// Scope is a slice of the city: one kind or all (""), one district or all ("").
type Scope struct {
	Kind     domain.Kind
	District domain.District
}

// Scopes are every slice the figures are kept for: all kinds and each kind,
// by all districts and each district.
func Scopes() []Scope {
	kinds := append([]domain.Kind{""}, domain.Kinds...)
	districts := append([]domain.District{""}, domain.Districts...)
	out := make([]Scope, 0, len(kinds)*len(districts))
	for _, k := range kinds {
		for _, d := range districts {
			out = append(out, Scope{k, d})
		}
	}
	return out
}

// Figures are a slice's places and their use.
type Figures struct {
	Capacity   int `json:"capacity"`
	Confirmed  int `json:"confirmed"`
	Waitlisted int `json:"waitlisted"`
	Centres    int `json:"centres"`
	Offerings  int `json:"offerings"`
	// Issue 19: offerings of suspended centres, otherwise in service: their
	// places (not in Capacity) and their centres (not in Centres). Their
	// bookings are in Confirmed and Waitlisted.
	SuspendedCentres int `json:"suspended_centres"`
	SuspendedPlaces  int `json:"suspended_places"`
}

// Available is capacity − confirmed, never negative.
func (f Figures) Available() int { return max(0, f.Capacity-f.Confirmed) }

// Utilization is the share of places taken, 0 without places, to four decimals.
func (f Figures) Utilization() float64 { return Ratio(f.Confirmed, f.Capacity) }

// Ratio is a/b to four decimals, 0 when b is 0.
func Ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return math.Round(float64(a)/float64(b)*10000) / 10000
}

// Tally is the figures of every Scope on one day.
type Tally map[Scope]Figures

// Count adds up the offerings in service on date, into every Scope. Centres
// count once per slice however many offerings they run in it.
func Count(offerings []domain.Offering, date string) Tally {
	t := Tally{}
	centres, suspended := map[Scope]map[string]bool{}, map[Scope]map[string]bool{}
	for _, s := range Scopes() {
		t[s] = Figures{}
		centres[s], suspended[s] = map[string]bool{}, map[string]bool{}
	}
	for _, o := range offerings {
		// An unknown kind or district has no slice to count in.
		if !InService(o, date) || !o.Kind.Valid() || !o.Centre.District.Valid() {
			continue
		}
		for _, s := range []Scope{{}, {Kind: o.Kind}, {District: o.Centre.District}, {o.Kind, o.Centre.District}} {
			f := t[s]
			f.Confirmed += o.Confirmed
			f.Waitlisted += o.Waitlisted
			if o.CentreSuspended {
				f.SuspendedPlaces += o.Capacity
				suspended[s][o.Centre.ID] = true
				f.SuspendedCentres = len(suspended[s])
			} else {
				f.Capacity += o.Capacity
				f.Offerings++
				centres[s][o.Centre.ID] = true
				f.Centres = len(centres[s])
			}
			t[s] = f
		}
	}
	return t
}
