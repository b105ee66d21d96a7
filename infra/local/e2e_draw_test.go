package local_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestDrawOnTheStack: a lottery offering's draw document is public from
// the start; staff drawing before the close is 409 draw_not_ready; at
// draw_at the schedule draws it, with the stack's beacon round (served at
// /_local/beacon) in the document; the document recomputes; ranks 1..places
// have offers; staff drawing again gets the same document.
func TestDrawOnTheStack(t *testing.T) {
	e, setClock := startAt(t, time.Date(2026, 3, 2, 9, 0, 0, 0, domain.CityZone))
	ctx := context.Background()
	now := e.st.Now()
	rec, closeAt, drawAt := e.lotteryDraw("lot-1", 2)
	e.offering("fc-1", 2)
	sh, bc := rec.Secret, e.st.Beacon
	tokens := map[string]string{}
	for _, account := range []string{"d1", "d2", "d3"} {
		tok, pid, _ := e.resident(account)
		tokens[account] = tok
		p, err := e.st.Store.GetParticipant(ctx, account, pid)
		if err != nil {
			t.Fatal(err)
		}
		a := domain.Application{ID: domain.NewID("app", now), OfferingID: "lot-1", ParticipantID: pid,
			Participant: domain.BookedParticipant{Name: p.Name}, Status: domain.ApplicationApplied, Tier: 1, CreatedAt: now,
			Account: account, Identity: p.Identity, Term: "2025-autumn", BirthDate: p.BirthDate, IDNumberLast4: p.IDNumberLast4}
		a.Ticket = lottery.Ticket("lot-1", a.ID)
		if err := e.st.Store.SeedApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	doc := func(r reply) lottery.Document {
		var d lottery.Document
		if err := json.Unmarshal(r.body, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}

	r := e.do("GET", "/v1/offerings/lot-1/draw", "", nil)
	e.expect(r, 200, "")
	if d := doc(r); d.Status != "committed" || d.Commitment != lottery.Commitment(sh) || d.Beacon.Round != bc.RoundAfter(closeAt) || d.Secret != "" || d.Tickets != nil {
		t.Fatalf("before the close: %s", r.body)
	}
	e.expect(e.do("GET", "/v1/offerings/fc-1/draw", "", nil), 404, "not_found")
	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	e.expect(e.do("POST", "/v1/offerings/lot-1/draw", staff, nil), 409, "draw_not_ready")
	e.expect(e.do("POST", "/v1/offerings/lot-1/draw", tokens["d1"], nil), 403, "")

	setClock(drawAt.Add(time.Minute))
	// Tokens last an hour on the stack's clock: new ones.
	staff = e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	for account := range tokens {
		tokens[account] = e.token(account, "residents")
	}
	e.runJob("DrawsFunction")
	r = e.do("GET", "/v1/offerings/lot-1/draw", "", nil)
	e.expect(r, 200, "")
	d := doc(r)
	if err := lottery.Verify(d, d.Results); err != nil || d.Status != "drawn" || len(d.Results) != 3 {
		t.Fatalf("drawn: %v: %s", err, r.body)
	}
	// The round the document names is served by the stack, with its value.
	round := e.do("GET", "/_local/beacon/public/"+strconv.FormatUint(d.Beacon.Round, 10), "", nil)
	if round.status != 200 || round.str("randomness") != d.Beacon.Randomness {
		t.Fatalf("beacon round: %d %s, document's randomness %s", round.status, round.body, d.Beacon.Randomness)
	}
	if r := e.do("GET", "/_local/beacon/public/"+strconv.FormatUint(bc.RoundAfter(e.st.Now().Add(time.Hour)), 10), "", nil); r.status != 425 {
		t.Errorf("a round an hour ahead: %d, want 425", r.status)
	}
	again := e.do("POST", "/v1/offerings/lot-1/draw", staff, nil)
	e.expect(again, 200, "")
	if string(again.body) != string(r.body) {
		t.Errorf("drawn again:\n%s\nfirst:\n%s", again.body, r.body)
	}
	offers := 0
	for _, tok := range tokens {
		l := e.do("GET", "/v1/me/bookings", tok, nil)
		e.expect(l, 200, "")
		items, _ := l.json["items"].([]any)
		for _, it := range items {
			if b, _ := it.(map[string]any); b["status"] == "offered" && b["offer_expires_at"] != nil {
				offers++
			}
		}
	}
	if offers != 2 {
		t.Errorf("%d offers, want 2 (the places)", offers)
	}
}

// lotteryDraw stores a lottery offering of capacity whose applications are
// open from now for an hour and which is drawn an hour later, with its draw
// record under a fresh secret; it returns the record, the close and the
// draw time.
func (e *env) lotteryDraw(id string, capacity int) (store.DrawRecord, time.Time, time.Time) {
	e.t.Helper()
	now := e.st.Now()
	closeAt, drawAt := now.Add(time.Hour), now.Add(2*time.Hour)
	e.offering(id, capacity, func(o *domain.Offering) {
		o.Allocation, o.OfferHours = domain.Lottery, 48
		o.ApplicationsOpenAt, o.ApplicationsCloseAt, o.DrawAt = &now, &closeAt, &drawAt
		o.BookingOpensAt = drawAt.Add(time.Hour)
	})
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	sh := hex.EncodeToString(secret)
	bc := e.st.Beacon
	r := store.DrawRecord{OfferingID: id, DrawAt: drawAt.UTC().Format(time.RFC3339Nano), Secret: sh,
		Commitment: lottery.Commitment(sh), BeaconSource: bc.Source(), BeaconRound: bc.RoundAfter(closeAt)}
	if err := e.st.Store.PutDraw(context.Background(), r); err != nil {
		e.t.Fatal(err)
	}
	return r, closeAt, drawAt
}
