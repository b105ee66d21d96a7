package centrestaff

import (
	"context"
	"encoding/base64"
	"slices"
	"strings"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Claims checked by people (issue 14): centre staff of an offering's centre,
// or officers, see the offering's applications with their claims at it,
// confirm or reject each claim before the close, and see why each
// application got its rank after the draw.

// ClaimDecisionInput is staff's decision on one claim.
type ClaimDecisionInput struct {
	Code     string `json:"code"`
	Decision string `json:"decision"`
	Note     string `json:"note"`
}

// ClaimNote is the note beside a decision (required to reject).
var ClaimNote = domain.TextRule{Field: "note", ZH: "备注", Max: 200}

// DecideClaim records staff's decision on a claim application applicationID
// made at offeringID: before applications close (409 applications_closed),
// while the application is applied and made that claim here (404); deciding
// again overwrites, each decision audited in the centre's log with its note.
// It returns the application as staff see it.
func (s *Service) DecideClaim(ctx context.Context, c auth.Caller, offeringID, applicationID string, in ClaimDecisionInput) (domain.Application, error) {
	var v apperr.Validation
	status := domain.ClaimStatus(in.Decision)
	if status != domain.ClaimConfirmed && status != domain.ClaimRejected {
		v.Add("decision", "决定应为 confirmed（确认）或 rejected（不予认定）", "decision must be confirmed or rejected")
	}
	if in.Code == "" {
		v.Add("code", "请写明所审核的优先条件代码", "code is required")
	}
	rule := ClaimNote
	if status == domain.ClaimRejected {
		rule.Min = 1 // a rejection says why
	}
	note := rule.Check(&v, in.Note)
	if err := v.Err(); err != nil {
		return domain.Application{}, err
	}
	o, err := s.lotteryOffering(ctx, c, offeringID)
	if err != nil {
		return domain.Application{}, err
	}
	var a domain.Application
	err = s.Retry.Do(ctx, func(int) error {
		now := s.Now()
		if o.ApplicationsCloseAt == nil || !now.Before(*o.ApplicationsCloseAt) {
			return apperr.New(apperr.ApplicationsClosed, "申请已截止，优先条件不能再审核", "Applications have closed; claims can no longer be decided")
		}
		if a, err = s.Store.GetEntry(ctx, o.ID, applicationID); err != nil {
			return err
		}
		i := slices.IndexFunc(a.Claims, func(cl domain.Claim) bool { return cl.Code == in.Code })
		if i < 0 {
			return domain.NotFound("claim")
		}
		before := a.Claims[i]
		decided := domain.Claim{Code: in.Code, OfferingID: o.ID, Status: status, Note: note, DecidedAt: &now, DecidedBy: c.Sub}
		audit := store.Audit(o.Centre.ID, c.Sub, "claim."+in.Decision, applicationID,
			map[string]any{"status": before.Status, "note": before.Note},
			map[string]any{"application_id": applicationID, "offering_id": o.ID, "code": in.Code, "decision": in.Decision, "note": note}, now)
		if err := s.Store.DecideClaim(ctx, store.ClaimDecision{Application: a, OfferingID: o.ID, Claim: decided, Audit: audit}); err != nil {
			return err // contention goes round again
		}
		a.Claims[i] = decided
		return nil
	})
	if err != nil {
		return domain.Application{}, err
	}
	return staffView(o, a), nil
}

// lotteryOffering reads a lottery offering of a centre the caller manages;
// any other has no applications (404).
func (s *Service) lotteryOffering(ctx context.Context, c auth.Caller, offeringID string) (domain.Offering, error) {
	o, err := s.Offering(ctx, c, offeringID)
	if err != nil {
		return o, err
	}
	if !o.IsLottery() {
		return o, domain.NotFound("application")
	}
	return o, nil
}

// staffView is an application's entry at o as staff see it: the offering,
// the ticket, the participant and siblings by name, the claims at o.
func staffView(o domain.Offering, a domain.Application) domain.Application {
	a.Offering = domain.BookedOffering{Title: o.Title, Kind: o.Kind, Centre: o.Centre, StartsOn: o.StartsOn}
	for i := range a.Choices { // the entry's one choice: this offering
		a.Choices[i].Offering = a.Offering
	}
	lotteryID := o.ID
	if a.RoundID != "" {
		lotteryID = a.RoundID
	}
	a.Ticket = lottery.Ticket(lotteryID, a.ID)
	if a.Claims == nil {
		a.Claims = []domain.Claim{}
	}
	return a
}

// ClaimsFilter picks the applications a staff list shows.
const (
	ClaimsAll     = "all"
	ClaimsPending = "pending"
)

// OfferingApplications pages through a lottery offering's applications
// still in its draw (its entries), oldest first, with their claims at it;
// filter pending keeps those with a claim still to decide. The entries are
// read whole (16 strongly consistent Queries) and paged here: an offering
// has at most a few thousand applicants, and paging the shards one by one
// would need a cursor per shard. The cursor is the last id shown.
func (s *Service) OfferingApplications(ctx context.Context, c auth.Caller, offeringID, filter string, page paging.Page) ([]domain.Application, string, error) {
	if filter == "" {
		filter = ClaimsAll
	}
	if page.Limit <= 0 {
		page.Limit = 50
	}
	if filter != ClaimsAll && filter != ClaimsPending {
		return nil, "", apperr.New(apperr.InvalidRequest, "claims 应为 pending 或 all", "claims must be pending or all").With("claims", "取值无效", "not pending or all")
	}
	after := ""
	if page.Cursor != "" {
		b, err := base64.RawURLEncoding.DecodeString(page.Cursor)
		if err != nil || len(b) == 0 {
			return nil, "", domain.Refused(domain.RuleCursor)
		}
		after = string(b)
	}
	o, err := s.lotteryOffering(ctx, c, offeringID)
	if err != nil {
		return nil, "", err
	}
	entries, err := s.Store.ApplicationEntries(ctx, o.ID)
	if err != nil {
		return nil, "", err
	}
	// Ids begin with their creation time: in id order is oldest first.
	slices.SortFunc(entries, func(a, b domain.Application) int { return strings.Compare(a.ID, b.ID) })
	out := []domain.Application{}
	for _, a := range entries {
		if a.ID <= after {
			continue
		}
		if filter == ClaimsPending && !slices.ContainsFunc(a.Claims, func(cl domain.Claim) bool { return cl.Status == domain.ClaimPending }) {
			continue
		}
		if len(out) == page.Limit {
			return out, base64.RawURLEncoding.EncodeToString([]byte(out[len(out)-1].ID)), nil
		}
		out = append(out, staffView(o, a))
	}
	return out, "", nil
}

// OfferingApplication is one application to a lottery offering as staff
// see it: from its entry (in the draw, not withdrawn) and, for its status,
// number, rank and explanation, the resident's record; the claims shown are
// those at this offering.
func (s *Service) OfferingApplication(ctx context.Context, c auth.Caller, offeringID, applicationID string) (domain.Application, error) {
	o, err := s.lotteryOffering(ctx, c, offeringID)
	if err != nil {
		return domain.Application{}, err
	}
	entry, err := s.Store.GetEntry(ctx, o.ID, applicationID)
	if err != nil {
		return domain.Application{}, err
	}
	a, err := s.Store.GetApplication(ctx, entry.Account, applicationID)
	if err != nil {
		return domain.Application{}, err
	}
	a.Claims = entry.Claims
	if err := s.Store.Explainer().Explain(ctx, &a); err != nil {
		return domain.Application{}, err
	}
	if a.Claims == nil {
		a.Claims = []domain.Claim{}
	}
	return a, nil
}
