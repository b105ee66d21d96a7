package placement_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/placement"
)

// scenario is a kind of round to compare mechanisms on: offerings of equal
// capacity, children whose choices follow the offerings' popularity.
type scenario struct {
	name                string
	offerings, capacity int
	children            int
	popularity          []float64 // weight of each offering when a child picks its next choice
}

var scenarios = []scenario{
	// One popular centre that 60% put first.
	{"3x20-90", 3, 20, 90, []float64{0.6, 0.2, 0.2}},
	// Popularity falling as 1/(k+1): the first centre is put first by 34%.
	{"10x25-400", 10, 25, 400, []float64{1, 1. / 2, 1. / 3, 1. / 4, 1. / 5, 1. / 6, 1. / 7, 1. / 8, 1. / 9, 1. / 10}},
}

// A child's tier under the seed policy: 1 hardship 5%, 2 dual worker 30%,
// 3 sibling enrolled 10% (at its first choice only; tier 4 elsewhere),
// 4 district resident 25%, 5 general 30%.
var tierShare = []int{5, 30, 10, 25, 30}

// applicants are one random round's children: their lists and their tier
// at each offering.
type applicants struct {
	units []placement.Unit
	tier  []map[string]int
}

func (s scenario) draw(r *rand.Rand) applicants {
	var a applicants
	for c := range s.children {
		u := placement.Unit{ID: fmt.Sprintf("c%03d", c), Size: 1}
		n := 1 // lists of 1, 2, 3 choices: 20%, 30%, 50%
		if p := r.IntN(10); p >= 5 {
			n = 3
		} else if p >= 2 {
			n = 2
		}
		left := make([]float64, s.offerings)
		copy(left, s.popularity)
		for range n {
			u.Choices = append(u.Choices, fmt.Sprintf("o%d", pick(r, left)))
		}
		base, p := 0, r.IntN(100)
		for p >= tierShare[base] {
			p -= tierShare[base]
			base++
		}
		tiers := map[string]int{}
		for o := range s.offerings {
			id := fmt.Sprintf("o%d", o)
			switch {
			case base+1 != 3:
				tiers[id] = base + 1
			case id == u.Choices[0]:
				tiers[id] = 3
			default:
				tiers[id] = 4
			}
		}
		a.units = append(a.units, u)
		a.tier = append(a.tier, tiers)
	}
	return a
}

// pick draws an index by weight and takes it out of the draw.
func pick(r *rand.Rand, weight []float64) int {
	total := 0.0
	for _, w := range weight {
		total += w
	}
	x := r.Float64() * total
	for i, w := range weight {
		if x < w || i == len(weight)-1 && w > 0 {
			weight[i] = 0
			return i
		}
		x -= w
	}
	panic("no weight left")
}

// instance orders each offering by (tier, number); number(child, offering)
// is the child's lottery number there.
func (s scenario) instance(a applicants, number func(child, offering int) int) placement.Instance {
	in := placement.Instance{Units: a.units, Rank: map[string]map[string]int{}}
	for o := range s.offerings {
		id := fmt.Sprintf("o%d", o)
		in.Offerings = append(in.Offerings, placement.Offering{ID: id, Capacity: s.capacity})
		in.Rank[id] = map[string]int{}
		for c, u := range a.units {
			in.Rank[id][u.ID] = a.tier[c][id]*s.children + number(c, o)
		}
	}
	return in
}

// mechanism is one way of placing a round's applicants.
type mechanism struct {
	name    string
	single  bool // one number per child (else one per child and offering)
	place   func(placement.Instance) (placement.Outcome, error)
	promise func(in placement.Instance, out placement.Outcome) error // what must hold
}

var mechanisms = []mechanism{
	{"deferred acceptance, one number", true, placement.DeferredAcceptance, stable},
	{"separate lotteries, cascade", false, placement.SeparateLotteries, stable},
	{"separate lotteries, no cascade", false, placement.SeparateLotteriesOnce, feasibleOnly},
	{"separate lotteries, one number", true, placement.SeparateLotteries, stable},
}

func feasibleOnly(placement.Instance, placement.Outcome) error { return nil }

// figures are sums over the instances a comparison ran.
type figures struct {
	byChoice [4]int // placed at choice 1, 2, 3; [3] unplaced
	swappers int    // children in a pair of equal tiers who would both gain by swapping places
	betterDA int    // children placed better by deferred acceptance than by this
	worseDA  int    // and worse
	differs  int    // rounds where some child is placed differently than by deferred acceptance
	// gain, gain2: sums over rounds of (children at their first choice by
	// deferred acceptance - by this), and of its square.
	gain, gain2 int
	instances   int
}

func (f figures) mean(n int) float64 { return float64(n) / float64(f.instances) }

// stderr is the standard error of the mean gain.
func (f figures) stderr() float64 {
	n := float64(f.instances)
	mean := float64(f.gain) / n
	return math.Sqrt((float64(f.gain2)/n - mean*mean) / (n - 1))
}

// compare places instances random rounds of s every way and checks what
// each mechanism promises (feasible; stable under the lines it used;
// nobody beats deferred acceptance with the same lines; no equal-tier
// swaps with one number).
func compare(s scenario, instances int) ([]figures, error) {
	figs := make([]figures, len(mechanisms))
	for i := range instances {
		r := rand.New(rand.NewPCG(14, uint64(i)))
		a := s.draw(r)
		one := r.Perm(s.children)
		own := make([][]int, s.offerings)
		for o := range own {
			own[o] = r.Perm(s.children)
		}
		single := s.instance(a, func(c, _ int) int { return one[c] })
		separate := s.instance(a, func(c, o int) int { return own[o][c] })
		var da placement.Outcome
		daFirst := 0
		for m, mech := range mechanisms {
			in := separate
			if mech.single {
				in = single
			}
			out, err := mech.place(in)
			if err != nil {
				return nil, err
			}
			if err := feasible(in, out); err != nil {
				return nil, fmt.Errorf("%s, instance %d: %v", mech.name, i, err)
			}
			if err := mech.promise(in, out); err != nil {
				return nil, fmt.Errorf("%s, instance %d: %v", mech.name, i, err)
			}
			if m == 0 {
				da = out
			}
			f := &figs[m]
			f.instances++
			first, better, worse := 0, 0, 0
			for _, u := range a.units {
				p, d := pref(u, out.Placed[u.ID]), pref(u, da.Placed[u.ID])
				if out.Placed[u.ID] == "" {
					f.byChoice[3]++
				} else {
					f.byChoice[p]++
				}
				if out.Placed[u.ID] != "" && p == 0 {
					first++
				}
				if d < p {
					better++
				} else if d > p {
					worse++
				}
			}
			if m == 0 {
				daFirst = first
			}
			f.betterDA += better
			f.worseDA += worse
			f.gain += daFirst - first
			f.gain2 += (daFirst - first) * (daFirst - first)
			if better+worse > 0 {
				f.differs++
			}
			swappers := equalTierSwappers(a, out)
			if mech.single && swappers > 0 {
				return nil, fmt.Errorf("%s, instance %d: children of equal tiers would both gain by swapping", mech.name, i)
			}
			f.swappers += swappers
			if mech.single {
				if err := atLeastAsGood(in, da, out); err != nil {
					return nil, fmt.Errorf("%s, instance %d: beats deferred acceptance for a child: %v", mech.name, i, err)
				}
			}
		}
	}
	return figs, nil
}

// equalTierSwappers counts the children placed at some X who prefer the
// place Y of another child with the same tiers at X and Y who prefers X:
// both would gain by swapping, and nothing in the policy puts one ahead.
func equalTierSwappers(a applicants, out placement.Outcome) int {
	type want struct {
		at, wants         string
		tierAt, tierWants int
	}
	wanting := map[want]bool{}
	wants := make([][]want, len(a.units))
	for c, u := range a.units {
		at := out.Placed[u.ID]
		if at == "" {
			continue
		}
		for _, y := range u.Choices[:pref(u, at)] {
			w := want{at, y, a.tier[c][at], a.tier[c][y]}
			wanting[w] = true
			wants[c] = append(wants[c], w)
		}
	}
	n := 0
	for _, ws := range wants {
		for _, w := range ws {
			if wanting[want{w.wants, w.at, w.tierWants, w.tierAt}] {
				n++
				break
			}
		}
	}
	return n
}

// TestCompare runs 100 random rounds of each scenario every way and checks
// what each way promises; the figures over 1,000 rounds are
// BenchmarkCompare's.
func TestCompare(t *testing.T) {
	for _, s := range scenarios {
		t.Run(s.name, func(t *testing.T) {
			figs, err := compare(s, 100)
			if err != nil {
				t.Fatal(err)
			}
			t.Log("\n" + table(s, figs))
		})
	}
}

// BenchmarkCompare prints, for 1,000 random rounds of each scenario, the
// mean number of children placed at each choice and unplaced under each
// way of placing them (run with -run '^$' -bench Compare -benchtime 1x).
// The other columns: swappers, children who with another child of the same
// tiers would both gain by swapping places; better(DA) and worse(DA),
// children placed better or worse by deferred acceptance; "1st: DA-this",
// how many more children deferred acceptance places at their first choice,
// ± one standard error; differs, the rounds in which some child is placed
// otherwise than by deferred acceptance.
func BenchmarkCompare(b *testing.B) {
	for _, s := range scenarios {
		b.Run(s.name, func(b *testing.B) {
			var figs []figures
			for b.Loop() {
				var err error
				if figs, err = compare(s, 1000); err != nil {
					b.Fatal(err)
				}
			}
			da, sl := figs[0], figs[1]
			b.ReportMetric(da.mean(da.byChoice[0]), "DA-first")
			b.ReportMetric(sl.mean(sl.byChoice[0]), "SL-first")
			b.ReportMetric(sl.mean(sl.gain), "first-DA-minus-SL")
			b.ReportMetric(da.mean(da.byChoice[3]), "DA-unplaced")
			b.ReportMetric(sl.mean(sl.byChoice[3]), "SL-unplaced")
			b.Log("\n" + table(s, figs))
		})
	}
}

// table is the figures as text, one line per mechanism.
func table(s scenario, figs []figures) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d offerings x %d seats, %d children, %d rounds; means per round\n",
		s.offerings, s.capacity, s.children, figs[0].instances)
	fmt.Fprintf(&sb, "%-32s %7s %7s %7s %7s %9s %9s %11s %10s %16s %8s\n", "",
		"1st", "2nd", "3rd", "placed", "unplaced", "swappers", "better(DA)", "worse(DA)", "1st: DA-this", "differs")
	for m, f := range figs {
		placed := f.byChoice[0] + f.byChoice[1] + f.byChoice[2]
		fmt.Fprintf(&sb, "%-32s %7.2f %7.2f %7.2f %7.2f %9.2f %9.2f %11.2f %10.2f %8.2f ± %5.2f %8d\n", mechanisms[m].name,
			f.mean(f.byChoice[0]), f.mean(f.byChoice[1]), f.mean(f.byChoice[2]), f.mean(placed),
			f.mean(f.byChoice[3]), f.mean(f.swappers), f.mean(f.betterDA), f.mean(f.worseDA),
			f.mean(f.gain), f.stderr(), f.differs)
	}

	return sb.String()
}
