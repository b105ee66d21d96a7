package offers_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/keycustody"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/offers"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// world is an offering with offer hours on a fresh table, a clock the test
// moves, and the services that book, accept and keep offers.
type world struct {
	t    *testing.T
	ctx  context.Context
	st   *store.Store
	cfg  config.Config
	ids  *keycustody.Identities
	now  time.Time
	c    domain.Centre
	res  *residents.Service
	keep *offers.Service
	seq  int
}

func newWorld(t *testing.T) *world {
	cfg := dbtest.Config(t)
	st, ids, _ := dbtest.CustodyOn(t, cfg)
	w := &world{t: t, ctx: context.Background(), st: st, cfg: cfg, ids: ids, now: time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone), c: dbtest.Centre("c1", "binhu")}
	w.res = &residents.Service{Store: st, Now: func() time.Time { return w.now }}
	w.keep = &offers.Service{Store: st}
	w.must(st.PutCentre(w.ctx, w.c, false))
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// offering stores an open course of capacity places whose offers hold for hours.
func (w *world) offering(id string, capacity, hours int) {
	w.t.Helper()
	w.must(w.st.PutOffering(w.ctx, dbtest.Offering(id, w.c, capacity, w.now, func(o *domain.Offering) { o.OfferHours = hours }), false))
}

// book registers a new adult in account and books them (joining the line
// when full), a minute after the last write.
func (w *world) book(account, offering string) domain.Booking {
	w.t.Helper()
	w.seq++
	w.now = w.now.Add(time.Minute)
	birth := time.Date(1995, 3, 1+w.seq, 0, 0, 0, 0, domain.CityZone)
	p, err := domain.Register(w.ctx, domain.NewParticipant{Name: fmt.Sprintf("居民%d", w.seq), BirthDate: birth.Format(domain.DateLayout),
		IDNumber: idnumber.Make("320202", birth, w.seq)}, account, w.ids, w.now)
	w.must(err)
	w.must(w.st.CreateParticipant(w.ctx, p))
	r, err := w.res.Book(w.ctx, residents.Request{Account: account, OfferingID: offering, ParticipantID: p.ID, JoinWaitlist: true})
	w.must(err)
	return r.Booking
}

// status is b's status as stored.
func (w *world) booking(b domain.Booking) domain.Booking {
	w.t.Helper()
	got, err := w.st.GetBooking(w.ctx, b.Account, b.ID)
	w.must(err)
	return got
}

// counters are the offering's confirmed, offered and waitlisted.
func (w *world) counters(id string) [3]int {
	w.t.Helper()
	o, err := w.st.GetOffering(w.ctx, id)
	w.must(err)
	return [3]int{o.Confirmed, o.Offered, o.Waitlisted}
}

// told counts the notices of event in the outbox for booking id.
func (w *world) told(event notices.Event, bookingID string) int {
	w.t.Helper()
	es, err := w.st.OutboxEntries(w.ctx)
	w.must(err)
	n := 0
	for _, e := range es {
		if e.Event == event && e.BookingID == bookingID {
			n++
		}
	}
	return n
}

// keepAt runs the job at the clock's time.
func (w *world) keepAt() offers.Run {
	w.t.Helper()
	r, err := w.keep.Keep(w.ctx, w.now)
	w.must(err)
	return r
}

// TestOfferAcceptDeclineExpire: a place freed goes to the head of the line
// as an offer (offer_made) held for the offering's hours, outside the line;
// accepting confirms it (twice: the same booking); declining hands it on;
// an offer let pass its deadline is expired by the job, once, with the next
// in line offered in the same write; accepting after the deadline is 409
// offer_expired, even before the job ran; another account's is 404.
func TestOfferAcceptDeclineExpire(t *testing.T) {
	w := newWorld(t)
	w.offering("o1", 1, 24)
	held := w.book("a", "o1")
	b, c, d := w.book("b", "o1"), w.book("c", "o1"), w.book("d", "o1")
	if held.Status != domain.BookingConfirmed || b.Status != domain.BookingWaitlisted || w.counters("o1") != [3]int{1, 0, 3} {
		t.Fatalf("booked %s, %s; counters %v", held.Status, b.Status, w.counters("o1"))
	}

	// The confirmed place is cancelled: b is offered it until now + 24 h.
	w.now = w.now.Add(time.Minute)
	_, err := w.res.Cancel(w.ctx, "a", held.ID)
	w.must(err)
	got := w.booking(b)
	if got.Status != domain.BookingOffered || got.OfferExpiresAt == nil || !got.OfferExpiresAt.Equal(w.now.Add(24*time.Hour)) ||
		w.counters("o1") != [3]int{0, 1, 2} || w.told(notices.OfferMade, b.ID) != 1 {
		t.Fatalf("b %s until %v, counters %v, offer_made %d", got.Status, got.OfferExpiresAt, w.counters("o1"), w.told(notices.OfferMade, b.ID))
	}
	if pos, err := w.res.Get(w.ctx, "c", c.ID); err != nil || pos.WaitlistPosition != 1 {
		t.Fatalf("c's place in line %d, %v: b left the line", pos.WaitlistPosition, err)
	}
	// A newcomer finds no place: the offer holds it.
	if e := w.book("e", "o1"); e.Status != domain.BookingWaitlisted {
		t.Fatalf("newcomer %s while an offer holds the place", e.Status)
	}
	// Another account cannot accept b's offer.
	if _, err := w.res.Accept(w.ctx, "c", b.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another account accepts: %v", err)
	}
	// A booking in line has nothing to accept.
	if _, err := w.res.Accept(w.ctx, "c", c.ID); !apperr.Is(err, apperr.Conflict) {
		t.Fatalf("accepting a place in line: %v", err)
	}

	// b declines (cancels): c is offered the place in the same write.
	w.now = w.now.Add(time.Hour)
	_, err = w.res.Cancel(w.ctx, "b", b.ID)
	w.must(err)
	if got := w.booking(c); got.Status != domain.BookingOffered || w.counters("o1") != [3]int{0, 1, 2} {
		t.Fatalf("after b declined: c %s, counters %v", got.Status, w.counters("o1"))
	}
	if due, err := w.st.OffersDue(w.ctx, w.now.Add(100*time.Hour)); err != nil || len(due) != 1 || due[0].ID != c.ID {
		t.Fatalf("offers by deadline %+v, %v: only c's (b's left the index)", due, err)
	}

	// The job, 19 h on: c is within 6 h of the deadline: warned once.
	w.now = w.now.Add(19 * time.Hour)
	if r := w.keepAt(); r.Warned != 1 || r.Expired != 0 {
		t.Fatalf("run %+v, want c warned", r)
	}
	if r := w.keepAt(); r.Warned != 0 || r.Expired != 0 || w.told(notices.OfferExpiring, c.ID) != 1 {
		t.Fatalf("second run %+v, offer_expiring %d: warned twice", r, w.told(notices.OfferExpiring, c.ID))
	}

	// Past the deadline, before the job: c cannot accept.
	w.now = w.now.Add(5 * time.Hour)
	if _, err := w.res.Accept(w.ctx, "c", c.ID); !apperr.Is(err, apperr.OfferExpired) {
		t.Fatalf("accepting past the deadline: %v", err)
	}
	// The job expires it; d is offered the place in the same write.
	if r := w.keepAt(); r.Expired != 1 {
		t.Fatalf("run %+v, want c expired", r)
	}
	if got := w.booking(c); got.Status != domain.BookingExpired || w.told(notices.OfferExpired, c.ID) != 1 {
		t.Fatalf("c %s, offer_expired %d", got.Status, w.told(notices.OfferExpired, c.ID))
	}
	if got := w.booking(d); got.Status != domain.BookingOffered || w.counters("o1") != [3]int{0, 1, 1} || w.told(notices.OfferMade, d.ID) != 1 {
		t.Fatalf("d %s, counters %v", got.Status, w.counters("o1"))
	}
	if r := w.keepAt(); r.Expired != 0 {
		t.Fatalf("a second run expired %d", r.Expired)
	}
	if _, err := w.res.Accept(w.ctx, "c", c.ID); !apperr.Is(err, apperr.OfferExpired) {
		t.Fatalf("accepting an expired offer: %v", err)
	}
	// Cancelling an expired booking returns it as it is, and frees nothing.
	if got, err := w.res.Cancel(w.ctx, "c", c.ID); err != nil || got.Status != domain.BookingExpired || w.counters("o1") != [3]int{0, 1, 1} {
		t.Fatalf("cancelling an expired booking: %s, %v; counters %v", got.Status, err, w.counters("o1"))
	}

	// d accepts: confirmed, out of the index; again: the same booking.
	w.now = w.now.Add(time.Hour)
	for i := range 2 {
		got, err := w.res.Accept(w.ctx, "d", d.ID)
		if err != nil || got.Status != domain.BookingConfirmed || got.ID != d.ID {
			t.Fatalf("accept %d: %s, %v", i, got.Status, err)
		}
	}
	if w.counters("o1") != [3]int{1, 0, 1} {
		t.Fatalf("counters %v after accepting", w.counters("o1"))
	}
	if due, err := w.st.OffersDue(w.ctx, w.now.Add(1000*time.Hour)); err != nil || len(due) != 0 {
		t.Fatalf("offers by deadline %+v, %v after the last was accepted", due, err)
	}
}

// TestOffersWithStaff: a raise of capacity offers the places it opens to
// the head of the line (not confirmed); a cut below the places confirmed
// and offered is refused; cancelling the offering ends the offers too and
// brings every counter to zero.
func TestOffersWithStaff(t *testing.T) {
	w := newWorld(t)
	w.offering("o2", 1, 48)
	w.book("a", "o2")
	b, c, d := w.book("b", "o2"), w.book("c", "o2"), w.book("d", "o2")
	staff := &centrestaff.Service{Store: w.st, Now: func() time.Time { return w.now }}
	officer := auth.Caller{Sub: "officer", Groups: []string{auth.CityOfficers}}
	three := 3
	o, err := staff.Update(w.ctx, officer, "o2", domain.Patch{Capacity: &three})
	w.must(err)
	if o.Confirmed != 1 || o.Offered != 2 || o.Waitlisted != 1 || w.counters("o2") != [3]int{1, 2, 1} {
		t.Fatalf("after the raise: answered %d/%d/%d, stored %v", o.Confirmed, o.Offered, o.Waitlisted, w.counters("o2"))
	}
	for _, x := range []domain.Booking{b, c} {
		if got := w.booking(x); got.Status != domain.BookingOffered || w.told(notices.OfferMade, x.ID) != 1 {
			t.Fatalf("%s %s after the raise", x.Account, got.Status)
		}
	}
	if got := w.booking(d); got.Status != domain.BookingWaitlisted {
		t.Fatalf("d %s", got.Status)
	}
	two := 2
	if _, err := staff.Update(w.ctx, officer, "o2", domain.Patch{Capacity: &two}); !apperr.Is(err, apperr.CapacityBelowConfirmed) {
		t.Fatalf("cut below confirmed + offered: %v", err)
	}
	if _, err := staff.Cancel(w.ctx, officer, "o2", "场地维修"); err != nil {
		t.Fatal(err)
	}
	if w.counters("o2") != [3]int{} {
		t.Fatalf("counters %v after cancelling the offering", w.counters("o2"))
	}
	if due, err := w.st.OffersDue(w.ctx, w.now.Add(1000*time.Hour)); err != nil || len(due) != 0 {
		t.Fatalf("offers by deadline %+v, %v after the offering was cancelled", due, err)
	}
}

// group joins the line of offering with n children of account as one
// sibling group (as a lottery's draw leaves one waiting: one stamp, the
// application's id as the group), a minute after the last write.
func (w *world) group(account, offering, group string, n int) []domain.Booking {
	w.t.Helper()
	w.now = w.now.Add(time.Minute)
	var out []domain.Booking
	for range n {
		w.seq++
		birth := time.Date(1995, 3, 1+w.seq, 0, 0, 0, 0, domain.CityZone)
		p, err := domain.Register(w.ctx, domain.NewParticipant{Name: fmt.Sprintf("孩子%d", w.seq), BirthDate: birth.Format(domain.DateLayout),
			IDNumber: idnumber.Make("320202", birth, w.seq)}, account, w.ids, w.now)
		w.must(err)
		w.must(w.st.CreateParticipant(w.ctx, p))
		o, err := w.st.GetOffering(w.ctx, offering)
		w.must(err)
		change, err := allocation.For(o).Place(o, true)
		w.must(err)
		b := domain.Booking{ID: domain.NewID("bkg", w.now), OfferingID: o.ID, Offering: domain.BookedOffering{Title: o.Title, Kind: o.Kind, Centre: o.Centre, StartsOn: o.StartsOn},
			ParticipantID: p.ID, Participant: domain.BookedParticipant{Name: p.Name}, Status: change.Status, CreatedAt: w.now, UpdatedAt: w.now,
			Account: account, Identity: p.Identity, Term: o.Term, Stamp: w.now.UnixNano(), OfferHours: o.OfferHours, Group: group}
		w.must(w.st.CreateBooking(w.ctx, store.NewBooking{Booking: b, Offering: o, Change: change}))
		out = append(out, b)
	}
	return out
}

// TestGroupOffersKept (issue 14): with a pair of siblings waiting at the
// head of the line, a place freed passes them over to the single behind;
// that single's offer expiring leaves its place free for the pair; the
// second place offers both at once with one deadline; their offers expire
// together in one run of the job, and the places go on to whoever waits
// next. Never more places held than the capacity.
func TestGroupOffersKept(t *testing.T) {
	w := newWorld(t)
	w.offering("o1", 2, 24)
	a, b := w.book("a", "o1"), w.book("b", "o1")
	pair := w.group("fam", "o1", "app_fam", 2)
	s := w.book("s", "o1")
	if s.Status != domain.BookingWaitlisted || w.counters("o1") != [3]int{2, 0, 3} {
		t.Fatalf("the single %s, counters %v", s.Status, w.counters("o1"))
	}
	_, err := w.res.Cancel(w.ctx, "a", a.ID)
	w.must(err)
	if got := w.booking(s); got.Status != domain.BookingOffered || w.booking(pair[0]).Status != domain.BookingWaitlisted || w.counters("o1") != [3]int{1, 1, 2} {
		t.Fatalf("one place: the single %s, the pair %s, counters %v", got.Status, w.booking(pair[0]).Status, w.counters("o1"))
	}
	// The single lets the offer pass: its place waits for the pair.
	w.now = w.now.Add(25 * time.Hour)
	if r := w.keepAt(); r.Expired != 1 || w.counters("o1") != [3]int{1, 0, 2} {
		t.Fatalf("run %+v, counters %v", r, w.counters("o1"))
	}
	// The second place: both offered at once, until one deadline.
	_, err = w.res.Cancel(w.ctx, "b", b.ID)
	w.must(err)
	p0, p1 := w.booking(pair[0]), w.booking(pair[1])
	if p0.Status != domain.BookingOffered || p1.Status != domain.BookingOffered || !p0.OfferExpiresAt.Equal(*p1.OfferExpiresAt) || w.counters("o1") != [3]int{0, 2, 0} {
		t.Fatalf("the pair %s %s until %v %v, counters %v", p0.Status, p1.Status, p0.OfferExpiresAt, p1.OfferExpiresAt, w.counters("o1"))
	}
	late := w.book("late", "o1")
	w.now = p0.OfferExpiresAt.Add(time.Minute)
	if r := w.keepAt(); r.Expired != 2 {
		t.Fatalf("run %+v: the pair's offers expire together", r)
	}
	if got := w.booking(late); got.Status != domain.BookingOffered || w.counters("o1") != [3]int{0, 1, 0} {
		t.Fatalf("the next in line %s, counters %v", got.Status, w.counters("o1"))
	}
}
