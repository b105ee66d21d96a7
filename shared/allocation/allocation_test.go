package allocation_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// TestBook: the offering must be bookable, then first come first served
// places the booking (contract rules 4 and 5).
func TestBook(t *testing.T) {
	now := time.Date(2025, 6, 1, 9, 0, 0, 0, domain.CityZone)
	base := domain.Offering{
		Status: domain.OfferingPublished, Capacity: 2, StartsOn: "2025-07-07",
		BookingOpensAt: now.Add(-time.Hour), BookingClosesAt: now.Add(time.Hour),
		MinAgeMonths: 72, MaxAgeMonths: 155, WaitlistEnabled: true,
	}
	pupil := domain.Participant{BirthDate: "2017-03-01"} // 8 on 2025-07-07
	cases := []struct {
		name   string
		edit   func(o *domain.Offering)
		p      domain.Participant
		wait   bool
		status domain.BookingStatus
		code   apperr.Code
	}{
		{"free place", nil, pupil, false, domain.BookingConfirmed, ""},
		{"full, waits", func(o *domain.Offering) { o.Confirmed = 2 }, pupil, true, domain.BookingWaitlisted, ""},
		{"full, no wait", func(o *domain.Offering) { o.Confirmed = 2 }, pupil, false, "", apperr.OfferingFull},
		{"full, waitlist off", func(o *domain.Offering) { o.Confirmed, o.WaitlistEnabled = 2, false }, pupil, true, "", apperr.OfferingFull},
		{"free place but a queue: no jumping", func(o *domain.Offering) { o.Confirmed, o.Waitlisted = 1, 3 }, pupil, true, domain.BookingWaitlisted, ""},
		{"free place but a queue, not joining", func(o *domain.Offering) { o.Confirmed, o.Waitlisted = 1, 3 }, pupil, false, "", apperr.OfferingFull},
		{"draft", func(o *domain.Offering) { o.Status = domain.OfferingDraft }, pupil, false, "", apperr.BookingClosed},
		{"closed", func(o *domain.Offering) { o.Status = domain.OfferingClosed }, pupil, false, "", apperr.BookingClosed},
		{"cancelled", func(o *domain.Offering) { o.Status = domain.OfferingCancelled }, pupil, false, "", apperr.BookingClosed},
		{"not open yet", func(o *domain.Offering) { o.BookingOpensAt = now.Add(time.Minute) }, pupil, false, "", apperr.BookingClosed},
		{"closes exactly now", func(o *domain.Offering) { o.BookingClosesAt = now }, pupil, false, "", apperr.BookingClosed},
		{"too young", nil, domain.Participant{BirthDate: "2020-01-01"}, false, "", apperr.NotEligible},
		{"too old", nil, domain.Participant{BirthDate: "2010-01-01"}, false, "", apperr.NotEligible},
		{"youngest eligible", nil, domain.Participant{BirthDate: "2019-07-07"}, false, domain.BookingConfirmed, ""},
		{"one day too young", nil, domain.Participant{BirthDate: "2019-07-08"}, false, "", apperr.NotEligible},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := base
			if c.edit != nil {
				c.edit(&o)
			}
			got, err := allocation.Book(allocation.FirstComeFirstServed{}, o, c.p, now, c.wait)
			if got.Status != c.status || (c.code == "" && err != nil) || (c.code != "" && !apperr.Is(err, c.code)) {
				t.Fatalf("Book = %q, %v; want %q, %q", got.Status, err, c.status, c.code)
			}
		})
	}
}

// TestPlaceGuards: what a first-come placement was decided on is what its
// write requires, so a concurrent booking that changes it sends this one
// round again.
func TestPlaceGuards(t *testing.T) {
	fcfs := allocation.FirstComeFirstServed{}
	lt := func(c allocation.Counter, v int) allocation.Fact {
		return allocation.Fact{Counter: c, Op: allocation.Lt, Value: v}
	}
	cases := []struct {
		name                 string
		capacity, conf, wait int
		join                 bool
		want                 allocation.Change
	}{
		{"a place, not the last", 3, 1, 0, false, allocation.Change{Status: domain.BookingConfirmed, Confirmed: 1,
			Guard: allocation.Guard{Status: domain.OfferingPublished, All: []allocation.Fact{
				allocation.Is(allocation.Capacity, 3), lt(allocation.Confirmed, 2), allocation.Is(allocation.Waitlisted, 0)}}}},
		{"the last place fills it", 3, 2, 0, false, allocation.Change{Status: domain.BookingConfirmed, Confirmed: 1, Fills: true,
			Guard: allocation.Guard{Status: domain.OfferingPublished, All: []allocation.Fact{
				allocation.Is(allocation.Capacity, 3), allocation.Is(allocation.Confirmed, 2), allocation.Is(allocation.Waitlisted, 0)}}}},
		{"the line, while no place is free for a newcomer", 3, 3, 2, true, allocation.Change{Status: domain.BookingWaitlisted, Waitlisted: 1,
			Guard: allocation.Guard{Status: domain.OfferingPublished, WaitlistOpen: true, Any: []allocation.Fact{
				{Counter: allocation.Confirmed, Op: allocation.Ge, Than: allocation.Capacity}, {Counter: allocation.Waitlisted, Op: allocation.Gt}}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			o := domain.Offering{Status: domain.OfferingPublished, Capacity: c.capacity, Confirmed: c.conf, Waitlisted: c.wait, WaitlistEnabled: true}
			got, err := fcfs.Place(o, c.join)
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("Place = %+v, %v\nwant %+v", got, err, c.want)
			}
		})
	}
}

// ending is the booking whose end a test's change announces.
var ending = domain.Booking{ID: "b0", Account: "leaver", OfferingID: "o1", Term: "2025-autumn",
	Offering: domain.BookedOffering{Title: "少儿书法", Kind: domain.EveningCourse, StartsOn: "2025-09-01", Centre: domain.CentreRef{ID: "c1"}}}

// announced is who a change's notices tell of a promotion ("account/booking"),
// after checking that each is a promotion of the offering about says.
func announced(t *testing.T, c allocation.Change, about notices.Notice) []string {
	t.Helper()
	var out []string
	for _, n := range c.Notices {
		if n.Event != notices.Promoted || n.OfferingID != about.OfferingID || n.Title != about.Title ||
			n.FirstSession != about.FirstSession || !n.At.Equal(about.At) || n.ID == about.ID || !n.ToResident() {
			t.Errorf("notice %+v", n)
		}
		out = append(out, n.Account+"/"+n.BookingID)
	}
	return out
}

// TestFree: a freed place goes to the head of the line and nobody else, who
// is told so (one notice, and none when nobody is promoted); a place freed
// with nobody waiting requires the line to be still empty.
func TestFree(t *testing.T) {
	fcfs := allocation.FirstComeFirstServed{}
	head := []allocation.Waiting{{BookingID: "w1", Account: "a", Stamp: 1}, {BookingID: "w2", Account: "b", Stamp: 2}}
	about := notices.New(notices.Promoted, time.Date(2025, 8, 1, 9, 0, 0, 0, domain.CityZone)).About(ending)
	cases := []struct {
		name     string
		status   domain.BookingStatus
		line     []allocation.Waiting
		conf     int
		wait     int
		promoted []string
		told     []string
		guard    allocation.Guard
	}{
		{"waiting booking leaves the line", domain.BookingWaitlisted, nil, 0, -1, nil, nil,
			allocation.Guard{All: []allocation.Fact{{Counter: allocation.Waitlisted, Op: allocation.Gt}}}},
		{"place freed, nobody waits", domain.BookingConfirmed, nil, -1, 0, nil, nil,
			allocation.Guard{All: []allocation.Fact{allocation.Is(allocation.Waitlisted, 0), {Counter: allocation.Confirmed, Op: allocation.Gt}}}},
		{"place goes to the head of the line", domain.BookingConfirmed, head, 0, -1, []string{"w1"}, []string{"a/w1"},
			allocation.Guard{All: []allocation.Fact{{Counter: allocation.Waitlisted, Op: allocation.Gt}}}},
		{"place goes to the only one waiting", domain.BookingConfirmed, head[1:], 0, -1, []string{"w2"}, []string{"b/w2"},
			allocation.Guard{All: []allocation.Fact{{Counter: allocation.Waitlisted, Op: allocation.Gt}}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := fcfs.Free(c.status, domain.Offering{}, c.line, about)
			var promoted []string
			for _, w := range got.Promote {
				promoted = append(promoted, w.BookingID)
			}
			if got.Confirmed != c.conf || got.Waitlisted != c.wait || !reflect.DeepEqual(promoted, c.promoted) || !reflect.DeepEqual(got.Guard, c.guard) {
				t.Fatalf("Free = %+v", got)
			}
			if told := announced(t, got, about); !reflect.DeepEqual(told, c.told) {
				t.Fatalf("Free announces %v, want %v", told, c.told)
			}
		})
	}
}

// TestSees: a place held looks at the head of the line; a place in line
// hands on nothing, so ending it reads none of the line.
func TestSees(t *testing.T) {
	for s, want := range map[domain.BookingStatus]int{domain.BookingConfirmed: 1, domain.BookingWaitlisted: 0} {
		if got, counters := (allocation.FirstComeFirstServed{}).Sees(s); got != want || counters {
			t.Errorf("Sees(%s) = %d, %v; want %d and no counters", s, got, counters, want)
		}
	}
}

// TestResize: a raise confirms the head of the line, as many as places and
// one write allow; a cut below the confirmed places is refused.
func TestResize(t *testing.T) {
	fcfs := allocation.FirstComeFirstServed{}
	cases := []struct {
		name                    string
		confirmed, capacity, wl int
		most                    int
		want                    int
		code                    apperr.Code
	}{
		{"raise by two, three waiting", 10, 12, 3, 45, 2, ""},
		{"raise by five, two waiting", 10, 15, 2, 45, 2, ""},
		{"raise beyond one write", 10, 200, 100, 45, 45, ""},
		{"nobody waiting", 10, 15, 0, 45, 0, ""},
		{"cut to what is confirmed", 10, 10, 3, 45, 0, ""},
		{"cut below confirmed", 10, 9, 3, 45, 0, apperr.CapacityBelowConfirmed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			before := domain.Offering{Capacity: 10, Confirmed: c.confirmed, Waitlisted: c.wl}
			after := before
			after.Capacity = c.capacity
			n, err := fcfs.Promotable(before, after, c.most)
			if n != c.want || (c.code == "" && err != nil) || (c.code != "" && !apperr.Is(err, c.code)) {
				t.Fatalf("Promotable = %d, %v; want %d, %q", n, err, c.want, c.code)
			}
		})
	}
	after := domain.Offering{ID: "o1", Title: "少儿书法", StartsOn: "2025-09-01", Schedule: domain.Schedule{Sessions: []string{"2025-09-03"}}}
	about := notices.New(notices.Promoted, time.Date(2025, 8, 1, 9, 0, 0, 0, domain.CityZone)).OfOffering(after)
	for _, c := range []struct {
		name string
		line []allocation.Waiting
		told []string
	}{
		{"two confirmed, two told", []allocation.Waiting{{BookingID: "w1", Account: "a"}, {BookingID: "w2", Account: "b"}}, []string{"a/w1", "b/w2"}},
		{"one account waiting twice is told of each", []allocation.Waiting{{BookingID: "w1", Account: "a"}, {BookingID: "w3", Account: "a"}}, []string{"a/w1", "a/w3"}},
		{"nobody confirmed, nobody told", nil, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := fcfs.Resize(after, c.line, about)
			if got.Confirmed != len(c.line) || got.Waitlisted != -len(c.line) || !reflect.DeepEqual(got.Promote, c.line) {
				t.Fatalf("Resize = %+v", got)
			}
			if told := announced(t, got, about); !reflect.DeepEqual(told, c.told) {
				t.Fatalf("Resize announces %v, want %v", told, c.told)
			}
			for _, n := range got.Notices {
				if n.FirstSession != "2025-09-03" {
					t.Errorf("first session %q, want the first listed session", n.FirstSession)
				}
			}
		})
	}
}

// TestPromotedIDs: a promotion's notice id is made from the booking's, so
// deciding the same change again announces the same notice (the outbox
// refuses a second), and two bookings' notices never share one.
func TestPromotedIDs(t *testing.T) {
	line := []allocation.Waiting{{BookingID: "w1", Account: "a"}, {BookingID: "w2", Account: "b"}}
	first := allocation.Promoted(notices.New(notices.Promoted, time.Unix(1, 0)), line)
	again := allocation.Promoted(notices.New(notices.Promoted, time.Unix(2, 0)), line)
	if first[0].ID != again[0].ID || first[1].ID != again[1].ID || first[0].ID == first[1].ID {
		t.Fatalf("ids %s %s, again %s %s", first[0].ID, first[1].ID, again[0].ID, again[1].ID)
	}
}

// TestForEveryOffering: today every offering is first come, first served.
func TestForEveryOffering(t *testing.T) {
	for _, k := range domain.Kinds {
		if _, ok := allocation.For(domain.Offering{Kind: k}).(allocation.FirstComeFirstServed); !ok {
			t.Fatalf("%s: not first come, first served", k)
		}
	}
}
