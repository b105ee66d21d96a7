package store_test

import (
	"testing"
)

// TestCalendarReads: an account's bookings, every status, no other
// account's; offerings and centres by id, duplicates read once, unknown
// ids absent.
func TestCalendarReads(t *testing.T) {
	w := newWorld(t)
	w.offering("o1", 5)
	w.offering("o2", 5)
	p := w.register("acc-1", 1)
	w.book(p, "o1")
	w.cancel(w.book(p, "o2"))
	w.book(w.register("acc-2", 2), "o1")
	bs, err := w.st.AccountBookings(w.ctx, "acc-1")
	w.must(err)
	if len(bs) != 2 || bs[0].OfferingID != "o1" || bs[1].OfferingID != "o2" || bs[1].Status != "cancelled" {
		t.Fatalf("acc-1's bookings %+v", bs)
	}
	os, err := w.st.OfferingsByID(w.ctx, []string{"o2", "o1", "o2", "nope"})
	w.must(err)
	if len(os) != 2 || os["o1"].Schedule.Sessions == nil || os["o2"].Title == "" {
		t.Fatalf("offerings %+v", os)
	}
	cs, err := w.st.CentresByID(w.ctx, []string{w.c.ID, "nope"})
	w.must(err)
	if len(cs) != 1 || cs[w.c.ID].Address != w.c.Address {
		t.Fatalf("centres %+v", cs)
	}
}
