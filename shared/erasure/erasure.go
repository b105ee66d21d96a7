// Package erasure carries out a resident's rights over their data: erasing
// a participant (on request, when a guardian withdraws consent, or when the
// retention period ends), deleting the account, and exporting it. Each
// erasure is a sequence of steps that can each be repeated, so one cut
// short is finished by running it again.
package erasure

import (
	"context"
	"errors"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Service erases and exports.
type Service struct {
	Store   *store.Store
	Booking *residents.Service
	Now     func() time.Time
}

// Active says what to do with a participant's active bookings.
type Active int

const (
	// Refuse: a participant with an active booking is not erased (409
	// has_active_bookings); the resident cancels first.
	Refuse Active = iota
	// Cancel them first, as the resident would: a freed place goes to the
	// head of the waitlist.
	Cancel
)

var errActive = apperr.New(apperr.HasActiveBookings, "该参与人仍有有效的报名，请先取消", "This participant still has active bookings; cancel them first")

// Participant erases one of the account's participants: their personal
// data leaves every booking of theirs (the bookings stay, anonymous, for
// the city's figures), and the participant item, its identity markers and
// its share of the city's participant count go. In order: the participant
// is marked as being erased, so no booking for them can land meanwhile;
// their bookings are read; active ones (of offerings not yet ended) are
// refused or cancelled; every booking is erased; the participant is deleted.
// A participant not found is not_found.
func (s *Service) Participant(ctx context.Context, account, participantID string, active Active) error {
	p, err := s.Store.GetParticipant(ctx, account, participantID)
	if err != nil {
		return err
	}
	if active == Refuse {
		// Refuse before marking, so a refused request leaves nothing behind.
		if live, err := s.live(ctx, account, participantID); err != nil || len(live) > 0 {
			return cmpErr(err, errActive)
		}
	}
	if err := s.Store.MarkErasing(ctx, account, participantID, s.Now()); err != nil {
		return err
	}
	live, err := s.live(ctx, account, participantID)
	if err != nil {
		return err
	}
	if len(live) > 0 && active == Refuse {
		// Booked between the check and the mark.
		return cmpErr(s.Store.UnmarkErasing(ctx, account, participantID), errActive)
	}
	for _, b := range live {
		if _, err := s.Booking.Cancel(ctx, account, b.ID); err != nil {
			return err
		}
	}
	if err := s.applications(ctx, account, participantID); err != nil {
		return err
	}
	bs, err := s.Store.ParticipantBookings(ctx, account, participantID)
	if err != nil {
		return err
	}
	now := s.Now()
	for _, b := range bs {
		if err := s.Store.EraseBooking(ctx, b, now); err != nil {
			return err
		}
	}
	return s.Store.DeleteParticipant(ctx, p)
}

// applications withdraws the participant's applications still in a draw
// whose applications are open, so the draw books no one erased, and deletes
// the records of those no longer in one (they name the participant). An
// application whose draw has closed its tickets stays for the draw: its
// booking is then erased as any other.
func (s *Service) applications(ctx context.Context, account, participantID string) error {
	as, err := s.Store.ParticipantApplications(ctx, account, participantID)
	if err != nil {
		return err
	}
	for _, a := range as {
		if a.Status == domain.ApplicationApplied {
			if _, err := s.Booking.Withdraw(ctx, account, a.ID); apperr.Is(err, apperr.ApplicationsClosed) {
				continue
			} else if err != nil {
				return err
			}
		}
		if err := s.Store.DeleteApplication(ctx, a); err != nil {
			return err
		}
	}
	return nil
}

// KeptUntil is the day to which the participant's bookings keep their
// personal data: 12 months after the end of the last offering booked (any
// status: a cancelled booking names the person too), or "" with no
// bookings. The retention job compares it with the registration's day.
func (s *Service) KeptUntil(ctx context.Context, account, participantID string) (string, error) {
	bs, err := s.Store.ParticipantBookings(ctx, account, participantID)
	if err != nil || len(bs) == 0 {
		return "", err
	}
	ids := make([]string, len(bs))
	for i, b := range bs {
		ids[i] = b.OfferingID
	}
	ends, err := s.Store.OfferingEnds(ctx, ids)
	if err != nil {
		return "", err
	}
	last := ""
	for _, end := range ends {
		last = max(last, end)
	}
	if last == "" {
		return "", nil
	}
	return store.RetainedAfter(last)
}

// cmpErr is err if there was one, else the refusal.
func cmpErr(err, refusal error) error {
	if err != nil {
		return err
	}
	return refusal
}

// live are the participant's active bookings of offerings that have not
// ended. A confirmed booking of an offering that is over holds nothing any
// more: it is history, erased as it is.
func (s *Service) live(ctx context.Context, account, participantID string) ([]domain.Booking, error) {
	bs, err := s.Store.ParticipantBookings(ctx, account, participantID)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, b := range bs {
		if b.Status.Active() {
			ids = append(ids, b.OfferingID)
		}
	}
	if len(ids) == 0 {
		return nil, nil
	}
	ends, err := s.Store.OfferingEnds(ctx, ids)
	if err != nil {
		return nil, err
	}
	today := s.Now().In(domain.CityZone).Format(domain.DateLayout)
	var out []domain.Booking
	for _, b := range bs {
		if end, ok := ends[b.OfferingID]; b.Status.Active() && ok && end >= today {
			out = append(out, b)
		}
	}
	return out, nil
}

// WithdrawConsent is a guardian withdrawing consent for a child: the
// child's active bookings are cancelled and their data erased, and the
// consent record is marked withdrawn (it is kept, as proof of what was
// agreed and when). Not found without a consent record. A repeat, or a
// run after one cut short, finishes the job and answers the same.
func (s *Service) WithdrawConsent(ctx context.Context, account, participantID string) error {
	if _, err := s.Store.GetConsent(ctx, account, participantID); err != nil {
		return err
	}
	err := s.Participant(ctx, account, participantID, Cancel)
	if err != nil && !IsNotFound(err) {
		return err
	}
	return s.Store.WithdrawConsent(ctx, account, participantID, s.Now())
}

// Account deletes an account's personal data: every active booking is
// cancelled, every participant erased, and the account's other items
// (messages, idempotency records) deleted. What stays: the anonymous
// bookings, for the city's figures, and the consent records, as proof.
// Running it again finds nothing more to do.
func (s *Service) Account(ctx context.Context, account string) error {
	a, err := s.Store.ReadAccount(ctx, account)
	if err != nil {
		return err
	}
	for _, p := range a.Participants {
		if err := s.Participant(ctx, account, p.ID, Cancel); err != nil && !IsNotFound(err) {
			return err
		}
	}
	// Read again: what is left once the participants are gone.
	if a, err = s.Store.ReadAccount(ctx, account); err != nil {
		return err
	}
	now := s.Now()
	for _, b := range a.Bookings { // a booking whose participant was already gone
		if b.Status.Active() {
			if _, err := s.Booking.Cancel(ctx, account, b.ID); err != nil && !IsNotFound(err) {
				return err
			}
		}
		if err := s.Store.EraseBooking(ctx, b, now); err != nil {
			return err
		}
	}
	return s.Store.DeleteItems(ctx, a.Disposable)
}

// IsNotFound: err is not_found (already erased, or never there).
func IsNotFound(err error) bool {
	e, ok := errors.AsType[*apperr.Error](err)
	return ok && e.Code == apperr.NotFound
}

// Export is everything held about an account, as GET /v1/me/export gives it.
type Export struct {
	ExportedAt   time.Time            `json:"exported_at"`
	Account      ExportAccount        `json:"account"`
	Participants []domain.Participant `json:"participants"`
	Bookings     []domain.Booking     `json:"bookings"`
	Applications []domain.Application `json:"applications"`
	Consents     []store.Consent      `json:"consents"`
	Messages     []store.Message      `json:"messages"`
	// MessagePreferences are the channels the account chose (null: never
	// chosen, so the default); CalendarFeed says when its secret calendar
	// address was made (null: none; the secret itself is not kept).
	MessagePreferences *store.Preferences  `json:"message_preferences"`
	CalendarFeed       *store.CalendarFeed `json:"calendar_feed"`
}

// ExportAccount names the account exported.
type ExportAccount struct {
	ID string `json:"id"`
}

// Export reads the account whole (store.MaxAccountItems at most), with the
// waitlisted bookings' places in line.
func (s *Service) Export(ctx context.Context, account string) (Export, error) {
	a, err := s.Store.ReadAccount(ctx, account)
	if err != nil {
		return Export{}, err
	}
	if a.Items > store.MaxAccountItems {
		return Export{}, apperr.New(apperr.PayloadTooLarge, "账号数据过多，无法一次导出，请联系客服", "The account holds too much to export at once; please contact support")
	}
	if err := s.Store.WaitlistPositions(ctx, a.Bookings); err != nil {
		return Export{}, err
	}
	return Export{
		ExportedAt: s.Now().In(domain.CityZone), Account: ExportAccount{ID: account},
		Participants: a.Participants, Bookings: a.Bookings, Applications: a.Applications,
		Consents: a.Consents, Messages: a.Messages,
		MessagePreferences: a.Preferences, CalendarFeed: a.CalendarFeed,
	}, nil
}
