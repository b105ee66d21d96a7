package domain

import (
	"encoding/json"
	"time"
)

// A round (issue 14) groups lottery offerings of one kind and term, such as
// 2027 春季普惠托位 第一轮: a resident applies once per child with up to
// MaxChoices offerings in order of preference, the child gets one lottery
// number for the whole round, and places are assigned by deferred
// acceptance (shared/placement).

// MaxChoices is the most offerings one application to a round may rank.
const MaxChoices = 3

// Round states, following its draw.
const (
	RoundOpen   = "open"   // created; applications open at applications_open_at
	RoundClosed = "closed" // applications closed, not yet drawn
	RoundDrawn  = "drawn"
)

// Round is an allocation round.
type Round struct {
	ID      string `json:"id"`
	TitleZH string `json:"title_zh"`
	TitleEN string `json:"title_en"`
	Kind    Kind   `json:"kind"`
	Term    string `json:"term"`
	// MaxChoices (1..3) is how many offerings an application may rank.
	MaxChoices  int           `json:"max_choices"`
	OfferingIDs []string      `json:"offering_ids"`
	Offerings   []RoundMember `json:"offerings,omitempty"`
	Status      string        `json:"status"`
	// The members' common window and draw time.
	ApplicationsOpenAt  time.Time  `json:"applications_open_at"`
	ApplicationsCloseAt time.Time  `json:"applications_close_at"`
	DrawAt              time.Time  `json:"draw_at"`
	DrawnAt             *time.Time `json:"drawn_at,omitempty"`
	CreatedAt           time.Time  `json:"created_at"`
	CreatedBy           string     `json:"-"`
}

// RoundMember is an offering as a round lists it.
type RoundMember struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Centre   CentreRef `json:"centre"`
	Capacity int       `json:"capacity"`
}

// MarshalJSON shows times in the city's zone.
func (r Round) MarshalJSON() ([]byte, error) {
	type plain Round
	q := plain(r)
	q.ApplicationsOpenAt, q.ApplicationsCloseAt = q.ApplicationsOpenAt.In(CityZone), q.ApplicationsCloseAt.In(CityZone)
	q.DrawAt, q.CreatedAt = q.DrawAt.In(CityZone), q.CreatedAt.In(CityZone)
	if q.DrawnAt != nil {
		t := q.DrawnAt.In(CityZone)
		q.DrawnAt = &t
	}
	return json.Marshal(q)
}
