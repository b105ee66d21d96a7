// Package offers keeps offers to their deadlines (contract part 2, "Offers
// with a deadline"): the scheduled job's service, run every minute. An offer
// past its deadline becomes expired and its place goes where the offering's
// allocation policy says (the next in line is offered it) in the same
// write, with an offer_expired notice; an offer within WarnBefore of its
// deadline is warned once (offer_expiring). Both are found in the index of
// offers by deadline (store.OffersDue), and both writes are conditional, so
// a run repeated, overlapping or retried changes nothing twice.
package offers

import (
	"context"
	"errors"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/metrics"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/retry"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// WarnBefore is how long before its deadline a resident is reminded of an
// offer they have not taken up.
const WarnBefore = 6 * time.Hour

// Service expires and warns offers.
type Service struct {
	Store *store.Store
	// Retry bounds the reads and writes again of one expiry after a lost
	// race (someone joined or left the line meanwhile). Zero: retry.Default.
	Retry retry.Policy
}

// Run is what one run did.
type Run struct {
	// Read offers are due by now + WarnBefore; Expired and Warned of them
	// were now; Already had been (an overlapping run) or were accepted or
	// declined meanwhile.
	Read, Expired, Warned, Already int
}

// Keep expires every offer whose deadline is at or before now and warns
// every other offer due within WarnBefore that was not warned yet. A
// failure with one offer does not keep the others waiting: it is reported
// with the run, and the next run tries it again.
func (s *Service) Keep(ctx context.Context, now time.Time) (Run, error) {
	due, err := s.Store.OffersDue(ctx, now.Add(WarnBefore))
	res := Run{Read: len(due)}
	if err != nil {
		return res, err
	}
	var errs []error
	for _, o := range due {
		var done bool
		var err error
		switch {
		case o.OfferExpiresAt == nil:
			continue
		case !now.Before(*o.OfferExpiresAt):
			done, err = s.expire(ctx, o, now)
			res.Expired += count(done)
		case o.Warned:
			continue
		default:
			done, err = s.warn(ctx, o, now)
			res.Warned += count(done)
		}
		if err != nil {
			errs = append(errs, err)
		} else if !done {
			res.Already++
		}
	}
	metrics.Add(ctx, metrics.OffersExpired, float64(res.Expired))
	return res, errors.Join(errs...)
}

func count(b bool) int {
	if b {
		return 1
	}
	return 0
}

// again reads o again (strongly) after a lost race: the first attempt
// decides from o as the index gave it.
func (s *Service) again(ctx context.Context, o *store.Offer, attempt int) error {
	if attempt == 0 {
		return nil
	}
	var err error
	*o, err = s.Store.GetOffer(ctx, o.Account, o.ID)
	return err
}

// expire ends the offer o, read from the index, as expired at now, with
// its place handed on as the policy says. A lost race reads the booking
// again (strongly) and decides afresh; an offer accepted, declined or
// expired meanwhile is left alone (false).
func (s *Service) expire(ctx context.Context, o store.Offer, now time.Time) (bool, error) {
	done := false
	err := s.Retry.Do(ctx, func(attempt int) error {
		if err := s.again(ctx, &o, attempt); err != nil {
			return err
		}
		b := o.Booking
		if b.Status != domain.BookingOffered || b.OfferExpiresAt == nil || now.Before(*b.OfferExpiresAt) {
			return nil
		}
		change, err := s.Store.Freed(ctx, b, now)
		if err != nil {
			return err
		}
		n := notices.New(notices.OfferExpired, now).About(b)
		n.ID = "ntc_offer_expired_" + b.ID // once in a booking's life
		if err := s.Store.EndBooking(ctx, b, change, now, store.Ending{By: store.BySystem, Status: domain.BookingExpired, Notice: &n}); err != nil {
			return err // ErrContention goes round again
		}
		done = true
		return nil
	})
	return done, err
}

// warn tells o's account that its offer expires soon, once: the write
// requires it still offered and not warned. A write that fails so is read
// again (strongly): a conflict that wrote nothing is tried again, while an
// offer warned, accepted, declined or past its deadline meanwhile is left
// alone (false).
func (s *Service) warn(ctx context.Context, o store.Offer, now time.Time) (bool, error) {
	done := false
	err := s.Retry.Do(ctx, func(attempt int) error {
		if err := s.again(ctx, &o, attempt); err != nil {
			return err
		}
		b := o.Booking
		if o.Warned || b.Status != domain.BookingOffered || b.OfferExpiresAt == nil || !now.Before(*b.OfferExpiresAt) {
			return nil
		}
		n := notices.New(notices.OfferExpiring, now).About(b)
		n.ID, n.Deadline = "ntc_offer_expiring_"+b.ID, *b.OfferExpiresAt
		if err := s.Store.WarnOffer(ctx, b, n, now); err != nil {
			return err // ErrContention goes round again
		}
		done = true
		return nil
	})
	return done, err
}
