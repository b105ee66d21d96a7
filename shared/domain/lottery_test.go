package domain

import (
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// lotteryIn is a lottery evening course whose applications open on 3
// November, close on the 10th, draw on the 11th.
func lotteryIn() NewOffering {
	open, closes, draw := date("2026-11-03"), date("2026-11-10"), date("2026-11-11")
	return NewOffering{Kind: EveningCourse, Title: "摄影", StartsOn: "2026-12-07", EndsOn: "2026-12-21", Capacity: 30,
		Schedule:   Schedule{Text: "周一", Sessions: []string{"2026-12-07", "2026-12-14", "2026-12-21"}},
		Allocation: Lottery, ApplicationsOpenAt: &open, ApplicationsCloseAt: &closes, DrawAt: &draw}
}

func TestCreateLottery(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, CityZone)
	c := Centre{ID: "c1", Name: "滨湖区青年夜校", District: "binhu"}
	o, err := Create(lotteryIn(), c, now)
	if err != nil {
		t.Fatal(err)
	}
	if !o.IsLottery() || o.OfferHours != DefaultLotteryOfferHours || !o.BookingOpensAt.Equal(*o.DrawAt) {
		t.Fatalf("defaults: allocation %s, offer_hours %d, booking opens %v", o.Allocation, o.OfferHours, o.BookingOpensAt)
	}
	zero, before, t4 := 0, date("2026-11-10"), date("2026-11-04")
	bad := map[string]func(*NewOffering){
		"no window":               func(in *NewOffering) { in.ApplicationsOpenAt = nil },
		"no draw time":            func(in *NewOffering) { in.DrawAt = nil },
		"close before open":       func(in *NewOffering) { in.ApplicationsCloseAt = &t4; in.ApplicationsOpenAt = in.DrawAt },
		"draw before close":       func(in *NewOffering) { d := date("2026-11-09"); in.DrawAt = &d },
		"booking before the draw": func(in *NewOffering) { in.BookingOpensAt = &before },
		"offer hours 0":           func(in *NewOffering) { in.OfferHours = &zero },
		"unknown allocation":      func(in *NewOffering) { in.Allocation = "auction" },
		"closed already":          func(in *NewOffering) { p := date("2026-10-01"); in.ApplicationsOpenAt, in.ApplicationsCloseAt = &p, &p },
		"window on first come":    func(in *NewOffering) { in.Allocation = "" },
	}
	for name, edit := range bad {
		in := lotteryIn()
		edit(&in)
		if _, err := Create(in, c, now); !apperr.Is(err, apperr.ValidationFailed) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestPatchLottery(t *testing.T) {
	now := date("2026-11-01")
	o, err := Create(lotteryIn(), Centre{ID: "c1"}, now)
	if err != nil {
		t.Fatal(err)
	}
	later, draw := date("2026-11-12"), date("2026-11-13")
	moved, err := Patch{ApplicationsCloseAt: &later, DrawAt: &draw, BookingOpensAt: &draw}.Apply(o, now)
	if err != nil || !moved.ApplicationsCloseAt.Equal(later) || !o.ApplicationsCloseAt.Equal(date("2026-11-10")) || !Edited(o, moved) {
		t.Fatalf("moving the window before it opens: %v %v (before: %v)", moved.ApplicationsCloseAt, err, o.ApplicationsCloseAt)
	}
	if _, err := (Patch{ApplicationsCloseAt: &later}).Apply(o, now); !apperr.Is(err, apperr.ValidationFailed) {
		t.Errorf("close after the draw: %v", err)
	}
	if _, err := (Patch{DrawAt: &draw}).Apply(o, date("2026-11-03")); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("moving the draw once applications opened: %v", err)
	}
	early := date("2026-11-05")
	if _, err := (Patch{BookingOpensAt: &early}).Apply(o, date("2026-11-04")); !apperr.Is(err, apperr.ValidationFailed) {
		t.Errorf("booking before the draw: %v", err)
	}
	first := o
	first.Allocation, first.ApplicationsOpenAt, first.ApplicationsCloseAt, first.DrawAt = FirstCome, nil, nil, nil
	if _, err := (Patch{DrawAt: &draw}).Apply(first, now); !apperr.Is(err, apperr.ValidationFailed) {
		t.Errorf("a draw time on a first-come offering: %v", err)
	}
}

func TestApplicableAndBookable(t *testing.T) {
	o, err := Create(lotteryIn(), Centre{ID: "c1"}, date("2026-11-01"))
	if err != nil {
		t.Fatal(err)
	}
	o.Status = OfferingPublished
	adult := Participant{BirthDate: "2000-01-01"}
	cases := []struct {
		name string
		o    Offering
		p    Participant
		at   string
		code apperr.Code
	}{
		{"in the window", o, adult, "2026-11-05", ""},
		{"before it opens", o, adult, "2026-11-02", apperr.ApplicationsClosed},
		{"at the close", o, adult, "2026-11-10", apperr.ApplicationsClosed},
		{"too young", o, Participant{BirthDate: "2015-01-01"}, "2026-11-05", apperr.NotEligible},
		{"a draft", func() Offering { d := o; d.Status = OfferingDraft; return d }(), adult, "2026-11-05", apperr.ApplicationsClosed},
		{"first come", func() Offering { f := o; f.Allocation = FirstCome; return f }(), adult, "2026-11-05", apperr.ApplicationsClosed},
	}
	for _, c := range cases {
		err := Applicable(c.o, c.p, date(c.at))
		if c.code == "" && err != nil || c.code != "" && !apperr.Is(err, c.code) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
	// Booking first come waits for the draw, and for booking_opens_at.
	if err := Bookable(o, adult, date("2026-11-20")); !apperr.Is(err, apperr.BookingClosed) {
		t.Errorf("before the draw: %v", err)
	}
	drawn := o
	at := date("2026-11-11")
	drawn.DrawnAt = &at
	if err := Bookable(drawn, adult, date("2026-11-20")); err != nil {
		t.Errorf("after the draw: %v", err)
	}
}
