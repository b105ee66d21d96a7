package allocation

import "github.com/wuxi-enrol/enrol/shared/domain"

// Siblings together in line (issue 14): a lottery's draw makes a sibling
// group's bookings with one stamp (its rank) and Group set, so they stand
// together in line. A group is offered places all at once, only when enough
// are free; one that does not fit is passed over — the next who fits gets
// the place (no place stays free while someone who fits waits) — and keeps
// its place in line for a later turn.

// LineWindow is how much of the head of the line a freed place is handed
// on from: enough to pass over a few groups that do not fit.
const LineWindow = 16

// unit is one turn in line: a sibling group's bookings, or one booking.
func units(line []Waiting) [][]Waiting {
	var out [][]Waiting
	for i := 0; i < len(line); {
		j := i + 1
		for line[i].Group != "" && j < len(line) && line[j].Group == line[i].Group {
			j++
		}
		out = append(out, line[i:j])
		i = j
	}
	return out
}

// fitting walks line (as read, in order) unit by unit and takes each that
// fits in the places left, passing over one that does not. whole says the
// read is the whole line; else a group at its end may be cut short by the
// read, so it is neither taken nor counted as passed over (a later read
// sees it whole). It returns the bookings taken, in line order, and
// whether a unit was passed over.
func fitting(line []Waiting, places int, whole bool) (take []Waiting, passed bool) {
	us := units(line)
	if !whole && len(us) > 0 && us[len(us)-1][0].Group != "" {
		us = us[:len(us)-1]
	}
	for _, u := range us {
		if places == 0 {
			break
		}
		if len(u) > places {
			passed = true
			continue
		}
		take = append(take, u...)
		places -= len(u)
	}
	return take, passed
}

// pinned are the facts that an offering's counters are as read: a decision
// that passed someone over, or gave places left free before, stands only
// on exactly what it read.
func pinned(o domain.Offering) []Fact {
	return []Fact{Is(Capacity, o.Capacity), Is(Confirmed, o.Confirmed), Is(Offered, o.Offered), Is(Waitlisted, o.Waitlisted)}
}
