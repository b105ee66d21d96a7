package placement_test

import (
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/placement"
)

// TestProperties checks, over 2,000 random instances (3–12 units, 2–4
// offerings of 0–4 seats; in 827 of them some units are sibling groups), what
// DeferredAcceptance promises: always feasible (capacity, choices,
// waitlists), non-wasteful and independent of the order units and
// offerings come in; for single children also stable, and at least as good
// for every child as SeparateLotteries over the same lines (another stable
// outcome: student-optimality against it). SeparateLotteries is checked too:
// feasible and non-wasteful, stable for single children under its own
// lines, and for them at least as good as its no-cascade variant.
func TestProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 1))
	var withGroups, unstableWithGroups int
	for i := range 2000 {
		in := randomInstance(r, 12, i%2 == 1)
		da, err := placement.DeferredAcceptance(in)
		if err != nil {
			t.Fatal(err)
		}
		sl, err := placement.SeparateLotteries(in)
		if err != nil {
			t.Fatal(err)
		}
		once, err := placement.SeparateLotteriesOnce(in)
		if err != nil {
			t.Fatal(err)
		}
		fail := func(what string, err error) {
			t.Helper()
			if err != nil {
				t.Fatalf("instance %d %+v: %s: %v\nDA %v\nSL %v", i, in, what, err, da.Placed, sl.Placed)
			}
		}
		fail("DA feasible", feasible(in, da))
		fail("DA non-wasteful", nonWasteful(in, da))
		fail("SL feasible", feasible(in, sl))
		fail("SL non-wasteful", nonWasteful(in, sl))
		fail("SL once feasible", feasible(in, once))
		if singles(in) {
			fail("DA stable", stable(in, da))
			fail("SL stable under its own lines", stable(in, sl))
			fail("DA at least as good as SL", atLeastAsGood(in, da, sl))
			fail("SL at least as good as once", atLeastAsGood(in, sl, once))
		} else {
			withGroups++
			if stable(in, da) != nil {
				unstableWithGroups++
			}
		}

		shuffled := in
		shuffled.Units = slices.Clone(in.Units)
		shuffled.Offerings = slices.Clone(in.Offerings)
		r.Shuffle(len(shuffled.Units), func(a, b int) { shuffled.Units[a], shuffled.Units[b] = shuffled.Units[b], shuffled.Units[a] })
		r.Shuffle(len(shuffled.Offerings), func(a, b int) {
			shuffled.Offerings[a], shuffled.Offerings[b] = shuffled.Offerings[b], shuffled.Offerings[a]
		})
		again, err := placement.DeferredAcceptance(shuffled)
		if err != nil || !reflect.DeepEqual(again, da) {
			t.Fatalf("instance %d: in another order %+v, %v; first %+v", i, again, err, da)
		}
		if again, err := placement.SeparateLotteries(shuffled); err != nil || !reflect.DeepEqual(again, sl) {
			t.Fatalf("instance %d: separate lotteries in another order %+v, %v; first %+v", i, again, err, sl)
		}
	}
	// Not a promise, a sanity check that the generator makes groups matter.
	t.Logf("%d instances with groups, %d of them with a blocking pair by the singles' definition", withGroups, unstableWithGroups)
	if unstableWithGroups == 0 {
		t.Error("no instance with groups was unstable: the generator does not exercise groups")
	}
}

// TestStudentOptimal enumerates every outcome of 1,000 small instances of
// single children (3–6 children, 2–4 offerings) and checks that
// DeferredAcceptance's is stable and that every child likes it at least as
// well as any stable one.
func TestStudentOptimal(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 2))
	for i := range 1000 {
		in := randomInstance(r, 6, false)
		da, err := placement.DeferredAcceptance(in)
		if err != nil {
			t.Fatal(err)
		}
		stableSeen := 0
		placed := map[string]string{}
		var walk func(u int)
		walk = func(u int) {
			if u == len(in.Units) {
				o := placement.Outcome{Placed: placed}
				if !withinCapacity(in, o) || stable(in, o) != nil {
					return
				}
				stableSeen++
				if err := atLeastAsGood(in, da, o); err != nil {
					t.Fatalf("instance %d %+v: DA %v is beaten for a child by the stable %v: %v", i, in, da.Placed, placed, err)
				}
				return
			}
			for _, o := range append(slices.Clone(in.Units[u].Choices), "") {
				placed[in.Units[u].ID] = o
				walk(u + 1)
			}
		}
		walk(0)
		if stableSeen == 0 {
			t.Fatalf("instance %d %+v: no stable outcome found, DA gave %v", i, in, da.Placed)
		}
	}
}

// withinCapacity: no offering holds more seats than it has.
func withinCapacity(in placement.Instance, out placement.Outcome) bool {
	capacity, t := capacities(in), tallyOf(in, out)
	for o, used := range t.used {
		if used > capacity[o] {
			return false
		}
	}
	return true
}

// TestStrategyProof: in 1,000 random instances of single children (3–10
// children, 2–4 offerings), no child gets a place it truly prefers (by its
// true list; anything it did not list, like nothing, is worst) by reporting
// any other list of at most 3 distinct offerings, in any order, while the
// others report theirs.
func TestStrategyProof(t *testing.T) {
	r := rand.New(rand.NewPCG(14, 3))
	tried := 0
	for i := range 1000 {
		in := randomInstance(r, 10, false)
		truth, err := placement.DeferredAcceptance(in)
		if err != nil {
			t.Fatal(err)
		}
		for u, child := range in.Units {
			honest := pref(child, truth.Placed[child.ID])
			for _, report := range lists(in) {
				lie := in
				lie.Units = slices.Clone(in.Units)
				lie.Units[u].Choices = report
				got, err := placement.DeferredAcceptance(lie)
				if err != nil {
					t.Fatal(err)
				}
				tried++
				if pref(child, got.Placed[child.ID]) < honest {
					t.Fatalf("instance %d %+v: %s gets %q by reporting %v instead of %v (%q)",
						i, in, child.ID, got.Placed[child.ID], report, child.Choices, truth.Placed[child.ID])
				}
			}
		}
	}
	t.Logf("%d misreports tried", tried)
}
