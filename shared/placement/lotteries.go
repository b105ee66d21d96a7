package placement

// SeparateLotteries models what happens when each offering of in runs its
// own lottery instead of a round: in.Rank is then each offering's own line
// (typically from an independent number per child at each offering). Each
// offering offers seats down its line, to every unit that fits in the seats
// not yet taken by offers it still has out (a group that does not fit is
// passed over; it is offered later, from the top of the line, if seats
// free); a unit holding offers keeps the one it prefers and declines the
// rest, and a declined seat goes on down that line. Offers are never taken
// back. It ends when no offering can offer more; that happens, since each
// unit gets at most one offer from each offering.
//
// This is the generous version of the alternative: in practice declined
// places trickle down over weeks and some are never offered again. For
// single children it is offering-proposing deferred acceptance, so its
// outcome is stable with respect to the offerings' own lines, but it is the
// offerings' best stable outcome, not the children's: with the same lines,
// DeferredAcceptance places every child at least as well.
func SeparateLotteries(in Instance) (Outcome, error) {
	m, err := prepare(in)
	if err != nil {
		return Outcome{}, err
	}
	offered := make([][]bool, len(m.line))
	for o, line := range m.line {
		offered[o] = make([]bool, len(line))
	}
	for again := true; again; {
		again = false
		for o, line := range m.line {
			for i, e := range line {
				if offered[o][i] || m.size[e.u] > m.capacity[o]-m.used[o] {
					continue
				}
				offered[o][i], again = true, true
				at := m.held[e.u]
				if at >= 0 && at < e.k {
					continue // declined at once: the seat goes on down the line
				}
				if at >= 0 {
					m.used[m.choice[e.u][at]] -= m.size[e.u] // declines the worse offer
				}
				m.held[e.u] = e.k
				m.used[o] += m.size[e.u]
			}
		}
	}
	return m.outcome(), nil
}

// separateLotteriesOnce is SeparateLotteries without the cascade: each
// offering offers its seats once down its line, each unit keeps its best
// offer, and declined seats stay empty. With single children everyone does
// at least as well in SeparateLotteries, whose first pass makes these offers
// and more.
func separateLotteriesOnce(in Instance) (Outcome, error) {
	m, err := prepare(in)
	if err != nil {
		return Outcome{}, err
	}
	for o, line := range m.line {
		left := m.capacity[o]
		for _, e := range line {
			if m.size[e.u] > left {
				continue
			}
			left -= m.size[e.u]
			if at := m.held[e.u]; at < 0 || e.k < at {
				m.held[e.u] = e.k
			}
		}
	}
	return m.outcome(), nil
}
