package store_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// bookingFixture is one offering of capacity 1 with a line, and people
// registered in account "acc" to book it.
type bookingFixture struct {
	t   *testing.T
	ctx context.Context
	st  *store.Store
	o   domain.Offering
	now time.Time
	// registered: the people already registered (once each: a second
	// registration of one id is not what a request does).
	registered map[string]bool
}

func newBookingFixture(t *testing.T, edit func(*domain.Offering)) *bookingFixture {
	t.Helper()
	f := &bookingFixture{t: t, ctx: context.Background(), now: time.Date(2026, 12, 2, 10, 0, 0, 0, domain.CityZone), registered: map[string]bool{}}
	f.st, _ = dbtest.Store(t)
	c := dbtest.Centre("c1", "binhu")
	if err := f.st.PutCentre(f.ctx, c, false); err != nil {
		t.Fatal(err)
	}
	f.o = dbtest.Offering("o1", c, 1, f.now, func(o *domain.Offering) {
		o.WaitlistEnabled = true
		if edit != nil {
			edit(o)
		}
	})
	if err := f.st.PutOffering(f.ctx, f.o, false); err != nil {
		t.Fatal(err)
	}
	return f
}

// offering reads the offering as it stands.
func (f *bookingFixture) offering() domain.Offering {
	f.t.Helper()
	o, err := f.st.GetOffering(f.ctx, f.o.ID)
	if err != nil {
		f.t.Fatal(err)
	}
	return o
}

// book writes a booking of person seq as o's policy decides on o (as read
// by the caller), arriving at stamp.
func (f *bookingFixture) book(o domain.Offering, seq int, stamp int64) (domain.Booking, error) {
	f.t.Helper()
	id := "p" + string(rune('0'+seq))
	if !f.registered[id] {
		if err := f.st.CreateParticipant(f.ctx, domain.Participant{ID: id, Name: "测试", BirthDate: "1995-03-01", IDNumberLast4: "0012",
			Account: "acc", Identity: "identity-" + id, CreatedAt: f.now}); err != nil {
			f.t.Fatal(err)
		}
		f.registered[id] = true
	}
	change, err := allocation.For(o).Place(o, true)
	if err != nil {
		return domain.Booking{}, err
	}
	b := domain.Booking{ID: "bk-" + id, OfferingID: o.ID, Offering: domain.BookedOffering{Title: o.Title, Kind: o.Kind, Centre: o.Centre, StartsOn: o.StartsOn},
		ParticipantID: id, Status: change.Status, CreatedAt: f.now, UpdatedAt: f.now,
		Account: "acc", Identity: "identity-" + id, Term: o.Term, Stamp: stamp, OfferHours: o.OfferHours}
	return b, f.st.CreateBooking(f.ctx, store.NewBooking{Booking: b, Offering: o, Change: change})
}

// TestBookingWritesFollowTheChange: the store writes what the policy
// decided, under its guard: a place, then the line in arrival order; a
// decision made on a stale read goes round again; a freed place goes to the
// head of the line in the same write.
func TestBookingWritesFollowTheChange(t *testing.T) {
	f := newBookingFixture(t, nil)
	read := f.offering()
	first, err := f.book(read, 1, 10)
	if err != nil || first.Status != domain.BookingConfirmed {
		t.Fatalf("first: %v %v", first.Status, err)
	}
	// Decided on the read from before the first booking: a place is free.
	// The write requires what it was decided on, so it must go round again.
	if _, err := f.book(read, 2, 20); !errors.Is(err, store.ErrContention) {
		t.Fatalf("a stale decision: %v, want ErrContention", err)
	}
	for seq, stamp := range map[int]int64{3: 30, 2: 20} { // arrival order is the stamp's, not the write's
		if b, err := f.book(f.offering(), seq, stamp); err != nil || b.Status != domain.BookingWaitlisted {
			t.Fatalf("person %d: %v %v", seq, b.Status, err)
		}
	}
	o := f.offering()
	if o.Confirmed != 1 || o.Waitlisted != 2 || o.FullAt == nil {
		t.Fatalf("counters %d/%d, full at %v", o.Confirmed, o.Waitlisted, o.FullAt)
	}
	line, err := f.st.Waiters(f.ctx, o.ID, 5)
	if err != nil || len(line) != 2 || line[0].BookingID != "bk-p2" || line[1].BookingID != "bk-p3" {
		t.Fatalf("line %+v %v", line, err)
	}
	bs := []domain.Booking{{ID: "bk-p3", OfferingID: o.ID, Status: domain.BookingWaitlisted, Stamp: 30}, {ID: "bk-p2", OfferingID: o.ID, Status: domain.BookingWaitlisted, Stamp: 20}}
	if err := f.st.WaitlistPositions(f.ctx, bs); err != nil || bs[0].WaitlistPosition != 2 || bs[1].WaitlistPosition != 1 {
		t.Fatalf("positions %d %d %v", bs[0].WaitlistPosition, bs[1].WaitlistPosition, err)
	}

	// Ending the confirmed booking hands its place to the head of the line.
	fcfs := allocation.FirstComeFirstServed{}
	if err := f.st.EndBooking(f.ctx, first, fcfs.Free(first.Status, domain.Offering{}, line[:1], notices.New(notices.Promoted, f.now).About(first)), f.now, store.Ending{By: store.ByResident}); err != nil {
		t.Fatal(err)
	}
	promoted, err := f.st.GetBooking(f.ctx, "acc", "bk-p2")
	if err != nil || promoted.Status != domain.BookingConfirmed {
		t.Fatalf("head of the line: %v %v", promoted.Status, err)
	}
	if o := f.offering(); o.Confirmed != 1 || o.Waitlisted != 1 {
		t.Fatalf("after the hand-on: %d/%d", o.Confirmed, o.Waitlisted)
	}
	// The promotion is announced in the same write, once.
	promotedOnce := []string{"promoted acc bk-p2"}
	if told := dbtest.Told(t, f.st); !slices.Equal(told, promotedOnce) {
		t.Fatalf("outbox %q, want %q", told, promotedOnce)
	}
	// A decision that nobody waits, while someone does, is stale: the
	// place must not be freed past the line.
	if err := f.st.EndBooking(f.ctx, promoted, fcfs.Free(promoted.Status, domain.Offering{}, nil, notices.New(notices.Promoted, f.now).About(promoted)), f.now, store.Ending{By: store.ByResident}); !errors.Is(err, store.ErrContention) {
		t.Fatalf("freeing past the line: %v, want ErrContention", err)
	}
	// Writing the hand-on again from the stale read (as a retry that lost a
	// race would): refused whole, so nobody is told twice.
	stale := fcfs.Free(first.Status, domain.Offering{}, line[:1], notices.New(notices.Promoted, f.now).About(first))
	if err := f.st.EndBooking(f.ctx, first, stale, f.now, store.Ending{By: store.ByResident}); !errors.Is(err, store.ErrContention) {
		t.Fatalf("the hand-on again: %v, want ErrContention", err)
	}
	if told := dbtest.Told(t, f.st); !slices.Equal(told, promotedOnce) {
		t.Fatalf("outbox after stale writes %q, want %q", told, promotedOnce)
	}
	ended, err := f.st.GetBooking(f.ctx, "acc", "bk-p1")
	if err != nil || ended.Status != domain.BookingCancelled || ended.CancelledBy != store.ByResident {
		t.Fatalf("ended: %+v %v", ended, err)
	}
}

// TestBookingRulesInTheWrite: the rules checked in the write answer with
// their refusals from domain's one table.
func TestBookingRulesInTheWrite(t *testing.T) {
	f := newBookingFixture(t, func(o *domain.Offering) { o.Capacity, o.MaxPerParticipantPerTerm = 5, 1 })
	if _, err := f.book(f.offering(), 1, 10); err != nil {
		t.Fatal(err)
	}
	_, err := f.book(f.offering(), 1, 11)
	if !apperr.Is(err, apperr.AlreadyBooked) {
		t.Fatalf("the same person again: %v", err)
	}
	if want := domain.Refused(domain.RuleOnePerOffering); err.(*apperr.Error).Text != want.Text {
		t.Fatalf("text %v, want the table's %v", err.(*apperr.Error).Text, want.Text)
	}
}

// TestTermItemRefusals: one condition on the person's term item checks
// the no-show block, the one booking per offering and the term limit; the
// item as it stood says which broke, in the order they had as three items
// (block, then duplicate, then limit), with the block's facts.
func TestTermItemRefusals(t *testing.T) {
	f := newBookingFixture(t, func(o *domain.Offering) { o.Capacity, o.MaxPerParticipantPerTerm = 5, 1 })
	if _, err := f.book(f.offering(), 1, 10); err != nil {
		t.Fatal(err)
	}
	// Held and at the limit: the duplicate is the answer.
	if _, err := f.book(f.offering(), 1, 11); !apperr.Is(err, apperr.AlreadyBooked) {
		t.Fatalf("held and at the limit: %v, want already_booked", err)
	}
	// Blocked too (attendance writes it on the same item): the block.
	block := domain.AbsenceChange{Identity: "identity-p1", BlockTerm: f.o.Term,
		Block: &domain.NoShowBlock{Until: "2027-01-31", BecauseOf: "2026-spring", Absences: 2}}
	day := store.AttendanceDay{Date: "2026-12-01", Records: map[string]domain.AttendanceStatus{}, UpdatedBy: "staff", UpdatedAt: f.now}
	if err := f.st.PutAttendanceDay(f.ctx, f.o, day, []domain.AbsenceChange{block}, store.Audit("c1", "staff", "attendance.record", f.o.ID, nil, nil, f.now)); err != nil {
		t.Fatal(err)
	}
	_, err := f.book(f.offering(), 1, 12)
	if !apperr.Is(err, apperr.NoShowBlocked) {
		t.Fatalf("blocked, held and at the limit: %v, want no_show_blocked", err)
	}
	if want := domain.Refusal(domain.RuleNoShowBlock, domain.Facts{BlockedUntil: "2027-01-31", Absences: 2}); !reflect.DeepEqual(err.(*apperr.Error).Text, want.Text) {
		t.Fatalf("text %v, want the block's %v", err.(*apperr.Error).Text, want.Text)
	}
	// The marker on the item names the one booking held.
	b, err := f.st.HoldsOf(f.ctx, "identity-p1")
	if err != nil || len(b) != 1 || b[0].OfferingID != f.o.ID || b[0].Account != "acc" {
		t.Fatalf("holds %+v %v, want the one booking", b, err)
	}
}

// TestGroupInLine (issue 14): a booking keeps its round, preference and
// sibling group; the line orders by stamp, then group, then id, so a
// group's bookings stand together and its members are read with their
// group; one leaving the line takes its own place only.
func TestGroupInLine(t *testing.T) {
	f := newBookingFixture(t, nil)
	if b, err := f.book(f.offering(), 1, 1); err != nil || b.Status != domain.BookingConfirmed {
		t.Fatalf("the place: %v %v", b.Status, err)
	}
	join := func(seq int, stamp int64, group string) domain.Booking {
		t.Helper()
		id := "p" + string(rune('0'+seq))
		if err := f.st.CreateParticipant(f.ctx, domain.Participant{ID: id, Name: "测试", BirthDate: "1995-03-01", IDNumberLast4: "0012",
			Account: "acc", Identity: "identity-" + id, CreatedAt: f.now}); err != nil {
			t.Fatal(err)
		}
		o := f.offering()
		change, err := allocation.For(o).Place(o, true)
		if err != nil {
			t.Fatal(err)
		}
		b := domain.Booking{ID: "bk-" + id, OfferingID: o.ID, Offering: domain.BookedOffering{Title: o.Title, Kind: o.Kind, Centre: o.Centre, StartsOn: o.StartsOn},
			ParticipantID: id, Status: change.Status, CreatedAt: f.now, UpdatedAt: f.now, Account: "acc", Identity: "identity-" + id, Term: o.Term,
			Stamp: stamp, RoundID: "rnd_1", Preference: 2, Group: group}
		if err := f.st.CreateBooking(f.ctx, store.NewBooking{Booking: b, Offering: o, Change: change}); err != nil {
			t.Fatal(err)
		}
		return b
	}
	// Ids that sort against the line's order: the group goes by its name.
	single := join(2, 5, "")
	g1, g2 := join(9, 5, "app_g"), join(3, 5, "app_g")
	line, err := f.st.Waiters(f.ctx, f.o.ID, 5)
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, w := range line {
		order = append(order, w.BookingID+"/"+w.Group)
	}
	if want := []string{g2.ID + "/app_g", g1.ID + "/app_g", single.ID + "/"}; !slices.Equal(order, want) {
		t.Fatalf("line %v, want %v", order, want)
	}
	got, err := f.st.GetBooking(f.ctx, "acc", g1.ID)
	if err != nil || got.RoundID != "rnd_1" || got.Preference != 2 || got.Group != "app_g" {
		t.Fatalf("booking %+v %v", got, err)
	}
	if pos, err := f.st.WaitlistPosition(f.ctx, got); err != nil || pos != 2 {
		t.Fatalf("position %d %v, want 2", pos, err)
	}
	change, err := f.st.Freed(f.ctx, got, f.now)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.EndBooking(f.ctx, got, change, f.now, store.Ending{By: store.ByResident}); err != nil {
		t.Fatal(err)
	}
	if line, err = f.st.Waiters(f.ctx, f.o.ID, 5); err != nil || len(line) != 2 || line[0].BookingID != g2.ID || line[1].BookingID != single.ID {
		t.Fatalf("line after one of the group left: %+v %v", line, err)
	}
}

// TestBookingIsItsKeysRecord: a booking under an Idempotency-Key (an id
// made from the key, its request's hash) writes no record of its own; the
// booking inputs read it in the idempotency record's place; writing under
// the same key again, with the same body or another, is
// ErrIdempotencyTaken before anything else it trips (the person already
// booked).
func TestBookingIsItsKeysRecord(t *testing.T) {
	f := newBookingFixture(t, func(o *domain.Offering) { o.Capacity = 5 })
	id := domain.KeyedID("bk", "acc", "k1")
	// againUnderKey: person seq books (no key), then books again under
	// the key, whose id is free or not.
	againUnderKey := func(seq int) error {
		t.Helper()
		b, err := f.book(f.offering(), seq, 10)
		if err != nil {
			return err
		}
		o := f.offering()
		change, err := allocation.For(o).Place(o, true)
		if err != nil {
			t.Fatal(err)
		}
		b.ID, b.OfferingID = id, o.ID
		return f.st.CreateBooking(f.ctx, store.NewBooking{Booking: b, Offering: o, Change: change, RequestHash: "hash-1"})
	}
	// The key free: the rule it breaks is the answer.
	if err := againUnderKey(1); !apperr.Is(err, apperr.AlreadyBooked) {
		t.Fatalf("person 1 again, under a free key: %v", err)
	}
	// Person 2's first booking is under the key.
	o := f.offering()
	change, err := allocation.For(o).Place(o, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.CreateParticipant(f.ctx, domain.Participant{ID: "p2", Name: "测试", BirthDate: "1995-03-01", IDNumberLast4: "0012",
		Account: "acc", Identity: "identity-p2", CreatedAt: f.now}); err != nil {
		t.Fatal(err)
	}
	b := domain.Booking{ID: id, OfferingID: o.ID, Offering: domain.BookedOffering{Title: o.Title, Kind: o.Kind, Centre: o.Centre, StartsOn: o.StartsOn},
		ParticipantID: "p2", Status: change.Status, CreatedAt: f.now, UpdatedAt: f.now, Account: "acc", Identity: "identity-p2", Term: o.Term, Stamp: 20}
	if err := f.st.CreateBooking(f.ctx, store.NewBooking{Booking: b, Offering: o, Change: change, RequestHash: "hash-2"}); err != nil {
		t.Fatal(err)
	}
	in, err := f.st.LoadBookingInputs(f.ctx, "acc", o.ID, "p2", store.Earlier{BookingID: id}, f.now)
	if err != nil || in.Replay == nil || in.Replay.RequestHash != "hash-2" || in.Replay.BookingID != id || in.Replay.Booking == nil ||
		in.Replay.Booking.ParticipantID != "p2" || in.Offering == nil || in.Participant == nil {
		t.Fatalf("inputs under the key: %+v %v", in, err)
	}
	if in, err := f.st.LoadBookingInputs(f.ctx, "acc", o.ID, "p2", store.Earlier{Key: "k1"}, f.now); err != nil || in.Replay != nil {
		t.Fatalf("a record of the key: %+v %v, want none written", in.Replay, err)
	}
	// The same request again (its own earlier attempt landed): the key is
	// taken, though the person's hold fails too.
	o = f.offering()
	change, err = allocation.For(o).Place(o, true)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.CreateBooking(f.ctx, store.NewBooking{Booking: b, Offering: o, Change: change, RequestHash: "hash-2"}); !errors.Is(err, store.ErrIdempotencyTaken) {
		t.Fatalf("the same key again: %v, want ErrIdempotencyTaken", err)
	}
	// Another person under the key (and already booked): the key taken
	// is the answer (read again: 422 for another body).
	if err := againUnderKey(3); !errors.Is(err, store.ErrIdempotencyTaken) {
		t.Fatalf("another body under the key: %v, want ErrIdempotencyTaken", err)
	}
	if o := f.offering(); o.Confirmed != 3 {
		t.Fatalf("%d confirmed, want persons 1, 2 and 3's unkeyed booking", o.Confirmed)
	}
}

// TestPersonRefusalReadsTheRules: what a booking that lost a race reads
// again before it writes again: the person item answers the rule the
// booking would break, in the write's order (duplicate before the limit),
// and nothing while it breaks none. On both emulators (make
// test-fidelity runs it on moto).
func TestPersonRefusalReadsTheRules(t *testing.T) {
	w := newWorld(t)
	limit := func(o *domain.Offering) { o.MaxPerParticipantPerTerm = 2 }
	a, c := w.offering("a", 5, limit), w.offering("c", 5, limit)
	w.offering("b", 5, limit)
	p := w.register("acc", 1)
	booking := func(o domain.Offering) domain.Booking {
		return domain.Booking{ID: "bk-new", OfferingID: o.ID, ParticipantID: p.ID, Account: p.Account, Identity: p.Identity, Term: o.Term}
	}
	check := func(stage string, o domain.Offering, want apperr.Code) {
		t.Helper()
		err := w.st.PersonRefusal(w.ctx, o, booking(o))
		switch {
		case want == "" && err != nil:
			t.Fatalf("%s, booking %s: %v, want no refusal", stage, o.ID, err)
		case want != "" && !apperr.Is(err, want):
			t.Fatalf("%s, booking %s: %v, want %s", stage, o.ID, err, want)
		}
	}
	check("nothing booked", a, "")
	w.book(p, "a")
	check("one booked", a, apperr.AlreadyBooked)
	check("one booked", c, "")
	w.book(p, "b")
	check("at the limit", c, apperr.TermLimitReached)
	check("at the limit", a, apperr.AlreadyBooked)
	// Another term's limit is its own.
	check("at the limit of another term", w.offering("d", 5, limit, func(o *domain.Offering) { o.Term = "2026-spring" }), "")
	// Another identity, never registered: no person item, nothing broken.
	other := booking(c)
	other.Identity = "identity-nobody"
	if err := w.st.PersonRefusal(w.ctx, c, other); err != nil {
		t.Fatalf("a person without an item: %v", err)
	}
}
