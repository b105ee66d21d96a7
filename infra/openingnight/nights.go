package openingnight

import "fmt"

// Chosen are the booking route's throttle and the booking function's
// reserved concurrency this model chose (template.yaml's defaults; README,
// 开夜场 / Opening night).
var Chosen = struct {
	Rate        float64
	Burst       int
	Concurrency int
}{Rate: 2000, Burst: 4000, Concurrency: 1000}

// Nights are the scenarios TestOpeningNightFigures plays (see there).
func Nights(which string) []Scenario {
	at := func(s Scenario, rate float64, burst, conc, parts int) Scenario {
		s.ThrottleRate, s.ThrottleBurst, s.Concurrency, s.DB.Partitions = rate, burst, conc, parts
		s.Name = fmt.Sprintf("%s, %g/%d", s.Name, rate, burst)
		return s
	}
	chosen := func(s Scenario) Scenario {
		return at(s, Chosen.Rate, Chosen.Burst, Chosen.Concurrency, AWSLimits.Partitions)
	}
	before := func(s Scenario) Scenario { return at(s, 200, 400, 1000, AWSLimits.Partitions) }
	switch which {
	case "full":
		return []Scenario{before(Opening(100_000)), chosen(Opening(100_000)), before(Opening(900_000)), chosen(Opening(900_000))}
	case "bench":
		return []Scenario{before(Opening(100_000)), chosen(Opening(100_000))}
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
		return out
	}
	// make test's: small enough to run with the race detector on a
	// shared machine, large enough to fill every course.
	small := func(n int) Scenario {
		s := chosen(Opening(n))
		s.Courses = 3
		return s
	}
	return []Scenario{small(1_000), small(3_000)}
}
