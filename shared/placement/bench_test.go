package placement_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/placement"
)

// BenchmarkDeferredAcceptance places a city-sized round: 50,000 units, 200
// offerings of 200 seats (40,000 in all), three choices each by popularity
// falling as 1/sqrt(k+1), tiers and one number per unit; with siblings, 5%
// of the units are twins.
func BenchmarkDeferredAcceptance(b *testing.B) {
	for _, twins := range []int{0, 5} {
		b.Run(fmt.Sprintf("twins=%d%%", twins), func(b *testing.B) {
			in := cityRound(rand.New(rand.NewPCG(14, 50000)), 50000, 200, 200, twins)
			b.ReportAllocs()
			var out placement.Outcome
			for b.Loop() {
				var err error
				if out, err = placement.DeferredAcceptance(in); err != nil {
					b.Fatal(err)
				}
			}
			placed, first := 0, 0
			for _, u := range in.Units {
				if o := out.Placed[u.ID]; o != "" {
					placed++
					if o == u.Choices[0] {
						first++
					}
				}
			}
			b.ReportMetric(float64(placed), "placed")
			b.ReportMetric(float64(first), "first-choice")
		})
	}
}

func cityRound(r *rand.Rand, units, offerings, capacity, twinsPercent int) placement.Instance {
	s := scenario{offerings: offerings, capacity: capacity, children: units}
	for k := range offerings {
		s.popularity = append(s.popularity, 1/math.Sqrt(float64(k+1)))
	}
	in := placement.Instance{Rank: map[string]map[string]int{}}
	for o := range offerings {
		id := fmt.Sprintf("o%03d", o)
		in.Offerings = append(in.Offerings, placement.Offering{ID: id, Capacity: capacity})
		in.Rank[id] = map[string]int{}
	}
	number := r.Perm(units)
	for i := range units {
		u := placement.Unit{ID: fmt.Sprintf("u%05d", i), Size: 1}
		if r.IntN(100) < twinsPercent {
			u.Size = 2
		}
		left := append([]float64(nil), s.popularity...)
		for range 3 {
			u.Choices = append(u.Choices, fmt.Sprintf("o%03d", pick(r, left)))
		}
		tier := 1 + r.IntN(5)
		for _, o := range u.Choices {
			in.Rank[o][u.ID] = tier*units + number[i]
		}
		in.Units = append(in.Units, u)
	}
	return in
}
