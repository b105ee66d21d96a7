package residents

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/metrics"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// RoundApplyRequest is a resident's application to a round (issue 14):
// a participant (and siblings, one unit) with up to the round's
// max_choices offerings in order of preference, and claims.
type RoundApplyRequest struct {
	Account        string
	RoundID        string
	ParticipantID  string
	Siblings       []string
	Choices        []string
	Claims         []string
	IdempotencyKey string
}

func (r RoundApplyRequest) hash() string {
	return requestHash("round_application", r.RoundID, r.ParticipantID, r.Siblings, r.Choices, r.Claims)
}

// ApplyRound enters a participant (with any siblings) in a round: the
// choices are distinct members of the round, each checked as a lottery
// application to it would be (published, the window, every child's age:
// not_eligible names the choice), the siblings and claims as on the
// offering route; the application has one entry per choice and one marker
// per child for the round (already_applied across the round), and its
// ticket is lottery.Ticket(round, id): one number for the whole round.
func (s *Service) ApplyRound(ctx context.Context, req RoundApplyRequest) (ApplicationResult, error) {
	id := domain.NewID("ap", s.Now())
	r, err := s.Store.GetRound(ctx, req.RoundID)
	if err != nil {
		return ApplicationResult{}, err
	}
	if err := domain.ChoicesFor(r, req.Choices); err != nil {
		return ApplicationResult{}, err
	}
	var res ApplicationResult
	err = s.Retry.Do(ctx, func(int) error {
		now := s.Now()
		in, err := s.inputs(ctx, nil, req.Account, req.Choices[0], req.ParticipantID, store.Earlier{Key: req.IdempotencyKey}, req.hash(), now)
		if err != nil {
			return err
		}
		if in.Replay != nil {
			res, err = s.replay(ctx, req.Account, in.Replay)
			return err
		}
		p := *in.Participant
		chosen := []domain.Offering{*in.Offering}
		for _, oid := range req.Choices[1:] {
			o, err := s.Store.GetOffering(ctx, oid)
			if err != nil {
				return err
			}
			chosen = append(chosen, o)
		}
		for i, o := range chosen {
			if o.RoundID != r.ID {
				return apperr.New(apperr.Conflict, "该项目已不属于本轮", "this offering is no longer in the round").
					With(fmt.Sprintf("choices[%d]", i), "不是本轮的项目", "not an offering of this round")
			}
			if err := domain.Applicable(o, p, now); err != nil {
				if e := apperr.As(err); e.Code == apperr.NotEligible {
					return e.With(fmt.Sprintf("choices[%d]", i), "不符合该志愿的条件："+o.Title, "not eligible for this choice: "+o.Title)
				}
				return err
			}
		}
		u, err := s.UnitAndClaims(ctx, req.Account, p.ID, req.Siblings, req.Claims, chosen, now)
		if err != nil {
			return err
		}
		first := chosen[0]
		a := newApplication(id, r.ID, req.Account, p, u, chosen, now)
		if err := s.create(ctx, a, first, req.IdempotencyKey, req.hash(), now, nil); err != nil {
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

// ReasonHigherChoice is why a round's booking at a lower choice ended.
const ReasonHigherChoice = "已接受更优先志愿的名额 / a place at a higher choice was accepted"

// releaseLowerChoices: b (confirmed) is a round's booking: the same child's
// active bookings in that round at choices below b's are cancelled, each
// freeing its place for the next in line as any cancellation does. Bookings
// at higher choices (waiting) stay. Idempotent: an ended booking is left
// as it is. A booking that is not a round's costs nothing.
func (s *Service) releaseLowerChoices(ctx context.Context, account string, b domain.Booking) error {
	if b.RoundID == "" {
		return nil
	}
	app, pref, err := s.roundApplicationOf(ctx, account, b.ID)
	if err != nil || app == nil {
		return err
	}
	for _, c := range app.Choices {
		if c.Preference <= pref {
			continue
		}
		for _, id := range c.BookingIDs {
			lower, err := s.Store.GetBooking(ctx, account, id)
			if apperr.Is(err, apperr.NotFound) {
				continue // erased meanwhile
			}
			if err != nil {
				return err
			}
			if lower.ParticipantID != b.ParticipantID || !lower.Status.Active() {
				continue
			}
			if _, err := s.End(ctx, account, id, func(x domain.Booking, now time.Time) store.Ending {
				n := notices.New(notices.BookingCancelled, now).About(x) // the bus's only
				return store.Ending{By: store.BySystem, Reason: ReasonHigherChoice, Notice: &n}
			}); err != nil {
				return err
			}
		}
	}
	return nil
}

// roundApplicationOf finds the round application whose draw made booking
// id, and the preference of its choice; nil when it is no round's.
func (s *Service) roundApplicationOf(ctx context.Context, account, bookingID string) (*domain.Application, int, error) {
	page := paging.Page{Limit: 100}
	for {
		apps, next, err := s.Store.ListApplications(ctx, account, page)
		if err != nil {
			return nil, 0, err
		}
		for _, a := range apps {
			if a.RoundID == "" {
				continue
			}
			for _, c := range a.Choices {
				if slices.Contains(c.BookingIDs, bookingID) {
					return &a, c.Preference, nil
				}
			}
		}
		if next == "" {
			return nil, 0, nil
		}
		page.Cursor = next
	}
}
