package openingnight

import (
	"fmt"
	"path/filepath"
	"runtime"

	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

// BookingRoute is the route whose throttle the nights play against.
const BookingRoute = "POST /v1/offerings/{offering_id}/bookings"

// AccountConcurrency is Lambda's usual concurrency quota: what a function
// reserving none may use, nothing else running.
const AccountConcurrency = 1000

// Deployed is what template.yaml admits at its parameters' defaults: the
// booking route's throttle and BookingsFunction's concurrency (its
// reservation, or the account's).
func Deployed() (samtemplate.Throttle, int, error) {
	_, file, _, _ := runtime.Caller(0)
	path := filepath.Join(filepath.Dir(file), "..", "..", "template.yaml")
	base, err := samtemplate.Load(path)
	if err != nil {
		return samtemplate.Throttle{}, 0, err
	}
	v := base.ParameterDefaults()
	tm, err := samtemplate.LoadFor(path, v)
	if err != nil {
		return samtemplate.Throttle{}, 0, err
	}
	l, err := tm.Limits(v)
	if err != nil {
		return samtemplate.Throttle{}, 0, err
	}
	th, ok := l.Routes[BookingRoute]
	if !ok {
		return th, 0, fmt.Errorf("openingnight: template.yaml sets no throttle for %s", BookingRoute)
	}
	conc := AccountConcurrency
	if n := l.Reserved["BookingsFunction"]; n > 0 {
		conc = n
	}
	return th, conc, nil
}

// Nights are the scenarios TestOpeningNightFigures plays (see there), at
// the template's limits (Deployed) and, for comparison, at the booking
// throttle's earlier 200/400.
func Nights(which string) ([]Scenario, error) {
	th, conc, err := Deployed()
	if err != nil {
		return nil, err
	}
	at := func(s Scenario, rate float64, burst, conc, parts int) Scenario {
		s.ThrottleRate, s.ThrottleBurst, s.Concurrency, s.DB.Partitions = rate, burst, conc, parts
		s.Name = fmt.Sprintf("%s, %g/%d", s.Name, rate, burst)
		return s
	}
	now := func(s Scenario) Scenario { return at(s, th.Rate, th.Burst, conc, AWSLimits.Partitions) }
	before := func(s Scenario) Scenario { return at(s, 200, 400, AccountConcurrency, AWSLimits.Partitions) }
	switch which {
	case "full":
		return []Scenario{before(Opening(100_000)), now(Opening(100_000)), before(Opening(900_000)), now(Opening(900_000))}, nil
	case "bench":
		return []Scenario{before(Opening(100_000)), now(Opening(100_000))}, nil
	case "sweep":
		var out []Scenario
		for _, r := range []struct {
			rate               float64
			burst, conc, parts int
		}{{200, 400, 1000, 4}, {1000, 2000, 1000, 4}, {2000, 4000, 1000, 4}, {2000, 4000, 100, 4}, {2000, 4000, 1000, 16}} {
			s := at(Opening(100_000), r.rate, r.burst, r.conc, r.parts)
			s.Name += fmt.Sprintf(", %d conc, %d parts", r.conc, r.parts)
			out = append(out, s)
		}
		return out, nil
	}
	// make test's: small enough to run with the race detector on a
	// shared machine, large enough to fill every course.
	small := func(n int) Scenario {
		s := now(Opening(n))
		s.Courses = 3
		return s
	}
	return []Scenario{small(1_000), small(3_000)}, nil
}
