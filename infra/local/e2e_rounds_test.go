package local_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/placement"
	"github.com/wuxi-enrol/enrol/shared/privacy"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestRoundFromCreationToAcceptance is a round end to end through the
// gateway: staff make three childcare lotteries (2, 2 and 1 places), an
// officer makes them a round; an officer puts a priority policy; eleven
// children apply with ranked choices (a sibling pair as one unit, some
// claiming dual_worker, confirmed by staff at the first offering); applying
// straight to a member is 409 conflict; past the close and draw_at
// DrawsFunction draws the round. Then: every document verifies, the
// placement equals deferred acceptance recomputed here from the PUBLISHED
// numbers and tiers and the choices made, each child is placed at most once
// and waits at each choice above it, capacities hold, the explanation is
// shown, and accepting an offer at a higher choice later cancels the lower
// one.
func TestRoundFromCreationToAcceptance(t *testing.T) {
	clk := newMovableClock(time.Date(2026, 9, 1, 10, 0, 0, 0, domain.CityZone))
	e := start(t, clk.option())
	ctx := t.Context()
	now := e.st.Now()
	opens, closes, draw := now.Add(time.Hour), now.Add(25*time.Hour), now.Add(26*time.Hour)
	staff := func() string { return e.tokenFor("staff-rnd", []string{"centre-staff"}, e.centre.ID) }
	officer := func() string { return e.token("officer-rnd", "city-officers") }
	e.expect(e.do("PUT", "/v1/city/priority-policies/childcare", officer(), map[string]any{"tiers": []map[string]any{
		{"code": "dual_worker", "zh": "双职工家庭", "en": "Both parents working", "evidence": "父母双方劳动合同或社保缴纳证明"},
		{"code": "general", "zh": "其他申请人", "en": "Everyone else", "evidence": ""},
	}}), 201, "")
	var offs []string
	for i, capacity := range []int{2, 2, 1} {
		r := e.do("POST", "/v1/centres/"+e.centre.ID+"/offerings", staff(), map[string]any{
			"kind": "childcare", "title": fmt.Sprintf("普惠托位 %d 班", i+1), "starts_on": "2027-03-01", "ends_on": "2027-07-31", "capacity": capacity,
			"schedule": map[string]any{"text": "周一至周五 8:00–17:00"}, "status": "published", "min_age_months": 12, "max_age_months": 36,
			"allocation": "lottery", "applications_open_at": opens, "applications_close_at": closes, "draw_at": draw,
			"booking_opens_at": draw.Add(time.Hour), "booking_closes_at": time.Date(2027, 2, 20, 20, 0, 0, 0, domain.CityZone), "offer_hours": 48,
		})
		e.expect(r, 201, "")
		offs = append(offs, r.str("id"))
	}
	body := map[string]any{"title_zh": "2027 春季普惠托位 第一轮", "title_en": "2027 spring inclusive childcare, round 1",
		"kind": "childcare", "term": "", "offering_ids": offs}
	o1 := e.do("GET", "/v1/offerings/"+offs[0], "", nil)
	body["term"] = o1.str("term")
	e.expect(e.do("POST", "/v1/city/rounds", staff(), body), 403, "")
	bad := map[string]any{"title_zh": "x", "title_en": "x", "kind": "childcare", "term": o1.str("term"), "offering_ids": offs[:1]}
	e.expect(e.do("POST", "/v1/city/rounds", officer(), bad), 422, "validation_failed")
	created := e.do("POST", "/v1/city/rounds", officer(), body)
	e.expect(created, 201, "")
	roundID := created.str("id")
	if got := e.do("GET", "/v1/rounds?kind=childcare", "", nil); len(got.json["items"].([]any)) != 1 {
		t.Fatalf("rounds listed: %s", got.body)
	}
	if got := e.do("GET", "/v1/offerings/"+offs[1], "", nil); got.str("round_id") != roundID {
		t.Fatalf("a member offering: %s", got.body)
	}
	committed := e.roundDoc("/v1/rounds/" + roundID + "/draw")
	if member := e.roundDoc("/v1/offerings/" + offs[2] + "/draw"); committed.Status != "committed" || member.Commitment != committed.Commitment || member.Beacon.Round != committed.Beacon.Round {
		t.Fatalf("before applications: round %+v, member %+v", committed, member)
	}

	clk.move(opens.Sub(e.st.Now()) + time.Minute)
	type child struct{ account, token, participant string }
	type unit struct {
		account, app string
		children     []child
		choices      []string
		claimed      bool
	}
	var units []*unit
	register := func(account, tok string, seq int) child {
		birth := time.Date(2025, time.Month(1+seq%6), 1+seq%27, 0, 0, 0, 0, domain.CityZone)
		r := e.do("POST", "/v1/me/participants", tok, map[string]any{
			"name": fmt.Sprintf("小朋友%d", seq), "birth_date": birth.Format(domain.DateLayout), "id_number": idnumber.Make("320211", birth, 400+seq),
			"guardian_consent": map[string]any{"notice_version": privacy.CurrentVersion(), "agreed": true},
		})
		e.expect(r, 201, "")
		return child{account, tok, r.str("id")}
	}
	apply := func(u *unit, claims []string) {
		var sibs []string
		for _, c := range u.children[1:] {
			sibs = append(sibs, c.participant)
		}
		r := e.do("POST", "/v1/rounds/"+roundID+"/applications", u.children[0].token, map[string]any{
			"participant_id": u.children[0].participant, "siblings": sibs, "choices": u.choices, "claims": claims,
		}, "Idempotency-Key", "rnd-"+u.account)
		e.expect(r, 201, "")
		u.app, u.claimed = r.str("id"), len(claims) > 0
		if r.str("round_id") != roundID || r.str("ticket") != lottery.Ticket(roundID, u.app) {
			t.Fatalf("application: %s", r.body)
		}
		units = append(units, u)
	}
	// Eight children put offering 1 first (it has 2 places), so some are
	// placed at their second choice and wait at their first; one lists
	// only offering 3; a sibling pair ranks offering 3 (one place: never
	// fits) then offering 1.
	for i := range 8 {
		account := fmt.Sprintf("rnd-%d", i)
		tok := e.token(account, "residents")
		var claims []string
		if i%3 == 0 {
			claims = []string{"dual_worker"}
		}
		apply(&unit{account: account, children: []child{register(account, tok, i)}, choices: []string{offs[0], offs[1], offs[2]}}, claims)
	}
	tok := e.token("rnd-single", "residents")
	apply(&unit{account: "rnd-single", children: []child{register("rnd-single", tok, 20)}, choices: []string{offs[2]}}, nil)
	tok = e.token("rnd-twins", "residents")
	apply(&unit{account: "rnd-twins", children: []child{register("rnd-twins", tok, 21), register("rnd-twins", tok, 22)}, choices: []string{offs[2], offs[0]}}, nil)
	// A retry is the same application; applying straight to a member is refused.
	again := e.do("POST", "/v1/rounds/"+roundID+"/applications", units[0].children[0].token, map[string]any{
		"participant_id": units[0].children[0].participant, "choices": units[0].choices, "claims": []string{"dual_worker"},
	}, "Idempotency-Key", "rnd-"+units[0].account)
	e.expect(again, 200, "")
	late, latePart, _ := e.resident("rnd-direct")
	e.expect(e.do("POST", "/v1/offerings/"+offs[0]+"/applications", late, map[string]any{"participant_id": latePart}), 409, "conflict")
	// Staff confirm the dual_worker claims at offering 1 only.
	for _, u := range units {
		if !u.claimed {
			continue
		}
		entry, err := e.st.Store.GetEntry(ctx, offs[0], u.app)
		if err != nil {
			t.Fatal(err)
		}
		if len(entry.Claims) == 0 {
			continue
		}
		at := e.st.Now()
		if err := e.st.Store.DecideClaim(ctx, store.ClaimDecision{Application: entry, OfferingID: offs[0],
			Claim: domain.Claim{Code: "dual_worker", OfferingID: offs[0], Status: domain.ClaimConfirmed, DecidedAt: &at, DecidedBy: "staff-rnd"},
			Audit: store.Audit(e.centre.ID, "staff-rnd", "claim.confirm", u.app, nil, nil, at)}); err != nil {
			t.Fatal(err)
		}
	}

	clk.move(draw.Sub(e.st.Now()) + time.Minute)
	e.runJob("DrawsFunction")
	roundDoc := e.roundDoc("/v1/rounds/" + roundID + "/draw")
	if roundDoc.Status != "drawn" || len(roundDoc.Tickets) != len(units) || lottery.Verify(roundDoc, roundDoc.Results) != nil {
		t.Fatalf("the round's document: %v %+v", lottery.Verify(roundDoc, roundDoc.Results), roundDoc)
	}
	// Recompute from the published documents.
	numbers := map[string]string{}
	for _, r := range roundDoc.Results {
		numbers[r.Ticket] = r.Number
	}
	in := placement.Instance{Rank: map[string]map[string]int{}}
	byTicket := map[string]*unit{}
	for _, u := range units {
		byTicket[lottery.Ticket(roundID, u.app)] = u
		in.Units = append(in.Units, placement.Unit{ID: u.app, Size: len(u.children), Choices: u.choices})
	}
	for i, id := range offs {
		d := e.roundDoc("/v1/offerings/" + id + "/draw")
		if err := lottery.Verify(d, d.Results); err != nil || d.RoundID != roundID || d.PolicyVersion != 1 || d.NotChosenTier != 3 || d.Seed != roundDoc.Seed {
			t.Fatalf("%s's document: %v %+v", id, err, d)
		}
		in.Offerings = append(in.Offerings, placement.Offering{ID: id, Capacity: []int{2, 2, 1}[i]})
		in.Rank[id] = map[string]int{}
		for _, r := range d.Results {
			if r.Number != numbers[r.Ticket] {
				t.Fatalf("%s: ticket %s's number differs from the round's", id, r.Ticket)
			}
			u := byTicket[r.Ticket]
			if r.Tier < d.NotChosenTier {
				in.Rank[id][u.app] = len(in.Rank[id]) + 1
			} else if slices.Contains(u.choices, id) {
				t.Fatalf("%s: a chooser at the not-chosen tier", id)
			}
			// Tiers: dual_worker confirmed at offering 1 only.
			if slices.Contains(u.choices, id) && (r.Tier == 1) != (i == 0 && u.claimed) {
				t.Errorf("%s: %s has tier %d", id, u.account, r.Tier)
			}
		}
	}
	want, err := placement.DeferredAcceptance(in)
	if err != nil {
		t.Fatal(err)
	}
	type held struct {
		unit              *unit
		child             child
		offering, booking string
	}
	var lowerOffers []held // children offered below their first choice
	offered := map[string]int{}
	for _, u := range units {
		placedAt := want.Placed[u.app]
		tok := e.fresh(u.account)
		list := e.do("GET", "/v1/me/bookings?limit=100", tok, nil)
		e.expect(list, 200, "")
		for _, c := range u.children {
			got := map[string]string{}
			ids := map[string]string{}
			for _, it := range list.json["items"].([]any) {
				b := it.(map[string]any)
				if b["participant_id"] == c.participant {
					if _, twice := got[b["offering_id"].(string)]; twice {
						t.Fatalf("%s: two bookings at one offering", c.participant)
					}
					got[b["offering_id"].(string)], ids[b["offering_id"].(string)] = b["status"].(string), b["id"].(string)
				}
			}
			expect := map[string]string{}
			for _, o := range u.choices {
				if o == placedAt {
					expect[o] = "offered"
					offered[o]++
					break
				}
				expect[o] = "waitlisted"
			}
			if fmt.Sprint(got) != fmt.Sprint(expect) {
				t.Fatalf("%s (choices %v, placed %q): bookings %v, want %v", u.account, u.choices, placedAt, got, expect)
			}
			if placedAt != "" && placedAt != u.choices[0] && len(u.children) == 1 {
				lowerOffers = append(lowerOffers, held{u, c, placedAt, ids[placedAt]})
			}
		}
		a := e.do("GET", "/v1/me/applications/"+u.app, tok, nil)
		e.expect(a, 200, "")
		var app domain.Application
		if err := json.Unmarshal(a.body, &app); err != nil {
			t.Fatal(err)
		}
		if app.Explanation == nil || len(app.Explanation.Choices) != len(u.choices) || app.Explanation.SummaryZH == "" || app.Explanation.PolicyVersion != 1 {
			t.Fatalf("%s's explanation: %s", u.account, a.body)
		}
	}
	for i, id := range offs {
		if offered[id] > []int{2, 2, 1}[i] {
			t.Fatalf("%s: %d offered", id, offered[id])
		}
	}
	if len(lowerOffers) == 0 {
		t.Fatal("no child offered below its first choice: the scenario tests nothing")
	}

	// A child offered at its second choice rises to its first: the
	// offers ahead of it at the first choice are declined one by one until
	// the line reaches it; it accepts, and its second-choice booking goes.
	b := lowerOffers[0]
	first := b.unit.choices[0]
	waiting := func() (string, string) {
		list := e.do("GET", "/v1/me/bookings?limit=100", e.fresh(b.unit.account), nil)
		for _, it := range list.json["items"].([]any) {
			x := it.(map[string]any)
			if x["offering_id"] == first && x["participant_id"] == b.child.participant {
				return x["id"].(string), x["status"].(string)
			}
		}
		return "", ""
	}
	for range len(units) {
		if _, status := waiting(); status == "offered" {
			break
		}
		declined := false
		for _, u := range units {
			if u == b.unit {
				continue
			}
			tok := e.fresh(u.account)
			list := e.do("GET", "/v1/me/bookings?limit=100", tok, nil)
			for _, it := range list.json["items"].([]any) {
				x := it.(map[string]any)
				if x["offering_id"] == first && x["status"] == "offered" && !declined {
					e.expect(e.cancelled(tok, x["id"].(string)), 200, "")
					declined = true
				}
			}
		}
		if !declined {
			t.Fatal("nothing left to decline ahead of the child")
		}
	}
	id, status := waiting()
	if status != "offered" {
		t.Fatalf("the child's first choice: %s", status)
	}
	tok = e.fresh(b.unit.account)
	e.expect(e.accept(tok, id), 200, "")
	if lower := e.mine(tok, b.booking); lower.str("status") != "cancelled" {
		t.Fatalf("the lower choice after accepting the higher: %s", lower.body)
	}
	e.expect(e.accept(tok, id), 200, "") // again: the same
}

// roundDoc reads a public draw document with the round's members.
func (e *env) roundDoc(path string) lottery.Document {
	e.t.Helper()
	r := e.do("GET", path, "", nil)
	e.expect(r, 200, "")
	var d lottery.Document
	if err := json.Unmarshal(r.body, &d); err != nil {
		e.t.Fatal(err)
	}
	return d
}
