package residents_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/dbcalls"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/metrics"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// TestListPlacesEachLineOnce: an account's waitlisted bookings, several in
// one line between other people's, are placed exactly, with one Query for
// the page and one per line; a cancellation ahead moves them up.
func TestListPlacesEachLineOnce(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	want := map[string]int{}
	var first domain.Booking // the stranger at the head of line "a"
	for _, o := range []string{"a", "b"} {
		f.offering(o, 1, func(of *domain.Offering) { of.Confirmed = 1 })
		for i := range 3 {
			s, err := f.book(f.person(fmt.Sprintf("s%s%d", o, i), 100+10*len(want)+i), o, true)
			if err != nil {
				t.Fatal(err)
			}
			if o == "a" && i == 0 {
				first = s
			}
			b, err := f.book(f.person("family", 200+len(want)), o, true)
			if err != nil {
				t.Fatal(err)
			}
			want[b.ID] = 2 * (i + 1)
		}
	}
	check := func(step string, want map[string]int) {
		t.Helper()
		tctx, tally := dbcalls.With(ctx)
		tctx, rec := metrics.With(tctx)
		bs, _, err := f.svc.List(tctx, "family", "", paging.Page{Limit: 50})
		if err != nil || len(bs) != len(want) {
			t.Fatalf("%s: %d bookings, %v", step, len(bs), err)
		}
		for _, b := range bs {
			if b.WaitlistPosition != want[b.ID] {
				t.Fatalf("%s: %s in %s at %d, want %d", step, b.ID, b.OfferingID, b.WaitlistPosition, want[b.ID])
			}
		}
		// The tally counts attempts; an attempt the SDK retried (a busy
		// machine's timeout) is not a call this code made.
		calls := tally.Snapshot()
		calls["Query"] -= int(rec.Get(metrics.StoreRetries))
		if got := fmt.Sprint(calls); got != "map[Query:3]" {
			t.Fatalf("%s: calls %s (retries taken out), want one Query for the page and one per line", step, got)
		}
	}
	check("as booked", want)
	// The head of line "a" leaves: the family's places there move up by one.
	if _, err := f.svc.Cancel(ctx, first.Account, first.ID); err != nil {
		t.Fatal(err)
	}
	bs, _, _ := f.svc.List(ctx, "family", "", paging.Page{Limit: 50})
	moved := map[string]int{}
	for _, b := range bs {
		moved[b.ID] = want[b.ID]
		if b.OfferingID == "a" {
			moved[b.ID]--
		}
	}
	check("after a cancellation ahead", moved)
}
