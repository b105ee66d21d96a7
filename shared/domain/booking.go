package domain

import (
	"encoding/json"
	"time"
)

// Participant is a person an account books for: a child or the resident.
type Participant struct {
	ID            string    `json:"id"`
	Name          string    `json:"name"`
	BirthDate     string    `json:"birth_date"`
	IDNumberLast4 string    `json:"id_number_last4"`
	CreatedAt     time.Time `json:"created_at"`
	// Verified: centre staff checked the identity against a document for
	// this account (then no other account can book or register it).
	Verified   bool       `json:"verified"`
	VerifiedAt *time.Time `json:"verified_at,omitempty"`
	// By is ByStaff for a participant registered at a centre's counter
	// (issue 20); "" when the resident registered it.
	By string `json:"by,omitempty"`
	// Consent is the guardian's, for a child registered under 14; nil for
	// everyone else.
	Consent *Consent `json:"consent,omitempty"`
	// Account owns the participant; Identity is the keyed hash of the ID
	// number, the same whichever account registered the person.
	Account  string `json:"-"`
	Identity string `json:"-"`
}

// Consent is what a guardian agreed to, and when.
type Consent struct {
	NoticeVersion string    `json:"notice_version"`
	AgreedAt      time.Time `json:"agreed_at"`
}

// MarshalJSON shows times in the city's zone.
func (p Participant) MarshalJSON() ([]byte, error) {
	type plain Participant
	q := plain(p)
	q.CreatedAt = q.CreatedAt.In(CityZone)
	if q.VerifiedAt != nil {
		t := q.VerifiedAt.In(CityZone)
		q.VerifiedAt = &t
	}
	if q.Consent != nil {
		c := *q.Consent
		c.AgreedAt = c.AgreedAt.In(CityZone)
		q.Consent = &c
	}
	return json.Marshal(q)
}

// BookingStatus is a booking's state.
type BookingStatus string

// Booking states; confirmed, waitlisted and offered ones are "active".
const (
	BookingConfirmed  BookingStatus = "confirmed"
	BookingWaitlisted BookingStatus = "waitlisted"
	// BookingOffered holds a place until OfferExpiresAt: accepted it is
	// confirmed, declined cancelled, let pass expired.
	BookingOffered   BookingStatus = "offered"
	BookingCancelled BookingStatus = "cancelled"
	BookingExpired   BookingStatus = "expired"
)

// Valid reports whether s is a booking state.
func (s BookingStatus) Valid() bool {
	return s.Active() || s == BookingCancelled || s == BookingExpired
}

// Active bookings hold a place, an offer of one, or a place in line.
func (s BookingStatus) Active() bool {
	return s == BookingConfirmed || s == BookingWaitlisted || s == BookingOffered
}

// Holds reports whether a booking in s holds one of the offering's places
// (ending it frees that place).
func (s BookingStatus) Holds() bool { return s == BookingConfirmed || s == BookingOffered }

// BookedOffering is the offering as a booking shows it.
type BookedOffering struct {
	Title    string    `json:"title"`
	Kind     Kind      `json:"kind"`
	Centre   CentreRef `json:"centre"`
	StartsOn string    `json:"starts_on"`
}

// ErasedName stands in a roster for a participant whose personal data has
// been erased.
const ErasedName = "（已删除）/ (erased)"

// BookedParticipant is the participant as a booking shows it.
type BookedParticipant struct {
	Name string `json:"name"`
}

// Booking is a participant's claim on a place, or on a place in line.
type Booking struct {
	ID               string            `json:"id"`
	OfferingID       string            `json:"offering_id"`
	Offering         BookedOffering    `json:"offering"`
	ParticipantID    string            `json:"participant_id"`
	Participant      BookedParticipant `json:"participant"`
	Status           BookingStatus     `json:"status"`
	WaitlistPosition int               `json:"waitlist_position,omitempty"`
	// OfferExpiresAt is the deadline of an offer (status offered, and kept
	// once it is accepted, declined or expired).
	OfferExpiresAt *time.Time `json:"offer_expires_at,omitempty"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	CancelledAt    *time.Time `json:"cancelled_at,omitempty"`
	// CancelledBy is "resident" or "centre"; a centre says why.
	CancelledBy  string `json:"cancelled_by,omitempty"`
	CancelReason string `json:"cancel_reason,omitempty"`
	// A booking a round's draw made (issue 14): the round, and which choice
	// of the application it is (1 = first). Group is the application's id
	// when siblings applied together: they are offered places together.
	RoundID    string `json:"round_id,omitempty"`
	Preference int    `json:"preference,omitempty"`
	Group      string `json:"group,omitempty"`
	// By is ByStaff for a booking made at a centre's counter (issue 20).
	By string `json:"by,omitempty"`

	Account  string `json:"-"`
	Identity string `json:"-"`
	Term     string `json:"-"`
	// BirthDate and IDNumberLast4 of the participant, for the roster.
	BirthDate     string `json:"-"`
	IDNumberLast4 string `json:"-"`
	// OfferHours is the offering's (fixed when it is created), kept so that
	// ending a booking can decide an offer without reading the offering.
	OfferHours int `json:"-"`
	// Stamp is the arrival time in nanoseconds; it orders the waitlist. A
	// lottery's drawn line uses the rank instead, so it goes first.
	Stamp int64 `json:"-"`
	// Erased: the participant's personal data has left the booking, which
	// stays only for the city's figures and the roster's counts.
	Erased bool `json:"-"`
}

// MarshalJSON shows times in the city's zone.
func (b Booking) MarshalJSON() ([]byte, error) {
	type plain Booking
	q := plain(b)
	q.CreatedAt = q.CreatedAt.In(CityZone)
	q.UpdatedAt = q.UpdatedAt.In(CityZone)
	if q.CancelledAt != nil {
		t := q.CancelledAt.In(CityZone)
		q.CancelledAt = &t
	}
	if q.OfferExpiresAt != nil {
		t := q.OfferExpiresAt.In(CityZone)
		q.OfferExpiresAt = &t
	}
	// The code is the id's, worked out, never stored.
	return json.Marshal(struct {
		plain
		Code string `json:"code"`
	}{q, BookingCode(b.ID)})
}
