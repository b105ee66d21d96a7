package allocation

import (
	"slices"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// FirstComeFirstServed gives places in order of arrival: a place while
// places are free and nobody waits (nobody jumps the line), else the line,
// whose head takes the next place that frees.
type FirstComeFirstServed struct{}

// Place confirms while a place is free and the line is empty; the write
// requires the capacity it read and, for the last place, exactly one place
// left (then it notes when the offering filled), else at least two — so a
// booking that read two left but lands on the last goes round again, as one
// landing on none would. Joining the line requires that no place is free
// for a newcomer: all taken, or someone already waiting.
func (FirstComeFirstServed) Place(o domain.Offering, joinWaitlist bool) (Change, error) {
	return seats{places: o.Capacity, pinned: []Fact{Is(Capacity, o.Capacity)},
		noneFree: Fact{Counter: Confirmed, Op: Ge, Than: Capacity}}.place(o, joinWaitlist)
}

// seats is how a policy that places newcomers first come sees an
// offering's places: how many a newcomer may take from (places), what a
// place's decision pins of the offering (pinned; joining the line pins it
// too when pinLine), and the fact that no place is free for a newcomer.
type seats struct {
	places   int
	pinned   []Fact
	pinLine  bool
	noneFree Fact
}

// place confirms while a place is free and the line is empty; the write
// requires what s pins and, for the last place, exactly one place left
// (then it notes when the offering filled), else at least two. Joining the
// line requires that no place is free for a newcomer, or someone waiting.
func (s seats) place(o domain.Offering, joinWaitlist bool) (Change, error) {
	if o.Confirmed < s.places && o.Waitlisted == 0 {
		c := Change{Status: domain.BookingConfirmed, Confirmed: 1,
			Guard: Guard{Status: domain.OfferingPublished, All: slices.Clone(s.pinned)}}
		if o.Confirmed+1 >= s.places {
			c.Fills = true
			c.Guard.All = append(c.Guard.All, Is(Confirmed, s.places-1))
		} else {
			c.Guard.All = append(c.Guard.All, Fact{Counter: Confirmed, Op: Lt, Value: s.places - 1})
		}
		c.Guard.All = append(c.Guard.All, Is(Waitlisted, 0))
		return c, nil
	}
	if !joinWaitlist || !o.WaitlistEnabled {
		return Change{}, full(o)
	}
	c := Change{Status: domain.BookingWaitlisted, Waitlisted: 1, Guard: Guard{
		Status: domain.OfferingPublished, WaitlistOpen: true,
		Any: []Fact{s.noneFree, {Counter: Waitlisted, Op: Gt, Value: 0}},
	}}
	if s.pinLine {
		c.Guard.All = slices.Clone(s.pinned)
	}
	return c, nil
}

// full is the refusal of a booking that finds no place for it and does
// not join the line: whether it may join it is what o's line says.
func full(o domain.Offering) error {
	if o.WaitlistEnabled {
		return apperr.New(apperr.OfferingFull, "名额已满，可选择加入候补", "All places are taken; you may join the waitlist")
	}
	return apperr.New(apperr.OfferingFull, "名额已满", "All places are taken")
}

// Sees: a place held is handed to the head of the line; a place in line
// hands on nothing.
func (FirstComeFirstServed) Sees(s domain.BookingStatus) (int, bool) {
	if s == domain.BookingConfirmed {
		return 1, false
	}
	return 0, false
}

// Free: a place freed goes straight to the head of the line (confirmed
// stays as it is); with nobody waiting, the write requires the line to be
// still empty, so a booking joining it meanwhile is not passed over. The
// head of the line is told it was promoted. (Sibling groups wait only for
// a lottery's places, which are offered: HoldOffers.)
func (FirstComeFirstServed) Free(s domain.BookingStatus, _ domain.Offering, line []Waiting, about notices.Notice) Change {
	switch {
	case s == domain.BookingWaitlisted:
		return Change{Waitlisted: -1, Guard: Guard{All: []Fact{{Counter: Waitlisted, Op: Gt, Value: 0}}}}
	case len(line) == 0:
		return Change{Confirmed: -1, Guard: Guard{All: []Fact{Is(Waitlisted, 0), {Counter: Confirmed, Op: Gt, Value: 0}}}}
	default:
		return Change{Waitlisted: -1, Promote: line[:1], Notices: Promoted(about, line[:1]),
			Guard: Guard{All: []Fact{{Counter: Waitlisted, Op: Gt, Value: 0}}}}
	}
}

// Promotable: a capacity may not go below the places confirmed; places a
// raise opens go to the head of the line, as many as are free and waiting.
func (FirstComeFirstServed) Promotable(before, after domain.Offering, most int) (int, error) {
	if after.Capacity < before.Confirmed {
		e := apperr.New(apperr.CapacityBelowConfirmed, "名额不能少于已确认人数", "Capacity cannot go below the places already confirmed")
		e.Extra = map[string]any{"confirmed": before.Confirmed}
		return 0, e
	}
	return max(0, min(after.Capacity-after.Confirmed, after.Waitlisted, most)), nil
}

// Resize confirms the line read, in order, and tells each it was promoted.
func (FirstComeFirstServed) Resize(_ domain.Offering, line []Waiting, about notices.Notice) Change {
	return Change{Confirmed: len(line), Waitlisted: -len(line), Promote: line, Notices: Promoted(about, line)}
}
