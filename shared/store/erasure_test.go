package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/privacy"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestEraseBooking: erasing takes the personal data out of a booking (its
// name and sealed fields go, erased_at stays at the first time) and out of
// the participant's and the account's lists (the roster keeps it, nameless); an active booking's marker goes with
// it, but not a marker another booking holds; erasing again, or a booking
// that is not there, is harmless.
func TestEraseBooking(t *testing.T) {
	w := newWorld(t)
	w.offering("o1", 5)
	w.offering("o2", 5)
	p := w.register("acc-1", 1)
	q := w.register("acc-1", 2)
	cancelled := w.book(p, "o1")
	active := w.book(p, "o2")
	w.book(q, "o1")
	w.cancel(cancelled)
	before, err := w.st.ParticipantBookings(w.ctx, "acc-1", p.ID)
	w.must(err)
	if ids := idsOf(before, func(b domain.Booking) string { return b.ID }); len(ids) != 2 || !slices.Contains(ids, cancelled.ID) || !slices.Contains(ids, active.ID) {
		t.Fatalf("p's bookings %v", ids)
	}

	gone, err := w.st.GetBooking(w.ctx, "acc-1", cancelled.ID)
	w.must(err)
	erasedAt := w.tick()
	w.must(w.st.EraseBooking(w.ctx, gone, erasedAt))
	w.must(w.st.EraseBooking(w.ctx, gone, w.tick())) // again: nothing changes
	raw := rawItem(t, w.db, w.table, "ACCOUNT#acc-1", "BOOKING#"+cancelled.ID)
	if _, sealed := raw["personal"]; sealed || attr(raw, "identity") != "" || attr(raw, "erased_at") != erasedAt.UTC().Format(time.RFC3339Nano) {
		t.Fatalf("erased booking still holds %v", raw)
	}
	_, err = w.st.GetBooking(w.ctx, "acc-1", cancelled.ID)
	wantCode(t, "an erased booking, to its account", err, apperr.NotFound)
	roster, _, err := w.st.RosterPage(w.ctx, "o1", paging.Page{Limit: 10})
	w.must(err)
	if roster[0].ID != cancelled.ID || !roster[0].Erased || roster[0].Participant.Name != "" || roster[0].Status != domain.BookingCancelled {
		t.Fatalf("erased booking on the roster %+v", roster[0])
	}
	after, err := w.st.ParticipantBookings(w.ctx, "acc-1", p.ID)
	w.must(err)
	if ids := idsOf(after, func(b domain.Booking) string { return b.ID }); !slices.Equal(ids, []string{active.ID}) || after[0].Participant.Name != "居民1" {
		t.Fatalf("p's bookings after erasing one: %+v", after)
	}

	// Another booking's marker stays; this one's goes.
	impostor := active
	impostor.ID = "bk-other"
	w.must(w.st.EraseBooking(w.ctx, impostor, w.tick()))
	if holds, _ := w.st.HoldsOf(w.ctx, p.Identity); len(holds) != 1 || holds[0].BookingID != active.ID {
		t.Fatalf("a marker of another booking was deleted: %+v", holds)
	}
	w.must(w.st.EraseBooking(w.ctx, active, w.tick()))
	if holds, _ := w.st.HoldsOf(w.ctx, p.Identity); len(holds) != 0 {
		t.Fatalf("the erased booking's marker stayed: %+v", holds)
	}
	if left, _ := w.st.ParticipantBookings(w.ctx, "acc-1", p.ID); len(left) != 0 {
		t.Fatalf("p still has %+v", left)
	}
}

// TestOfferingEnds: the last day of each offering named, past one
// BatchGetItem's hundred, repeats once and unknown ones absent.
func TestOfferingEnds(t *testing.T) {
	w := newWorld(t)
	var ids []string
	want := map[string]string{}
	for i := range 103 {
		id := fmt.Sprintf("o%03d", i)
		end := fmt.Sprintf("2025-12-%02d", 1+i%28)
		w.offering(id, 1, func(o *domain.Offering) { o.EndsOn = end })
		ids, want[id] = append(ids, id), end
	}
	ids = append(ids, "o000", "unknown", "o102")
	got, err := w.st.OfferingEnds(w.ctx, ids)
	w.must(err)
	if len(got) != len(want) {
		t.Fatalf("%d ends, want %d", len(got), len(want))
	}
	for id, end := range want {
		if got[id] != end {
			t.Errorf("%s ends %q, want %q", id, got[id], end)
		}
	}
}

// TestDeleteParticipant: deleting a participant takes it, its verification
// (when it is this participant's, not another's) and one from the city's
// counts; deleting again changes nothing; the account may register the
// person again.
func TestDeleteParticipant(t *testing.T) {
	w := newWorld(t)
	elsewhere := w.register("acc-2", 1)
	p := w.register("acc-1", 1) // the same person
	q := w.register("acc-1", 2)
	w.must(w.st.VerifyIdentity(w.ctx, p.Identity, w.verification(p), w.verifyAudit(p)))
	w.must(w.st.VerifyIdentity(w.ctx, q.Identity, w.verification(q), w.verifyAudit(q)))
	if r, v := w.counts(); r != 3 || v != 2 {
		t.Fatalf("%d registered, %d verified; want 3, 2", r, v)
	}

	w.must(w.st.DeleteParticipant(w.ctx, elsewhere)) // p's verification is not elsewhere's
	if v, _ := w.st.GetVerification(w.ctx, p.Identity); v == nil || v.Account != "acc-1" {
		t.Fatalf("deleting another account's participant took the verification: %+v", v)
	}
	if r, v := w.counts(); r != 2 || v != 2 {
		t.Fatalf("%d registered, %d verified; want 2, 2", r, v)
	}
	for range 2 {
		w.must(w.st.DeleteParticipant(w.ctx, p))
	}
	_, err := w.st.GetParticipant(w.ctx, "acc-1", p.ID)
	wantCode(t, "deleted participant", err, apperr.NotFound)
	if v, _ := w.st.GetVerification(w.ctx, p.Identity); v != nil {
		t.Fatalf("the deleted participant's verification stayed: %+v", v)
	}
	if r, v := w.counts(); r != 1 || v != 1 {
		t.Fatalf("%d registered, %d verified; want 1, 1", r, v)
	}
	w.tick()
	w.register("acc-1", 1) // registered again: the account's marker went
}

// TestConsent: a child's consent record reads back; withdrawing it keeps
// the first time withdrawn; an unknown one is not_found either way.
func TestConsent(t *testing.T) {
	w := newWorld(t)
	child := w.child("acc-1")
	agreed := w.now.UTC().Format(time.RFC3339Nano)
	c, err := w.st.GetConsent(w.ctx, "acc-1", child.ID)
	w.must(err)
	if c != (store.Consent{ParticipantID: child.ID, NoticeVersion: privacy.CurrentVersion(), AgreedAt: agreed}) {
		t.Fatalf("consent %+v", c)
	}
	first := w.tick()
	w.must(w.st.WithdrawConsent(w.ctx, "acc-1", child.ID, first))
	w.must(w.st.WithdrawConsent(w.ctx, "acc-1", child.ID, w.tick()))
	c, err = w.st.GetConsent(w.ctx, "acc-1", child.ID)
	w.must(err)
	if c.WithdrawnAt != first.UTC().Format(time.RFC3339Nano) || c.AgreedAt != agreed {
		t.Fatalf("withdrawn consent %+v, want withdrawn at %s", c, first)
	}
	_, err = w.st.GetConsent(w.ctx, "acc-2", child.ID)
	wantCode(t, "another account's consent", err, apperr.NotFound)
	wantCode(t, "withdrawing an unknown consent", w.st.WithdrawConsent(w.ctx, "acc-1", "nobody", w.now), apperr.NotFound)
}
