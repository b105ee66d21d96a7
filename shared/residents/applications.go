package residents

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/metrics"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// ApplyRequest is a resident's application to a lottery offering.
type ApplyRequest struct {
	Account       string
	OfferingID    string
	ParticipantID string
	// Siblings apply with the participant as one unit; Claims are codes of
	// the priority policy in force (issue 14).
	Siblings       []string
	Claims         []string
	IdempotencyKey string
	// Assist is set when staff apply at their centre's counter (issue 20).
	Assist *Assist
}

// hash identifies the request's content for idempotency; it is marked as
// an application, so a key first used for a booking is a different request.
// Siblings and claims are part of it: the same key with other siblings or
// claims is another request.
func (r ApplyRequest) hash() string {
	if len(r.Siblings) == 0 && len(r.Claims) == 0 {
		return requestHash("application", r.OfferingID, r.ParticipantID) // as before issue 14
	}
	return requestHash("application", r.OfferingID, r.ParticipantID, r.Siblings, r.Claims)
}

// ApplicationResult is an application and whether it answers a retry.
type ApplicationResult struct {
	Application domain.Application
	Replayed    bool
}

// Apply enters a participant in a lottery offering's draw: eligibility
// (published, the window, age) is decided from one read, and
// store.CreateApplication checks the rest in the write (no-show block,
// one application per identity, the term limit counting active bookings).
// The id is new and unguessable, its ticket a hash of it, and a ticket's
// rank depends on randomness published only after the close: when one
// applies changes nothing. A retry under the same Idempotency-Key gets the
// application the first request made, as it stands now.
func (s *Service) Apply(ctx context.Context, req ApplyRequest) (ApplicationResult, error) {
	id := domain.NewID("ap", s.Now())
	var res ApplicationResult
	err := s.Retry.Do(ctx, func(int) error {
		now := s.Now()
		in, err := s.inputs(ctx, req.Assist, req.Account, req.OfferingID, req.ParticipantID, store.Earlier{Key: req.IdempotencyKey}, req.hash(), now)
		if err != nil {
			return err
		}
		if in.Replay != nil {
			res, err = s.replay(ctx, req.Account, in.Replay)
			return err
		}
		o, p := *in.Offering, *in.Participant
		if err := domain.InRound(o); err != nil {
			return err // its places are the round's: apply to the round
		}
		if err := domain.Applicable(o, p, now); err != nil {
			return err
		}
		u, err := s.UnitAndClaims(ctx, req.Account, p.ID, req.Siblings, req.Claims, []domain.Offering{o}, now)
		if err != nil {
			return err
		}
		a := newApplication(id, o.ID, req.Account, p, u, []domain.Offering{o}, now)
		a.By = req.Assist.by()
		audit := req.Assist.audit("assist.apply", a.ID, req.Account, map[string]any{"offering_id": o.ID, "participant_id": p.ID}, now)
		// ErrContention and ErrIdempotencyTaken go round again: read afresh.
		if err := s.create(ctx, a, o, req.IdempotencyKey, req.hash(), now, audit); err != nil {
			return err
		}
		res = ApplicationResult{Application: a}
		return nil
	})
	if err != nil {
		return ApplicationResult{}, err
	}
	metrics.Count(ctx, metrics.Applications)
	return res, nil
}

// Application reads one of the account's applications, with its
// explanation once drawn.
func (s *Service) Application(ctx context.Context, account, id string) (domain.Application, error) {
	a, err := s.Store.GetApplication(ctx, account, id)
	if err != nil {
		return a, err
	}
	return a, s.Store.Explainer().Explain(ctx, &a)
}

// Applications pages through the account's applications, newest first,
// each drawn one with its explanation (each policy version read once).
func (s *Service) Applications(ctx context.Context, account string, page paging.Page) ([]domain.Application, string, error) {
	as, next, err := s.Store.ListApplications(ctx, account, page)
	if err != nil {
		return nil, "", err
	}
	e := s.Store.Explainer()
	for i := range as {
		if err := e.Explain(ctx, &as[i]); err != nil {
			return nil, "", err
		}
	}
	return as, next, nil
}

// Withdraw takes one of the account's applications out of its draw, before
// applications close; withdrawing a withdrawn application returns it.
// After the close (or once the draw has fixed its tickets) it is 409
// applications_closed.
func (s *Service) Withdraw(ctx context.Context, account, id string) (domain.Application, error) {
	var a domain.Application
	err := s.Retry.Do(ctx, func(int) error {
		var err error
		if a, err = s.Store.GetApplication(ctx, account, id); err != nil || a.Status == domain.ApplicationWithdrawn {
			return err
		}
		if a.Status != domain.ApplicationApplied {
			return domain.Refused(domain.RuleBeforeClose) // drawn already
		}
		o, err := s.Store.GetOffering(ctx, a.OfferingID)
		if err != nil {
			return err
		}
		now := s.Now()
		if o.ApplicationsCloseAt == nil || !now.Before(*o.ApplicationsCloseAt) {
			return domain.Refused(domain.RuleBeforeClose)
		}
		if err := s.Store.WithdrawApplication(ctx, a, now); err != nil {
			return err // ErrContention goes round again
		}
		a.Status, a.WithdrawnAt = domain.ApplicationWithdrawn, &now
		return nil
	})
	if err != nil {
		return domain.Application{}, err
	}
	return a, nil
}

// replay answers a retry under an Idempotency-Key with the application the
// first request made, as it stands now.
func (s *Service) replay(ctx context.Context, account string, r *store.Replay) (ApplicationResult, error) {
	a, err := s.Store.GetApplication(ctx, account, r.ApplicationID)
	return ApplicationResult{Application: a, Replayed: true}, err
}

// create writes application a (first choice o), recording the request
// under its Idempotency-Key when it has one.
func (s *Service) create(ctx context.Context, a domain.Application, o domain.Offering, key, hash string, now time.Time, audit *store.AuditEntry) error {
	na := store.NewApplication{Application: a, Offering: o, Audit: audit}
	if key != "" {
		na.IdempotencyKey, na.RequestHash, na.IdempotencyTill = key, hash, now.Add(IdempotencyTTL)
	}
	return s.Store.CreateApplication(ctx, na)
}
