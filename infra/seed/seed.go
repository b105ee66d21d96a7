// Package seed fills a store with demo data for the local stack: centres in
// every district, offerings of all four kinds in every state a resident or
// the city can meet, and residents with bookings. Everything is written
// through the store and the booking service, so the demo obeys the same
// rules as production data, and with fixed ids and idempotency keys, so
// running it again changes nothing.
//
// For the city's views it also writes a history (cityhistory.go): the
// offerings of earlier terms since 1 January of last year, the change
// ledger of every offering ever in service, a year of daily snapshots that
// agree with that ledger, and last year's childcare target. Nobody is
// booked into the earlier terms' offerings, so their counters and rosters
// are empty; what they had is in the snapshots of their days.
package seed

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/beacon"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Deps is what Run writes through. Now should be the booking service's
// clock: booking windows are set relative to it.
type Deps struct {
	Store   *store.Store
	Booking *residents.Service
	// Identities turns the demo ID numbers into identities (KMS GenerateMac).
	Identities domain.Identifier
	Now        func() time.Time                 // time.Now when nil
	Progress   func(format string, args ...any) // may be nil
	// Beacon fixes the demo lottery's beacon round; without one the demo
	// has no lottery offering.
	Beacon beacon.Beacon
}

// Summary is what the store holds of the demo data after a run. Bookings
// counts every seeded booking, cancelled ones too; Confirmed and Waitlisted
// count those in each state.
type Summary struct {
	Centres, Offerings, Participants, Bookings, Confirmed, Waitlisted int
	// Blocked is the account and participant that last term's absences
	// block from evening courses this term.
	BlockedAccount, BlockedParticipant string
	// The city's history as the store holds it: offerings of earlier terms,
	// change-ledger entries and daily snapshots, and the day of the
	// ledger's first entry (YYYY-MM-DD).
	PastOfferings, Changes, Snapshots int
	LedgerFrom                        string
	// Target is the seeded target the city views measure.
	Target cityfigures.Target
}

// Run writes the demo data, or finds it already there. Running it again on
// the same store writes nothing new and returns the same Summary.
func Run(ctx context.Context, d Deps) (Summary, error) {
	if d.Store == nil || d.Booking == nil || d.Identities == nil {
		return Summary{}, errors.New("seed: Store, Booking and Identities are required")
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	r := &runner{d: d, cal: newCalendar(d.Now()), offerings: map[string]domain.Offering{},
		participants: map[string]domain.Participant{}, existing: map[string]map[string]domain.Booking{}}
	for _, step := range []func(context.Context) error{r.putCentres, r.putOfferings, r.putJoining, r.putParticipants, r.book, r.history, r.cityHistory, r.putLottery, r.putPolicies, r.putRound} {
		if err := step(ctx); err != nil {
			return Summary{}, fmt.Errorf("seed: %w", err)
		}
	}
	return r.summary(), nil
}

type runner struct {
	d   Deps
	cal calendar
	// offerings and participants as stored: on a second run, as the first
	// run wrote them, whatever the date is now.
	offerings    map[string]domain.Offering
	participants map[string]domain.Participant
	people       []resident
	bookings     []*seeded
	blocked      [2]string // account, participant
	// existing caches each account's bookings by offering and participant.
	existing map[string]map[string]domain.Booking
	hist     struct {
		past, changes, snapshots int
		from                     string
		target                   cityfigures.Target
	}
}

// seeded is one seeded booking as it stands.
type seeded struct {
	id, account, offering string
	status                domain.BookingStatus
}

func (r *runner) progress(format string, args ...any) {
	if r.d.Progress != nil {
		r.d.Progress(format, args...)
	}
}

func (r *runner) putCentres(ctx context.Context) error {
	for _, c := range centres {
		if err := r.d.Store.PutCentre(ctx, c, true); err != nil {
			return fmt.Errorf("centre %s: %w", c.ID, err)
		}
	}
	r.progress("写入机构 / centres: %d", len(centres))
	return nil
}

func (r *runner) putOfferings(ctx context.Context) error {
	byID := map[string]domain.Centre{}
	for _, c := range centres {
		byID[c.ID] = c
	}
	for _, s := range offerings {
		if err := r.d.Store.PutOffering(ctx, s.offering(byID[s.centre], r.cal), true); err != nil {
			return fmt.Errorf("offering %s: %w", s.id, err)
		}
		o, err := r.d.Store.GetOffering(ctx, s.id)
		if err != nil {
			return fmt.Errorf("offering %s: %w", s.id, err)
		}
		r.offerings[s.id] = o
	}
	r.progress("写入项目 / offerings: %d（%s 起的%s托班，%s 开学的夜校，%s 入托）", len(offerings),
		day(r.cal.holiday.periods[0].start), r.cal.holiday.name, day(r.cal.eveningStart), day(r.cal.childcareStart))
	return nil
}

// putParticipants registers every resident, or finds them registered.
// A participant found keeps its stored birth date, so a run on a later day
// books the same people as the first.
func (r *runner) putParticipants(ctx context.Context) error {
	r.people = population(r.cal)
	accounts := map[string]bool{}
	for _, res := range r.people {
		p, err := r.participant(ctx, res)
		if err != nil {
			return fmt.Errorf("participant %s: %w", res.id, err)
		}
		r.participants[res.id] = p
		accounts[res.account] = true
	}
	r.progress("登记参与人 / participants: %d（%d 个账号 / accounts）", len(r.participants), len(accounts))
	return nil
}

func (r *runner) participant(ctx context.Context, res resident) (domain.Participant, error) {
	p, err := r.d.Store.GetParticipant(ctx, res.account, res.id)
	if !apperr.Is(err, apperr.NotFound) {
		return p, err
	}
	if p, err = res.participant(ctx, r.d.Identities, r.d.Now()); err != nil {
		return p, err
	}
	err = r.d.Store.CreateParticipant(ctx, p)
	if apperr.Is(err, apperr.Conflict) {
		// Registered meanwhile; it must be under this id to be ours.
		return r.d.Store.GetParticipant(ctx, res.account, res.id)
	}
	return p, err
}

// book makes the planned bookings in arrival order, then the planned
// cancellations, then closes the offerings meant to be closed.
func (r *runner) book(ctx context.Context) error {
	plans, err := r.plan()
	if err != nil {
		return err
	}
	for _, s := range offerings {
		var mine []*seeded
		for _, p := range plans[s.id] {
			b, err := r.bookOne(ctx, s.id, p)
			if err != nil {
				return fmt.Errorf("booking %s for %s: %w", s.id, p.ID, err)
			}
			if b != nil {
				r.bookings = append(r.bookings, b)
			}
			mine = append(mine, b)
		}
		for _, i := range s.cancel {
			if i >= len(mine) {
				return fmt.Errorf("%s: no booking %d to cancel", s.id, i)
			}
			if err := r.cancel(ctx, mine[i]); err != nil {
				return fmt.Errorf("cancelling in %s: %w", s.id, err)
			}
		}
		if s.state == closed {
			if err := r.close(ctx, s.id); err != nil {
				return fmt.Errorf("closing %s: %w", s.id, err)
			}
		}
	}
	sum := r.summary()
	r.progress("报名 / bookings: %d（已确认 / confirmed %d，候补 / waitlisted %d，已取消 / cancelled %d）",
		sum.Bookings, sum.Confirmed, sum.Waitlisted, sum.Bookings-sum.Confirmed-sum.Waitlisted)
	return nil
}

// bookOne finds p's booking of the offering, or makes it. It looks first in
// the account's bookings, so a run after the idempotency key has expired
// still finds what the first run made; the key covers a retry of this very
// request. It returns nil when the person holds the place through another
// account (not a seeded booking).
func (r *runner) bookOne(ctx context.Context, offering string, p domain.Participant) (*seeded, error) {
	return r.bookOneWith(ctx, r.d.Booking, offering, p)
}

// bookOneWith is bookOne through svc, which may keep another clock.
func (r *runner) bookOneWith(ctx context.Context, svc *residents.Service, offering string, p domain.Participant) (*seeded, error) {
	found, err := r.find(ctx, p.Account, offering, p.ID, false)
	if err != nil || found != nil {
		return found, err
	}
	res, err := svc.Book(ctx, residents.Request{
		Account: p.Account, OfferingID: offering, ParticipantID: p.ID, JoinWaitlist: true,
		IdempotencyKey: "seed-" + offering + "-" + p.ID,
	})
	switch {
	case err == nil:
		// A replay is the booking an earlier run made, as it stands now.
		b := res.Booking
		return &seeded{id: b.ID, account: b.Account, offering: offering, status: b.Status}, nil
	case apperr.Is(err, apperr.AlreadyBooked):
		found, err := r.find(ctx, p.Account, offering, p.ID, true)
		if err == nil && found == nil {
			r.progress("跳过 / skipped: %s 已通过其他账号报名 %s", p.ID, offering)
		}
		return found, err
	}
	return nil, err
}

// find looks up the account's booking of offering for participant, reading
// the account's bookings once (again when fresh is set).
func (r *runner) find(ctx context.Context, account, offering, participant string, fresh bool) (*seeded, error) {
	have, ok := r.existing[account]
	if !ok || fresh {
		have = map[string]domain.Booking{}
		page := paging.Page{Limit: 200}
		for {
			bs, next, err := r.d.Store.ListBookings(ctx, account, "", page)
			if err != nil {
				return nil, err
			}
			for _, b := range bs {
				// Newest first: an active booking after a cancelled one wins.
				if _, dup := have[b.OfferingID+"|"+b.ParticipantID]; !dup {
					have[b.OfferingID+"|"+b.ParticipantID] = b
				}
			}
			if next == "" {
				break
			}
			page.Cursor = next
		}
		r.existing[account] = have
	}
	b, ok := have[offering+"|"+participant]
	if !ok {
		return nil, nil
	}
	return &seeded{id: b.ID, account: account, offering: offering, status: b.Status}, nil
}

// cancel cancels a seeded booking; cancelling a confirmed one promotes the
// head of the waitlist, which is tracked here rather than read back.
func (r *runner) cancel(ctx context.Context, b *seeded) error {
	if b == nil || b.status == domain.BookingCancelled {
		return nil
	}
	var head []allocation.Waiting
	if b.status == domain.BookingConfirmed {
		var err error
		if head, err = r.d.Store.Waiters(ctx, b.offering, 1); err != nil {
			return err
		}
	}
	if _, err := r.d.Booking.Cancel(ctx, b.account, b.id); err != nil {
		return err
	}
	b.status = domain.BookingCancelled
	for _, o := range r.bookings {
		if len(head) > 0 && o.id == head[0].BookingID {
			o.status = domain.BookingConfirmed
		}
	}
	return nil
}

// close closes an offering once its bookings are in, keeping its counters:
// the store has no status-only update, and nothing else writes meanwhile.
func (r *runner) close(ctx context.Context, id string) error {
	o, err := r.d.Store.GetOffering(ctx, id)
	if err != nil || o.Status != domain.OfferingPublished {
		return err
	}
	o.Status = domain.OfferingClosed
	return r.d.Store.PutOffering(ctx, o, false)
}

func (r *runner) summary() Summary {
	// The +1s: the joining centre and its draft offering (putJoining).
	s := Summary{Centres: len(centres) + 1, Offerings: len(offerings) + 1 + 1, Participants: len(r.participants), Bookings: len(r.bookings),
		BlockedAccount: r.blocked[0], BlockedParticipant: r.blocked[1],
		PastOfferings: r.hist.past, Changes: r.hist.changes, Snapshots: r.hist.snapshots, LedgerFrom: r.hist.from, Target: r.hist.target}
	if r.d.Beacon != nil {
		s.Offerings += 2 + len(roundSpecs) // the two lotteries and the round's
	}
	for _, b := range r.bookings {
		switch b.status {
		case domain.BookingConfirmed:
			s.Confirmed++
		case domain.BookingWaitlisted:
			s.Waitlisted++
		}
	}
	return s
}
