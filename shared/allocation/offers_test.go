package allocation_test

import (
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// TestForOfferHours: an offering with offer hours holds freed places as
// offers for that long, and so does a booking of it (which keeps the
// hours, so ending it reads no offering); without, first come first served.
func TestForOfferHours(t *testing.T) {
	if p := allocation.For(domain.Offering{OfferHours: 48}); p != (allocation.HoldOffers{Hours: 48}) {
		t.Fatalf("For(48 h) = %#v", p)
	}
	if p := allocation.OfBooking(domain.Booking{OfferHours: 24}); p != (allocation.HoldOffers{Hours: 24}) {
		t.Fatalf("OfBooking(24 h) = %#v", p)
	}
	if _, ok := allocation.OfBooking(domain.Booking{}).(allocation.FirstComeFirstServed); !ok {
		t.Fatal("a booking without offer hours is not first come, first served")
	}
}

// TestOffersPlace: a place is free only when neither confirmed nor offered
// bookings hold it and nobody waits; the write pins the offers read.
func TestOffersPlace(t *testing.T) {
	p := allocation.HoldOffers{Hours: 24}
	lt := func(c allocation.Counter, v int) allocation.Fact {
		return allocation.Fact{Counter: c, Op: allocation.Lt, Value: v}
	}
	pinned := []allocation.Fact{allocation.Is(allocation.Capacity, 3), allocation.Is(allocation.Offered, 1)}
	confirm := func(last bool, conf allocation.Fact) allocation.Change {
		return allocation.Change{Status: domain.BookingConfirmed, Confirmed: 1, Fills: last, Guard: allocation.Guard{Status: domain.OfferingPublished,
			All: append(slices.Clone(pinned), conf, allocation.Is(allocation.Waitlisted, 0))}}
	}
	line := allocation.Change{Status: domain.BookingWaitlisted, Waitlisted: 1,
		Guard: allocation.Guard{Status: domain.OfferingPublished, WaitlistOpen: true, All: pinned,
			Any: []allocation.Fact{{Counter: allocation.Confirmed, Op: allocation.Ge, Value: 2}, {Counter: allocation.Waitlisted, Op: allocation.Gt}}}}
	cases := []struct {
		name                string
		conf, offered, wait int
		join, waitlistOff   bool
		want                allocation.Change
		code                apperr.Code
	}{
		{"a place beside an offer", 0, 1, 0, false, false, confirm(false, lt(allocation.Confirmed, 1)), ""},
		{"the last place not held by the offer fills it", 1, 1, 0, false, false, confirm(true, allocation.Is(allocation.Confirmed, 1)), ""},
		{"an offer holds the last place: the line", 2, 1, 0, true, false, line, ""},
		{"an offer holds the last place, not joining", 2, 1, 0, false, false, allocation.Change{}, apperr.OfferingFull},
		{"an offer holds the last place, no line", 2, 1, 0, true, true, allocation.Change{}, apperr.OfferingFull},
		{"a place free but someone waits", 0, 1, 1, true, false, line, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := domain.Offering{Status: domain.OfferingPublished, Capacity: 3, Confirmed: c.conf, Offered: c.offered, Waitlisted: c.wait, WaitlistEnabled: !c.waitlistOff}
			got, err := p.Place(o, c.join)
			if c.code != "" {
				if !apperr.Is(err, c.code) {
					t.Fatalf("Place = %+v, %v; want %s", got, err, c.code)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Place = %+v, %v\nwant %+v", got, err, c.want)
			}
		})
	}
}

// TestOffersFree: a place freed by a confirmed or an offered booking is
// offered to the head of the line until the ending's time + the hours, and
// only to them, who are told (offer_made, one notice, its id from the
// booking's); with nobody waiting the place is simply free; a booking in
// line hands on nothing.
func TestOffersFree(t *testing.T) {
	p := allocation.HoldOffers{Hours: 48}
	at := time.Date(2025, 8, 1, 9, 0, 0, 0, domain.CityZone)
	about := notices.New(notices.Promoted, at).About(ending)
	head := []allocation.Waiting{{BookingID: "w1", Account: "a", Stamp: 1}, {BookingID: "w2", Account: "b", Stamp: 2}}
	gt := func(c allocation.Counter) allocation.Fact { return allocation.Fact{Counter: c, Op: allocation.Gt} }
	cases := []struct {
		name                string
		status              domain.BookingStatus
		o                   domain.Offering // as read, before the ending
		line                []allocation.Waiting
		conf, offered, wait int
		offer               []string
		guard               allocation.Guard
	}{
		{"confirmed cancelled: the head is offered it", domain.BookingConfirmed, domain.Offering{Capacity: 2, Confirmed: 2, Waitlisted: 2}, head, -1, 1, -1, []string{"w1"},
			allocation.Guard{All: []allocation.Fact{gt(allocation.Waitlisted), gt(allocation.Confirmed)}}},
		{"offer declined or expired: the next is offered it", domain.BookingOffered, domain.Offering{Capacity: 1, Offered: 1, Waitlisted: 1}, head[1:], 0, 0, -1, []string{"w2"},
			allocation.Guard{All: []allocation.Fact{gt(allocation.Waitlisted), gt(allocation.Offered)}}},
		{"offer ends, nobody waits", domain.BookingOffered, domain.Offering{Capacity: 1, Offered: 1}, nil, 0, -1, 0, nil,
			allocation.Guard{All: []allocation.Fact{allocation.Is(allocation.Waitlisted, 0), gt(allocation.Offered)}}},
		{"confirmed cancelled, nobody waits", domain.BookingConfirmed, domain.Offering{Capacity: 1, Confirmed: 1}, nil, -1, 0, 0, nil,
			allocation.Guard{All: []allocation.Fact{allocation.Is(allocation.Waitlisted, 0), gt(allocation.Confirmed)}}},
		{"a booking leaves the line", domain.BookingWaitlisted, domain.Offering{Capacity: 1, Confirmed: 1, Waitlisted: 1}, nil, 0, 0, -1, nil,
			allocation.Guard{All: []allocation.Fact{gt(allocation.Waitlisted)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := p.Free(c.status, c.o, c.line, about)
			offered := bookingIDs(got.Offer)
			if got.Confirmed != c.conf || got.Offered != c.offered || got.Waitlisted != c.wait || len(got.Promote) != 0 ||
				!reflect.DeepEqual(offered, c.offer) || !reflect.DeepEqual(got.Guard, c.guard) {
				t.Fatalf("Free = %+v", got)
			}
			if len(c.offer) == 0 {
				if len(got.Notices) != 0 {
					t.Fatalf("notices %+v with no offer", got.Notices)
				}
				return
			}
			want := at.Add(48 * time.Hour)
			if !got.OfferUntil.Equal(want) || len(got.Notices) != 1 {
				t.Fatalf("offer until %v, notices %+v; want until %v, one notice", got.OfferUntil, got.Notices, want)
			}
			if n := got.Notices[0]; n.Event != notices.OfferMade || n.ID != "ntc_offer_"+c.offer[0] || n.BookingID != c.offer[0] ||
				n.Account != c.line[0].Account || !n.Deadline.Equal(want) || n.Title != ending.Offering.Title || !n.ToResident() {
				t.Fatalf("notice %+v", n)
			}
		})
	}
	for _, s := range []domain.BookingStatus{domain.BookingOffered, domain.BookingConfirmed, domain.BookingWaitlisted} {
		if n, counters := p.Sees(s); n != allocation.LineWindow || !counters {
			t.Fatalf("Sees(%s) = %d, %v: every ending looks at the line's head and the counters (a group may fit now)", s, n, counters)
		}
	}
}

// TestOffersFreed: Freed reads the offering's counters and as much of the
// line as the policy sees; a place held goes to the head, a place in line
// hands on nothing when no place was left free; a failed read is the
// answer.
func TestOffersFreed(t *testing.T) {
	p := allocation.HoldOffers{Hours: 1}
	about := notices.New(notices.Promoted, time.Unix(0, 0)).About(ending)
	for s, o := range map[domain.BookingStatus]domain.Offering{
		domain.BookingOffered:    {Capacity: 1, Offered: 1, Waitlisted: 1},
		domain.BookingConfirmed:  {Capacity: 1, Confirmed: 1, Waitlisted: 1},
		domain.BookingWaitlisted: {Capacity: 1, Confirmed: 1, Waitlisted: 2},
	} {
		asked := 0
		c, err := allocation.Freed(p, s, func(n int) ([]allocation.Waiting, error) {
			asked = n
			return []allocation.Waiting{{BookingID: "w1", Account: "a"}}, nil
		}, func() (domain.Offering, error) { return o, nil }, about)
		if err != nil || asked != allocation.LineWindow || s.Holds() != (len(c.Offer) == 1) {
			t.Fatalf("%s: read %d of the line, change %+v, %v", s, asked, c, err)
		}
	}
	boom := errors.New("boom")
	counters := func() (domain.Offering, error) { return domain.Offering{}, nil }
	if _, err := allocation.Freed(p, domain.BookingOffered, func(int) ([]allocation.Waiting, error) { return nil, boom }, counters, about); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
	if _, err := allocation.Freed(p, domain.BookingOffered, func(int) ([]allocation.Waiting, error) { return nil, nil },
		func() (domain.Offering, error) { return domain.Offering{}, boom }, about); !errors.Is(err, boom) {
		t.Fatalf("err %v", err)
	}
}

// TestOffersAcceptAndResize: accepting turns the held place into a
// confirmed one; a raise offers the places it opens to the head of the
// line; the capacity may not go below the places confirmed or held.
func TestOffersAcceptAndResize(t *testing.T) {
	p := allocation.HoldOffers{Hours: 24}
	if a := p.Accept(); a.Offered != -1 || a.Confirmed != 1 || a.Waitlisted != 0 ||
		!reflect.DeepEqual(a.Guard.All, []allocation.Fact{{Counter: allocation.Offered, Op: allocation.Gt}}) {
		t.Fatalf("Accept = %+v", a)
	}
	cases := []struct {
		name                       string
		conf, offered, wait, capTo int
		want                       int
		code                       apperr.Code
	}{
		{"raise by two, three waiting: all three read (a group may not fit)", 8, 2, 3, 12, 3, ""},
		{"raise by five, two waiting", 8, 2, 2, 15, 2, ""},
		{"an offer holds a place a raise does not open", 8, 2, 3, 10, 0, ""},
		{"cut to confirmed and offered", 8, 2, 3, 10, 0, ""},
		{"cut below confirmed and offered", 8, 2, 3, 9, 0, apperr.CapacityBelowConfirmed},
		{"beyond one write", 8, 2, 100, 200, 45, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := domain.Offering{Capacity: 10, Confirmed: c.conf, Offered: c.offered, Waitlisted: c.wait}
			after := before
			after.Capacity = c.capTo
			n, err := p.Promotable(before, after, 45)
			if n != c.want || (c.code == "" && err != nil) || (c.code != "" && !apperr.Is(err, c.code)) {
				t.Fatalf("Promotable = %d, %v; want %d, %q", n, err, c.want, c.code)
			}
		})
	}
	at := time.Date(2025, 8, 1, 9, 0, 0, 0, domain.CityZone)
	line := []allocation.Waiting{{BookingID: "w1", Account: "a"}, {BookingID: "w2", Account: "b"}}
	got := p.Resize(domain.Offering{Capacity: 2, Waitlisted: 2}, line, notices.New(notices.Promoted, at))
	if got.Offered != 2 || got.Waitlisted != -2 || got.Confirmed != 0 || !reflect.DeepEqual(got.Offer, line) || len(got.Promote) != 0 ||
		!got.OfferUntil.Equal(at.Add(24*time.Hour)) || len(got.Notices) != 2 || got.Notices[1].Event != notices.OfferMade || got.Notices[1].Account != "b" {
		t.Fatalf("Resize = %+v", got)
	}
}
