package placement_test

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"reflect"
	"slices"

	"github.com/wuxi-enrol/enrol/shared/placement"
)

// unit is a Unit in one line.
func unit(id string, size int, choices ...string) placement.Unit {
	return placement.Unit{ID: id, Size: size, Choices: choices}
}

// build is an instance from capacities and each offering's line (its
// choosers, best first: the rank is the position).
func build(capacity map[string]int, lines map[string][]string, units ...placement.Unit) placement.Instance {
	in := placement.Instance{Units: units, Rank: map[string]map[string]int{}}
	for _, id := range slices.Sorted(maps.Keys(capacity)) {
		in.Offerings = append(in.Offerings, placement.Offering{ID: id, Capacity: capacity[id]})
	}
	for o, line := range lines {
		in.Rank[o] = map[string]int{}
		for r, u := range line {
			in.Rank[o][u] = r
		}
	}
	return in
}

// pref is where u lists offering o (0 first); the length of its list for ""
// (no place) or an offering it did not list: all worse than any choice.
func pref(u placement.Unit, o string) int {
	if i := slices.Index(u.Choices, o); i >= 0 && o != "" {
		return i
	}
	return len(u.Choices)
}

// tally is what an outcome holds at each offering.
type tally struct {
	used  map[string]int // seats held
	worst map[string]int // the worst rank held
}

func tallyOf(in placement.Instance, out placement.Outcome) tally {
	t := tally{used: map[string]int{}, worst: map[string]int{}}
	for _, u := range in.Units {
		if o := out.Placed[u.ID]; o != "" {
			t.used[o] += u.Size
			if r, ok := t.worst[o]; !ok || in.Rank[o][u.ID] > r {
				t.worst[o] = in.Rank[o][u.ID]
			}
		}
	}
	return t
}

func capacities(in placement.Instance) map[string]int {
	c := map[string]int{}
	for _, o := range in.Offerings {
		c[o.ID] = o.Capacity
	}
	return c
}

// feasible checks what every outcome must be: an entry for each unit and no
// other, a place only at one of the unit's choices, no offering over its
// capacity (a group counts all its seats), and each waitlist exactly the
// choosers that list the offering above what they hold, in its rank order.
func feasible(in placement.Instance, out placement.Outcome) error {
	if len(out.Placed) != len(in.Units) {
		return fmt.Errorf("%d units placed or not, want %d", len(out.Placed), len(in.Units))
	}
	for _, u := range in.Units {
		o, ok := out.Placed[u.ID]
		if !ok {
			return fmt.Errorf("unit %s missing from Placed", u.ID)
		}
		if o != "" && !slices.Contains(u.Choices, o) {
			return fmt.Errorf("unit %s placed at %s, not one of its choices %v", u.ID, o, u.Choices)
		}
	}
	capacity, t := capacities(in), tallyOf(in, out)
	for o, used := range t.used {
		if used > capacity[o] {
			return fmt.Errorf("offering %s holds %d seats of %d", o, used, capacity[o])
		}
	}
	want := map[string][]string{}
	for _, o := range in.Offerings {
		for _, u := range in.Units {
			if slices.Contains(u.Choices, o.ID) && pref(u, o.ID) < pref(u, out.Placed[u.ID]) {
				want[o.ID] = append(want[o.ID], u.ID)
			}
		}
		slices.SortFunc(want[o.ID], func(a, b string) int { return in.Rank[o.ID][a] - in.Rank[o.ID][b] })
	}
	if !reflect.DeepEqual(out.Waitlists, want) {
		return fmt.Errorf("waitlists %v, want %v", out.Waitlists, want)
	}
	return nil
}

// nonWasteful: no unit prefers an offering with at least its size free.
func nonWasteful(in placement.Instance, out placement.Outcome) error {
	capacity, t := capacities(in), tallyOf(in, out)
	for _, u := range in.Units {
		for _, o := range u.Choices[:pref(u, out.Placed[u.ID])] {
			if capacity[o]-t.used[o] >= u.Size {
				return fmt.Errorf("unit %s (size %d) prefers %s to %q and %s has %d seats free",
					u.ID, u.Size, o, out.Placed[u.ID], o, capacity[o]-t.used[o])
			}
		}
	}
	return nil
}

// stable (for single children): no child prefers an offering that has a free
// seat or holds a child it outranks there.
func stable(in placement.Instance, out placement.Outcome) error {
	capacity, t := capacities(in), tallyOf(in, out)
	for _, u := range in.Units {
		for _, o := range u.Choices[:pref(u, out.Placed[u.ID])] {
			if t.used[o] < capacity[o] || in.Rank[o][u.ID] < t.worst[o] {
				return fmt.Errorf("blocking pair: %s prefers %s to %q, which has %d of %d seats held, worst rank %d against its %d",
					u.ID, o, out.Placed[u.ID], t.used[o], capacity[o], t.worst[o], in.Rank[o][u.ID])
			}
		}
	}
	return nil
}

// atLeastAsGood: every unit likes its place in a at least as well as in b
// (by its list).
func atLeastAsGood(in placement.Instance, a, b placement.Outcome) error {
	for _, u := range in.Units {
		if pref(u, a.Placed[u.ID]) > pref(u, b.Placed[u.ID]) {
			return fmt.Errorf("unit %s %v: %q in one, %q in the other", u.ID, u.Choices, a.Placed[u.ID], b.Placed[u.ID])
		}
	}
	return nil
}

func singles(in placement.Instance) bool {
	for _, u := range in.Units {
		if u.Size != 1 {
			return false
		}
	}
	return true
}

// randomInstance has 3..maxUnits units, 2..4 offerings of 0..4 seats, lists
// of 0..3 distinct choices (rarely empty), a strict rank for every unit at
// every offering (so any list a unit might report has ranks), and with
// groups about one unit in four a group of 2 or 3.
func randomInstance(r *rand.Rand, maxUnits int, groups bool) placement.Instance {
	nOff, nUnits := 2+r.IntN(3), 3+r.IntN(maxUnits-2)
	in := placement.Instance{Rank: map[string]map[string]int{}}
	ids := make([]string, nOff)
	for i := range ids {
		ids[i] = fmt.Sprintf("o%d", i)
		in.Offerings = append(in.Offerings, placement.Offering{ID: ids[i], Capacity: r.IntN(5)})
	}
	for i := range nUnits {
		u := placement.Unit{ID: fmt.Sprintf("u%02d", i), Size: 1}
		if groups && r.IntN(4) == 0 {
			u.Size = 2 + r.IntN(2)
		}
		n := 1 + r.IntN(min(3, nOff))
		if r.IntN(12) == 0 {
			n = 0
		}
		for _, j := range r.Perm(nOff)[:n] {
			u.Choices = append(u.Choices, ids[j])
		}
		in.Units = append(in.Units, u)
	}
	for _, id := range ids {
		in.Rank[id] = map[string]int{}
		for i, p := range r.Perm(nUnits) {
			in.Rank[id][in.Units[i].ID] = p
		}
	}
	return in
}

// lists is every list of at most 3 distinct offerings of in, in every
// order, the empty list too.
func lists(in placement.Instance) [][]string {
	out := [][]string{nil}
	var grow func(prefix []string)
	grow = func(prefix []string) {
		if len(prefix) == 3 {
			return
		}
		for _, o := range in.Offerings {
			if !slices.Contains(prefix, o.ID) {
				l := append(slices.Clone(prefix), o.ID)
				out = append(out, l)
				grow(l)
			}
		}
	}
	grow(nil)
	return out
}
