// Package rounds is allocation rounds with ranked choices (issue 14; plan
// §3): officers group lottery offerings of one kind and term into a round,
// residents apply once per child (or sibling group) with up to three
// offerings in order, and the round's draw gives each application one
// lottery number and places them by deferred acceptance
// (shared/placement). The draw runs in the stages of shared/draws
// (committed → closed → drawing → drawn), each on condition of the one
// before, so however often it is killed and run again it ends the same.
package rounds

import (
	"context"
	"errors"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/beacon"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/draws"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Service creates rounds and runs their draws.
type Service struct {
	Store  *store.Store
	Beacon beacon.Beacon
	Now    func() time.Time
}

// Create makes a round from an officer's request: its own fields, then its
// members as read (each must be a lottery of the kind and term taking no
// applications yet, not in another round, no term limit, one window), and
// writes it with its draw record (a fresh secret, the commitment, the
// beacon round after the close) taking the members in, in one write.
func (s *Service) Create(ctx context.Context, officer string, req domain.NewRound) (domain.Round, error) {
	choices, err := domain.CheckNewRound(req)
	if err != nil {
		return domain.Round{}, err
	}
	members := make([]domain.Offering, len(req.OfferingIDs))
	var missing apperr.Validation
	for i, id := range req.OfferingIDs {
		o, err := s.Store.GetOffering(ctx, id)
		if apperr.Is(err, apperr.NotFound) {
			missing.Add("offering_ids["+itoa(i)+"]", "找不到该项目", "no such offering")
			continue
		}
		if err != nil {
			return domain.Round{}, err
		}
		members[i] = o
	}
	if err := missing.Err(); err != nil {
		return domain.Round{}, err
	}
	now := s.Now()
	if err := domain.CheckRoundMembers(req, members, now); err != nil {
		return domain.Round{}, err
	}
	first := members[0]
	r := domain.Round{
		ID: domain.NewID("rnd", now), TitleZH: req.TitleZH, TitleEN: req.TitleEN, Kind: req.Kind, Term: req.Term,
		MaxChoices: choices, OfferingIDs: req.OfferingIDs, Status: domain.RoundOpen,
		ApplicationsOpenAt: *first.ApplicationsOpenAt, ApplicationsCloseAt: *first.ApplicationsCloseAt, DrawAt: *first.DrawAt,
		CreatedAt: now, CreatedBy: officer,
	}
	for _, o := range members {
		r.Offerings = append(r.Offerings, domain.RoundMember{ID: o.ID, Title: o.Title, Centre: o.Centre, Capacity: o.Capacity})
	}
	d, err := centrestaff.NewDraw(s.Beacon, first)
	if err != nil {
		return domain.Round{}, err
	}
	if err := s.Store.CreateRound(ctx, r, d, members); err != nil {
		return domain.Round{}, err
	}
	return r, nil
}

// Round reads a round.
func (s *Service) Round(ctx context.Context, id string) (domain.Round, error) {
	return s.Store.GetRound(ctx, id)
}

// Rounds lists the rounds of a kind and term (either may be empty).
func (s *Service) Rounds(ctx context.Context, kind domain.Kind, term string) ([]domain.Round, error) {
	return s.Store.ListRounds(ctx, kind, term)
}

func notReady(zh, en string) error { return apperr.New(apperr.DrawNotReady, zh, en) }

// Run takes the round's draw as far as it can go now, as draws.Run does
// for an offering: 409 draw_not_ready before the close or the beacon's
// round; once drawn, the record as it is.
func (s *Service) Run(ctx context.Context, id string) (store.RoundDraw, error) {
	r, err := s.Store.GetRound(ctx, id)
	if err != nil {
		return store.RoundDraw{}, err
	}
	for {
		d, err := s.Store.GetRoundDraw(ctx, id)
		if err != nil {
			return d, err
		}
		switch d.Status {
		case store.DrawDone:
			return d, nil
		case store.DrawCommitted:
			err = s.close(ctx, r)
		case store.DrawClosed:
			err = s.draw(ctx, r, d)
		case store.DrawDrawing:
			err = s.allocate(ctx, r, d)
		default:
			return d, apperr.Unexpected(errors.New("round " + id + ": unknown draw status " + d.Status))
		}
		if err != nil && !errors.Is(err, store.ErrDrawMoved) {
			return d, err
		}
	}
}

// RunDue runs every round whose draw_at has come by at, as draws.RunDue
// does for offerings.
func (s *Service) RunDue(ctx context.Context, at time.Time) (draws.Due, error) {
	ids, err := s.Store.DueRounds(ctx, at)
	if err != nil {
		return draws.Due{Due: len(ids)}, err
	}
	return draws.RunEach(ctx, ids, func(ctx context.Context, id string) error {
		_, err := s.Run(ctx, id)
		return err
	})
}

func (s *Service) draw(ctx context.Context, r domain.Round, d store.RoundDraw) error {
	randomness, err := draws.Randomness(ctx, s.Beacon, d.BeaconRound)
	if err != nil {
		return err
	}
	members, err := s.members(ctx, r)
	if err != nil {
		return err
	}
	places := make(map[string]int, len(members))
	for id, o := range members {
		places[id] = o.Available()
		if o.Status == domain.OfferingCancelled {
			places[id] = 0 // cancelled since the round began: nobody is placed there
		}
	}
	return s.Store.StartRoundDrawing(ctx, r.ID, randomness, seedOf(d, randomness), places, s.Now())
}

// members reads the round's offerings by id.
func (s *Service) members(ctx context.Context, r domain.Round) (map[string]domain.Offering, error) {
	out := make(map[string]domain.Offering, len(r.OfferingIDs))
	for _, id := range r.OfferingIDs {
		o, err := s.Store.GetOffering(ctx, id)
		if err != nil {
			return nil, err
		}
		out[id] = o
	}
	return out, nil
}
