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

	// Issue 14. RoundID is set for an application to a round, whose
	// Choices rank up to MaxChoices offerings (a plain lottery application
	// has one choice, its offering; OfferingID is the first choice).
	RoundID string   `json:"round_id,omitempty"`
	Choices []Choice `json:"choices,omitempty"`
	// Siblings applying with the participant as one unit: one ticket, places
	// together or a wait together.
	Siblings   []Sibling `json:"siblings,omitempty"`
	SiblingIDs []string  `json:"-"`
	// Claims to priority tiers, one per code and offering chosen.
	Claims []Claim `json:"claims"`
	// PolicyVersion is the priority policy whose tiers applied (from the
	// close on; absent without a policy).
	PolicyVersion int `json:"policy_version,omitempty"`
	// Explanation says why the application got its rank (after the draw).
	Explanation *Explanation `json:"explanation,omitempty"`
	// By is ByStaff for an application made at a centre's counter (issue 20).
	By string `json:"by,omitempty"`

	Account  string `json:"-"`
	Identity string `json:"-"`
	Term     string `json:"-"`
	// BirthDate and IDNumberLast4 of the participant, for the booking the
	// draw makes (sealed where stored).
	BirthDate     string `json:"-"`
	IDNumberLast4 string `json:"-"`
}

// Sibling is a brother or sister in the same application.
type Sibling struct {
	ParticipantID string `json:"participant_id"`
	Name          string `json:"name"`
	// BirthDate, IDNumberLast4 and Identity for the sibling's booking.
	BirthDate     string `json:"-"`
	IDNumberLast4 string `json:"-"`
	Identity      string `json:"-"`
}

// Choice is one offering an application ranked, and after the draw what
// came of it there.
type Choice struct {
	Preference int            `json:"preference"` // 1 = first choice
	OfferingID string         `json:"offering_id"`
	Offering   BookedOffering `json:"offering"`
	// After the close: the tier at this offering and the confirmed claim
	// that set it.
	Tier     int    `json:"tier,omitempty"`
	TierCode string `json:"tier_code,omitempty"`
	// After the draw: the rank among this offering's applicants, the
	// result, the place in line at the draw (waitlisted) and the booking.
	Rank             int          `json:"rank,omitempty"`
	Result           ChoiceResult `json:"result,omitempty"`
	WaitlistPosition int          `json:"waitlist_position,omitempty"`
	BookingIDs       []string     `json:"booking_ids,omitempty"`
}

// ChoiceResult is what the draw made of one choice.
type ChoiceResult string

// Choice results: offered a place; waitlisted (a choice ranked above the
// one offered, or any choice when none was); not drawn (the waitlist is
// off, or a rule refused the booking); not reached (ranked below the choice
// offered, so never needed).
const (
	ChoiceOffered    ChoiceResult = "offered"
	ChoiceWaitlisted ChoiceResult = "waitlisted"
	ChoiceNotDrawn   ChoiceResult = "not_drawn"
	ChoiceNotReached ChoiceResult = "not_reached"
)

// Explanation is why an application got its rank, for the resident and for
// officers (contract part 2; issue 14 "Explained ranks").
type Explanation struct {
	PolicyVersion int               `json:"policy_version,omitempty"`
	Number        string            `json:"number"`
	Choices       []ExplainedChoice `json:"choices"`
	SummaryZH     string            `json:"summary_zh"`
	SummaryEN     string            `json:"summary_en"`
}

// ExplainedChoice is one choice with its tier's names.
type ExplainedChoice struct {
	Preference       int          `json:"preference"`
	OfferingID       string       `json:"offering_id"`
	Title            string       `json:"title"`
	Centre           CentreRef    `json:"centre"`
	Tier             int          `json:"tier"`
	TierCode         string       `json:"tier_code,omitempty"`
	TierZH           string       `json:"tier_zh,omitempty"`
	TierEN           string       `json:"tier_en,omitempty"`
	Claim            string       `json:"claim,omitempty"`
	Rank             int          `json:"rank"`
	Result           ChoiceResult `json:"result"`
	WaitlistPosition int          `json:"waitlist_position,omitempty"`
}

// Size is how many children the application places: the participant and
// the siblings.
func (a Application) Size() int { return 1 + len(a.Siblings) }

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
