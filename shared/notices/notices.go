// Package notices says what a change announces: to the residents it
// concerns (a message, in Chinese with English beside it, short enough for
// one SMS) and to the city's other systems (an EventBridge event carrying
// ids only). A Notice is written in the same transaction as its change
// (the outbox, shared/store/outbox.go) and sent afterwards by the
// dispatcher (shared/delivery), so no change goes unannounced and no notice
// announces a change that did not happen. Pure: no I/O.
package notices

import (
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Event is what happened.
type Event string

// Events a resident is told of (the contract's "Messages to residents").
const (
	OfferMade         Event = "offer_made"
	OfferExpiring     Event = "offer_expiring"
	OfferExpired      Event = "offer_expired"
	Promoted          Event = "promoted"
	DrawResult        Event = "draw_result"
	OfferingCancelled Event = "offering_cancelled"
	Reminder          Event = "reminder"
	NoShowBlocked     Event = "no_show_blocked"
	// VerifiedElsewhere: a booking ended because its identity was verified
	// for another account.
	VerifiedElsewhere Event = "verified_elsewhere"
	// AssistedAtCounter: staff found (or made) the account by its phone
	// number at a centre's counter and may act for it (issue 20).
	AssistedAtCounter Event = "assisted_at_counter"
)

// Events only the city's other systems hear of.
const (
	BookingConfirmed  Event = "booking_confirmed"
	BookingWaitlisted Event = "booking_waitlisted"
	BookingCancelled  Event = "booking_cancelled"
	DrawPublished     Event = "draw_published"
)

// Notice is one announcement of one change. Everything its text needs is
// captured when the change is written, so sending reads nothing else and
// says what was true at the change.
type Notice struct {
	// ID is unique; where a retried change could write the same notice
	// twice (the reminder job), it is made from what it announces, and the
	// write is conditional on its absence.
	ID    string
	Event Event
	At    time.Time
	// Account is the resident told; "" for an event only the bus hears.
	Account string

	OfferingID string
	BookingID  string
	CentreID   string
	Kind       domain.Kind
	Term       string
	// Title and FirstSession (YYYY-MM-DD) of the offering, for the text.
	Title        string
	FirstSession string
	// Deadline of an offer (offer_made, offer_expiring).
	Deadline time.Time
	// Result of a draw for this resident (draw_result): "offered",
	// "waitlisted" or "not_drawn"; Rank their place in the drawn order.
	Result string
	Rank   int
	// CentreName and CentrePhone of the centre whose staff found the
	// account at the counter (assisted_at_counter), as they were then.
	CentreName  string
	CentrePhone string
}

// New is a notice of event at at, with a fresh id.
func New(event Event, at time.Time) Notice {
	return Notice{ID: domain.NewID("ntc", at), Event: event, At: at}
}

// About fills in the offering a booking's notice is about.
func (n Notice) About(b domain.Booking) Notice {
	n.Account, n.BookingID, n.OfferingID = b.Account, b.ID, b.OfferingID
	n.CentreID, n.Kind, n.Term = b.Offering.Centre.ID, b.Offering.Kind, b.Term
	n.Title, n.FirstSession = b.Offering.Title, b.Offering.StartsOn
	return n
}

// OfOffering fills in the offering o.
func (n Notice) OfOffering(o domain.Offering) Notice {
	n.OfferingID, n.CentreID, n.Kind, n.Term, n.Title = o.ID, o.Centre.ID, o.Kind, o.Term, o.Title
	n.FirstSession = FirstSession(o)
	return n
}

// AtCounter fills in the centre whose staff found the account at the
// counter.
func (n Notice) AtCounter(c domain.Centre) Notice {
	n.CentreID, n.CentreName, n.CentrePhone = c.ID, c.Name, c.Phone
	return n
}

// FirstSession is the date o first meets: its first listed session, else
// the day it starts.
func FirstSession(o domain.Offering) string {
	if len(o.Schedule.Sessions) > 0 {
		return o.Schedule.Sessions[0]
	}
	return o.StartsOn
}

// ToResident reports whether the notice is a message to a resident.
func (n Notice) ToResident() bool { return n.Account != "" && texts[n.Event] != nil }

// bySMSAlways are the events sent by SMS whatever channels the resident
// chose: they are about the phone number itself (someone used it at a
// counter), so they go to that number, where its owner reads them, and a
// resident who chose e-mail alone still hears at once.
var bySMSAlways = map[Event]bool{AssistedAtCounter: true}

// BySMSAlways reports whether n goes by SMS besides the resident's chosen
// channels.
func (n Notice) BySMSAlways() bool { return bySMSAlways[n.Event] }
