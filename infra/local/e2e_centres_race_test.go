package local_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// TestCapacityRaisePromotesMoreThanOneWrite: 60 waiting, capacity raised by
// 60: every one confirmed (two writes), in order, counters exact.
func TestCapacityRaisePromotesMoreThanOneWrite(t *testing.T) {
	e := start(t)
	e.offering("o", 1)
	staff := e.tokenFor("staff", []string{"centre-staff"}, e.centre.ID)
	var ids []string
	for i := range 61 {
		tok, p, _ := e.resident(fmt.Sprintf("r%02d", i))
		b := e.book(tok, "o", p, true)
		e.expect(b, 201, "")
		ids = append(ids, b.str("id"))
	}
	// The bookings' notices, put from the table's stream, in first: on moto,
	// which runs one request at a time and copies the table for each
	// transaction, 61 puts still arriving kept the promotions' transactions
	// waiting past the function's patience (503).
	e.bookingNotices(ids...)
	r := e.do("PATCH", "/v1/offerings/o", staff, map[string]any{"capacity": 61})
	e.expect(r, 200, "")
	if r.num("confirmed") != 61 || r.num("waitlisted") != 0 {
		t.Fatalf("%s", r.body)
	}
	bs, next, err := e.st.Store.RosterPage(context.Background(), "o", paging.Page{Limit: 200})
	if err != nil || len(bs) != 61 || next != "" {
		t.Fatalf("%d bookings on the roster, want 61 (%v)", len(bs), err)
	}
	for _, b := range bs {
		if b.Status != domain.BookingConfirmed {
			t.Fatalf("%s still %s", b.ID, b.Status)
		}
	}
	calls, _ := e.requestsOf("PATCH /v1/offerings/{offering_id}")
	t.Logf("60 promotions, DynamoDB calls: %v", calls)
}

// TestStaffRacingResidents: capacity changes and a cancellation land while
// residents book; the rules hold throughout and nothing is left active.
func TestStaffRacingResidents(t *testing.T) {
	e := start(t)
	e.offering("o", 10)
	staff := e.tokenFor("staff", []string{"centre-staff"}, e.centre.ID)
	const n = 40
	toks, ps := make([]string, n), make([]string, n)
	for i := range n {
		toks[i], ps[i], _ = e.resident(fmt.Sprintf("r%02d", i))
	}
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			if r := e.bookLikeAClient(toks[i], "o", ps[i], fmt.Sprintf("k%d", i)); r.status != 201 && r.status != 200 {
				t.Errorf("booking %d: %d %s", i, r.status, r.body)
			}
		})
	}
	for _, c := range []int{15, 20, 25} {
		wg.Go(func() {
			r := e.do("PATCH", "/v1/offerings/o", staff, map[string]any{"capacity": c})
			if r.status != 200 && r.str("code") != "capacity_below_confirmed" {
				t.Errorf("capacity %d: %d %s", c, r.status, r.body)
			}
		})
	}
	wg.Wait()
	// Read back with errors checked: a failed read would otherwise give
	// zero counters that agree with an empty roster.
	roster := func(want int) (domain.Offering, []domain.Booking) {
		t.Helper()
		o, err := e.st.Store.GetOffering(context.Background(), "o")
		if err != nil {
			t.Fatal(err)
		}
		bs, next, err := e.st.Store.RosterPage(context.Background(), "o", paging.Page{Limit: 200})
		if err != nil || next != "" || len(bs) != want {
			t.Fatalf("%d bookings on the roster, want %d (%v)", len(bs), want, err)
		}
		return o, bs
	}
	o, bs := roster(n)
	confirmed, waitlisted := 0, 0
	for _, b := range bs {
		switch b.Status {
		case domain.BookingConfirmed:
			confirmed++
		case domain.BookingWaitlisted:
			waitlisted++
		}
	}
	if o.Confirmed != confirmed || o.Waitlisted != waitlisted || o.Confirmed > o.Capacity || (o.Waitlisted > 0 && o.Confirmed < o.Capacity) {
		t.Fatalf("offering %d/%d of %d, bookings %d/%d", o.Confirmed, o.Waitlisted, o.Capacity, confirmed, waitlisted)
	}

	// Now cancel while a second wave books: afterwards nothing is active.
	wave := make([]string, n)
	for i := range n {
		wave[i], ps[i], _ = e.resident(fmt.Sprintf("w%02d", i))
	}
	var landed sync.Map
	for i := range n {
		wg.Go(func() {
			switch r := e.book(wave[i], "o", ps[i], true); {
			case r.status == 201:
				landed.Store(i, true)
			case r.status == 409 && r.str("code") == "booking_closed", r.status == 503: // too late, or busy: nothing written
			default:
				t.Errorf("second wave %d: %d %s", i, r.status, r.body)
			}
		})
	}
	wg.Go(func() {
		if r := e.do("POST", "/v1/offerings/o/cancel", staff, map[string]any{"reason": "停电"}); r.status != 200 {
			t.Errorf("cancel: %d %s", r.status, r.body)
		}
	})
	wg.Wait()
	late := 0
	landed.Range(func(any, any) bool { late++; return true })
	o, bs = roster(n + late)
	for _, b := range bs {
		if b.Status.Active() {
			t.Fatalf("%s is %s after the offering was cancelled", b.ID, b.Status)
		}
	}
	if o.Confirmed != 0 || o.Waitlisted != 0 || o.Status != domain.OfferingCancelled {
		t.Fatalf("offering %+v", o)
	}
}
