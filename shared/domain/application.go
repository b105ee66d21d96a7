package domain

import (
	"encoding/json"
	"time"
)

// ApplicationStatus is an application's state in a lottery offering.
type ApplicationStatus string

// Application states (contract part 2, "Lottery offerings").
const (
	// ApplicationApplied: in the draw, once the window closes.
	ApplicationApplied ApplicationStatus = "applied"
	// ApplicationWithdrawn: the resident withdrew before the close; its
	// ticket is not in the draw.
	ApplicationWithdrawn ApplicationStatus = "withdrawn"
	// After the draw: a booking offered (ranks 1..capacity), waitlisted in
	// rank order, or not drawn (the waitlist is off, or the draw could not
	// give it a booking, as NotDrawnReason says).
	ApplicationOffered    ApplicationStatus = "offered"
	ApplicationWaitlisted ApplicationStatus = "waitlisted"
	ApplicationNotDrawn   ApplicationStatus = "not_drawn"
)

// Application is a participant's entry in a lottery offering's draw.
type Application struct {
	ID            string            `json:"id"`
	OfferingID    string            `json:"offering_id"`
	Offering      BookedOffering    `json:"offering"`
	ParticipantID string            `json:"participant_id"`
	Participant   BookedParticipant `json:"participant"`
	Status        ApplicationStatus `json:"status"`
	// Ticket is lottery.Ticket(offering, id): public, in the draw document.
	Ticket string `json:"ticket"`
	// Tier is 1 for everyone until a priority policy applies (issue 14).
	Tier      int       `json:"tier"`
	CreatedAt time.Time `json:"created_at"`
	// After the draw: the ticket's number and rank, and the booking it led to.
	Number    string `json:"number,omitempty"`
	Rank      int    `json:"rank,omitempty"`
	BookingID string `json:"booking_id,omitempty"`
	// NotDrawnReason says why a ranked application got no booking (for
	// example the term limit reached by then), Chinese / English.
	NotDrawnReason string     `json:"not_drawn_reason,omitempty"`
	WithdrawnAt    *time.Time `json:"withdrawn_at,omitempty"`

	Account  string `json:"-"`
	Identity string `json:"-"`
	Term     string `json:"-"`
	// BirthDate and IDNumberLast4 of the participant, for the booking the
	// draw makes (sealed where stored).
	BirthDate     string `json:"-"`
	IDNumberLast4 string `json:"-"`
}

// MarshalJSON shows times in the city's zone.
func (a Application) MarshalJSON() ([]byte, error) {
	type plain Application
	q := plain(a)
	q.CreatedAt = q.CreatedAt.In(CityZone)
	if q.WithdrawnAt != nil {
		t := q.WithdrawnAt.In(CityZone)
		q.WithdrawnAt = &t
	}
	return json.Marshal(q)
}
