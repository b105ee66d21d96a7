package local_test

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// TestLotteryFromCreationToAcceptance is the whole path on one
// stack, through the gateway only: staff create a lottery offering (3
// places, offers held 24 hours); five residents apply and one withdraws; at
// the close the document lists the four tickets; at draw_at DrawsFunction
// draws; an independent recomputation of the published document (below, not
// shared/lottery) reproduces every number and rank, and each resident's
// application shows its own; ranks 1–3 are offered, rank 4 waits; rank 1
// accepts, rank 2 declines (rank 4 is offered), rank 3 lets its offer pass
// (OffersFunction expires it, nobody is left waiting), rank 4 accepts; the
// place left is booked first come once booking opens, and not before.
func TestLotteryFromCreationToAcceptance(t *testing.T) {
	clk := newMovableClock(time.Date(2026, 9, 1, 10, 0, 0, 0, domain.CityZone))
	e := start(t, clk.option())
	now := e.st.Now()
	closes, draw, opens := now.Add(24*time.Hour), now.Add(25*time.Hour), now.Add(26*time.Hour)
	staff := func() string { return e.tokenFor("staff-lot", []string{"centre-staff"}, e.centre.ID) }
	created := e.do("POST", "/v1/centres/"+e.centre.ID+"/offerings", staff(), map[string]any{
		"kind": "evening_course", "title": "城市速写（抽签）", "starts_on": "2026-10-05", "ends_on": "2026-10-12", "capacity": 3,
		"schedule": map[string]any{"text": "周一 19:00–21:00", "sessions": []string{"2026-10-05", "2026-10-12"}}, "status": "published",
		"allocation": "lottery", "applications_open_at": now, "applications_close_at": closes, "draw_at": draw,
		"booking_opens_at": opens, "booking_closes_at": time.Date(2026, 10, 4, 20, 0, 0, 0, domain.CityZone), "offer_hours": 24,
	})
	e.expect(created, 201, "")
	id := created.str("id")
	document := func() drawDoc {
		r := e.do("GET", "/v1/offerings/"+id+"/draw", "", nil)
		e.expect(r, 200, "")
		var d drawDoc
		if err := json.Unmarshal(r.body, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	committed := document()
	if committed.Status != "committed" || len(committed.Commitment) != 64 || committed.Beacon.Round == 0 || committed.Secret != "" || committed.Tickets != nil {
		t.Fatalf("when applications open: %+v", committed)
	}

	type applicant struct{ account, token, participant, application string }
	var people []*applicant
	for i, account := range []string{"lot-a", "lot-b", "lot-c", "lot-d", "lot-e"} {
		tok, pid, _ := e.resident(account)
		r := e.do("POST", "/v1/offerings/"+id+"/applications", tok, map[string]any{"participant_id": pid})
		e.expect(r, 201, "")
		people = append(people, &applicant{account, tok, pid, r.str("id")})
		if i == 4 {
			e.expect(e.do("POST", "/v1/me/applications/"+r.str("id")+"/withdraw", tok, nil), 200, "")
		}
	}
	withdrawn := people[4]
	people = people[:4]
	// Before the close there is nothing to draw.
	e.expect(e.do("POST", "/v1/offerings/"+id+"/draw", staff(), nil), 409, "draw_not_ready")

	// The close: the tickets are fixed and published; applying is over.
	clk.move(closes.Sub(e.st.Now()) + time.Minute)
	late, latePart, _ := e.resident("lot-late")
	e.expect(e.do("POST", "/v1/offerings/"+id+"/applications", late, map[string]any{"participant_id": latePart}), 409, "applications_closed")

	// draw_at: the schedule draws.
	clk.move(draw.Sub(e.st.Now()) + time.Minute)
	e.runJob("DrawsFunction")
	d := document()
	if d.Status != "drawn" || d.Commitment != committed.Commitment || d.Beacon.Round != committed.Beacon.Round || len(d.Tickets) != 4 {
		t.Fatalf("drawn: %+v (committed %+v)", d, committed)
	}
	if msg := d.recompute(); msg != "" {
		t.Fatalf("the published document does not recompute: %s", msg)
	}
	if slices.Contains(d.Tickets, ticketOf(id, withdrawn.application)) {
		t.Fatal("the withdrawn application's ticket is in the draw")
	}
	// The draw recorded its applicants on the offering, where the city's
	// demand reads them (no count of the entries once drawn).
	if o, err := e.st.Store.GetOffering(t.Context(), id); err != nil || o.Applicants != 4 {
		t.Fatalf("the drawn offering's applicants: %d, %v", o.Applicants, err)
	}
	demand := e.do("GET", "/v1/city/demand?kind=evening_course", e.token("officer-lot", "city-officers"), nil)
	e.expect(demand, 200, "")
	if apps, _ := demand.json["applications"].(map[string]any); apps == nil || apps["total"].(map[string]any)["applicants"] != 4.0 {
		t.Fatalf("demand after the draw: %s", demand.body)
	}

	// Each resident sees their own ticket and rank, as published.
	byRank := make([]*applicant, 5)
	bookings := map[*applicant]string{}
	for _, p := range people {
		p.token = e.fresh(p.account)
		a := e.do("GET", "/v1/me/applications/"+p.application, p.token, nil)
		e.expect(a, 200, "")
		rank := a.num("rank")
		if a.str("ticket") != ticketOf(id, p.application) || rank < 1 || rank > 4 || d.Results[rank-1].Ticket != a.str("ticket") || a.str("number") != d.Results[rank-1].Number {
			t.Fatalf("%s's application %s against the document %+v", p.account, a.body, d.Results)
		}
		want := "offered"
		if rank == 4 {
			want = "waitlisted"
		}
		b := e.mine(p.token, a.str("booking_id"))
		if a.str("status") != want || b.str("status") != want {
			t.Fatalf("rank %d: application %s, booking %s", rank, a.body, b.body)
		}
		byRank[rank], bookings[p] = p, a.str("booking_id")
	}
	e.toldOnce(byRank[1].token, byRank[1].account, notices.DrawResult)
	e.toldOnce(byRank[4].token, byRank[4].account, notices.DrawResult)
	// Booking first come waits for booking_opens_at, an hour after the draw.
	e.expect(e.book(late, id, latePart, false), 409, "booking_closed")

	// Rank 1 accepts; half a day on, rank 2 declines, which offers rank 4
	// the place for a day from then.
	e.expect(e.accept(byRank[1].token, bookings[byRank[1]]), 200, "")
	clk.move(12 * time.Hour)
	for _, p := range people {
		p.token = e.fresh(p.account)
	}
	e.expect(e.cancelled(byRank[2].token, bookings[byRank[2]]), 200, "")
	if b := e.mine(byRank[4].token, bookings[byRank[4]]); b.str("status") != "offered" || b.str("offer_expires_at") == "" {
		t.Fatalf("rank 4 after rank 2 declined: %s", b.body)
	}
	e.toldOnce(byRank[4].token, byRank[4].account, notices.OfferMade)

	// Rank 3 lets the offer pass: a day after the draw, OffersFunction
	// expires it.
	clk.move(draw.Add(24*time.Hour + 2*time.Minute).Sub(e.st.Now()))
	for _, p := range people {
		p.token = e.fresh(p.account)
	}
	e.runJob("OffersFunction")
	if b := e.mine(byRank[3].token, bookings[byRank[3]]); b.str("status") != "expired" {
		t.Fatalf("rank 3 past the deadline: %s", b.body)
	}
	e.toldOnce(byRank[3].token, byRank[3].account, notices.OfferExpired)
	e.expect(e.accept(byRank[3].token, bookings[byRank[3]]), 409, "offer_expired")
	// Rank 4's offer, made half a day after the draw, holds a while yet.
	e.expect(e.accept(byRank[4].token, bookings[byRank[4]]), 200, "")

	o := e.do("GET", "/v1/offerings/"+id, "", nil)
	if o.num("confirmed") != 2 || o.num("offered") != 0 || o.num("waitlisted") != 0 || o.num("available") != 1 {
		t.Fatalf("after the offers settled: %s", o.body)
	}
	late = e.fresh("lot-late")
	first := e.book(late, id, latePart, false)
	e.expect(first, 201, "")
	if first.str("status") != "confirmed" {
		t.Fatalf("the place left, booked first come: %s", first.body)
	}
	if after := document(); after.recompute() != "" || !slices.Equal(after.Tickets, d.Tickets) || after.Seed != d.Seed {
		t.Fatal("the published document changed after the draw")
	}
}

// drawDoc is the draw document as anyone reads it, decoded here without
// shared/lottery, so that recompute is an independent check of it.
type drawDoc struct {
	Algorithm  string `json:"algorithm"`
	Status     string `json:"status"`
	Commitment string `json:"commitment"`
	Beacon     struct {
		Source     string `json:"source"`
		Round      uint64 `json:"round"`
		Randomness string `json:"randomness"`
	} `json:"beacon"`
	Digest  string   `json:"applicants_digest"`
	Tickets []string `json:"tickets"`
	Secret  string   `json:"secret"`
	Seed    string   `json:"seed"`
	Results []struct {
		Ticket string `json:"ticket"`
		Tier   int    `json:"tier"`
		Number string `json:"number"`
		Rank   int    `json:"rank"`
	} `json:"results"`
}

func sha(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }

func ticketOf(offering, application string) string {
	return sha("enrol-ticket-v1|" + offering + "|" + application)
}

// recompute redoes enrol-lottery-v1 from the contract's text alone and says
// what does not match ("" when everything does).
func (d drawDoc) recompute() string {
	sorted := slices.Sorted(slices.Values(d.Tickets))
	switch {
	case d.Algorithm != "enrol-lottery-v1":
		return "algorithm " + d.Algorithm
	case sha(d.Secret) != d.Commitment:
		return "the secret does not hash to the commitment"
	case !slices.Equal(sorted, d.Tickets) || sha(strings.Join(sorted, "\n")) != d.Digest:
		return "the tickets are not sorted or do not hash to the digest"
	case sha("enrol-lottery-v1|"+d.Secret+"|"+d.Digest+"|"+d.Beacon.Randomness) != d.Seed:
		return "the seed"
	case len(d.Results) != len(d.Tickets):
		return "one result per ticket"
	}
	key, _ := hex.DecodeString(d.Seed)
	type ranked struct{ ticket, number string }
	var all []ranked
	for _, t := range d.Tickets {
		mac := hmac.New(sha256.New, key)
		mac.Write([]byte(t))
		all = append(all, ranked{t, hex.EncodeToString(mac.Sum(nil))})
	}
	// Everyone is tier 1 without a priority policy: rank by number.
	slices.SortFunc(all, func(a, b ranked) int { return strings.Compare(a.number, b.number) })
	for i, r := range d.Results {
		if r.Tier != 1 || r.Rank != i+1 || r.Ticket != all[i].ticket || r.Number != all[i].number {
			return fmt.Sprintf("result %d (%s): want ticket %s with number %s, tier 1", i+1, r.Ticket, all[i].ticket, all[i].number)
		}
	}
	return ""
}
