// Package domain holds enrol's vocabulary and booking rules, free of storage
// and HTTP: kinds, districts, offerings, participants, bookings, and the
// checks that decide whether a booking is confirmed, waitlisted or refused.
package domain

import (
	"encoding/json"
	"slices"
	"strings"
	"time"
)

// CityZone is Asia/Shanghai. China keeps no daylight saving time, so a fixed
// zone is exact and needs no tzdata on the Lambda image.
var CityZone = time.FixedZone("CST", 8*3600)

// Kind is what an offering is.
type Kind string

// The four programmes.
const (
	Childcare     Kind = "childcare"      // 普惠性托位
	CareClass     Kind = "care_class"     // 七彩公益安心托班
	EveningCourse Kind = "evening_course" // 锡青夜校
	SeniorCourse  Kind = "senior_course"  // 锡银学堂
)

// Kinds lists every kind.
var Kinds = []Kind{Childcare, CareClass, EveningCourse, SeniorCourse}

// KindNames are the programmes' public Chinese names.
var KindNames = map[Kind]string{
	Childcare:     "普惠性托位",
	CareClass:     "七彩公益安心托班",
	EveningCourse: "锡青夜校",
	SeniorCourse:  "锡银学堂",
}

// Valid reports whether k is one of Kinds.
func (k Kind) Valid() bool { return slices.Contains(Kinds, k) }

// KindChoices spells out Kinds for messages ("childcare、care_class、…
// 或 senior_course" / "childcare, care_class, … or senior_course"), built
// from the list so a new kind is named everywhere at once.
func KindChoices() (zh, en string) {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	last := len(names) - 1
	return strings.Join(names[:last], "、") + " 或 " + names[last], strings.Join(names[:last], ", ") + " or " + names[last]
}

// District is one of Wuxi's districts and county-level cities.
type District string

// Districts lists them all, with their Chinese names in DistrictNames.
var Districts = []District{"liangxi", "xishan", "huishan", "binhu", "xinwu", "jingkai", "jiangyin", "yixing"}

// DistrictNames gives each district's Chinese name.
var DistrictNames = map[District]string{
	"liangxi": "梁溪区", "xishan": "锡山区", "huishan": "惠山区", "binhu": "滨湖区",
	"xinwu": "新吴区", "jingkai": "经开区", "jiangyin": "江阴市", "yixing": "宜兴市",
}

// Valid reports whether d is one of Districts.
func (d District) Valid() bool { return slices.Contains(Districts, d) }

// Centre is a nursery, school, community centre or youth hub.
type Centre struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	District District `json:"district"`
	Address  string   `json:"address"`
	Phone    string   `json:"phone"`
	Kinds    []Kind   `json:"kinds"`
	// Issue 19: the registry. LicenceNo is the 托育机构备案号 or school id.
	LicenceNo string    `json:"licence_no"`
	Location  *Location `json:"location,omitempty"`
	// Status: draft (registering), active, suspended. A centre stored
	// before the registry has none and reads as active (store).
	Status          CentreStatus `json:"status"`
	SuspendedReason string       `json:"suspended_reason,omitempty"`
	SuspendedAt     *time.Time   `json:"suspended_at,omitempty"`
	CreatedAt       *time.Time   `json:"created_at,omitempty"`
	UpdatedAt       *time.Time   `json:"updated_at,omitempty"`
}

// Ref is how other resources name a centre.
func (c Centre) Ref() CentreRef { return CentreRef{ID: c.ID, Name: c.Name, District: c.District} }

// CentreRef is a centre as embedded in an offering or booking.
type CentreRef struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	District District `json:"district"`
}

// OfferingStatus is an offering's life-cycle state.
type OfferingStatus string

// Offering states.
const (
	OfferingDraft     OfferingStatus = "draft"
	OfferingPublished OfferingStatus = "published"
	OfferingClosed    OfferingStatus = "closed"
	OfferingCancelled OfferingStatus = "cancelled"
)

// Allocation is how an offering's places are given out.
type Allocation string

// The allocation policies (contract part 2).
const (
	// FirstCome: places in order of arrival (part 1), with offers held for a
	// deadline when OfferHours > 0.
	FirstCome Allocation = "first_come"
	// Lottery: residents apply in a window, a verifiable draw ranks them at
	// DrawAt, ranks 1..capacity get offers and the rest the line in rank
	// order; places left can be booked first come from BookingOpensAt.
	Lottery Allocation = "lottery"
)

// Schedule is free text plus, for courses and classes, the session dates.
type Schedule struct {
	Text     string   `json:"text"`
	Sessions []string `json:"sessions,omitempty"`
}

// Offering is a number of places at a centre that residents can book.
type Offering struct {
	ID          string    `json:"id"`
	Kind        Kind      `json:"kind"`
	Centre      CentreRef `json:"centre"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Term        string    `json:"term"`
	StartsOn    string    `json:"starts_on"`
	EndsOn      string    `json:"ends_on"`
	Schedule    Schedule  `json:"schedule"`
	Capacity    int       `json:"capacity"`
	Confirmed   int       `json:"confirmed"`
	Waitlisted  int       `json:"waitlisted"`
	// Offered counts bookings holding a place as an offer until their
	// deadline (contract part 2, "Offers with a deadline").
	Offered                  int            `json:"offered"`
	Status                   OfferingStatus `json:"status"`
	BookingOpensAt           time.Time      `json:"booking_opens_at"`
	BookingClosesAt          time.Time      `json:"booking_closes_at"`
	FeeFen                   int            `json:"fee_fen"`
	MinAgeMonths             int            `json:"min_age_months"`
	MaxAgeMonths             int            `json:"max_age_months"`
	MaxPerParticipantPerTerm int            `json:"max_per_participant_per_term"`
	WaitlistEnabled          bool           `json:"waitlist_enabled"`
	NoShowRule               *NoShowRule    `json:"no_show_rule,omitempty"`
	CancelReason             string         `json:"cancel_reason,omitempty"`
	// Allocation is first_come (the default) or lottery; OfferHours (0–168)
	// is how long an offer holds a place (0: a freed place confirms the head
	// of the line at once).
	Allocation Allocation `json:"allocation"`
	OfferHours int        `json:"offer_hours"`
	// A lottery's application window and draw time (nil for first_come).
	ApplicationsOpenAt  *time.Time `json:"applications_open_at,omitempty"`
	ApplicationsCloseAt *time.Time `json:"applications_close_at,omitempty"`
	DrawAt              *time.Time `json:"draw_at,omitempty"`
	// RoundID: the offering is allocated in a round (issue 14); residents
	// apply to the round, not to it.
	RoundID string `json:"round_id,omitempty"`
	// DrawnAt is when a lottery's draw finished writing its offers and
	// line; until then no place of it can be booked first come.
	DrawnAt *time.Time `json:"-"`
	// Applicants is how many applications the draw ranked, recorded on the
	// offering when the draw is done (the count never changes after).
	Applicants int `json:"-"`
	// ApplicantsTally is an undrawn lottery's applications as last counted
	// by the scheduled job (every minute, until the close), at TalliedAt:
	// the city's demand reads it here instead of counting 16 partitions a
	// lottery on every request.
	ApplicantsTally int        `json:"-"`
	TalliedAt       *time.Time `json:"-"`
	// FullAt is when the last place was first taken; the city's demand
	// figures measure from booking opening to it.
	FullAt *time.Time `json:"-"`
	// CentreSuspended: the offering's centre is suspended (issue 19). It is
	// on the offering, not only the centre, so a booking decides from the
	// offering it reads anyway (no read of the centre) and its write is
	// conditioned on its absence.
	CentreSuspended bool `json:"centre_suspended,omitempty"`
}

// NoteFull records now as the moment the offering filled, if it is full and
// had not filled before: the first time counts.
func (o *Offering) NoteFull(now time.Time) {
	if o.FullAt == nil && o.Capacity > 0 && o.Confirmed >= o.Capacity {
		o.FullAt = &now
	}
}

// Public reports whether residents may see the offering: drafts are the
// centre's business until published.
func (o Offering) Public() bool { return o.Status != OfferingDraft }

// Available is capacity − confirmed − offered, never negative.
func (o Offering) Available() int { return max(0, o.Capacity-o.Confirmed-o.Offered) }

// IsLottery reports whether o's places are first given by a draw.
func (o Offering) IsLottery() bool { return o.Allocation == Lottery }

// MarshalJSON adds the derived "available" and shows times in the city's zone.
func (o Offering) MarshalJSON() ([]byte, error) {
	type plain Offering
	p := plain(o)
	p.BookingOpensAt = p.BookingOpensAt.In(CityZone)
	p.BookingClosesAt = p.BookingClosesAt.In(CityZone)
	for _, t := range []**time.Time{&p.ApplicationsOpenAt, &p.ApplicationsCloseAt, &p.DrawAt} {
		if *t != nil {
			z := (*t).In(CityZone)
			*t = &z
		}
	}
	if p.Allocation == "" {
		p.Allocation = FirstCome
	}
	return json.Marshal(struct {
		plain
		Available int `json:"available"`
	}{p, o.Available()})
}
