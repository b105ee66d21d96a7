package store_test

import (
	"slices"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestListCentreOfferings: a centre's offerings in every status, by start
// date, at every page size; another centre's are not among them.
func TestListCentreOfferings(t *testing.T) {
	w := newWorld(t)
	starts := map[string]string{"o-a": "2025-11-01", "o-b": "2025-09-01", "o-c": "2025-10-01", "o-d": "2025-09-01"}
	status := map[string]domain.OfferingStatus{"o-a": domain.OfferingDraft, "o-b": domain.OfferingPublished, "o-c": domain.OfferingCancelled, "o-d": domain.OfferingClosed}
	for id, start := range starts {
		w.offering(id, 5, func(o *domain.Offering) { o.StartsOn, o.Status = start, status[id] })
	}
	other := dbtest.Centre("c2", "binhu")
	w.must(w.st.PutOffering(w.ctx, dbtest.Offering("o-x", other, 5, w.now), false))
	want := []string{"o-b", "o-d", "o-c", "o-a"}
	for _, limit := range []int{1, 3, 4, 10} {
		got, _ := pageAll(t, limit, func(p paging.Page) ([]domain.Offering, string, error) {
			return w.st.ListCentreOfferings(w.ctx, w.c.ID, p)
		})
		if ids := idsOf(got, func(o domain.Offering) string { return o.ID }); !slices.Equal(ids, want) {
			t.Errorf("limit %d: %v, want %v", limit, ids, want)
		}
		for _, o := range got {
			if o.Status != status[o.ID] || o.StartsOn != starts[o.ID] {
				t.Errorf("%s: %s from %s, want %s from %s", o.ID, o.Status, o.StartsOn, status[o.ID], starts[o.ID])
			}
		}
	}
}

// TestCreateOffering: a new offering is written with its audit record and,
// when it opens places, its ledger entry; an id taken is a conflict that
// writes nothing (the first offering, its audit and ledger stay as they were).
func TestCreateOffering(t *testing.T) {
	w := newWorld(t)
	published := w.offeringValue("o1")
	draft := w.draft("o2")
	audit := func(o domain.Offering) store.AuditEntry {
		return store.Audit(w.c.ID, "staff-1", "offering.create", o.ID, nil, o, w.tick())
	}
	w.must(w.st.CreateOffering(w.ctx, published, audit(published)))
	w.must(w.st.CreateOffering(w.ctx, draft, audit(draft)))
	again := published
	again.Title, again.Capacity = "另一个", 99
	wantCode(t, "an id taken", w.st.CreateOffering(w.ctx, again, audit(again)), apperr.Conflict)

	for _, o := range []domain.Offering{published, draft} {
		got, err := w.st.GetOffering(w.ctx, o.ID)
		w.must(err)
		if got.Title != o.Title || got.Capacity != o.Capacity || got.Status != o.Status || got.Centre.ID != w.c.ID {
			t.Errorf("%s read back as %+v", o.ID, got)
		}
	}
	log, _, err := w.st.ListAudit(w.ctx, w.c.ID, paging.Page{Limit: 10})
	w.must(err)
	if ids := idsOf(log, func(a store.AuditEntry) string { return a.Target }); !slices.Equal(ids, []string{"o2", "o1"}) {
		t.Errorf("audit %v, want the two creations", ids)
	}
	changes, err := w.st.Changes(w.ctx, "2025-08-01", "2025-08-01", store.ChangeFilter{})
	w.must(err)
	if len(changes) != 1 || changes[0].OfferingID != "o1" || changes[0].Reason != cityfigures.Published || changes[0].Delta != published.Capacity {
		t.Fatalf("ledger %+v, want o1 published with %d places", changes, published.Capacity)
	}
}

// TestRosterPage: an offering's bookings in arrival order, cancelled ones
// too, with their statuses now, at every page size; another offering's are
// not among them.
func TestRosterPage(t *testing.T) {
	w := newWorld(t)
	w.offering("o1", 2)
	w.offering("o2", 2)
	var booked []domain.Booking
	for seq := 1; seq <= 4; seq++ {
		booked = append(booked, w.book(w.register("acc-1", seq), "o1"))
	}
	w.book(w.register("acc-2", 9), "o2")
	w.cancel(booked[0]) // the head of the line takes the place
	want := []string{booked[0].ID, booked[1].ID, booked[2].ID, booked[3].ID}
	wantStatus := []domain.BookingStatus{domain.BookingCancelled, domain.BookingConfirmed, domain.BookingConfirmed, domain.BookingWaitlisted}
	for _, limit := range []int{1, 2, 3, 4, 10} {
		got, _ := pageAll(t, limit, func(p paging.Page) ([]domain.Booking, string, error) { return w.st.RosterPage(w.ctx, "o1", p) })
		if ids := idsOf(got, func(b domain.Booking) string { return b.ID }); !slices.Equal(ids, want) {
			t.Fatalf("limit %d: %v, want %v", limit, ids, want)
		}
		for i, b := range got {
			if b.Status != wantStatus[i] || b.Participant.Name == "" {
				t.Errorf("limit %d, %s: %s named %q, want %s and a name", limit, b.ID, b.Status, b.Participant.Name, wantStatus[i])
			}
		}
	}
}
