// Package residents carries out the residents' booking rules against the
// store: decide from one read, write once, and read again and retry when a
// concurrent booking got there first.
package residents

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/metrics"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/retry"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// IdempotencyTTL is how long an application's Idempotency-Key is
// remembered (the contract asks for at least 24 hours). A booking's is
// remembered as long as the booking is there: it is the key's record.
const IdempotencyTTL = 48 * time.Hour

// Service books and cancels.
type Service struct {
	Store *store.Store
	Now   func() time.Time
	// Retry bounds the reads and writes again after a lost race (attempts
	// and the request's deadline); a request that gives up answers 503,
	// which the client may safely retry. The zero value is retry.Default.
	Retry retry.Policy
}

// Request is a resident's booking request.
type Request struct {
	Account        string
	OfferingID     string
	ParticipantID  string `json:"participant_id"`
	JoinWaitlist   bool   `json:"join_waitlist"`
	IdempotencyKey string
	// Assist is set when staff book at their centre's counter (issue 20):
	// only the centre's offerings, marked by staff, audited.
	Assist *Assist
}

// hash identifies the request's content for idempotency: the same key with a
// different offering, participant or waitlist choice is a different request.
func (r Request) hash() string { return requestHash(r.OfferingID, r.ParticipantID, r.JoinWaitlist) }

// requestHash is the hex SHA-256 of a request's content, for idempotency.
func requestHash(content ...any) string {
	b, _ := json.Marshal(content)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// inputs reads what a booking or an application is decided on (the
// offering, the caller's participant, an earlier answer under the key, kept
// where earlier says) and refuses what neither can go on with: the key used
// for another request (hash) or spent (its booking erased), an offering
// not public, a participant not the caller's. With a Replay the caller
// answers as it first did.
func (s *Service) inputs(ctx context.Context, at *Assist, account, offeringID, participantID string, earlier store.Earlier, hash string, now time.Time) (store.BookingInputs, error) {
	in, err := s.Store.LoadBookingInputs(ctx, account, offeringID, participantID, earlier, now)
	switch {
	case err != nil:
		return in, err
	case at != nil && (in.Offering == nil || !at.reaches(in.Offering.Centre.ID)):
		// At the counter another centre's offering is not there, before
		// any other answer (even a replay): nothing is written.
		return in, domain.NotFound("offering")
	case in.Replay != nil && in.Replay.RequestHash != hash:
		return in, apperr.New(apperr.IdempotencyKeyReused, "此 Idempotency-Key 已用于另一个请求", "This Idempotency-Key was already used for a different request")
	case in.Replay != nil && in.Replay.Booking != nil && in.Replay.Booking.Erased:
		// The key's booking was erased (retention, or the resident's own
		// erasure) and its id stays taken: the key is spent, never a
		// second booking under one id.
		return in, apperr.New(apperr.IdempotencyKeyReused, "此 Idempotency-Key 已用过，其报名已删除；请换一个", "This Idempotency-Key was used for a booking since erased; use a new key")
	case in.Replay != nil:
		return in, nil
	case in.Offering == nil || !in.Offering.Public():
		return in, domain.NotFound("offering")
	case in.Participant == nil:
		return in, apperr.New(apperr.NotFound, "找不到该参与人，请先登记", "No such participant; register them first").
			With("participant_id", "不存在", "not found")
	}
	return in, nil
}

// Result is a booking and whether it answers a retry of an earlier request.
type Result struct {
	Booking  domain.Booking
	Replayed bool
}

// Book applies the contract's booking rules: the offering must be bookable,
// the allocation policy places the booking, and store.CreateBooking writes
// it with the rules checked in the write. A retry under the same Idempotency-Key gets the booking the first
// request made, as it stands now.
func (s *Service) Book(ctx context.Context, req Request) (Result, error) {
	// Under an Idempotency-Key the booking's id is made from it, and the
	// booking is the key's record: a retry reads that id.
	bookingID, earlier := domain.NewID("bk", s.Now()), store.Earlier{}
	if req.IdempotencyKey != "" {
		bookingID = domain.KeyedID("bk", req.Account, req.IdempotencyKey)
		earlier.BookingID = bookingID
	}
	var res Result
	err := s.Retry.Do(ctx, func(attempt int) error {
		now := s.Now()
		in, err := s.inputs(ctx, req.Assist, req.Account, req.OfferingID, req.ParticipantID, earlier, req.hash(), now)
		if err != nil {
			return err
		}
		if in.Replay != nil {
			// Read with the inputs, as it stands now: only its place in
			// line is left to count.
			b := *in.Replay.Booking
			if b.Status == domain.BookingWaitlisted {
				b.WaitlistPosition, err = s.Store.WaitlistPosition(ctx, b)
			}
			res = Result{Booking: b, Replayed: true}
			return err
		}
		o, p := *in.Offering, *in.Participant
		change, err := allocation.Book(allocation.For(o), o, p, now, req.JoinWaitlist)
		if err != nil {
			return err
		}
		status := change.Status
		// Arrival is stamped after the read, so a booking that saw the
		// offering full is stamped after every booking that saw a place free.
		now = s.Now()
		b := domain.Booking{
			ID: bookingID, OfferingID: o.ID,
			Offering:      domain.BookedOffering{Title: o.Title, Kind: o.Kind, Centre: o.Centre, StartsOn: o.StartsOn},
			ParticipantID: p.ID, Participant: domain.BookedParticipant{Name: p.Name},
			Status: status, CreatedAt: now, UpdatedAt: now,
			Account: req.Account, Identity: p.Identity, Term: o.Term, Stamp: now.UnixNano(),
			BirthDate: p.BirthDate, IDNumberLast4: p.IDNumberLast4,
			// Kept so that ending it decides an offer without reading the offering.
			OfferHours: o.OfferHours, By: req.Assist.by(),
		}
		// The first try can know its place in line for free, by also
		// requiring the line to be as long as it was read; under contention
		// later tries drop that and count instead.
		exact := attempt == 0
		if status == domain.BookingWaitlisted && exact {
			b.WaitlistPosition = o.Waitlisted + 1
			change.Guard.All = append(change.Guard.All, allocation.Is(allocation.Waitlisted, o.Waitlisted))
		}
		// The city's bus hears of every booking made (ids only) from the
		// table's stream, not from this write (store.BookingNotice).
		// A try after a lost race reads the person again and refuses from
		// the rules on what it read (the term limit reached by the very
		// bookings it raced, the offering held): the answer names the rule
		// that stops it, whatever failed in the cancelled write, and it
		// spends no write on a booking the rules refuse.
		if attempt > 0 {
			if err := s.Store.PersonRefusal(ctx, o, b); err != nil {
				return err
			}
		}
		nb := store.NewBooking{Booking: b, Offering: o, Change: change,
			Audit: req.Assist.audit("assist.book", b.ID, req.Account, map[string]any{"offering_id": o.ID, "participant_id": p.ID, "status": status}, now)}
		if req.IdempotencyKey != "" {
			nb.RequestHash = req.hash()
		}
		// ErrContention and ErrIdempotencyTaken go round again: read afresh.
		if err := s.Store.CreateBooking(ctx, nb); err != nil {
			return err
		}
		if status == domain.BookingWaitlisted && !exact {
			if b.WaitlistPosition, err = s.Store.WaitlistPosition(ctx, b); err != nil {
				return err
			}
		}
		res = Result{Booking: b}
		return nil
	})
	if err != nil {
		return Result{}, err
	}
	if !res.Replayed {
		metrics.Count(ctx, metrics.Bookings, metrics.Dim{Name: "Status", Value: string(res.Booking.Status)})
	}
	return res, nil
}

// Get reads one of the account's bookings with its current place in line.
func (s *Service) Get(ctx context.Context, account, id string) (domain.Booking, error) {
	b, err := s.Store.GetBooking(ctx, account, id)
	if err != nil || b.Status != domain.BookingWaitlisted {
		return b, err
	}
	b.WaitlistPosition, err = s.Store.WaitlistPosition(ctx, b)
	return b, err
}

// List pages through the account's bookings with their places in line: one
// Query for the page and one per offering the waitlisted ones wait for.
func (s *Service) List(ctx context.Context, account string, status domain.BookingStatus, page paging.Page) ([]domain.Booking, string, error) {
	return s.ListAs(ctx, Actor{Account: account}, status, page)
}

// Cancel cancels one of the account's bookings; cancelling a cancelled (or
// expired) booking returns it unchanged. A freed place goes where the allocation
// policy says (the head of the line: confirmed, or offered the place when
// the offering holds offers) in the same write. Declining an offer is
// cancelling it.
func (s *Service) Cancel(ctx context.Context, account, id string) (domain.Booking, error) {
	return s.CancelAs(ctx, Actor{Account: account}, id)
}

// CancelAs is Cancel for who: at the counter only a booking at the
// counter's centre (another is not found), cancelled by staff and audited
// (assist.cancel) in the same write.
func (s *Service) CancelAs(ctx context.Context, who Actor, id string) (domain.Booking, error) {
	return s.end(ctx, who, id, func(b domain.Booking, now time.Time) store.Ending {
		n := notices.New(notices.BookingCancelled, now).About(b) // the bus's only: the resident did it (or was there)
		e := store.Ending{By: store.ByResident, Notice: &n}
		if who.Assist != nil {
			e.By, e.Audit = store.ByStaff, who.Assist.audit("assist.cancel", b.ID, who.Account, map[string]any{"offering_id": b.OfferingID}, now)
		}
		return e
	})
}

// End cancels one of the account's bookings as Cancel does, on behalf of
// whoever ending says (from the booking as read and the time), with what
// ending records in the same write.
func (s *Service) End(ctx context.Context, account, id string, ending func(domain.Booking, time.Time) store.Ending) (domain.Booking, error) {
	return s.end(ctx, Actor{Account: account}, id, ending)
}

func (s *Service) end(ctx context.Context, who Actor, id string, ending func(domain.Booking, time.Time) store.Ending) (domain.Booking, error) {
	var b domain.Booking
	err := s.Retry.Do(ctx, func(int) error {
		var err error
		if b, err = s.Store.GetBooking(ctx, who.Account, id); err == nil && !who.Assist.reaches(b.Offering.Centre.ID) {
			return domain.NotFound("booking")
		}
		// A booking already ended (cancelled, or an offer expired) is
		// returned as it is: it holds nothing to hand on.
		if err != nil || !b.Status.Active() {
			return err
		}
		// The policy sees as much of the line as it needs to hand on what
		// the ending frees; its change is written with the ending.
		now := s.Now()
		change, err := s.Store.Freed(ctx, b, now)
		if err != nil {
			return err
		}
		e := ending(b, now)
		if err := s.Store.EndBooking(ctx, b, change, now, e); err != nil {
			return err // ErrContention goes round again
		}
		b.Status, b.UpdatedAt, b.CancelledAt, b.CancelledBy, b.CancelReason = domain.BookingCancelled, now, &now, e.By, e.Reason
		return nil
	})
	if err != nil {
		return domain.Booking{}, err
	}
	return b, nil
}
