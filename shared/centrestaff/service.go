// Package centrestaff carries out what centre staff and city officers do to
// offerings: publish, edit (a raised capacity confirms the waitlist), cancel
// (ending every booking, in resumable batches), the roster and attendance.
// Every change is written with its audit record.
package centrestaff

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/beacon"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/retry"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Service acts for one caller at a time.
type Service struct {
	Store *store.Store
	Now   func() time.Time
	// Retry bounds going round again after a lost race; the zero value is
	// retry.Default. A request that gives up answers 503 (safe to retry).
	Retry retry.Policy
	// Beacon fixes a lottery's beacon round when it is created (and when
	// its window moves before opening); nil: no lottery can be created.
	Beacon beacon.Beacon
}

// Centre reads a centre the caller manages; any other is not found, so
// centre ids cannot be probed. Staff are refused before the read; a
// district officer's centre is read to learn its district.
func (s *Service) Centre(ctx context.Context, c auth.Caller, centreID string) (domain.Centre, error) {
	if !c.In(auth.CityOfficers) && !c.In(auth.DistrictOfficers) && !c.ManagesCentre(centreID, "") {
		return domain.Centre{}, domain.NotFound("centre")
	}
	centre, err := s.Store.GetCentre(ctx, centreID)
	if err != nil {
		return centre, err
	}
	if !c.ManagesCentre(centre.ID, string(centre.District)) {
		return domain.Centre{}, domain.NotFound("centre")
	}
	return centre, nil
}

// Offering reads an offering of a centre the caller manages.
func (s *Service) Offering(ctx context.Context, c auth.Caller, offeringID string) (domain.Offering, error) {
	o, err := s.Store.GetOffering(ctx, offeringID)
	if err != nil {
		return o, err
	}
	if !c.ManagesCentre(o.Centre.ID, string(o.Centre.District)) {
		return domain.Offering{}, domain.NotFound("offering")
	}
	return o, nil
}

// Create validates and stores a new offering of a centre the caller
// manages; a lottery's draw record (its commitment and beacon round) is
// written with it.
func (s *Service) Create(ctx context.Context, c auth.Caller, centreID string, in domain.NewOffering) (domain.Offering, error) {
	centre, err := s.Centre(ctx, c, centreID)
	if err != nil {
		return domain.Offering{}, err
	}
	now := s.Now()
	o, err := domain.Create(in, centre, now)
	if err != nil {
		return o, err
	}
	if o.Status == domain.OfferingPublished {
		// A draft or suspended centre's offerings wait as drafts.
		if err := centre.CanPublish(); err != nil {
			return domain.Offering{}, err
		}
	}
	var draw []store.DrawRecord
	if o.IsLottery() {
		d, err := NewDraw(s.Beacon, o)
		if err != nil {
			return domain.Offering{}, err
		}
		draw = append(draw, d)
	}
	return o, s.Store.CreateOffering(ctx, o, store.Audit(centreID, c.Sub, "offering.create", o.ID, nil, o, now), draw...)
}

// Update applies a centre's edit. Raising the capacity confirms waitlisted
// bookings, as the allocation policy says (the earliest first), in the same write (more than a write holds take
// further writes, each complete in itself); lowering it below the confirmed
// places is refused.
func (s *Service) Update(ctx context.Context, c auth.Caller, offeringID string, p domain.Patch) (domain.Offering, error) {
	for {
		after, promoted, err := s.update(ctx, c, offeringID, p)
		if err != nil {
			return after, err
		}
		// More waiting than one write can confirm: go round again, with
		// nothing left to change but the promotions. (A line shorter than
		// asked for has no one else to confirm: going round would spin.)
		if !(after.Available() > 0 && after.Waitlisted > 0 && promoted == store.MaxPromotionsPerWrite) {
			return after, nil
		}
		p = domain.Patch{}
	}
}

// update is one write of an edit, read again and retried while it loses
// races; it returns the offering as written and how many it promoted.
func (s *Service) update(ctx context.Context, c auth.Caller, offeringID string, p domain.Patch) (domain.Offering, int, error) {
	var out domain.Offering
	var promote []allocation.Waiting
	err := s.Retry.Do(ctx, func(int) error {
		before, err := s.Offering(ctx, c, offeringID)
		if err != nil {
			return err
		}
		out = before
		now := s.Now()
		if before.RoundID != "" && p.MovesDraw() {
			// The round's members share one window and draw (the round's).
			return apperr.New(apperr.Conflict, "该项目属于招生轮次，申请时间和抽签时间随轮次而定，不能单独修改",
				"This offering is in a round: its application window and draw time are the round's and cannot be changed on their own")
		}
		after, err := p.Apply(before, now)
		if err != nil {
			return err
		}
		if after.Status == domain.OfferingPublished && before.Status != domain.OfferingPublished {
			// Publishing needs the centre active; the write checks it again.
			centre, err := s.Store.GetCentre(ctx, before.Centre.ID)
			if err != nil && !apperr.Is(err, apperr.NotFound) {
				return err
			}
			if err == nil { // (fixtures' offerings may have no centre item)
				if err := centre.CanPublish(); err != nil {
					return err
				}
			}
		}
		policy := allocation.For(before)
		free, err := policy.Promotable(before, after, store.MaxPromotionsPerWrite)
		if err != nil {
			return err
		}
		var change allocation.Change
		if free > 0 {
			line, err := s.Store.Waiters(ctx, offeringID, free)
			if err != nil {
				return err
			}
			change = policy.Resize(after, line, notices.New(notices.Promoted, now).OfOffering(after))
			after.Confirmed += change.Confirmed
			after.Waitlisted += change.Waitlisted
			after.Offered += change.Offered
		}
		// Confirmed or offered a place, as the policy says.
		promote = append(slices.Clip(change.Promote), change.Offer...)
		if len(promote) == 0 && !domain.Edited(before, after) {
			return nil // nothing to write, so no audit record of nothing (out is before)
		}
		// A cut to the confirmed places, or promotions taking the last
		// ones, fill the offering as surely as a booking does.
		after.NoteFull(now)
		oc := store.OfferingChange{
			Before: before, After: after, Change: change, Now: now,
			Audit: store.Audit(before.Centre.ID, c.Sub, "offering.update", before.ID, before, after, now),
		}
		if after.IsLottery() && p.MovesDraw() {
			// Before applications open: the beacon round follows the close.
			if oc.Draw, err = s.drawTimes(after); err != nil {
				return err
			}
		}
		if err := s.Store.UpdateOffering(ctx, oc); err != nil {
			return err // ErrContention goes round again
		}
		out = after
		return nil
	})
	return out, len(promote), err
}

// Cancel cancels an offering and every active booking of it, each marked
// cancelled by the centre with the reason. The offering is marked first, so
// no booking can join while the bookings are ended in batches; calling
// Cancel again resumes an interrupted cancellation.
func (s *Service) Cancel(ctx context.Context, c auth.Caller, offeringID, reason string) (domain.Offering, error) {
	var o domain.Offering
	err := s.Retry.Do(ctx, func(int) error {
		var err error
		if o, err = s.Offering(ctx, c, offeringID); err != nil || o.Status == domain.OfferingCancelled {
			return err
		}
		now := s.Now()
		after := o
		after.Status, after.CancelReason = domain.OfferingCancelled, reason
		// A booking that landed meanwhile is ErrContention: mark it again
		// from a fresh read.
		if err := s.Store.UpdateOffering(ctx, store.OfferingChange{Before: o, After: after, Now: now,
			Audit: store.Audit(o.Centre.ID, c.Sub, "offering.cancel", o.ID,
				map[string]any{"status": o.Status}, map[string]any{"status": after.Status, "reason": reason}, now)}); err != nil {
			return err
		}
		o = after // as written: the counters are still those read
		return nil
	})
	if err != nil {
		return o, err
	}
	return s.endBookings(ctx, o)
}

// endBookings ends the active bookings of a cancelled offering o in
// batches until its counters say none is left, and returns it as it then
// stands. The roster index is eventually consistent, so a booking made just
// before the offering was marked may show up a moment later: the loop reads
// again until the counters agree.
func (s *Service) endBookings(ctx context.Context, o domain.Offering) (domain.Offering, error) {
	if o.Confirmed == 0 && o.Waitlisted == 0 && o.Offered == 0 {
		return o, nil
	}
	err := s.Retry.Do(ctx, func(int) error {
		active, err := s.activeBookings(ctx, o.ID)
		if err != nil {
			return err
		}
		for batch := range slices.Chunk(active, store.MaxCancelsPerWrite) {
			// A batch that lost a race is read again in the next round.
			if err := s.Store.CancelBookingsOf(ctx, o, batch, s.Now()); err != nil && !errors.Is(err, store.ErrContention) {
				return err
			}
		}
		if o, err = s.Store.GetOffering(ctx, o.ID); err != nil {
			return err
		}
		if o.Confirmed > 0 || o.Waitlisted > 0 || o.Offered > 0 {
			return errBookingsLeft
		}
		return nil
	})
	return o, err
}

// errBookingsLeft: the counters have not yet reached zero; read again.
var errBookingsLeft = fmt.Errorf("centrestaff: active bookings left: %w", retry.ErrAgain)
