// Package placement decides who gets which place in an allocation round with
// ranked choices: student-proposing deferred acceptance (Gale and Shapley,
// 1962) over units, where a unit is one child or a sibling group placed
// all-or-none. It is pure: no I/O, no clock, and the same instance always
// gives the same outcome, whatever order its units and offerings come in.
//
// # The mechanism
//
// Every unit proposes to its first choice. Each offering holds, among the
// units proposing to it that it has not turned away, the best by its own
// priority (Instance.Rank, lower first), filled greedily: it walks them in
// rank order and holds a unit when the unit's Size fits in the seats still
// left, else skips it (the unit is rejected; a later smaller unit may still
// fit). Rejected units propose to their next choice, all in the same step
// (so the result does not depend on who is looked at first), and a unit held
// now may be turned away later by better-ranked newcomers. It ends when no
// unit is rejected.
//
// With sibling groups one more step follows (fill): a better-ranked unit
// arriving late can displace a bigger group and leave seats free that a unit
// turned away earlier would fit. Offerings with free seats then take, in
// rank order, the units that fit and prefer them to what they hold; such a
// unit leaves its worse place, which is filled the same way, until nothing
// moves. Nobody is displaced by it and every unit that moves is better off,
// so no seat stays free while someone who wants it and fits waits (contract
// rule 5). Without groups it never moves anyone.
//
// # What holds
//
// The tests check each of these over thousands of random instances. Always: no offering holds more seats than its capacity; a unit holds only
// one of its choices, and a group all its seats or none; no unit prefers an
// offering with at least its Size in free seats (non-wastefulness); the
// outcome does not depend on the order of units or offerings; a waitlist is
// exactly the choosers that rank it above what they hold, in priority order.
//
// When every unit is a single child (the textbook case, where these are
// theorems: Gale and Shapley 1962, Dubins and Freedman 1981, Roth 1982): the
// outcome is stable (no child prefers an offering that has a free seat or
// holds a child of worse rank there), it is the best stable outcome for
// every child at once (student-optimal), and it is strategy-proof: no child
// can get a place it prefers by listing other choices, or the same in
// another order, so listing true preferences is always safe.
//
// Sibling groups break these: a group of two ranked above a single child at
// an offering with one seat left does not fit, the child takes the seat, and
// the group envies a child it outranks, with no cure that respects priority:
// seating the group needs the seat of someone ranked above it too (see
// TestGroupSkippedSingleTakesSeat). With groups a stable outcome need not
// exist at all (as with couples in the medical match), so neither stability
// nor strategy-proofness is claimed for them; they are held together, never
// over capacity, and never leave a seat they fit in free.
//
// # One number per child
//
// A round draws one lottery number per child and orders every offering by
// (tier at that offering, the child's number): single tie-breaking. With a
// separate number per child at each offering (separate lotteries), the
// numbers invent priority differences between children that no policy
// made: two children of the same tiers can each end up holding the other's
// better choice and both gain by swapping, while deferred acceptance with one
// number never leaves two such single children that way (a child holds a
// place below its choice X only if X is full of children ranked above it
// there, so each would have to be ahead of the other). One number is also
// one draw to publish and check, and one number to explain to a family.
// SeparateLotteries models the alternative; BenchmarkCompare prints how the
// two place simulated rounds.
package placement

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// Unit is one application: a child, or a sibling group of Size children
// placed all-or-none.
type Unit struct {
	ID   string
	Size int // ≥ 1
	// Choices are offering ids, most preferred first, distinct.
	Choices []string
}

// Offering is a place-giver with Capacity seats.
type Offering struct {
	ID       string
	Capacity int
}

// Instance is a round to place. Rank[offeringID][unitID] is the unit's
// priority rank at that offering (lower is better), strict (distinct) among
// the units that chose the offering and present for every one of them;
// entries for units that did not choose it are ignored.
type Instance struct {
	Units     []Unit
	Offerings []Offering
	Rank      map[string]map[string]int
}

// Outcome is a placement. Placed[unitID] is the offering the unit holds, or
// "" when it holds none; every unit has an entry. Waitlists[offeringID] is
// the units that chose the offering above what they hold (or chose it and
// hold nothing), in the offering's priority order; an offering nobody waits
// for has no entry.
type Outcome struct {
	Placed    map[string]string
	Waitlists map[string][]string
}

// DeferredAcceptance places in with student-proposing deferred acceptance
// (see the package documentation). An instance that breaks Instance's rules
// is an error: it comes from stored data, so it is internal.
func DeferredAcceptance(in Instance) (Outcome, error) {
	m, err := prepare(in)
	if err != nil {
		return Outcome{}, err
	}
	m.propose()
	m.fill()
	return m.outcome(), nil
}

// entry is a unit's claim on one offering: choice k of unit u, at rank.
type entry struct {
	u, k int32
	rank int
}

func byRank(a, b entry) int { return cmp.Compare(a.rank, b.rank) }

// market is an instance by index, offerings ordered by id so that nothing
// depends on the order they were given in.
type market struct {
	in       Instance
	offerIDs []string
	capacity []int
	size     []int
	choice   [][]int32 // unit → offering index of each choice
	rank     [][]int   // unit → its rank at each choice
	line     [][]entry // offering → its choosers, best rank first

	held []int32 // unit → the choice index it holds, or -1
	used []int   // offering → seats held
}

func invalid(format string, args ...any) error {
	return apperr.Unexpected(fmt.Errorf("placement: "+format, args...))
}

// prepare checks in and indexes it.
func prepare(in Instance) (*market, error) {
	offerings := slices.Clone(in.Offerings)
	slices.SortFunc(offerings, func(a, b Offering) int { return cmp.Compare(a.ID, b.ID) })
	m := &market{
		in:       in,
		offerIDs: make([]string, len(offerings)),
		capacity: make([]int, len(offerings)),
		size:     make([]int, len(in.Units)),
		choice:   make([][]int32, len(in.Units)),
		rank:     make([][]int, len(in.Units)),
		line:     make([][]entry, len(offerings)),
		held:     make([]int32, len(in.Units)),
		used:     make([]int, len(offerings)),
	}
	index := make(map[string]int32, len(offerings))
	for i, o := range offerings {
		switch {
		case o.ID == "":
			return nil, invalid("an offering has no id")
		case i > 0 && o.ID == offerings[i-1].ID:
			return nil, invalid("offering %q appears twice", o.ID)
		case o.Capacity < 0:
			return nil, invalid("offering %q has capacity %d", o.ID, o.Capacity)
		}
		m.offerIDs[i], m.capacity[i] = o.ID, o.Capacity
		index[o.ID] = int32(i)
	}
	total := 0
	for _, unit := range in.Units {
		total += len(unit.Choices)
	}
	choices, ranks := make([]int32, total), make([]int, total) // backing every unit's lists
	seen := make(map[string]bool, len(in.Units))
	chosenBy := make([]int, len(offerings)) // offering → 1 + the last unit that chose it
	for u, unit := range in.Units {
		switch {
		case unit.ID == "":
			return nil, invalid("a unit has no id")
		case seen[unit.ID]:
			return nil, invalid("unit %q appears twice", unit.ID)
		case unit.Size < 1:
			return nil, invalid("unit %q has size %d", unit.ID, unit.Size)
		}
		seen[unit.ID] = true
		m.size[u], m.held[u] = unit.Size, -1
		n := len(unit.Choices)
		m.choice[u], m.rank[u] = choices[:n:n], ranks[:n:n]
		choices, ranks = choices[n:], ranks[n:]
		for k, id := range unit.Choices {
			o, ok := index[id]
			if !ok {
				return nil, invalid("unit %q chooses unknown offering %q", unit.ID, id)
			}
			if chosenBy[o] == u+1 {
				return nil, invalid("unit %q chooses offering %q twice", unit.ID, id)
			}
			chosenBy[o] = u + 1
			r, ok := in.Rank[id][unit.ID]
			if !ok {
				return nil, invalid("unit %q has no rank at offering %q", unit.ID, id)
			}
			m.choice[u][k], m.rank[u][k] = o, r
			m.line[o] = append(m.line[o], entry{u: int32(u), k: int32(k), rank: r})
		}
	}
	for o, line := range m.line {
		slices.SortFunc(line, byRank)
		for i := 1; i < len(line); i++ {
			if line[i].rank == line[i-1].rank {
				return nil, invalid("units %q and %q share rank %d at offering %q",
					in.Units[line[i-1].u].ID, in.Units[line[i].u].ID, line[i].rank, m.offerIDs[o])
			}
		}
	}
	return m, nil
}

// propose runs deferred acceptance in steps: every unit without a place
// proposes to its next choice, then every offering proposed to decides.
// Offerings decide independently of each other, so a step's result does not
// depend on the order anything is looked at.
func (m *market) propose() {
	next := make([]int32, len(m.choice)) // unit → its next choice to propose to
	holds := make([][]entry, len(m.line))
	pending := make([][]entry, len(m.line))
	var free, rejected []int32
	var touched []int32
	var merged []entry
	for u := range m.choice {
		if len(m.choice[u]) > 0 {
			free = append(free, int32(u))
		}
	}
	reject := func(e entry) {
		m.held[e.u] = -1
		if int(next[e.u]) < len(m.choice[e.u]) {
			rejected = append(rejected, e.u)
		}
	}
	for len(free) > 0 {
		touched = touched[:0]
		for _, u := range free {
			k := next[u]
			next[u]++
			o := m.choice[u][k]
			if len(pending[o]) == 0 {
				touched = append(touched, o)
			}
			pending[o] = append(pending[o], entry{u: u, k: k, rank: m.rank[u][k]})
		}
		rejected = rejected[:0]
		for _, o := range touched {
			p := pending[o]
			slices.SortFunc(p, byRank)
			h := holds[o]
			if len(h) > 0 && p[0].rank < h[len(h)-1].rank {
				// A newcomer outranks someone held: fill again from the top.
				merged = mergeByRank(merged[:0], h, p)
				h, m.used[o] = h[:0], 0
			} else {
				// Everyone held stays; newcomers take what is left.
				merged = append(merged[:0], p...)
			}
			left := m.capacity[o] - m.used[o]
			for _, e := range merged {
				if m.size[e.u] <= left {
					left -= m.size[e.u]
					h = append(h, e)
					m.held[e.u] = e.k
				} else {
					reject(e)
				}
			}
			holds[o], m.used[o] = h, m.capacity[o]-left
			pending[o] = p[:0]
		}
		free, rejected = rejected, free
	}
}

// mergeByRank appends a and b, each sorted by rank, to dst in rank order.
func mergeByRank(dst, a, b []entry) []entry {
	for len(a) > 0 && len(b) > 0 {
		if a[0].rank < b[0].rank {
			dst, a = append(dst, a[0]), a[1:]
		} else {
			dst, b = append(dst, b[0]), b[1:]
		}
	}
	return append(append(dst, a...), b...)
}

// fill lets units move up into seats left free (see the package
// documentation): offerings in id order, each walking its line in rank
// order, again while a move freed seats somewhere.
func (m *market) fill() {
	dirty := make([]bool, len(m.line))
	for o := range dirty {
		dirty[o] = m.used[o] < m.capacity[o]
	}
	for again := true; again; {
		again = false
		for o, line := range m.line {
			if !dirty[o] {
				continue
			}
			dirty[o] = false
			for _, e := range line {
				left := m.capacity[o] - m.used[o]
				if left == 0 {
					break
				}
				at := m.held[e.u]
				if (at >= 0 && at <= e.k) || m.size[e.u] > left {
					continue
				}
				if at >= 0 {
					from := m.choice[e.u][at]
					m.used[from] -= m.size[e.u]
					dirty[from], again = true, true
				}
				m.held[e.u] = e.k
				m.used[o] += m.size[e.u]
			}
		}
	}
}

// outcome reads the placement out by id.
func (m *market) outcome() Outcome {
	out := Outcome{Placed: make(map[string]string, len(m.in.Units)), Waitlists: map[string][]string{}}
	for u, unit := range m.in.Units {
		id := ""
		if k := m.held[u]; k >= 0 {
			id = m.offerIDs[m.choice[u][k]]
		}
		out.Placed[unit.ID] = id
	}
	for o, line := range m.line {
		var wait []string
		for _, e := range line {
			if at := m.held[e.u]; at < 0 || at > e.k {
				wait = append(wait, m.in.Units[e.u].ID)
			}
		}
		if wait != nil {
			out.Waitlists[m.offerIDs[o]] = wait
		}
	}
	return out
}
