package allocation

import (
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// HoldOffers is first come, first served with offers (contract part 2,
// "Offers with a deadline"): a place that frees goes to the head of the
// line as an offer held for Hours, which the resident accepts (confirmed),
// declines (cancels) or lets expire — and then the next in line is offered
// it. A place held by an offer is taken: available = capacity − confirmed −
// offered.
type HoldOffers struct{ Hours int }

// until is the deadline of an offer made at at.
func (p HoldOffers) until(at time.Time) time.Time { return at.Add(time.Duration(p.Hours) * time.Hour) }

// Place confirms while a place is free (none held by an offer) and nobody
// waits; the write pins the capacity and the offers read, so an offer made
// or accepted meanwhile sends the booking round again. Joining the line
// requires that no place is free for a newcomer, as first come does.
func (HoldOffers) Place(o domain.Offering, joinWaitlist bool) (Change, error) {
	free := o.Capacity - o.Offered
	return seats{places: free, pinned: []Fact{Is(Capacity, o.Capacity), Is(Offered, o.Offered)}, pinLine: true,
		noneFree: Fact{Counter: Confirmed, Op: Ge, Value: free}}.place(o, joinWaitlist)
}

// Sees: ending any booking looks at the head of the line (LineWindow of
// it) and the offering's counters: a place it frees, and any left free
// because a sibling group in line did not fit them, go to whoever fits
// (groups.go); a group member leaving the line may let the rest fit.
func (HoldOffers) Sees(domain.BookingStatus) (int, bool) { return LineWindow, true }

// Free: the places free once a booking of status s ends (the one a
// confirmed or offered booking frees, and any left free before) are
// offered to the line read, unit by unit in order, each group all at once
// and only when it fits (groups.go), until about.At + Hours, and each is
// told (offer_made). When it hands on just the freed place to the head of
// the line, or nothing with nobody waiting, the write requires what first
// come does; when it passes someone over or gives places left free, it
// requires the counters exactly as read.
func (p HoldOffers) Free(s domain.BookingStatus, o domain.Offering, line []Waiting, about notices.Notice) Change {
	var c Change
	idle := max(0, o.Capacity-o.Confirmed-o.Offered)
	if o.Waitlisted == 0 {
		idle = 0 // places free for newcomers, not left by the line
	}
	places, rest := idle, o.Waitlisted
	switch s {
	case domain.BookingOffered:
		c.Offered, places = -1, places+1
	case domain.BookingConfirmed:
		c.Confirmed, places = -1, places+1
	default:
		c.Waitlisted, rest = -1, rest-1
	}
	take, passed := fitting(line, places, len(line) >= rest)
	if len(take) > 0 {
		until := p.until(about.At)
		c.Waitlisted -= len(take)
		c.Offered += len(take)
		c.Offer, c.OfferUntil, c.Notices = take, until, Offers(about, take, until)
	}
	switch {
	case passed || idle > 0:
		c.Guard.All = pinned(o)
	case !s.Holds():
		c.Guard.All = []Fact{{Counter: Waitlisted, Op: Gt, Value: 0}}
	case len(take) == 0:
		c.Guard.All = []Fact{Is(Waitlisted, 0), {Counter: counterOf(s), Op: Gt, Value: 0}}
	default:
		c.Guard.All = []Fact{{Counter: Waitlisted, Op: Gt, Value: 0}, {Counter: counterOf(s), Op: Gt, Value: 0}}
	}
	return c
}

// counterOf is the counter a booking of status s holds its place in.
func counterOf(s domain.BookingStatus) Counter {
	if s == domain.BookingOffered {
		return Offered
	}
	return Confirmed
}

// Accept is what accepting an offer changes: the place held becomes a
// confirmed one. The booking's own condition (still offered, its deadline
// not passed) is the store's; the guard only keeps the counter honest.
func (HoldOffers) Accept() Change {
	return Change{Offered: -1, Confirmed: 1, Guard: Guard{All: []Fact{{Counter: Offered, Op: Gt, Value: 0}}}}
}

// Promotable: a capacity may not go below the places held (confirmed and
// offered); when a raise leaves places free and someone waits, as much of
// the head of the line as one write holds is read, so that Resize can pass
// over a group that does not fit.
func (HoldOffers) Promotable(before, after domain.Offering, most int) (int, error) {
	if after.Capacity < before.Confirmed+before.Offered {
		e := apperr.New(apperr.CapacityBelowConfirmed, "名额不能少于已确认和保留中的人数", "Capacity cannot go below the places already confirmed or held by an offer")
		e.Extra = map[string]any{"confirmed": before.Confirmed, "offered": before.Offered}
		return 0, e
	}
	if after.Capacity-after.Confirmed-after.Offered <= 0 {
		return 0, nil
	}
	return max(0, min(after.Waitlisted, most)), nil
}

// Resize offers the places free after a raise to the line read, unit by
// unit in order, each group all at once and only when it fits, each until
// about.At + Hours, and tells each (offer_made). The edit's write pins the
// offering as read.
func (p HoldOffers) Resize(after domain.Offering, line []Waiting, about notices.Notice) Change {
	take, _ := fitting(line, after.Capacity-after.Confirmed-after.Offered, len(line) >= after.Waitlisted)
	if len(take) == 0 {
		return Change{}
	}
	until := p.until(about.At)
	return Change{Offered: len(take), Waitlisted: -len(take), Offer: take, OfferUntil: until, Notices: Offers(about, take, until)}
}
