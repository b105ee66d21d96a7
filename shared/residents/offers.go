package residents

import (
	"context"

	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/metrics"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Accept accepts the offer of one of the account's bookings (contract part
// 2, "Offers with a deadline"): the place it holds becomes a confirmed one,
// in one write that requires the offer still open at the time it lands.
// Accepting an accepted booking returns it; an offer past its deadline (or
// expired) is 409 offer_expired; a booking with no offer is 409 conflict.
// Declining is cancelling (Cancel).
func (s *Service) Accept(ctx context.Context, account, id string) (domain.Booking, error) {
	return s.AcceptAs(ctx, Actor{Account: account}, id)
}

// AcceptAs is Accept for who: at the counter only a booking at the
// counter's centre (another is not found), audited (assist.accept) in the
// same write.
func (s *Service) AcceptAs(ctx context.Context, who Actor, id string) (domain.Booking, error) {
	account := who.Account
	var b domain.Booking
	err := s.Retry.Do(ctx, func(int) error {
		var err error
		if b, err = s.Store.GetBooking(ctx, account, id); err != nil {
			return err
		}
		if !who.Assist.reaches(b.Offering.Centre.ID) {
			return domain.NotFound("booking")
		}
		now := s.Now()
		switch {
		case b.Status == domain.BookingConfirmed:
			return s.releaseLowerChoices(ctx, account, b) // a retry finishes what the first left
		case b.Status == domain.BookingExpired || b.Status == domain.BookingOffered && b.OfferExpiresAt != nil && !now.Before(*b.OfferExpiresAt):
			return apperr.New(apperr.OfferExpired, "保留的名额已过期，已让给下一位", "The offer has expired; the place has passed to the next person")
		case b.Status != domain.BookingOffered:
			return apperr.New(apperr.Conflict, "该报名没有待确认的名额", "This booking has no offer to accept")
		}
		c := allocation.HoldOffers{Hours: b.OfferHours}.Accept()
		// The city's bus hears of the place confirmed, once (the id is the booking's).
		n := notices.New(notices.BookingConfirmed, now).About(b)
		n.ID = "ntc_accepted_" + b.ID
		c.Notices = append(c.Notices, n)
		// A lost race (accepted, expired or declined meanwhile, or the
		// deadline passed as the write landed) goes round again and is
		// answered from the booking as it then stands.
		var audit []store.AuditEntry
		if a := who.Assist.audit("assist.accept", b.ID, account, map[string]any{"offering_id": b.OfferingID}, now); a != nil {
			audit = append(audit, *a)
		}
		if err := s.Store.AcceptOffer(ctx, b, c, now, audit...); err != nil {
			return err
		}
		metrics.Count(ctx, metrics.OffersAccepted)
		b.Status, b.UpdatedAt = domain.BookingConfirmed, now
		// In a round, the child's bookings at lower choices go (their
		// places to the next in line); waiting at higher ones stays.
		return s.releaseLowerChoices(ctx, account, b)
	})
	if err != nil {
		return domain.Booking{}, err
	}
	return b, nil
}
