package store_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestCreateRoundTakesItsMembersIn: creating a round marks each member
// with round_id, gives its draw record the round's commitment and takes it
// out of DRAW_DUE, and puts the round's draw in ROUND_DUE, in one write;
// a member taken by another round, or whose window changed since it was
// read, makes the whole write 409 conflict and changes nothing.
func TestCreateRoundTakesItsMembersIn(t *testing.T) {
	w := newWorld(t)
	open, closeAt, drawAt := w.now.Add(time.Hour), w.now.Add(24*time.Hour), w.now.Add(25*time.Hour)
	var members []domain.Offering
	for i := range 3 {
		o := dbtest.Offering(fmt.Sprintf("rm%d", i), w.c, 2, w.now, func(o *domain.Offering) {
			o.Allocation, o.ApplicationsOpenAt, o.ApplicationsCloseAt, o.DrawAt = domain.Lottery, &open, &closeAt, &drawAt
		})
		w.must(w.st.PutOffering(w.ctx, o, true))
		own := fmt.Sprintf("%064x", 100+i)
		w.must(w.st.PutDraw(w.ctx, store.DrawRecord{OfferingID: o.ID, DrawAt: drawAt.UTC().Format(time.RFC3339Nano), Secret: own,
			Commitment: lottery.Commitment(own), BeaconSource: "test", BeaconRound: 7}))
		members = append(members, o)
	}
	secret := fmt.Sprintf("%064x", 1)
	draw := store.DrawRecord{DrawAt: drawAt.UTC().Format(time.RFC3339Nano), Secret: secret, Commitment: lottery.Commitment(secret), BeaconSource: "test", BeaconRound: 9}
	round := func(id string, ms ...domain.Offering) domain.Round {
		r := domain.Round{ID: id, TitleZH: "轮", TitleEN: "Round", Kind: ms[0].Kind, Term: ms[0].Term, MaxChoices: 3,
			ApplicationsOpenAt: open, ApplicationsCloseAt: closeAt, DrawAt: drawAt, CreatedAt: w.now}
		for _, o := range ms {
			r.OfferingIDs = append(r.OfferingIDs, o.ID)
		}
		return r
	}
	// A member whose window moved since it was read: nothing is written.
	moved := members[2]
	later := closeAt.Add(time.Hour)
	moved.ApplicationsCloseAt = &later
	w.must(w.st.PutOffering(w.ctx, moved, false))
	if err := w.st.CreateRound(w.ctx, round("r0", members[0], members[2]), draw, []domain.Offering{members[0], members[2]}); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a stale member: %v, want conflict", err)
	}
	if o, _ := w.st.GetOffering(w.ctx, members[0].ID); o.RoundID != "" {
		t.Fatalf("the stale write left round_id %q", o.RoundID)
	}
	w.must(w.st.CreateRound(w.ctx, round("r1", members[:2]...), draw, members[:2]))
	for _, o := range members[:2] {
		got, err := w.st.GetOffering(w.ctx, o.ID)
		w.must(err)
		d, err := w.st.GetDraw(w.ctx, o.ID)
		w.must(err)
		if got.RoundID != "r1" || d.Commitment != draw.Commitment || d.BeaconRound != 9 || d.Status != store.DrawCommitted {
			t.Errorf("%s: round %q, draw %+v", o.ID, got.RoundID, d)
		}
	}
	due, err := w.st.DueDraws(w.ctx, drawAt.Add(time.Hour))
	w.must(err)
	if len(due) != 1 || due[0] != members[2].ID {
		t.Errorf("offerings due on their own: %v, want only the one outside the round", due)
	}
	rounds, err := w.st.DueRounds(w.ctx, drawAt.Add(time.Hour))
	w.must(err)
	if len(rounds) != 1 || rounds[0] != "r1" {
		t.Errorf("rounds due: %v", rounds)
	}
	if early, _ := w.st.DueRounds(w.ctx, drawAt.Add(-time.Minute)); len(early) != 0 {
		t.Errorf("rounds due before draw_at: %v", early)
	}
	// A member of r1 cannot join another round.
	if err := w.st.CreateRound(w.ctx, round("r2", members[1], members[2]), draw, members[1:]); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("a member of another round: %v, want conflict", err)
	}
	if o, _ := w.st.GetOffering(w.ctx, members[2].ID); o.RoundID != "" {
		t.Errorf("the refused round took %s in", o.ID)
	}
	got, err := w.st.GetRound(w.ctx, "r1")
	w.must(err)
	if got.Status != domain.RoundOpen || len(got.OfferingIDs) != 2 || !got.DrawAt.Equal(drawAt) {
		t.Errorf("the round as stored: %+v", got)
	}
	list, err := w.st.ListRounds(w.ctx, members[0].Kind, members[0].Term)
	w.must(err)
	if len(list) != 1 || list[0].ID != "r1" {
		t.Errorf("rounds listed: %+v", list)
	}
	if other, _ := w.st.ListRounds(w.ctx, members[0].Kind, "another-term"); len(other) != 0 {
		t.Errorf("another term lists %+v", other)
	}
}
