package centrestaff

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Documents staff may check an identity against.
var Documents = []string{"resident_id_card", "household_register", "passport", "other"}

// Verified is the answer to a verification.
type Verified struct {
	BookingID     string    `json:"booking_id"`
	ParticipantID string    `json:"participant_id"`
	Verified      bool      `json:"verified"`
	VerifiedAt    time.Time `json:"verified_at"`
	VerifiedBy    string    `json:"verified_by"`
}

// Why a booking ends when its identity is verified for another account.
// Neither names the account, offering or centre where that happened.
var (
	verifiedElsewhereReason = apperr.Text{
		ZH: "该参与人的身份已由其他账号在托育机构核验，此报名已取消，如有疑问请联系机构",
		EN: "This participant's identity was verified by another account at a centre, so this booking was cancelled; ask the centre if this is wrong",
	}
	// EventVerifiedElsewhere is the message's event.
	EventVerifiedElsewhere = "identity_verified_elsewhere"
)

// VerifyIdentity records that c checked, against document, the identity of
// the participant of booking bookingID on an offering c manages: identity
// is the keyed hash of the number c typed and must be the participant's.
// The identity then belongs to the booking's account: every active booking
// other accounts hold for it is cancelled (places go down the waitlist),
// each with an audit record in its centre and a message to its account.
// Verifying again is harmless and finishes cancellations an interruption
// left; an identity another account verified is a conflict.
func (s *Service) VerifyIdentity(ctx context.Context, c auth.Caller, offeringID, bookingID, identity, document string) (Verified, error) {
	o, err := s.Offering(ctx, c, offeringID)
	if err != nil {
		return Verified{}, err
	}
	active, err := s.activeBookings(ctx, offeringID)
	if err != nil {
		return Verified{}, err
	}
	var b *domain.Booking
	for i := range active {
		if active[i].ID == bookingID {
			b = &active[i]
		}
	}
	if b == nil {
		return Verified{}, apperr.New(apperr.NotFound, "本项目名单中没有该报名", "No such booking on this offering's roster")
	}
	if identity != b.Identity {
		return Verified{}, apperr.New(apperr.InvalidIDNumber, "与登记的身份证号不一致", "The number does not match the one registered").
			With("id_number", "与登记的身份证号不一致", "does not match the registered number")
	}
	var v *store.Verification
	err = s.Retry.Do(ctx, func(int) error {
		if v, err = s.Store.GetVerification(ctx, identity); err != nil || v != nil {
			return err
		}
		now := s.Now()
		nv := store.Verification{Account: b.Account, ParticipantID: b.ParticipantID, CentreID: o.Centre.ID, BookingID: b.ID,
			Staff: c.Sub, Document: document, VerifiedAt: now}
		a := store.Audit(o.Centre.ID, c.Sub, "participant.verified", b.ID, nil,
			map[string]any{"booking_id": b.ID, "offering_id": o.ID, "participant_id": b.ParticipantID, "document": document}, now)
		if err := s.Store.VerifyIdentity(ctx, identity, nv, a); err != nil {
			return err // a lost race reads again and finds who won
		}
		v = &nv
		return nil
	})
	if err != nil {
		return Verified{}, err
	}
	if v.Account != b.Account {
		return Verified{}, apperr.New(apperr.Conflict, "此身份已由其他账号核验", "This identity was verified for another account")
	}
	if err := s.endOtherHolds(ctx, identity, v.Account); err != nil {
		return Verified{}, err
	}
	return Verified{BookingID: b.ID, ParticipantID: b.ParticipantID, Verified: true, VerifiedAt: v.VerifiedAt.In(domain.CityZone), VerifiedBy: v.Staff}, nil
}

// endOtherHolds cancels every active booking of identity that an account
// other than owner holds, found from the identity's own markers (no scan).
func (s *Service) endOtherHolds(ctx context.Context, identity, owner string) error {
	holds, err := s.Store.HoldsOf(ctx, identity)
	if err != nil {
		return err
	}
	bookings := &residents.Service{Store: s.Store, Now: s.Now, Retry: s.Retry}
	for _, h := range holds {
		if h.Account == owner {
			continue
		}
		_, err := bookings.End(ctx, h.Account, h.BookingID, func(b domain.Booking, now time.Time) store.Ending {
			a := store.Audit(b.Offering.Centre.ID, store.BySystem, "booking.cancel", b.ID,
				map[string]any{"status": b.Status}, map[string]any{"status": domain.BookingCancelled, "cause": EventVerifiedElsewhere}, now)
			n := notices.New(notices.VerifiedElsewhere, now).About(b)
			return store.Ending{By: store.BySystem, Reason: verifiedElsewhereReason.ZH + " / " + verifiedElsewhereReason.EN, Audit: &a, Notice: &n}
		})
		if err != nil {
			return err // verifying again resumes
		}
	}
	return nil
}
