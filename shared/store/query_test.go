package store_test

import (
	"encoding/base64"
	"fmt"
	"slices"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// The Query and paging every list is built on (query.go), through lists of
// each shape: a table partition newest first, filtered or not, and an
// index partition in key order. (Reading a partition whole past one page is
// TestReadAccount's; cursors' forms are cursor_test.go's.)

// TestPaging: at every page size each list comes out whole, in order, each
// item once, with no page over the limit; unfiltered pages are full but
// the last, and so are filtered pages while matches lie closer together
// than the four pages a filtered page reads ahead. Every other booking is
// made under an Idempotency-Key, so its id (made from the key) does not
// sort by time: the list is still in the order they were made.
func TestPaging(t *testing.T) {
	w := newWorld(t)
	p := w.register("acc-1", 1)
	var booked []string
	for i := range 12 {
		id := fmt.Sprintf("o%02d", i)
		w.offering(id, 5)
		if i%2 == 1 {
			booked = append(booked, w.book(p, id, fmt.Sprintf("key-%d", i)).ID)
		} else {
			booked = append(booked, w.book(p, id).ID)
		}
	}
	if slices.IsSorted(booked) {
		t.Fatalf("the ids %v sort by time: the list's order is not tested", booked)
	}
	cancelled := []string{}
	for i, id := range booked {
		if i%5 == 0 { // 0, 5, 10: far apart
			b, err := w.st.GetBooking(w.ctx, "acc-1", id)
			w.must(err)
			w.cancel(b)
			cancelled = append(cancelled, id)
		}
	}
	newest := slices.Clone(booked)
	slices.Reverse(newest)
	newestCancelled := slices.Clone(cancelled)
	slices.Reverse(newestCancelled)
	var confirmed []string
	for _, id := range newest {
		if !slices.Contains(cancelled, id) {
			confirmed = append(confirmed, id)
		}
	}
	bookingID := func(b domain.Booking) string { return b.ID }
	cases := []struct {
		name string
		want []string
		// full: every page but the last holds limit items. So for a plain
		// read, and for a filtered one whose matches lie closer than the
		// four pages it reads ahead, not for one whose matches lie further apart.
		full bool
		list func(paging.Page) ([]string, string, error)
	}{
		{"an account's bookings, newest first", newest, true, func(pg paging.Page) ([]string, string, error) {
			bs, next, err := w.st.ListBookings(w.ctx, "acc-1", "", pg)
			return idsOf(bs, bookingID), next, err
		}},
		{"only the cancelled ones", newestCancelled, false, func(pg paging.Page) ([]string, string, error) {
			bs, next, err := w.st.ListBookings(w.ctx, "acc-1", domain.BookingCancelled, pg)
			return idsOf(bs, bookingID), next, err
		}},
		{"only the confirmed ones", confirmed, true, func(pg paging.Page) ([]string, string, error) {
			bs, next, err := w.st.ListBookings(w.ctx, "acc-1", domain.BookingConfirmed, pg)
			return idsOf(bs, bookingID), next, err
		}},
		{"a centre's offerings (an index)", func() []string {
			var ids []string
			for i := range 12 {
				ids = append(ids, fmt.Sprintf("o%02d", i))
			}
			return ids
		}(), true, func(pg paging.Page) ([]string, string, error) {
			os, next, err := w.st.ListCentreOfferings(w.ctx, w.c.ID, pg)
			return idsOf(os, func(o domain.Offering) string { return o.ID }), next, err
		}},
	}
	for _, tc := range cases {
		for _, limit := range []int{1, 2, 3, 5, 11, 12, 13, 100} {
			got, sizes := pageAll(t, limit, tc.list)
			if !slices.Equal(got, tc.want) {
				t.Errorf("%s, limit %d: %v, want %v", tc.name, limit, got, tc.want)
			}
			if !tc.full {
				continue
			}
			for i, n := range sizes[:len(sizes)-1] {
				if n != limit {
					t.Errorf("%s, limit %d: page %d holds %d (%v)", tc.name, limit, i+1, n, sizes)
				}
			}
		}
	}
}

// TestCursorBelongsToItsList: a cursor carries on only the list it came
// from; given to another account's bookings, another status of the same
// account's or another centre's offerings, it is invalid_request.
func TestCursorBelongsToItsList(t *testing.T) {
	w := newWorld(t)
	p := w.register("acc-1", 1)
	for i := range 3 {
		id := fmt.Sprintf("o%d", i)
		w.offering(id, 5)
		w.book(p, id)
	}
	_, bookings, err := w.st.ListBookings(w.ctx, "acc-1", "", paging.Page{Limit: 1})
	w.must(err)
	_, offerings, err := w.st.ListCentreOfferings(w.ctx, w.c.ID, paging.Page{Limit: 1})
	w.must(err)
	if bookings == "" || offerings == "" {
		t.Fatal("no cursor after a first page of one")
	}
	if got, _, err := w.st.ListBookings(w.ctx, "acc-1", domain.BookingConfirmed, paging.Page{Limit: 5, Cursor: bookings}); err != nil || len(got) != 2 {
		t.Fatalf("the same account's confirmed bookings after the cursor: %d %v", len(got), err)
	}
	refused := []struct {
		name string
		err  func() error
	}{
		{"another account's bookings", func() error {
			_, _, err := w.st.ListBookings(w.ctx, "acc-2", "", paging.Page{Limit: 5, Cursor: bookings})
			return err
		}},
		{"a centre's offerings with a bookings cursor", func() error {
			_, _, err := w.st.ListCentreOfferings(w.ctx, w.c.ID, paging.Page{Limit: 5, Cursor: bookings})
			return err
		}},
		{"another centre's offerings", func() error {
			_, _, err := w.st.ListCentreOfferings(w.ctx, "c2", paging.Page{Limit: 5, Cursor: offerings})
			return err
		}},
		{"an account's participants with an offerings cursor", func() error {
			_, _, err := w.st.ListParticipants(w.ctx, "acc-1", paging.Page{Limit: 5, Cursor: offerings})
			return err
		}},
	}
	for _, r := range refused {
		wantCode(t, r.name, r.err(), apperr.InvalidRequest)
	}
}

// TestBookingsCursor: an account's bookings are listed by when each was
// made, so their cursor carries that time beside the key: it goes on after
// a booking that has left the list meanwhile (erased), and one without the
// time, with a time that is not one, or with more, is invalid_request.
func TestBookingsCursor(t *testing.T) {
	w := newWorld(t)
	p := w.register("acc-1", 1)
	var booked []domain.Booking
	for i := range 3 {
		id := fmt.Sprintf("o%d", i)
		w.offering(id, 5)
		booked = append(booked, w.book(p, id, "key-"+id))
	}
	first, next, err := w.st.ListBookings(w.ctx, "acc-1", "", paging.Page{Limit: 1})
	w.must(err)
	if len(first) != 1 || first[0].ID != booked[2].ID || next == "" {
		t.Fatalf("first page %v %q, want the newest and a cursor", idsOf(first, func(b domain.Booking) string { return b.ID }), next)
	}
	gone, err := w.st.GetBooking(w.ctx, "acc-1", booked[2].ID)
	w.must(err)
	w.cancel(gone)
	w.must(w.st.EraseBooking(w.ctx, gone, w.now))
	rest, _, err := w.st.ListBookings(w.ctx, "acc-1", "", paging.Page{Limit: 5, Cursor: next})
	w.must(err)
	if got, want := idsOf(rest, func(b domain.Booking) string { return b.ID }), []string{booked[1].ID, booked[0].ID}; !slices.Equal(got, want) {
		t.Fatalf("after the erased one's cursor: %v, want %v", got, want)
	}
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for name, c := range map[string]string{
		"the key alone (a cursor of before)": enc(`{"PK":"ACCOUNT#acc-1","SK":"BOOKING#` + booked[1].ID + `"}`),
		"not a time":                         enc(`{"PK":"ACCOUNT#acc-1","SK":"BOOKING#` + booked[1].ID + `","created_at":"yesterday"}`),
		"another account's":                  enc(`{"PK":"ACCOUNT#acc-2","SK":"BOOKING#` + booked[1].ID + `","created_at":"2025-08-01T02:00:00Z"}`),
		"not a booking":                      enc(`{"PK":"ACCOUNT#acc-1","SK":"PARTICIPANT#` + p.ID + `","created_at":"2025-08-01T02:00:00Z"}`),
		"an extra attribute":                 enc(`{"PK":"ACCOUNT#acc-1","SK":"BOOKING#x","created_at":"2025-08-01T02:00:00Z","stamp":"#1"}`),
	} {
		_, _, err := w.st.ListBookings(w.ctx, "acc-1", "", paging.Page{Limit: 5, Cursor: c})
		wantCode(t, name, err, apperr.InvalidRequest)
	}
}
