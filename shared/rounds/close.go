package rounds

import (
	"context"
	"slices"
	"strconv"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/store"
)

func itoa(i int) string { return strconv.Itoa(i) }

func seedOf(d store.RoundDraw, randomness string) string {
	return lottery.Seed(d.Secret, d.ApplicantsDigest, randomness)
}

// applicant is one application of the round as its entries show it: an
// entry (the person's facts, siblings) and its choices in order.
type applicant struct {
	entry   domain.Application
	choices []domain.Application // the entry at each choice, by preference
}

// applicants reads every member's entries and groups them by application
// (applications still in the round: a withdrawn one has none).
func (s *Service) applicants(ctx context.Context, r domain.Round) (map[string]*applicant, error) {
	out := map[string]*applicant{}
	for _, id := range r.OfferingIDs {
		entries, err := s.Store.ApplicationEntries(ctx, id)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if e.RoundID != r.ID {
				continue
			}
			a := out[e.ID]
			if a == nil {
				a = &applicant{entry: e}
				out[e.ID] = a
			}
			a.choices = append(a.choices, e)
		}
	}
	for _, a := range out {
		slices.SortFunc(a.choices, func(x, y domain.Application) int { return x.Choices[0].Preference - y.Choices[0].Preference })
	}
	return out, nil
}

// close fixes the round's tickets once applications are closed: one per
// application, with its size and, at each choice, its tier there under the
// policy in force at the close (the best confirmed claim; the default tier
// without one; 1 for everyone when the kind has no policy).
func (s *Service) close(ctx context.Context, r domain.Round) error {
	if s.Now().Before(r.ApplicationsCloseAt) {
		return notReady("申请尚未截止，不能抽签", "applications are not closed yet; the draw cannot run")
	}
	policy, err := s.Store.PolicyInForce(ctx, r.Kind, r.ApplicationsCloseAt)
	var p *domain.PriorityPolicy
	switch {
	case err == nil:
		p = &policy
	case !apperr.Is(err, apperr.NotFound):
		return err
	}
	apps, err := s.applicants(ctx, r)
	if err != nil {
		return err
	}
	tickets := make([]store.RoundTicket, 0, len(apps))
	for id, a := range apps {
		t := store.RoundTicket{Ticket: lottery.Ticket(r.ID, id), ApplicationID: id, Size: a.entry.Size()}
		for _, e := range a.choices {
			c := store.RoundChoice{OfferingID: e.OfferingID, Tier: 1}
			if p != nil {
				c.Tier, c.TierCode = p.TierOf(confirmed(e.Claims))
			}
			t.Choices = append(t.Choices, c)
		}
		tickets = append(tickets, t)
	}
	slices.SortFunc(tickets, func(a, b store.RoundTicket) int {
		if a.Ticket < b.Ticket {
			return -1
		}
		if a.Ticket > b.Ticket {
			return 1
		}
		return 0
	})
	version := 0
	if p != nil {
		version = p.Version
	}
	return s.Store.CloseRound(ctx, r, tickets, lottery.ApplicantsDigest(ticketsOf(tickets)), version, domain.NotChosenTier(p))
}

// confirmed are the codes of the claims staff confirmed.
func confirmed(claims []domain.Claim) []string {
	var out []string
	for _, c := range claims {
		if c.Status == domain.ClaimConfirmed {
			out = append(out, c.Code)
		}
	}
	return out
}

func ticketsOf(ts []store.RoundTicket) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Ticket
	}
	return out
}
