package centrestaff

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/retry"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// The centre registry (issue 19): officers register, edit, activate,
// suspend and reinstate centres.
//
// Suspension closes a centre's published offerings to new bookings and
// applications and keeps what is booked. A booking reads the offering, the
// participant and the person, never the centre (DESIGN.md, "What a request
// costs"), and must stay so; so the suspension is written onto each
// offering of the centre as a flag (centre_suspended) that domain.Bookable
// and Applicable refuse on and a booking's write is conditioned on. The
// centre's status is written first, then its offerings are flagged in
// batches (each with its audit record and ledger entry); calling suspend
// (or PATCH status active, for a reinstatement) again resumes an
// interrupted run, as cancelling an offering does.

var errOfficersOnly = apperr.New(apperr.Forbidden, "只有市、区教育部门可以管理机构登记", "Only city and district officers may manage the centre registry")

// officer refuses anyone but city and district officers.
func officer(c auth.Caller) error {
	if c.In(auth.CityOfficers) || (c.In(auth.DistrictOfficers) && c.District != "") {
		return nil
	}
	return errOfficersOnly
}

// RegistryCentre reads a centre for an officer, drafts included: staff
// and residents are refused (403), another district's centre is not found
// (404).
func (s *Service) RegistryCentre(ctx context.Context, c auth.Caller, id string) (domain.Centre, error) {
	if err := officer(c); err != nil {
		return domain.Centre{}, err
	}
	return s.Centre(ctx, c, id)
}

// CreateCentre registers a draft centre. A district officer registers only
// in their own district (another: 403).
func (s *Service) CreateCentre(ctx context.Context, c auth.Caller, in domain.NewCentre) (domain.Centre, error) {
	if err := officer(c); err != nil {
		return domain.Centre{}, err
	}
	if !c.In(auth.CityOfficers) && in.District.Valid() && !c.OfficerOf(string(in.District)) {
		return domain.Centre{}, apperr.New(apperr.Forbidden, "您只能登记本区的机构", "You may only register centres in your own district")
	}
	var out domain.Centre
	err := s.Retry.Do(ctx, func(int) error {
		now := s.Now()
		centre, err := domain.CreateCentre(in, domain.NewID("c", now), now)
		if err != nil {
			return err
		}
		// A clash of ids (80 random bits) is ErrContention: another id.
		if err := s.Store.CreateCentre(ctx, centre, store.Audit(centre.ID, c.Sub, "centre.create", centre.ID, nil, centre, now)); err != nil {
			return err
		}
		out = centre
		return nil
	})
	return out, err
}

// PatchCentre edits a centre; status active activates a draft (centre.activate)
// or reinstates a suspended centre (centre.reinstate: its offerings' flags
// are cleared, their places back in the figures). Asked of an active
// centre, it resumes an interrupted reinstatement.
func (s *Service) PatchCentre(ctx context.Context, c auth.Caller, id string, p domain.CentrePatch) (domain.Centre, error) {
	var out domain.Centre
	err := s.Retry.Do(ctx, func(int) error {
		before, err := s.RegistryCentre(ctx, c, id)
		if err != nil {
			return err
		}
		now := s.Now()
		after, err := p.Apply(before, now)
		if err != nil {
			return err
		}
		out = before
		if centreUnchanged(before, after) {
			return nil
		}
		action := "centre.update"
		switch {
		case before.Status == domain.CentreDraft && after.Status == domain.CentreActive:
			action = "centre.activate"
		case before.Status == domain.CentreSuspended && after.Status == domain.CentreActive:
			action = "centre.reinstate"
		}
		if err := s.Store.UpdateCentre(ctx, before, after, store.Audit(id, c.Sub, action, id, before, after, now)); err != nil {
			return err // ErrContention: read again
		}
		out = after
		return nil
	})
	if err != nil || p.Status == nil || out.Status != domain.CentreActive {
		return out, err
	}
	return out, s.flagOfferings(ctx, c, out)
}

// SuspendCentre suspends an active centre for reason (its published
// offerings close to new bookings); asked of a suspended centre, it resumes
// flagging its offerings and changes nothing else.
func (s *Service) SuspendCentre(ctx context.Context, c auth.Caller, id, reason string) (domain.Centre, error) {
	var out domain.Centre
	err := s.Retry.Do(ctx, func(int) error {
		before, err := s.RegistryCentre(ctx, c, id)
		if err != nil {
			return err
		}
		out = before
		if before.Status == domain.CentreSuspended {
			return nil
		}
		now := s.Now()
		after, err := before.Suspend(reason, now)
		if err != nil {
			return err
		}
		if err := s.Store.UpdateCentre(ctx, before, after, store.Audit(id, c.Sub, "centre.suspend", id,
			map[string]any{"status": before.Status}, map[string]any{"status": after.Status, "reason": reason}, now)); err != nil {
			return err
		}
		out = after
		return nil
	})
	if err != nil {
		return out, err
	}
	return out, s.flagOfferings(ctx, c, out)
}

// flagOfferings makes every offering of centre that counts places
// (published or closed) carry the flag its status calls for (suspended:
// set; else cleared), in batches of store.MaxFlagsPerWrite. Each offering is
// read again strongly consistently (the centre's list is an eventually
// consistent index); one that changed meanwhile (ErrContention) is taken
// again in the next round. A publishing cannot slip past: it checks the
// centre is active in its own write, and the centre's status is written
// before this runs.
func (s *Service) flagOfferings(ctx context.Context, c auth.Caller, centre domain.Centre) error {
	return s.Retry.Do(ctx, func(int) error {
		// Each round follows the centre's status as it is now: another
		// officer may have suspended or reinstated it meanwhile (each write
		// checks it again).
		centre, err := s.Store.GetCentre(ctx, centre.ID)
		if err != nil {
			return err
		}
		suspended := centre.Status == domain.CentreSuspended
		need := func(o domain.Offering) bool {
			if suspended {
				return !o.CentreSuspended && (o.Status == domain.OfferingPublished || o.Status == domain.OfferingClosed)
			}
			return o.CentreSuspended
		}
		var todo []domain.Offering
		page := paging.Page{Limit: 100}
		for {
			os, next, err := s.Store.ListCentreOfferings(ctx, centre.ID, page)
			if err != nil {
				return err
			}
			for _, listed := range os {
				// Drafts cannot be published while the centre is not active
				// (centreActive), and a cancelled offering counts no places.
				if (listed.Status == domain.OfferingDraft || listed.Status == domain.OfferingCancelled) && !listed.CentreSuspended {
					continue
				}
				o, err := s.Store.GetOffering(ctx, listed.ID)
				if err != nil {
					return err
				}
				if need(o) {
					todo = append(todo, o)
				}
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		lost := false
		for batch := range slices.Chunk(todo, store.MaxFlagsPerWrite) {
			err := s.Store.FlagCentreOfferings(ctx, batch, suspended, c.Sub, s.Now())
			switch {
			case errors.Is(err, store.ErrContention):
				lost = true // read again in the next round
			case err != nil:
				return err
			}
		}
		if lost {
			return errFlagsLeft
		}
		return nil
	})
}

// errFlagsLeft: an offering changed while being flagged; read again.
var errFlagsLeft = fmt.Errorf("centrestaff: offerings left to flag: %w", retry.ErrAgain)

// centreUnchanged: nothing an edit could change differs.
func centreUnchanged(a, b domain.Centre) bool {
	return a.Name == b.Name && a.LicenceNo == b.LicenceNo && a.Address == b.Address && a.Phone == b.Phone &&
		slices.Equal(a.Kinds, b.Kinds) && a.Status == b.Status &&
		((a.Location == nil) == (b.Location == nil)) && (a.Location == nil || *a.Location == *b.Location)
}

// Registry pages through the registry: a city officer every centre (or one
// district's), a district officer their district's (another: 403); every
// status, or status.
func (s *Service) Registry(ctx context.Context, c auth.Caller, district domain.District, status domain.CentreStatus, page paging.Page) ([]domain.Centre, string, error) {
	if err := officer(c); err != nil {
		return nil, "", err
	}
	scope, ok := c.CityScope(string(district))
	if !ok {
		return nil, "", apperr.New(apperr.Forbidden, "您只能查看本区的机构", "You may only see your own district's centres")
	}
	return s.Store.ListRegistry(ctx, domain.District(scope), status, page)
}
