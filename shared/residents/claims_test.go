package residents_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// policy stores version 1 of kind's priority policy, in force from before
// the fixture's time: hardship, dual_worker, then everyone else.
func (f *fixture) policy(kind domain.Kind) domain.PriorityPolicy {
	p := domain.PriorityPolicy{Kind: kind, Version: 1, EffectiveFrom: f.now.Add(-48 * time.Hour), CreatedAt: f.now.Add(-48 * time.Hour), CreatedBy: "officer",
		Tiers: []domain.PolicyTier{
			{Tier: 1, Code: "hardship_special_needs", ZH: "困境及特殊需要", EN: "Hardship or special needs", Evidence: "低保证明"},
			{Tier: 2, Code: "dual_worker", ZH: "双职工家庭", EN: "Dual-worker family", Evidence: "劳动合同"},
			{Tier: 3, Code: "general", ZH: "其他申请人", EN: "Everyone else"},
		}}
	if err := f.st.PutPolicy(context.Background(), p); err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) applyWith(p domain.Participant, offeringID, key string, siblings, claims []string) (residents.ApplicationResult, error) {
	return f.svc.Apply(context.Background(), residents.ApplyRequest{Account: p.Account, OfferingID: offeringID, ParticipantID: p.ID,
		IdempotencyKey: key, Siblings: siblings, Claims: claims})
}

func fieldOf(err error) string {
	if e, ok := err.(*apperr.Error); ok && len(e.Fields) > 0 {
		return e.Fields[0].Field
	}
	return ""
}

func TestApplyWithSiblingsAndClaims(t *testing.T) {
	f := newFixture(t)
	o := f.lottery("lot")
	noPolicy := f.lottery("lot-other", func(o *domain.Offering) { o.Kind = domain.Childcare; o.MinAgeMonths, o.MaxAgeMonths = 0, 1200 })
	f.policy(o.Kind)
	a, sib, other := f.person("acc-a", 1), f.person("acc-a", 2), f.person("acc-b", 3)
	// The refusals: 422 naming the field, nothing written.
	refusals := []struct {
		name     string
		offering string
		siblings []string
		claims   []string
		field    string
	}{
		{"four siblings", o.ID, []string{"p1", "p2", "p3", "p4"}, nil, "siblings"},
		{"the participant as a sibling", o.ID, []string{a.ID}, nil, "siblings[0]"},
		{"a sibling twice", o.ID, []string{sib.ID, sib.ID}, nil, "siblings[1]"},
		{"another account's participant", o.ID, []string{other.ID}, nil, "siblings[0]"},
		{"six claims", o.ID, nil, []string{"a1", "a2", "a3", "a4", "a5", "a6"}, "claims"},
		{"a claim twice", o.ID, nil, []string{"dual_worker", "dual_worker"}, "claims"},
		{"the default tier", o.ID, nil, []string{"general"}, "claims"},
		{"a code not in the policy", o.ID, nil, []string{"vip"}, "claims"},
		{"no policy for the kind", noPolicy.ID, nil, []string{"dual_worker"}, "claims"},
	}
	for _, r := range refusals {
		_, err := f.applyWith(a, r.offering, "", r.siblings, r.claims)
		if !apperr.Is(err, apperr.ValidationFailed) || fieldOf(err) != r.field {
			t.Errorf("%s: %v (field %q), want validation_failed on %q", r.name, err, fieldOf(err), r.field)
		}
	}
	res, err := f.applyWith(a, o.ID, "k1", []string{sib.ID}, []string{"dual_worker", "hardship_special_needs"})
	if err != nil {
		t.Fatal(err)
	}
	got := res.Application
	if len(got.Siblings) != 1 || got.Siblings[0].ParticipantID != sib.ID || got.Siblings[0].Name != sib.Name || len(got.Claims) != 2 {
		t.Fatalf("application: %+v", got)
	}
	for _, c := range got.Claims {
		if c.Status != domain.ClaimPending || c.OfferingID != o.ID {
			t.Errorf("claim %+v, want pending at %s", c, o.ID)
		}
	}
	// The same key with other claims is another request; the sibling is
	// in the draw as the participant is (one application per person).
	if _, err := f.applyWith(a, o.ID, "k1", []string{sib.ID}, []string{"dual_worker"}); !apperr.Is(err, apperr.IdempotencyKeyReused) {
		t.Errorf("key with other claims: %v", err)
	}
	if again, err := f.applyWith(a, o.ID, "k1", []string{sib.ID}, []string{"dual_worker", "hardship_special_needs"}); err != nil || !again.Replayed {
		t.Errorf("retry: %+v %v", again, err)
	}
	if _, err := f.applyWith(sib, o.ID, "", nil, nil); !apperr.Is(err, apperr.AlreadyApplied) {
		t.Errorf("the sibling alone: %v, want already_applied", err)
	}
	stored, err := f.st.GetApplication(context.Background(), a.Account, got.ID)
	if err != nil || len(stored.Siblings) != 1 || len(stored.Claims) != 2 {
		t.Errorf("stored: %+v %v", stored, err)
	}
}

func TestDecideClaims(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cur := f.now
	f.svc.Now = func() time.Time { return cur }
	o := f.lottery("lot")
	f.policy(o.Kind)
	staff := &centrestaff.Service{Store: f.st, Now: func() time.Time { return cur }}
	mine := auth.Caller{Sub: "staff-1", Groups: []string{auth.CentreStaff}, CentreIDs: []string{o.Centre.ID}}
	elsewhere := auth.Caller{Sub: "staff-2", Groups: []string{auth.CentreStaff}, CentreIDs: []string{"c-other"}}
	a, b, c := f.person("acc-a", 1), f.person("acc-b", 2), f.person("acc-c", 3)
	apply := func(p domain.Participant, claims ...string) domain.Application {
		cur = cur.Add(time.Second) // ids begin with their time: in order
		res, err := f.applyWith(p, o.ID, "", nil, claims)
		if err != nil {
			t.Fatal(err)
		}
		return res.Application
	}
	appA, appB, appC := apply(a, "dual_worker"), apply(b, "hardship_special_needs"), apply(c)

	refusals := []struct {
		name   string
		caller auth.Caller
		app    string
		in     centrestaff.ClaimDecisionInput
		code   apperr.Code
	}{
		{"another centre's staff", elsewhere, appA.ID, centrestaff.ClaimDecisionInput{Code: "dual_worker", Decision: "confirmed"}, apperr.NotFound},
		{"a claim not made", mine, appA.ID, centrestaff.ClaimDecisionInput{Code: "hardship_special_needs", Decision: "confirmed"}, apperr.NotFound},
		{"no such application", mine, "ap_none", centrestaff.ClaimDecisionInput{Code: "dual_worker", Decision: "confirmed"}, apperr.NotFound},
		{"rejected without a note", mine, appB.ID, centrestaff.ClaimDecisionInput{Code: "hardship_special_needs", Decision: "rejected", Note: "  "}, apperr.ValidationFailed},
		{"no such decision", mine, appB.ID, centrestaff.ClaimDecisionInput{Code: "hardship_special_needs", Decision: "maybe"}, apperr.ValidationFailed},
	}
	for _, r := range refusals {
		if _, err := staff.DecideClaim(ctx, r.caller, o.ID, r.app, r.in); !apperr.Is(err, r.code) {
			t.Errorf("%s: %v, want %s", r.name, err, r.code)
		}
	}
	// Rejected first, then confirmed: the last decision counts, both audited.
	if _, err := staff.DecideClaim(ctx, mine, o.ID, appA.ID, centrestaff.ClaimDecisionInput{Code: "dual_worker", Decision: "rejected", Note: "合同过期"}); err != nil {
		t.Fatal(err)
	}
	got, err := staff.DecideClaim(ctx, mine, o.ID, appA.ID, centrestaff.ClaimDecisionInput{Code: "dual_worker", Decision: "confirmed", Note: "已核验"})
	if err != nil || len(got.Claims) != 1 || got.Claims[0].Status != domain.ClaimConfirmed || got.Participant.Name != a.Name || got.Offering.Title != o.Title {
		t.Fatalf("decided: %+v %v", got, err)
	}
	if _, err := staff.DecideClaim(ctx, mine, o.ID, appB.ID, centrestaff.ClaimDecisionInput{Code: "hardship_special_needs", Decision: "rejected", Note: "未提供证明"}); err != nil {
		t.Fatal(err)
	}
	rec, err := f.st.GetApplication(ctx, a.Account, appA.ID)
	if err != nil || len(rec.Claims) != 1 || rec.Claims[0].Status != domain.ClaimConfirmed || rec.Claims[0].Note != "已核验" || rec.Claims[0].DecidedBy != "staff-1" {
		t.Errorf("the record's claim: %+v %v", rec.Claims, err)
	}
	audit, _, err := f.st.ListAudit(ctx, o.Centre.ID, paging.Page{Limit: 10})
	decisions := 0
	for _, e := range audit {
		if e.Action == "claim.confirmed" || e.Action == "claim.rejected" {
			decisions++
		}
	}
	if err != nil || decisions != 3 {
		t.Errorf("audited decisions %d, want 3 (%v)", decisions, err)
	}
	// The staff list: every application, or those with a claim pending
	// (none now: c made none), a page at a time.
	all, next, err := staff.OfferingApplications(ctx, mine, o.ID, "all", paging.Page{Limit: 2})
	if err != nil || len(all) != 2 || next == "" || all[0].ID != appA.ID {
		t.Fatalf("first page: %d %q %v", len(all), next, err)
	}
	rest, next, err := staff.OfferingApplications(ctx, mine, o.ID, "all", paging.Page{Limit: 2, Cursor: next})
	if err != nil || len(rest) != 1 || next != "" || rest[0].ID != appC.ID {
		t.Errorf("second page: %+v %q %v", rest, next, err)
	}
	if pending, _, err := staff.OfferingApplications(ctx, mine, o.ID, "pending", paging.Page{Limit: 10}); err != nil || len(pending) != 0 {
		t.Errorf("pending: %+v %v", pending, err)
	}

	// The store's own conditions: a withdrawn application's claim is gone;
	// once the draw has closed its tickets, applications_closed.
	decision := func(app domain.Application, code string) error {
		return f.st.DecideClaim(ctx, store.ClaimDecision{Application: app, OfferingID: o.ID,
			Claim: domain.Claim{Code: code, OfferingID: o.ID, Status: domain.ClaimConfirmed, DecidedAt: &cur},
			Audit: store.Audit(o.Centre.ID, "staff-1", "claim.confirmed", app.ID, nil, nil, cur)})
	}
	if err := decision(appA, "hardship_special_needs"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("store, a claim not made: %v", err)
	}
	if _, err := f.svc.Withdraw(ctx, b.Account, appB.ID); err != nil {
		t.Fatal(err)
	}
	if err := decision(appB, "hardship_special_needs"); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("store, withdrawn: %v", err)
	}
	if err := f.st.CloseDraw(ctx, o.ID, []string{appA.Ticket, appC.Ticket}, "digest"); err != nil {
		t.Fatal(err)
	}
	if err := decision(appA, "dual_worker"); !apperr.Is(err, apperr.ApplicationsClosed) {
		t.Errorf("store, after the close: %v", err)
	}
	cur = *o.ApplicationsCloseAt
	if _, err := staff.DecideClaim(ctx, mine, o.ID, appA.ID, centrestaff.ClaimDecisionInput{Code: "dual_worker", Decision: "confirmed"}); !apperr.Is(err, apperr.ApplicationsClosed) {
		t.Errorf("service, at the close: %v", err)
	}
}
