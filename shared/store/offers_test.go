package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestOfferDeadlineInTheWrite: an offer's deadline is decided in the
// write, not only from the read: accepting lands only before it, expiring
// only at or after it; a booking offered is in the index of offers by
// deadline until its offer ends, and leaves it whichever way it ends.
func TestOfferDeadlineInTheWrite(t *testing.T) {
	f := newBookingFixture(t, func(o *domain.Offering) { o.OfferHours = 24 })
	policy := allocation.HoldOffers{Hours: 24}
	first, err := f.book(f.offering(), 1, 10)
	if err != nil || first.Status != domain.BookingConfirmed {
		t.Fatalf("first: %v %v", first.Status, err)
	}
	for seq, stamp := range map[int]int64{2: 20, 3: 30} {
		if b, err := f.book(f.offering(), seq, stamp); err != nil || b.Status != domain.BookingWaitlisted {
			t.Fatalf("person %d: %v %v", seq, b.Status, err)
		}
	}
	get := func(id string) domain.Booking {
		t.Helper()
		b, err := f.st.GetBooking(f.ctx, "acc", id)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	due := func() []string {
		t.Helper()
		os, err := f.st.OffersDue(f.ctx, f.now.Add(1000*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, o := range os {
			ids = append(ids, o.ID)
		}
		return ids
	}
	free := func(b domain.Booking, at time.Time) allocation.Change {
		t.Helper()
		c, err := f.st.Freed(f.ctx, b, at)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	// The confirmed place ends: p2 is offered it until now + 24 h.
	if err := f.st.EndBooking(f.ctx, first, free(first, f.now), f.now, store.Ending{By: store.ByResident}); err != nil {
		t.Fatal(err)
	}
	p2 := get("bk-p2")
	deadline := f.now.Add(24 * time.Hour)
	if p2.Status != domain.BookingOffered || !p2.OfferExpiresAt.Equal(deadline) || len(due()) != 1 || due()[0] != "bk-p2" {
		t.Fatalf("p2 %s until %v; offers by deadline %v", p2.Status, p2.OfferExpiresAt, due())
	}
	// Warned once: a second warning (another notice) is refused by the
	// booking's mark, whatever became of the first notice.
	for i, want := range []error{nil, store.ErrContention} {
		n := notices.New(notices.OfferExpiring, f.now)
		n.Account, n.BookingID = "acc", p2.ID
		if err := f.st.WarnOffer(f.ctx, p2, n, f.now); !errors.Is(err, want) && err != want {
			t.Fatalf("warning %d: %v, want %v", i, err, want)
		}
	}
	if os, err := f.st.OffersDue(f.ctx, deadline); err != nil || len(os) != 1 || !os[0].Warned {
		t.Fatalf("offers due %+v %v: p2 warned", os, err)
	}
	expired := func(at time.Time) error {
		n := notices.New(notices.OfferExpired, at).About(p2)
		return f.st.EndBooking(f.ctx, p2, free(p2, at), at, store.Ending{By: store.BySystem, Status: domain.BookingExpired, Notice: &n})
	}
	cases := []struct {
		name string
		try  func() error
	}{
		{"expiring a nanosecond before the deadline", func() error { return expired(deadline.Add(-time.Nanosecond)) }},
		{"accepting at the deadline", func() error { return f.st.AcceptOffer(f.ctx, p2, policy.Accept(), deadline) }},
	}
	for _, c := range cases {
		if err := c.try(); !errors.Is(err, store.ErrContention) {
			t.Fatalf("%s: %v, want ErrContention", c.name, err)
		}
	}
	// At the deadline it expires, and p3 is offered the place in the same write.
	if err := expired(deadline); err != nil {
		t.Fatal(err)
	}
	if p2, p3 := get("bk-p2"), get("bk-p3"); p2.Status != domain.BookingExpired || p2.CancelledAt != nil || p3.Status != domain.BookingOffered {
		t.Fatalf("p2 %s (cancelled at %v), p3 %s", p2.Status, p2.CancelledAt, p3.Status)
	}
	if ids := due(); len(ids) != 1 || ids[0] != "bk-p3" {
		t.Fatalf("offers by deadline %v, want only p3's", ids)
	}
	// p3 accepts a nanosecond before its deadline: confirmed, out of the index.
	p3 := get("bk-p3")
	if err := f.st.AcceptOffer(f.ctx, p3, policy.Accept(), p3.OfferExpiresAt.Add(-time.Nanosecond)); err != nil {
		t.Fatal(err)
	}
	if o := f.offering(); get("bk-p3").Status != domain.BookingConfirmed || o.Confirmed != 1 || o.Offered != 0 || o.Waitlisted != 0 || len(due()) != 0 {
		t.Fatalf("after accepting: %d/%d/%d, offers by deadline %v", o.Confirmed, o.Offered, o.Waitlisted, due())
	}
}

// TestEditRequiresTheOffersRead: a staff edit decided on a read of the
// offering is refused when an offer ended meanwhile (only the offers
// counter moved: declined, nobody waiting), so the edit cannot write the
// stale count back.
func TestEditRequiresTheOffersRead(t *testing.T) {
	f := newBookingFixture(t, func(o *domain.Offering) { o.OfferHours = 24 })
	first, err := f.book(f.offering(), 1, 10)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.book(f.offering(), 2, 20); err != nil {
		t.Fatal(err)
	}
	c, err := f.st.Freed(f.ctx, first, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.EndBooking(f.ctx, first, c, f.now, store.Ending{By: store.ByResident}); err != nil {
		t.Fatal(err)
	}
	stale := f.offering() // 0 confirmed, 1 offered, 0 waiting
	p2, err := f.st.GetBooking(f.ctx, "acc", "bk-p2")
	if err != nil {
		t.Fatal(err)
	}
	if c, err = f.st.Freed(f.ctx, p2, f.now); err != nil {
		t.Fatal(err)
	}
	if err := f.st.EndBooking(f.ctx, p2, c, f.now, store.Ending{By: store.ByResident}); err != nil { // declined
		t.Fatal(err)
	}
	after := stale
	after.Title += "（改）"
	err = f.st.UpdateOffering(f.ctx, store.OfferingChange{Before: stale, After: after, Now: f.now,
		Audit: store.Audit(stale.Centre.ID, "staff", "offering.update", stale.ID, stale, after, f.now)})
	if !errors.Is(err, store.ErrContention) {
		t.Fatalf("an edit from before the offer ended: %v, want ErrContention", err)
	}
	if o := f.offering(); o.Offered != 0 || o.Confirmed != 0 {
		t.Fatalf("counters %d confirmed, %d offered", o.Confirmed, o.Offered)
	}
}
