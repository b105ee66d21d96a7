// Package allocation decides who gets a place: booking, joining the line,
// ending a booking (and whom its place goes to), and a change of capacity.
// A Policy decides, as a pure function of what was read, and answers with a
// Change: the counters to move, the bookings to confirm, and the Guard — what
// must still hold of the offering when the write lands for the decision to
// stand. The store turns a Change into one conditional write and knows no
// rule; a guard that fails means the decision is stale (read again and
// decide afresh), and a rule checked in the write that fails is answered
// from domain.Refusal's one table.
//
// First come, first served (fcfs.go) is the policy of every offering
// without offer hours; with them, HoldOffers (offers.go) offers a freed
// place for a while instead of confirming it. Another policy is one more
// file beside them, with its tests, and a line in For.
package allocation

import (
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// Policy decides who gets a place in one offering.
type Policy interface {
	// Place decides a new booking of o, as read: a place (Status
	// confirmed), the line (waitlisted, if the resident asked to join it),
	// or a refusal.
	Place(o domain.Offering, joinWaitlist bool) (Change, error)
	// Sees is how many of the head of the line Free must see when a
	// booking of status s ends, and whether it must see the offering's
	// counters too.
	Sees(s domain.BookingStatus) (line int, counters bool)
	// Free decides what ending a booking of status s does to its offering,
	// given the offering as read (its counters, when Sees asks for them;
	// else the zero Offering) and the head of the line as read (Sees(s) of
	// it, without the booking ending): the place it frees, if any, goes to
	// whomever the policy says. about is what the change's notices say of
	// the offering and when (notices.New(…).About of the booking ending).
	Free(s domain.BookingStatus, o domain.Offering, line []Waiting, about notices.Notice) Change
	// Promotable is how many of the line a change of the offering from
	// before to after lets in (at most most, what one write holds), or the
	// change's refusal (a capacity below the places confirmed).
	Promotable(before, after domain.Offering, most int) (int, error)
	// Resize confirms line (as read, Promotable(…) of its head) into the
	// places after opens; about is what its notices say of the offering
	// and when (notices.New(…).OfOffering(after)).
	Resize(after domain.Offering, line []Waiting, about notices.Notice) Change
}

// For is the policy that allocates o's places: with offer hours, a freed
// place is offered for that long (offers.go); else first come, first
// served.
func For(o domain.Offering) Policy {
	if o.OfferHours > 0 {
		return HoldOffers{Hours: o.OfferHours}
	}
	return FirstComeFirstServed{}
}

// OfBooking is the policy of b's offering, from what the booking keeps of
// it (ending a booking reads no offering).
func OfBooking(b domain.Booking) Policy {
	return For(domain.Offering{ID: b.OfferingID, Kind: b.Offering.Kind, Term: b.Term, OfferHours: b.OfferHours})
}

// Freed is what ending a booking of status s does under p: p sees as much
// of the line as it needs (head reads the first n of it, in order, without
// the booking ending) and the offering's counters if it needs them
// (offering reads them), and decides where the place goes; about is what
// its notices say (see Free).
func Freed(p Policy, s domain.BookingStatus, head func(n int) ([]Waiting, error), offering func() (domain.Offering, error), about notices.Notice) (Change, error) {
	var line []Waiting
	var o domain.Offering
	n, counters := p.Sees(s)
	if counters {
		var err error
		if o, err = offering(); err != nil {
			return Change{}, err
		}
	}
	if n > 0 {
		var err error
		if line, err = head(n); err != nil {
			return Change{}, err
		}
	}
	return p.Free(s, o, line, about), nil
}

// Waiting is one booking in an offering's line. The store keeps the line in
// arrival order (its key is the booking's arrival stamp) and reads its head
// in that order; a policy that orders the line otherwise (a drawn rank)
// must have the line written in its order.
type Waiting struct {
	BookingID string
	Account   string
	Stamp     int64
	// Group is the sibling group the booking waits with (groups.go).
	Group string
}

// Change is what a decision changes, written all at once or not at all.
type Change struct {
	// Status is a new booking's (Place only).
	Status domain.BookingStatus
	// Confirmed, Waitlisted and Offered are added to the offering's counters.
	Confirmed, Waitlisted, Offered int
	// Fills: the change takes the last place, so the write notes when the
	// offering filled (for the city's demand figures).
	Fills bool
	// Promote are the waiting bookings confirmed, in line order.
	Promote []Waiting
	// Offer are the waiting bookings offered a place until OfferUntil, in
	// line order (a policy with offers; contract part 2).
	Offer      []Waiting
	OfferUntil time.Time
	// Notices are what the change announces (one per person it concerns),
	// written in the change's own transaction (the outbox).
	Notices []notices.Notice
	// Guard must hold of the offering as the write lands.
	Guard Guard
}

// Promoted are the notices announcing the promotion of each of ws, about
// what about says: one per waiting booking, to its account. Each id is made
// from the booking's (a booking is promoted once in its life), so a change
// decided again after a lost race announces the same notice, and the
// outbox's condition refuses a second.
func Promoted(about notices.Notice, ws []Waiting) []notices.Notice {
	out := make([]notices.Notice, 0, len(ws))
	for _, w := range ws {
		n := about
		n.ID, n.Event, n.Account, n.BookingID = "ntc_promoted_"+w.BookingID, notices.Promoted, w.Account, w.BookingID
		out = append(out, n)
	}
	return out
}

// Offers are the notices announcing an offer, held until until, to each of
// ws (offer_made; ids made from the booking's, as an offer is made once in a
// booking's life).
func Offers(about notices.Notice, ws []Waiting, until time.Time) []notices.Notice {
	out := make([]notices.Notice, 0, len(ws))
	for _, w := range ws {
		n := about
		n.ID, n.Event, n.Account, n.BookingID, n.Deadline = "ntc_offer_"+w.BookingID, notices.OfferMade, w.Account, w.BookingID, until
		out = append(out, n)
	}
	return out
}

// Counter is one of the offering's figures a guard can test.
type Counter string

// The offering's figures.
const (
	Capacity   Counter = "capacity"
	Confirmed  Counter = "confirmed"
	Waitlisted Counter = "waitlisted"
	Offered    Counter = "offered"
)

// Op compares a counter.
type Op string

// Comparisons.
const (
	Eq Op = "="
	Lt Op = "<"
	Gt Op = ">"
	Ge Op = ">="
)

// Fact is "Counter Op Value", or "Counter Op Than" when Than is set.
type Fact struct {
	Counter Counter
	Op      Op
	Value   int
	Than    Counter
}

// Guard is what a decision was made on. The offering must be in Status
// (when set) with its line open (when WaitlistOpen), every fact of All must
// hold, and at least one of Any (when there are any).
type Guard struct {
	Status       domain.OfferingStatus
	WaitlistOpen bool
	All          []Fact
	Any          []Fact
}

// Is is the fact "c = v".
func Is(c Counter, v int) Fact { return Fact{Counter: c, Op: Eq, Value: v} }

// Book is the whole decision on a booking request: the offering must be
// bookable by who at now (domain.Bookable), then p places it.
func Book(p Policy, o domain.Offering, who domain.Participant, now time.Time, joinWaitlist bool) (Change, error) {
	if err := domain.Bookable(o, who, now); err != nil {
		return Change{}, err
	}
	return p.Place(o, joinWaitlist)
}
