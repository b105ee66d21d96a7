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

// Sees: a place held, confirmed or offered, is handed to the head of the
// line; a place in line hands on nothing.
func (HoldOffers) Sees(s domain.BookingStatus) int {
	if s.Holds() {
		return 1
	}
	return 0
}

// Free: a place freed by a confirmed or offered booking (cancelled,
// declined, expired) is offered to the head of the line until about.At +
// Hours, who is told so (offer_made); with nobody waiting the write
// requires the line to be still empty, as first come does.
func (p HoldOffers) Free(s domain.BookingStatus, line []Waiting, about notices.Notice) Change {
	if !s.Holds() {
		return FirstComeFirstServed{}.Free(s, line, about)
	}
	held := func(c *Change, d int) {
		if s == domain.BookingOffered {
			c.Offered += d
		} else {
			c.Confirmed += d
		}
	}
	var c Change
	held(&c, -1)
	if len(line) == 0 {
		c.Guard.All = []Fact{Is(Waitlisted, 0), {Counter: counterOf(s), Op: Gt, Value: 0}}
		return c
	}
	until := p.until(about.At)
	c.Waitlisted, c.Offered = -1, c.Offered+1
	c.Offer, c.OfferUntil, c.Notices = line[:1], until, Offers(about, line[:1], until)
	c.Guard.All = []Fact{{Counter: Waitlisted, Op: Gt, Value: 0}, {Counter: counterOf(s), Op: Gt, Value: 0}}
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
// offered); the places a raise opens are offered to the head of the line,
// as many as are free and waiting.
func (HoldOffers) Promotable(before, after domain.Offering, most int) (int, error) {
	if after.Capacity < before.Confirmed+before.Offered {
		e := apperr.New(apperr.CapacityBelowConfirmed, "名额不能少于已确认和保留中的人数", "Capacity cannot go below the places already confirmed or held by an offer")
		e.Extra = map[string]any{"confirmed": before.Confirmed, "offered": before.Offered}
		return 0, e
	}
	return max(0, min(after.Capacity-after.Confirmed-after.Offered, after.Waitlisted, most)), nil
}

// Resize offers the places a raise opens to the line read, in order, each
// until about.At + Hours, and tells each (offer_made).
func (p HoldOffers) Resize(_ domain.Offering, line []Waiting, about notices.Notice) Change {
	until := p.until(about.At)
	return Change{Offered: len(line), Waitlisted: -len(line), Offer: line, OfferUntil: until, Notices: Offers(about, line, until)}
}
