package residents_test

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/dbcalls"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/keycustody"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

type fixture struct {
	t      testing.TB
	svc    *residents.Service
	st     *store.Store
	ids    *keycustody.Identities
	now    time.Time
	centre domain.Centre
}

func newFixture(t testing.TB) *fixture {
	st, ids, _ := dbtest.Custody(t)
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	f := &fixture{t: t, st: st, ids: ids, now: now, centre: dbtest.Centre("c1", "liangxi")}
	f.svc = &residents.Service{Store: st, Now: clock.From(now)}
	if err := st.PutCentre(context.Background(), f.centre, false); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) offering(id string, capacity int, edit ...func(*domain.Offering)) domain.Offering {
	o := dbtest.Offering(id, f.centre, capacity, f.svc.Now(), edit...)
	if err := f.st.PutOffering(context.Background(), o, false); err != nil {
		f.t.Fatal(err)
	}
	return o
}

// person registers a participant in account; the same seq gives the same
// ID number, so the same identity, in whatever account.
func (f *fixture) person(account string, seq int) domain.Participant {
	birth := time.Date(1995, 3, 1+seq%28, 0, 0, 0, 0, domain.CityZone)
	id := idnumber.Make("320202", birth, seq%1000)
	p, err := domain.Register(context.Background(), domain.NewParticipant{Name: fmt.Sprintf("居民%d", seq), BirthDate: birth.Format(domain.DateLayout), IDNumber: id}, account, f.ids, f.now)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.st.CreateParticipant(context.Background(), p); err != nil {
		f.t.Fatal(err)
	}
	return p
}

func (f *fixture) book(p domain.Participant, offeringID string, wait bool) (domain.Booking, error) {
	res, err := f.svc.Book(context.Background(), residents.Request{Account: p.Account, OfferingID: offeringID, ParticipantID: p.ID, JoinWaitlist: wait})
	return res.Booking, err
}

func (f *fixture) mustOffering(id string) domain.Offering {
	o, err := f.st.GetOffering(context.Background(), id)
	if err != nil {
		f.t.Fatal(err)
	}
	return o
}

func TestBookingRules(t *testing.T) {
	f := newFixture(t)
	f.offering("full", 1, func(o *domain.Offering) { o.WaitlistEnabled = false })
	f.offering("open", 2)
	f.offering("later", 5, func(o *domain.Offering) { o.BookingOpensAt = f.svc.Now().Add(time.Hour) })
	f.offering("over", 5, func(o *domain.Offering) { o.BookingClosesAt = f.svc.Now().Add(-time.Minute) })
	f.offering("closed", 5, func(o *domain.Offering) { o.Status = domain.OfferingClosed })
	f.offering("draft", 5, func(o *domain.Offering) { o.Status = domain.OfferingDraft })
	f.offering("kids", 5, func(o *domain.Offering) { o.Kind = domain.Childcare; o.MinAgeMonths, o.MaxAgeMonths = 0, 36 })
	a, b := f.person("acc-a", 1), f.person("acc-b", 2)
	if _, err := f.book(a, "full", false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.book(a, "open", false); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		p        domain.Participant
		offering string
		wait     bool
		want     apperr.Code
	}{
		{"full, no waitlist", b, "full", true, apperr.OfferingFull},
		{"not yet open", a, "later", false, apperr.BookingClosed},
		{"window over", a, "over", false, apperr.BookingClosed},
		{"closed", a, "closed", false, apperr.BookingClosed},
		{"draft is hidden", a, "draft", false, apperr.NotFound},
		{"unknown offering", a, "nope", false, apperr.NotFound},
		{"too old", a, "kids", false, apperr.NotEligible},
		{"again", a, "open", false, apperr.AlreadyBooked},
		{"other account's participant", domain.Participant{ID: b.ID, Account: "acc-a"}, "open", false, apperr.NotFound},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Unread counters would be zero before and after, and agree.
			read := func() domain.Offering {
				o, err := f.st.GetOffering(context.Background(), c.offering)
				if err != nil && !(c.offering == "nope" && apperr.Is(err, apperr.NotFound)) {
					t.Fatal(err)
				}
				return o
			}
			before := read()
			_, err := f.book(c.p, c.offering, c.wait)
			if !apperr.Is(err, c.want) {
				t.Fatalf("err = %v, want %s", err, c.want)
			}
			if after := read(); after.Confirmed != before.Confirmed || after.Waitlisted != before.Waitlisted {
				t.Fatalf("a refused booking changed the offering: %+v → %+v", before, after)
			}
		})
	}
}

func TestSameIdentityAcrossAccounts(t *testing.T) {
	f := newFixture(t)
	f.offering("o", 5)
	mum := f.person("mum", 7)
	dad := f.person("dad", 7) // the same ID number, registered by another account
	if mum.Identity != dad.Identity {
		t.Fatal("same ID number, different identity")
	}
	if _, err := f.book(mum, "o", false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.book(dad, "o", false); !apperr.Is(err, apperr.AlreadyBooked) {
		t.Fatalf("second account booking the same person: %v", err)
	}
}

func TestTermLimit(t *testing.T) {
	f := newFixture(t)
	limit := func(o *domain.Offering) { o.MaxPerParticipantPerTerm = 2 }
	f.offering("t1", 5, limit)
	f.offering("t2", 5, limit)
	f.offering("t3", 5, limit)
	f.offering("other-term", 5, limit, func(o *domain.Offering) { o.Term = "2026-spring" })
	p := f.person("acc", 3)
	for _, id := range []string{"t1", "t2"} {
		if _, err := f.book(p, id, false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := f.book(p, "t3", false); !apperr.Is(err, apperr.TermLimitReached) {
		t.Fatalf("third in term: %v", err)
	}
	if _, err := f.book(p, "other-term", false); err != nil {
		t.Fatalf("another term is not limited: %v", err)
	}
	// Cancelling one frees a slot in the term.
	bs, _, err := f.svc.List(context.Background(), "acc", domain.BookingConfirmed, paging.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	cancelled := 0
	for _, b := range bs {
		if b.OfferingID == "t1" {
			if _, err := f.svc.Cancel(context.Background(), "acc", b.ID); err != nil {
				t.Fatal(err)
			}
			cancelled++
		}
	}
	if cancelled != 1 {
		t.Fatalf("%d bookings of t1 cancelled, want 1: %+v", cancelled, bs)
	}
	if _, err := f.book(p, "t3", false); err != nil {
		t.Fatalf("after a cancellation: %v", err)
	}
}

func TestWaitlistAndPromotion(t *testing.T) {
	f := newFixture(t)
	f.offering("o", 2)
	ctx := context.Background()
	var bookings []domain.Booking
	for i := range 5 {
		b, err := f.book(f.person(fmt.Sprintf("acc%d", i), 10+i), "o", true)
		if err != nil {
			t.Fatal(err)
		}
		bookings = append(bookings, b)
	}
	wantStatus := []domain.BookingStatus{"confirmed", "confirmed", "waitlisted", "waitlisted", "waitlisted"}
	for i, b := range bookings {
		wantPos := 0
		if b.Status == domain.BookingWaitlisted {
			wantPos = i - 1
		}
		if b.Status != wantStatus[i] || b.WaitlistPosition != wantPos {
			t.Fatalf("booking %d: %s position %d", i, b.Status, b.WaitlistPosition)
		}
	}
	// The waitlisted 2nd in line cancels: the 3rd moves up.
	if _, err := f.svc.Cancel(ctx, "acc3", bookings[3].ID); err != nil {
		t.Fatal(err)
	}
	if b, _ := f.svc.Get(ctx, "acc4", bookings[4].ID); b.WaitlistPosition != 2 {
		t.Fatalf("after a waitlisted cancel, position %d", b.WaitlistPosition)
	}
	// A confirmed one cancels: the head of the line is confirmed in the same step.
	c, err := f.svc.Cancel(ctx, "acc0", bookings[0].ID)
	if err != nil || c.Status != domain.BookingCancelled || c.CancelledAt == nil {
		t.Fatalf("cancel: %+v %v", c, err)
	}
	if b, _ := f.svc.Get(ctx, "acc2", bookings[2].ID); b.Status != domain.BookingConfirmed || b.WaitlistPosition != 0 {
		t.Fatalf("head of line not promoted: %+v", b)
	}
	if b, _ := f.svc.Get(ctx, "acc4", bookings[4].ID); b.WaitlistPosition != 1 {
		t.Fatalf("last in line now first: %d", b.WaitlistPosition)
	}
	o := f.mustOffering("o")
	if o.Confirmed != 2 || o.Waitlisted != 1 || o.Available() != 0 {
		t.Fatalf("counters %d/%d", o.Confirmed, o.Waitlisted)
	}
	// Cancelling again returns the cancelled booking and changes nothing.
	again, err := f.svc.Cancel(ctx, "acc0", bookings[0].ID)
	if err != nil || again.Status != domain.BookingCancelled || !again.CancelledAt.Equal(*c.CancelledAt) {
		t.Fatalf("idempotent cancel: %+v %v", again, err)
	}
	if o2 := f.mustOffering("o"); o2.Confirmed != 2 || o2.Waitlisted != 1 {
		t.Fatal("second cancel changed counters")
	}
	// Another account cannot see or cancel it.
	if _, err := f.svc.Cancel(ctx, "acc1", bookings[4].ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("cancel another's booking: %v", err)
	}
}

func TestIdempotencyKey(t *testing.T) {
	f := newFixture(t)
	f.offering("o", 5)
	f.offering("p", 5)
	a := f.person("acc", 20)
	req := residents.Request{Account: "acc", OfferingID: "o", ParticipantID: a.ID, IdempotencyKey: "key-1"}
	first, err := f.svc.Book(context.Background(), req)
	if err != nil || first.Replayed {
		t.Fatal(err)
	}
	again, err := f.svc.Book(context.Background(), req)
	if err != nil || !again.Replayed || again.Booking.ID != first.Booking.ID {
		t.Fatalf("retry: %+v %v", again, err)
	}
	if o := f.mustOffering("o"); o.Confirmed != 1 {
		t.Fatalf("a retry booked twice: %d", o.Confirmed)
	}
	other := req
	other.OfferingID = "p"
	if _, err := f.svc.Book(context.Background(), other); !apperr.Is(err, apperr.IdempotencyKeyReused) {
		t.Fatalf("same key, other body: %v", err)
	}
	// Keys are per account: another account may use the same key.
	b := f.person("acc-2", 21)
	if res, err := f.svc.Book(context.Background(), residents.Request{Account: "acc-2", OfferingID: "o", ParticipantID: b.ID, IdempotencyKey: "key-1"}); err != nil || res.Replayed {
		t.Fatalf("other account, same key: %+v %v", res, err)
	}
}

// TestBookingIsItsKeysRecord: under an Idempotency-Key the booking's id is
// made from account and key, and the booking is the key's only record: a
// retry finds it however long after (the key lives as long as the
// booking), a key is remembered per kind of request (an application's key
// is not checked against a booking's), and once the booking is erased the
// key is spent: 422, never a second booking.
func TestBookingIsItsKeysRecord(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cur := f.now
	f.svc.Now = func() time.Time { return cur }
	f.offering("o", 5)
	lot := f.lottery("lot")
	a := f.person("acc", 20)
	req := residents.Request{Account: "acc", OfferingID: "o", ParticipantID: a.ID, IdempotencyKey: "key-1"}
	first, err := f.svc.Book(ctx, req)
	if err != nil || first.Booking.ID != domain.KeyedID("bk", "acc", "key-1") {
		t.Fatalf("first: %+v %v, want the id made from the key", first.Booking.ID, err)
	}
	// The same key for an application is its own: it applies, and the
	// booking's retry still replays.
	if res, err := f.apply(a, lot.ID, "key-1"); err != nil || res.Replayed {
		t.Fatalf("an application under a booking's key: %+v %v", res, err)
	}
	if again, err := f.svc.Book(ctx, req); err != nil || !again.Replayed || again.Booking.ID != first.Booking.ID {
		t.Fatalf("the booking's retry after the application: %+v %v", again, err)
	}
	// Past the 48 hours an application's key is kept: still the booking.
	cur = cur.Add(residents.IdempotencyTTL + time.Hour)
	if again, err := f.svc.Book(ctx, req); err != nil || !again.Replayed || again.Booking.ID != first.Booking.ID {
		t.Fatalf("a retry two days on: %+v %v", again, err)
	}
	// A replay of a cancelled booking answers it as it stands.
	if _, err := f.svc.Cancel(ctx, "acc", first.Booking.ID); err != nil {
		t.Fatal(err)
	}
	if again, err := f.svc.Book(ctx, req); err != nil || !again.Replayed || again.Booking.Status != domain.BookingCancelled {
		t.Fatalf("a retry after cancelling: %+v %v", again, err)
	}
	// Erased (as retention does): the key is spent.
	b, err := f.st.GetBooking(ctx, "acc", first.Booking.ID)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.st.EraseBooking(ctx, b, cur); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Book(ctx, req); !apperr.Is(err, apperr.IdempotencyKeyReused) {
		t.Fatalf("the key of an erased booking: %v, want idempotency_key_reused", err)
	}
	if o := f.mustOffering("o"); o.Confirmed != 0 {
		t.Fatalf("the spent key booked: %d confirmed", o.Confirmed)
	}
	// A new key books.
	req.IdempotencyKey = "key-2"
	if res, err := f.svc.Book(ctx, req); err != nil || res.Replayed || res.Booking.Status != domain.BookingConfirmed {
		t.Fatalf("a new key: %+v %v", res, err)
	}
}

// TestConcurrentRequestsUnderOneKey: requests under one key racing each
// other (the same body, and another body) make one booking: every one of
// the same body answers it, every other body is 422.
func TestConcurrentRequestsUnderOneKey(t *testing.T) {
	f := newFixture(t)
	f.offering("o", 5)
	f.offering("p", 5)
	a := f.person("acc", 20)
	req := residents.Request{Account: "acc", OfferingID: "o", ParticipantID: a.ID, IdempotencyKey: "key-1"}
	other := req
	other.OfferingID = "p"
	const n = 8
	ids := make([]string, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := req
			if i%2 == 1 {
				r = other
			}
			res, err := f.svc.Book(context.Background(), r)
			ids[i], errs[i] = res.Booking.ID, err
		})
	}
	wg.Wait()
	var booked []string
	for i := range n {
		switch {
		case errs[i] == nil:
			booked = append(booked, ids[i])
		case !apperr.Is(errs[i], apperr.IdempotencyKeyReused):
			t.Errorf("request %d: %v", i, errs[i])
		}
	}
	if len(slices.Compact(booked)) != 1 || booked[0] != domain.KeyedID("bk", "acc", "key-1") {
		t.Fatalf("bookings answered %v, want one", booked)
	}
	confirmed := f.mustOffering("o").Confirmed + f.mustOffering("p").Confirmed
	if confirmed != 1 {
		t.Fatalf("%d bookings made under one key", confirmed)
	}
}

// TestCallBudgets holds the DynamoDB cost of each operation (issue 2, item 6).
func TestCallBudgets(t *testing.T) {
	f := newFixture(t)
	f.offering("o", 1, func(o *domain.Offering) { o.WaitlistEnabled = false })
	f.offering("w", 1)
	a, b, c := f.person("a", 30), f.person("b", 31), f.person("c", 32)
	count := func(fn func(ctx context.Context)) map[string]int {
		ctx, tally := dbcalls.With(context.Background())
		fn(ctx)
		return tally.Snapshot()
	}
	book := func(p domain.Participant, id string, wait bool) func(context.Context) {
		return func(ctx context.Context) {
			if _, err := f.svc.Book(ctx, residents.Request{Account: p.Account, OfferingID: id, ParticipantID: p.ID, JoinWaitlist: wait, IdempotencyKey: "k-" + p.ID + id}); err != nil && !apperr.Is(err, apperr.OfferingFull) {
				t.Fatal(err)
			}
		}
	}
	var wb domain.Booking
	cases := []struct {
		name string
		run  func(context.Context)
		want map[string]int
	}{
		{"confirmed booking", book(a, "o", false), map[string]int{"BatchGetItem": 1, "TransactWriteItems": 1}},
		{"refused booking (full)", book(b, "o", false), map[string]int{"BatchGetItem": 1}},
		// The retry reads the booking with the inputs: the key's record.
		{"replayed booking (a retry under its key)", book(a, "o", false), map[string]int{"BatchGetItem": 1}},
		{"confirmed booking 2", book(a, "w", true), map[string]int{"BatchGetItem": 1, "TransactWriteItems": 1}},
		{"waitlisted booking", func(ctx context.Context) {
			res, err := f.svc.Book(ctx, residents.Request{Account: "b", OfferingID: "w", ParticipantID: b.ID, JoinWaitlist: true})
			if err != nil || res.Booking.WaitlistPosition != 1 {
				t.Fatalf("%+v %v", res, err)
			}
			wb = res.Booking
		}, map[string]int{"BatchGetItem": 1, "TransactWriteItems": 1}},
		{"cancel with promotion", func(ctx context.Context) {
			bs, _, err := f.svc.List(context.Background(), "a", "", paging.Page{Limit: 5})
			if err != nil {
				t.Fatal(err)
			}
			for _, x := range bs {
				if x.OfferingID == "w" {
					if _, err := f.svc.Cancel(ctx, "a", x.ID); err != nil {
						t.Fatal(err)
					}
				}
			}
		}, map[string]int{"GetItem": 1, "Query": 1, "TransactWriteItems": 1}},
		{"cancel of a waitlisted booking", func(ctx context.Context) {
			if _, err := f.svc.Book(context.Background(), residents.Request{Account: "c", OfferingID: "w", ParticipantID: c.ID, JoinWaitlist: true}); err != nil {
				t.Fatal(err)
			}
			bs, _, err := f.svc.List(context.Background(), "c", "", paging.Page{Limit: 5})
			if err != nil || len(bs) != 1 {
				t.Fatalf("%+v %v", bs, err)
			}
			if _, err := f.svc.Cancel(ctx, "c", bs[0].ID); err != nil {
				t.Fatal(err)
			}
		}, map[string]int{"GetItem": 1, "TransactWriteItems": 1}},
		{"catalogue page", func(ctx context.Context) {
			if _, _, err := f.st.ListPublished(ctx, store.OfferingFilter{Kind: domain.EveningCourse, Available: true}, paging.Page{Limit: 50}); err != nil {
				t.Fatal(err)
			}
			// The index holds listing items; their offerings (counters
			// and all) come in one BatchGetItem per 100.
		}, map[string]int{"Query": 1, "BatchGetItem": 1}},
	}
	for _, c := range cases {
		got := count(c.run)
		if fmt.Sprint(got) != fmt.Sprint(c.want) {
			t.Errorf("%s: calls %v, budget %v", c.name, got, c.want)
		}
		t.Logf("%-32s %v", c.name, got)
	}
	if b2, _ := f.svc.Get(context.Background(), "b", wb.ID); b2.Status != domain.BookingConfirmed {
		t.Fatalf("promotion: %+v", b2)
	}
}

// TestConcurrentBookings: 100 residents book 10 places at once (the
// 300-for-30 run goes through HTTP in infra/local).
func TestConcurrentBookings(t *testing.T) {
	f := newFixture(t)
	const n, places = 100, 10
	f.offering("hot", places)
	people := make([]domain.Participant, n)
	for i := range people {
		people[i] = f.person(fmt.Sprintf("r%03d", i), 1000+i)
	}
	results := make([]domain.Booking, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range people {
		wg.Go(func() {
			<-start
			results[i], errs[i] = f.book(people[i], "hot", true)
		})
	}
	close(start)
	wg.Wait()
	var confirmed, waitlisted []domain.Booking
	for i, err := range errs {
		if err != nil {
			t.Fatalf("booking %d: %v", i, err)
		}
		switch results[i].Status {
		case domain.BookingConfirmed:
			confirmed = append(confirmed, results[i])
		case domain.BookingWaitlisted:
			waitlisted = append(waitlisted, results[i])
		}
	}
	if len(confirmed) != places || len(waitlisted) != n-places {
		t.Fatalf("%d confirmed, %d waitlisted", len(confirmed), len(waitlisted))
	}
	o := f.mustOffering("hot")
	if o.Confirmed != places || o.Waitlisted != n-places {
		t.Fatalf("counters %d/%d", o.Confirmed, o.Waitlisted)
	}
	// Exactly one write took the last place, and it noted the time.
	if o.FullAt == nil || !slices.ContainsFunc(confirmed, func(b domain.Booking) bool { return b.CreatedAt.Equal(*o.FullAt) }) {
		t.Fatalf("full_at %v is no confirmed booking's time", o.FullAt)
	}
	// Arrival order: every confirmed booking arrived before every waitlisted
	// one, and the line, read back once all have landed (a sample: each read
	// counts the line), is 1..n-places in arrival order. An answer given while
	// earlier arrivals were still in flight may have said a smaller place,
	// never a larger one.
	lastConfirmed := slices.MaxFunc(confirmed, func(a, b domain.Booking) int { return a.CreatedAt.Compare(b.CreatedAt) })
	sort.Slice(waitlisted, func(i, j int) bool { return waitlisted[i].Stamp < waitlisted[j].Stamp })
	moved := 0
	for i, b := range waitlisted {
		if !b.CreatedAt.After(lastConfirmed.CreatedAt) {
			t.Fatalf("waitlisted %s arrived before confirmed %s", b.CreatedAt, lastConfirmed.CreatedAt)
		}
		if i%3 != 0 && i != len(waitlisted)-1 {
			continue
		}
		got, err := f.svc.Get(context.Background(), b.Account, b.ID)
		if err != nil || got.WaitlistPosition != i+1 {
			t.Fatalf("arrival %d reads place %d (%v)", i+1, got.WaitlistPosition, err)
		}
		if b.WaitlistPosition < 1 || b.WaitlistPosition > got.WaitlistPosition {
			t.Fatalf("answered place %d, now %d", b.WaitlistPosition, got.WaitlistPosition)
		}
		if b.WaitlistPosition != got.WaitlistPosition {
			moved++
		}
	}
	t.Logf("%d of the answers read back named a place that earlier arrivals in flight then took", moved)
}

// TestConcurrentSameParticipant: one participant, 20 goroutines, one booking.
func TestConcurrentSameParticipant(t *testing.T) {
	f := newFixture(t)
	f.offering("o", 10)
	p := f.person("acc", 40)
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[string]int{}
	for range 20 {
		wg.Go(func() {
			_, err := f.book(p, "o", true)
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				codes["ok"]++
			} else {
				codes[string(apperr.As(err).Code)]++
			}
		})
	}
	wg.Wait()
	if codes["ok"] != 1 || codes[string(apperr.AlreadyBooked)] != 19 {
		t.Fatalf("outcomes %v", codes)
	}
	if o := f.mustOffering("o"); o.Confirmed != 1 {
		t.Fatalf("confirmed %d", o.Confirmed)
	}
}

// TestConcurrentTermLimit: one identity, from two accounts, books 6
// offerings of one term at once with a limit of 2.
func TestConcurrentTermLimit(t *testing.T) {
	f := newFixture(t)
	for i := range 6 {
		f.offering(fmt.Sprintf("o%d", i), 10, func(o *domain.Offering) { o.MaxPerParticipantPerTerm = 2 })
	}
	ps := []domain.Participant{f.person("mum", 50), f.person("dad", 50)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, limited := 0, 0
	for i := range 12 {
		wg.Go(func() {
			_, err := f.book(ps[i%2], fmt.Sprintf("o%d", i/2), false)
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case apperr.Is(err, apperr.TermLimitReached), apperr.Is(err, apperr.AlreadyBooked):
				limited++
			default:
				t.Errorf("unexpected: %v", err)
			}
		})
	}
	wg.Wait()
	if ok != 2 {
		t.Fatalf("%d bookings succeeded, limit is 2 (%d refused)", ok, limited)
	}
}

// TestFullAt: the booking that takes the last place records when the
// offering filled; a later raise and refill keep the first time.
func TestFullAt(t *testing.T) {
	f := newFixture(t)
	f.offering("small", 3)
	var last domain.Booking
	for i := range 3 {
		if o := f.mustOffering("small"); o.FullAt != nil {
			t.Fatalf("full after %d bookings", i)
		}
		b, err := f.book(f.person(fmt.Sprintf("a%d", i), 2000+i), "small", true)
		if err != nil || b.Status != domain.BookingConfirmed {
			t.Fatalf("booking %d: %v %v", i, b.Status, err)
		}
		last = b
	}
	o := f.mustOffering("small")
	if o.FullAt == nil || !o.FullAt.Equal(last.CreatedAt) {
		t.Fatalf("full_at %v, want the third booking's %v", o.FullAt, last.CreatedAt)
	}
	if w, err := f.book(f.person("a9", 2009), "small", true); err != nil || w.Status != domain.BookingWaitlisted {
		t.Fatalf("fourth: %v %v", w.Status, err)
	}
	if again := f.mustOffering("small"); !again.FullAt.Equal(*o.FullAt) {
		t.Fatalf("full_at moved to %v", again.FullAt)
	}
}
