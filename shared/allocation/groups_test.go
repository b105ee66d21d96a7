package allocation_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// TestGroupsInLine (issue 14, siblings together): a sibling group in line
// is offered places all at once, only when they are free; one that does not
// fit is passed over (the next who fits is offered the place) and keeps its
// place; places left free by a group wait for it, and a member leaving the
// line lets the rest fit. Never more offers than places.
func TestGroupsInLine(t *testing.T) {
	p := allocation.HoldOffers{Hours: 48}
	at := time.Date(2025, 8, 1, 9, 0, 0, 0, domain.CityZone)
	about := notices.New(notices.Promoted, at).About(ending)
	g := func(id, group string) allocation.Waiting {
		return allocation.Waiting{BookingID: id, Account: "acc-" + id, Stamp: 1, Group: group}
	}
	single := func(id string, stamp int64) allocation.Waiting {
		return allocation.Waiting{BookingID: id, Account: "acc-" + id, Stamp: stamp}
	}
	pair := []allocation.Waiting{g("g1", "app_g"), g("g2", "app_g")}
	pairThenSingle := append(append([]allocation.Waiting{}, pair...), single("s1", 2))
	gt := func(c allocation.Counter) allocation.Fact { return allocation.Fact{Counter: c, Op: allocation.Gt} }
	pin := func(o domain.Offering) allocation.Guard {
		return allocation.Guard{All: []allocation.Fact{allocation.Is(allocation.Capacity, o.Capacity), allocation.Is(allocation.Confirmed, o.Confirmed),
			allocation.Is(allocation.Offered, o.Offered), allocation.Is(allocation.Waitlisted, o.Waitlisted)}}
	}
	full3 := domain.Offering{Capacity: 3, Confirmed: 3, Waitlisted: 3}
	idle1 := domain.Offering{Capacity: 3, Confirmed: 1, Offered: 1, Waitlisted: 3} // a place left free by the pair
	leaving := domain.Offering{Capacity: 3, Confirmed: 2, Waitlisted: 3}           // the same, a member leaves the line
	noIdle := domain.Offering{Capacity: 3, Confirmed: 3, Waitlisted: 3}            // a member leaves, nothing free
	cut := domain.Offering{Capacity: 3, Confirmed: 3, Waitlisted: 5}               // the read stops inside a group
	cases := []struct {
		name    string
		status  domain.BookingStatus
		o       domain.Offering
		line    []allocation.Waiting
		offer   []string
		offered int // offers made (the offered counter, besides the ending offer)
		guard   allocation.Guard
	}{
		{"a pair at the head, one place: passed over, the single behind offered", domain.BookingConfirmed, full3, pairThenSingle,
			[]string{"s1"}, 1, pin(full3)},
		{"a pair at the head, two places (one left free before): both offered", domain.BookingOffered, idle1, pairThenSingle,
			[]string{"g1", "g2"}, 2, pin(idle1)},
		{"a pair alone, one place: it stays free for them", domain.BookingConfirmed, domain.Offering{Capacity: 3, Confirmed: 3, Waitlisted: 2}, pair,
			nil, 0, pin(domain.Offering{Capacity: 3, Confirmed: 3, Waitlisted: 2})},
		{"a member leaves the line: the rest fit the place left free", domain.BookingWaitlisted, leaving, []allocation.Waiting{g("g1", "app_g"), single("s1", 2)},
			[]string{"g1"}, 1, pin(leaving)},
		{"a member leaves the line, no place free: nothing else", domain.BookingWaitlisted, noIdle, []allocation.Waiting{g("g1", "app_g"), single("s1", 2)},
			nil, 0, allocation.Guard{All: []allocation.Fact{gt(allocation.Waitlisted)}}},
		{"singles only: the head, as before", domain.BookingConfirmed, full3, []allocation.Waiting{single("s1", 1), single("s2", 2)},
			[]string{"s1"}, 1, allocation.Guard{All: []allocation.Fact{gt(allocation.Waitlisted), gt(allocation.Confirmed)}}},
		{"a group cut short by the read is left for a whole read", domain.BookingConfirmed, cut,
			[]allocation.Waiting{single("s0", 0), g("g1", "app_g"), g("g2", "app_g")}, []string{"s0"}, 1,
			allocation.Guard{All: []allocation.Fact{gt(allocation.Waitlisted), gt(allocation.Confirmed)}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := p.Free(c.status, c.o, c.line, about)
			if offered := bookingIDs(got.Offer); !reflect.DeepEqual(offered, c.offer) || got.Offered-offeredDelta(c.status) != c.offered || !reflect.DeepEqual(got.Guard, c.guard) {
				t.Fatalf("Free = %+v", got)
			}
			// Never over capacity: what is held after the change.
			if held := c.o.Confirmed + got.Confirmed + c.o.Offered + got.Offered; held > c.o.Capacity {
				t.Fatalf("%d places held of %d", held, c.o.Capacity)
			}
			if got.Waitlisted != -len(c.offer)-waitDelta(c.status) {
				t.Fatalf("waitlisted %+d for %d offers", got.Waitlisted, len(c.offer))
			}
			// One deadline for the group's offers, one notice each.
			if len(got.Notices) != len(c.offer) {
				t.Fatalf("%d notices for %d offers", len(got.Notices), len(c.offer))
			}
			for _, n := range got.Notices {
				if !n.Deadline.Equal(at.Add(48*time.Hour)) || !got.OfferUntil.Equal(n.Deadline) {
					t.Fatalf("notice deadline %v, offers until %v", n.Deadline, got.OfferUntil)
				}
			}
		})
	}
}

func offeredDelta(s domain.BookingStatus) int {
	if s == domain.BookingOffered {
		return -1
	}
	return 0
}

func waitDelta(s domain.BookingStatus) int {
	if s == domain.BookingWaitlisted {
		return 1
	}
	return 0
}

// TestGroupsOnARaise: places a raise opens go to the line unit by unit: one
// place passes the pair for the single behind; two take the pair.
func TestGroupsOnARaise(t *testing.T) {
	p := allocation.HoldOffers{Hours: 24}
	line := []allocation.Waiting{
		{BookingID: "g1", Account: "a", Stamp: 1, Group: "app_g"}, {BookingID: "g2", Account: "a", Stamp: 1, Group: "app_g"},
		{BookingID: "s1", Account: "b", Stamp: 2},
	}
	cases := []struct {
		capacity int
		want     []string
	}{
		{3, nil}, {4, []string{"s1"}}, {5, []string{"g1", "g2"}}, {6, []string{"g1", "g2", "s1"}},
	}
	for _, c := range cases {
		before := domain.Offering{Capacity: 3, Confirmed: 3, Waitlisted: 3}
		after := before
		after.Capacity = c.capacity
		n, err := p.Promotable(before, after, 32)
		if err != nil {
			t.Fatal(err)
		}
		got := p.Resize(after, line[:n], notices.New(notices.Promoted, time.Unix(0, 0)))
		offered := bookingIDs(got.Offer)
		if !reflect.DeepEqual(offered, c.want) || got.Offered != len(c.want) || got.Waitlisted != -len(c.want) {
			t.Errorf("capacity 3 → %d: read %d, offered %v (%+v), want %v", c.capacity, n, offered, got, c.want)
		}
	}
}

// bookingIDs are the ids of ws, in order (nil for none).
func bookingIDs(ws []allocation.Waiting) []string {
	var out []string
	for _, w := range ws {
		out = append(out, w.BookingID)
	}
	return out
}
