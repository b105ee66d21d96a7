package draws_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
)

// TestTiersFromConfirmedClaims: the close gives each ticket the tier of its
// best confirmed claim under the policy in force at applications_close_at
// (a rejected or pending claim counts for nothing); the document names the
// version and verifies from its results alone; each record gets its tier,
// the policy version, and its choice's tier, claim, result and place in
// line at the draw, across batches.
func TestTiersFromConfirmedClaims(t *testing.T) {
	const places = 2
	w := newWorld(t, places)
	policy := domain.PriorityPolicy{Kind: w.o.Kind, Version: 1, EffectiveFrom: w.now.Add(-time.Hour), CreatedAt: w.now.Add(-time.Hour), CreatedBy: "officer",
		Tiers: []domain.PolicyTier{
			{Tier: 1, Code: "hardship_special_needs", ZH: "困境", EN: "Hardship", Evidence: "证明"},
			{Tier: 2, Code: "dual_worker", ZH: "双职工家庭", EN: "Dual-worker family", Evidence: "合同"},
			{Tier: 3, Code: "general", ZH: "其他申请人", EN: "Everyone else"},
		}}
	w.must(w.st.PutPolicy(w.ctx, policy))
	// A version effective after the close does not apply.
	later := policy
	later.Version, later.EffectiveFrom = 2, w.o.ApplicationsCloseAt.Add(time.Minute)
	later.Tiers = []domain.PolicyTier{{Tier: 1, Code: "dual_worker", ZH: "双职工", EN: "Dual", Evidence: "合同"}, {Tier: 2, Code: "general", ZH: "其他", EN: "Else"}}
	w.must(w.st.PutPolicy(w.ctx, later))
	claim := func(code string, s domain.ClaimStatus) domain.Claim {
		return domain.Claim{Code: code, OfferingID: w.o.ID, Status: s}
	}
	wantTier := map[string]int{}
	for i := range 16 {
		var cs []domain.Claim
		tier := 3
		switch i % 4 {
		case 0:
			cs, tier = []domain.Claim{claim("dual_worker", domain.ClaimConfirmed), claim("hardship_special_needs", domain.ClaimRejected)}, 2
		case 1:
			cs = []domain.Claim{claim("hardship_special_needs", domain.ClaimPending)}
		case 2:
			if i == 2 {
				cs, tier = []domain.Claim{claim("hardship_special_needs", domain.ClaimConfirmed), claim("dual_worker", domain.ClaimConfirmed)}, 1
			}
		}
		a := w.apply(i+1, cs...)
		wantTier[a.Ticket] = tier
	}
	w.toDrawTime()
	if _, err := w.svc.Run(w.ctx, w.o.ID); err != nil {
		t.Fatal(err)
	}
	doc, err := w.svc.Document(w.ctx, w.o.ID)
	w.must(err)
	w.check(doc, places, nil)
	if doc.PolicyVersion != 1 {
		t.Errorf("policy_version %d, want 1 (in force at the close)", doc.PolicyVersion)
	}
	published := doc
	published.Tiers = nil // as a download carries them: in the results only
	if err := lottery.Verify(published, published.Results); err != nil {
		t.Errorf("verify from the results: %v", err)
	}
	var tiers []int
	for _, r := range doc.Results {
		tiers = append(tiers, r.Tier)
		if r.Tier != wantTier[r.Ticket] {
			t.Errorf("ticket %s: tier %d, want %d", r.Ticket[:8], r.Tier, wantTier[r.Ticket])
		}
	}
	if !slices.IsSorted(tiers) {
		t.Errorf("results' tiers %v not in order", tiers)
	}
	r, err := w.st.GetDraw(w.ctx, w.o.ID)
	w.must(err)
	if got := fmt.Sprint(r.TierCounts); got != "map[1:1 2:4 3:11]" || r.PolicyVersion != 1 {
		t.Errorf("tier_counts %s policy_version %d", got, r.PolicyVersion)
	}
	// Each record's choice: tier, claim, result, place in line 1..n.
	byTicket := map[string]domain.Application{}
	for _, a := range w.apps {
		byTicket[a.Ticket] = a
	}
	explainer := w.st.Explainer()
	position := 0
	for _, res := range doc.Results {
		a, err := w.st.GetApplication(w.ctx, byTicket[res.Ticket].Account, byTicket[res.Ticket].ID)
		w.must(err)
		c := a.Choices[0]
		wantResult, wantPos := domain.ChoiceOffered, 0
		if res.Rank > places {
			position++
			wantResult, wantPos = domain.ChoiceWaitlisted, position
		}
		wantCode := map[int]string{1: "hardship_special_needs", 2: "dual_worker"}[res.Tier]
		if a.Tier != res.Tier || a.PolicyVersion != 1 || c.Tier != res.Tier || c.TierCode != wantCode || c.Rank != res.Rank ||
			c.Result != wantResult || c.WaitlistPosition != wantPos || len(c.BookingIDs) != 1 || c.Offering.Title != w.o.Title {
			t.Errorf("rank %d: record tier %d v%d, choice %+v; want tier %d %q %s position %d", res.Rank, a.Tier, a.PolicyVersion, c, res.Tier, wantCode, wantResult, wantPos)
		}
		w.must(explainer.Explain(w.ctx, &a))
		if e := a.Explanation; e == nil || e.PolicyVersion != 1 || e.Number != res.Number || e.Choices[0].Claim != wantCode {
			t.Errorf("rank %d: explanation %+v", res.Rank, e)
		}
	}
	first := byTicket[doc.Results[0].Ticket]
	a, err := w.st.GetApplication(w.ctx, first.Account, first.ID)
	w.must(err)
	w.must(explainer.Explain(w.ctx, &a))
	if want := "第 1 优先级「困境」（政策第 1 版）；抽签号 " + doc.Results[0].Number[:4] + "…；录取"; a.Explanation.SummaryZH != want {
		t.Errorf("summary %q, want %q", a.Explanation.SummaryZH, want)
	}
}
