package notices

import "time"

// Source is the EventBridge source of every event enrol publishes.
const Source = "enrol"

// detailTypes name each event on the city's bus; an event not listed is
// not published (the reminder concerns one resident, nobody else).
var detailTypes = map[Event]string{
	BookingConfirmed:  "enrol.booking.confirmed",
	BookingWaitlisted: "enrol.booking.waitlisted",
	BookingCancelled:  "enrol.booking.cancelled",
	Promoted:          "enrol.booking.promoted",
	VerifiedElsewhere: "enrol.booking.cancelled",
	OfferingCancelled: "enrol.booking.cancelled",
	NoShowBlocked:     "enrol.participant.blocked",
	OfferMade:         "enrol.offer.made",
	OfferExpired:      "enrol.offer.expired",
	DrawPublished:     "enrol.draw.published",
}

// Detail is an event's body on the bus: ids and facts, never a name, a
// phone number or an ID number (api/events.md documents it).
type Detail struct {
	ID         string    `json:"id"`
	Event      Event     `json:"event"`
	At         time.Time `json:"at"`
	Account    string    `json:"account,omitempty"`
	OfferingID string    `json:"offering_id,omitempty"`
	BookingID  string    `json:"booking_id,omitempty"`
	CentreID   string    `json:"centre_id,omitempty"`
	Kind       string    `json:"kind,omitempty"`
	Term       string    `json:"term,omitempty"`
	Deadline   time.Time `json:"deadline,omitzero"`
}

// Bus is n's event for the city's bus: its detail type and detail, and
// whether it is published at all.
func (n Notice) Bus() (detailType string, d Detail, ok bool) {
	detailType, ok = detailTypes[n.Event]
	if !ok {
		return "", Detail{}, false
	}
	return detailType, Detail{ID: n.ID, Event: n.Event, At: n.At, Account: n.Account, OfferingID: n.OfferingID,
		BookingID: n.BookingID, CentreID: n.CentreID, Kind: string(n.Kind), Term: n.Term, Deadline: n.Deadline}, true
}
