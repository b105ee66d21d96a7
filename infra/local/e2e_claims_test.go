package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/lottery"
)

// startAt starts a stack whose clock reads at, until set moves it.
func startAt(t *testing.T, at time.Time) (e *env, set func(time.Time)) {
	var now atomic.Int64
	now.Store(at.UnixNano())
	e = start(t, func(o *local.Options) { o.Now = func() time.Time { return time.Unix(0, now.Load()) } })
	return e, func(t time.Time) { now.Store(t.UnixNano()) }
}

// TestClaimsOverHTTP: residents apply with claims (and one with a
// sibling); centre staff see the claims pending, confirm one and reject
// one with a note (both audited); at the close the policy in force gives the
// confirmed claimant tier 2, everyone else the default tier 3, so the
// confirmed claimant ranks first; the document names the policy version and
// verifies from its results; the resident and staff read the explanation;
// the city's demand counts the applicants by tier; the sibling unit, which
// two places less the first one cannot hold, waits whole.
func TestClaimsOverHTTP(t *testing.T) {
	// Before the fixture's course starts, so it is in service for demand.
	e, setClock := startAt(t, time.Date(2025, 8, 1, 9, 0, 0, 0, domain.CityZone))
	ctx := context.Background()
	e.lotteryOffering("lot-c", 2)
	o, err := e.st.Store.GetOffering(ctx, "lot-c")
	if err != nil {
		t.Fatal(err)
	}
	closeAt, drawAt := *o.ApplicationsCloseAt, *o.DrawAt
	// The city's officers write the policy (version 1, in force from now).
	pol := e.do("PUT", "/v1/city/priority-policies/"+string(o.Kind), e.officerToken(), map[string]any{"tiers": []map[string]any{
		{"code": "hardship_special_needs", "zh": "困境及特殊需要", "en": "Hardship or special needs", "evidence": "低保、特困或残疾证明"},
		{"code": "dual_worker", "zh": "双职工家庭", "en": "Dual-worker family", "evidence": "父母双方劳动合同或社保缴纳证明"},
		{"code": "general", "zh": "其他申请人", "en": "Everyone else", "evidence": ""},
	}})
	e.expect(pol, 201, "")
	if pol.num("version") != 1 {
		t.Fatalf("policy: %s", pol.body)
	}

	type applicant struct {
		account, token, participant, app, ticket string
	}
	apply := func(account string, claims []string, siblings bool) applicant {
		tok, pid, _ := e.resident(account)
		a := applicant{account: account, token: tok, participant: pid}
		body := map[string]any{"participant_id": pid, "claims": claims}
		if siblings {
			e.seq++
			birth := time.Date(1992, 5, 1+e.seq%28, 0, 0, 0, 0, domain.CityZone)
			r := e.do("POST", "/v1/me/participants", tok, map[string]any{"name": "测试兄弟", "birth_date": birth.Format(domain.DateLayout),
				"id_number": idnumber.Make("320211", birth, e.seq%1000)})
			e.expect(r, 201, "")
			body["siblings"] = []string{r.str("id")}
		}
		r := e.do("POST", "/v1/offerings/lot-c/applications", tok, body, "Idempotency-Key", "apply-"+account)
		e.expect(r, 201, "")
		a.app, a.ticket = r.str("id"), r.str("ticket")
		return a
	}
	// A claim the policy does not have is refused before anything is written.
	tok, pid, _ := e.resident("c-x")
	e.expect(e.do("POST", "/v1/offerings/lot-c/applications", tok, map[string]any{"participant_id": pid, "claims": []string{"general"}}), 422, "validation_failed")
	dual := apply("c-dual", []string{"dual_worker"}, false)
	hard := apply("c-hard", []string{"hardship_special_needs"}, false)
	sib := apply("c-sib", nil, true)
	plain1, plain2 := apply("c-p1", nil, false), apply("c-p2", nil, false)

	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	other := e.tokenFor("staff-2", []string{"centre-staff"}, "c-elsewhere")
	list := e.do("GET", "/v1/offerings/lot-c/applications?claims=pending", staff, nil)
	e.expect(list, 200, "")
	if items, _ := list.json["items"].([]any); len(items) != 2 {
		t.Fatalf("pending claims: %s", list.body)
	}
	all := e.do("GET", "/v1/offerings/lot-c/applications?limit=3", staff, nil)
	e.expect(all, 200, "")
	if items, _ := all.json["items"].([]any); len(items) != 3 || all.str("next_cursor") == "" {
		t.Fatalf("the first page of all: %s", all.body)
	}
	e.expect(e.do("GET", "/v1/offerings/lot-c/applications", other, nil), 404, "not_found")
	e.expect(e.do("GET", "/v1/offerings/lot-c/applications", dual.token, nil), 403, "")

	decide := func(a applicant, code, decision, note string) reply {
		return e.do("POST", "/v1/offerings/lot-c/applications/"+a.app+"/claims", staff, map[string]any{"code": code, "decision": decision, "note": note})
	}
	e.expect(decide(hard, "hardship_special_needs", "rejected", ""), 422, "validation_failed")
	e.expect(decide(dual, "hardship_special_needs", "confirmed", ""), 404, "not_found")
	r := decide(dual, "dual_worker", "confirmed", "劳动合同已核验")
	e.expect(r, 200, "")
	if claims, _ := r.json["claims"].([]any); len(claims) != 1 || claims[0].(map[string]any)["status"] != "confirmed" {
		t.Fatalf("confirmed: %s", r.body)
	}
	e.expect(decide(hard, "hardship_special_needs", "rejected", "未提供残疾证明"), 200, "")
	one := e.do("GET", "/v1/offerings/lot-c/applications/"+sib.app, staff, nil)
	e.expect(one, 200, "")
	if sibs, _ := one.json["siblings"].([]any); len(sibs) != 1 || one.json["explanation"] != nil {
		t.Fatalf("the sibling application before the draw: %s", one.body)
	}

	// At the close staff can no longer decide; at draw_at the schedule draws.
	setClock(closeAt)
	staff = e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	e.expect(e.do("POST", "/v1/offerings/lot-c/applications/"+dual.app+"/claims", staff, map[string]any{"code": "dual_worker", "decision": "rejected", "note": "改判"}), 409, "applications_closed")
	setClock(drawAt.Add(time.Minute))
	staff = e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	e.runJob("DrawsFunction")
	r = e.do("GET", "/v1/offerings/lot-c/draw", "", nil)
	e.expect(r, 200, "")
	var doc lottery.Document
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	if err := lottery.Verify(doc, doc.Results); err != nil || doc.PolicyVersion != 1 || len(doc.Results) != 5 {
		t.Fatalf("the document (%v): %s", err, r.body)
	}
	tierOf := map[string]int{}
	for _, res := range doc.Results {
		tierOf[res.Ticket] = res.Tier
	}
	if doc.Results[0].Ticket != dual.ticket || doc.Results[0].Tier != 2 {
		t.Errorf("rank 1 is %s tier %d, want the confirmed claimant %s tier 2", doc.Results[0].Ticket[:8], doc.Results[0].Tier, dual.ticket[:8])
	}
	for _, a := range []applicant{hard, sib, plain1, plain2} {
		if tierOf[a.ticket] != 3 {
			t.Errorf("%s: tier %d, want 3 (a rejected claim counts for nothing)", a.account, tierOf[a.ticket])
		}
	}

	// The resident's explanation, and the same for staff.
	mine := e.do("GET", "/v1/me/applications/"+dual.app, e.token(dual.account, "residents"), nil)
	e.expect(mine, 200, "")
	ex, _ := mine.json["explanation"].(map[string]any)
	wantZH := fmt.Sprintf("第 2 优先级「双职工家庭」（政策第 1 版）；抽签号 %s…；录取", doc.Results[0].Number[:4])
	if ex == nil || ex["summary_zh"] != wantZH || !strings.HasPrefix(fmt.Sprint(ex["summary_en"]), `Tier 2 "Dual-worker family" (policy v1)`) || mine.str("status") != "offered" {
		t.Errorf("the resident's explanation: %s\nwant %s", mine.body, wantZH)
	}
	seen := e.do("GET", "/v1/offerings/lot-c/applications/"+hard.app, staff, nil)
	e.expect(seen, 200, "")
	if ex, _ := seen.json["explanation"].(map[string]any); ex == nil || !strings.HasPrefix(fmt.Sprint(ex["summary_zh"]), "第 3 优先级「其他申请人」（政策第 1 版）") {
		t.Errorf("staff's view: %s", seen.body)
	}
	drawn := e.do("GET", "/v1/me/applications/"+sib.app, e.token(sib.account, "residents"), nil)
	e.expect(drawn, 200, "")
	// Two places, one taken by rank 1: the sibling unit of two never fits,
	// so it waits whole, both children in line (the groups' rule).
	if sibs, _ := drawn.json["siblings"].([]any); len(sibs) != 1 || drawn.str("number") == "" || drawn.str("status") != "waitlisted" {
		t.Errorf("the sibling application after the draw: %s", drawn.body)
	}
	bookings := e.do("GET", "/v1/me/bookings", e.token(sib.account, "residents"), nil)
	e.expect(bookings, 200, "")
	if items, _ := bookings.json["items"].([]any); len(items) != 2 || items[0].(map[string]any)["status"] != "waitlisted" || items[1].(map[string]any)["status"] != "waitlisted" {
		t.Errorf("the sibling unit's bookings: %s", bookings.body)
	}

	// The audit has both decisions with their notes.
	audit := e.do("GET", "/v1/centres/"+e.centre.ID+"/audit", staff, nil)
	e.expect(audit, 200, "")
	if s := string(audit.body); !strings.Contains(s, `"claim.confirmed"`) || !strings.Contains(s, `"claim.rejected"`) || !strings.Contains(s, "未提供残疾证明") {
		t.Errorf("audit: %s", audit.body)
	}
	// The city's demand counts the closed lottery's applicants by tier.
	demand := e.do("GET", "/v1/city/demand", e.officerToken(), nil)
	e.expect(demand, 200, "")
	var d struct {
		Applications struct {
			Total struct {
				ByTier map[string]int `json:"applicants_by_tier"`
			} `json:"total"`
			ByTier []struct {
				OfferingID string         `json:"offering_id"`
				ByTier     map[string]int `json:"applicants_by_tier"`
			} `json:"by_tier"`
		} `json:"applications"`
	}
	if err := json.Unmarshal(demand.body, &d); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(d.Applications.Total.ByTier) != "map[2:1 3:4]" || len(d.Applications.ByTier) != 1 || d.Applications.ByTier[0].OfferingID != "lot-c" {
		t.Errorf("demand by tier: %s", demand.body)
	}
}
