package residents_test

import (
	"context"
	"maps"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/beacon"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/dbcalls"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// lottery stores a published lottery course with its draw record, whose
// applications opened an hour before the fixture's time and close in a day.
func (f *fixture) lottery(id string, edit ...func(*domain.Offering)) domain.Offering {
	now := f.now
	open, closes, draw := now.Add(-time.Hour), now.Add(24*time.Hour), now.Add(25*time.Hour)
	o := dbtest.Offering(id, f.centre, 30, now, func(o *domain.Offering) {
		o.Allocation, o.OfferHours = domain.Lottery, 48
		o.ApplicationsOpenAt, o.ApplicationsCloseAt, o.DrawAt, o.BookingOpensAt = &open, &closes, &draw, draw
	})
	for _, e := range edit {
		e(&o)
	}
	d, err := centrestaff.NewDraw(beacon.Local{Schedule: beacon.Quicknet, Key: []byte("k"), Now: f.svc.Now}, o)
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.st.CreateOffering(context.Background(), o, store.Audit(o.Centre.ID, "staff", "offering.create", o.ID, nil, o, now), d); err != nil {
		f.t.Fatal(err)
	}
	return o
}

func (f *fixture) apply(p domain.Participant, offeringID, key string) (residents.ApplicationResult, error) {
	return f.applyWith(p, offeringID, key, nil, nil)
}

func TestApplyAndWithdraw(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	cur := f.now
	f.svc.Now = func() time.Time { return cur }
	o := f.lottery("lot")
	f.offering("first", 5)
	a, twin, b := f.person("acc-a", 1), f.person("acc-b", 1), f.person("acc-b", 2)

	res, err := f.apply(a, o.ID, "k1")
	if err != nil {
		t.Fatal(err)
	}
	got := res.Application
	if got.Status != domain.ApplicationApplied || got.Tier != 1 || got.Ticket != lottery.Ticket(o.ID, got.ID) || got.Participant.Name != a.Name {
		t.Fatalf("application: %+v", got)
	}
	// A retry under the key answers with the same application; the key
	// with another body is refused; the same person through another
	// account is already_applied.
	if again, err := f.apply(a, o.ID, "k1"); err != nil || !again.Replayed || again.Application.ID != got.ID {
		t.Fatalf("retry: %+v %v", again, err)
	}
	if _, err := f.apply(a, "first", "k1"); !apperr.Is(err, apperr.IdempotencyKeyReused) {
		t.Errorf("key reused for another request: %v", err)
	}
	refusals := []struct {
		name     string
		p        domain.Participant
		offering string
		code     apperr.Code
	}{
		{"the same person again", a, o.ID, apperr.AlreadyApplied},
		{"the same ID number in another account", twin, o.ID, apperr.AlreadyApplied},
		{"a first-come offering", b, "first", apperr.ApplicationsClosed},
		{"no such offering", b, "nope", apperr.NotFound},
	}
	for _, c := range refusals {
		if _, err := f.apply(c.p, c.offering, ""); !apperr.Is(err, c.code) {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	cur = cur.Add(time.Millisecond)
	if _, err := f.apply(b, o.ID, ""); err != nil {
		t.Fatal(err)
	}
	list, _, err := f.svc.Applications(ctx, "acc-b", paging.Page{Limit: 10})
	if err != nil || len(list) != 1 || list[0].ParticipantID != b.ID {
		t.Fatalf("acc-b's applications: %+v %v", list, err)
	}
	entries, err := f.st.ApplicationEntries(ctx, o.ID)
	if err != nil || len(entries) != 2 {
		t.Fatalf("entries: %d %v", len(entries), err)
	}

	// Withdrawn: out of the draw, the person may apply again; withdrawing
	// twice returns it.
	w, err := f.svc.Withdraw(ctx, "acc-a", got.ID)
	if err != nil || w.Status != domain.ApplicationWithdrawn || w.WithdrawnAt == nil {
		t.Fatalf("withdraw: %+v %v", w, err)
	}
	if w2, err := f.svc.Withdraw(ctx, "acc-a", got.ID); err != nil || w2.Status != domain.ApplicationWithdrawn {
		t.Fatalf("withdraw again: %+v %v", w2, err)
	}
	if stored, err := f.svc.Application(ctx, "acc-a", got.ID); err != nil || stored.Status != domain.ApplicationWithdrawn {
		t.Fatalf("stored: %+v %v", stored, err)
	}
	if entries, _ := f.st.ApplicationEntries(ctx, o.ID); len(entries) != 1 {
		t.Fatalf("entries after withdrawing: %d", len(entries))
	}
	cur = cur.Add(time.Millisecond)
	again, err := f.apply(twin, o.ID, "")
	if err != nil {
		t.Fatalf("the twin applies once the first withdrew: %v", err)
	}
	if _, err := f.svc.Application(ctx, "acc-a", again.Application.ID); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("another account's application: %v", err)
	}
	list, _, _ = f.svc.Applications(ctx, "acc-b", paging.Page{Limit: 10})
	if len(list) != 2 || list[0].ID != again.Application.ID {
		t.Errorf("newest first: %+v", list)
	}

	// After the close: neither applying nor withdrawing.
	cur = o.ApplicationsCloseAt.Add(time.Second)
	if _, err := f.svc.Withdraw(ctx, "acc-b", again.Application.ID); !apperr.Is(err, apperr.ApplicationsClosed) {
		t.Errorf("withdraw after the close: %v", err)
	}
	if _, err := f.apply(f.person("acc-c", 3), o.ID, ""); !apperr.Is(err, apperr.ApplicationsClosed) {
		t.Errorf("apply after the close: %v", err)
	}
}

// An application counts the person's active bookings against the term
// limit, and a young participant is not eligible.
func TestApplyEligibility(t *testing.T) {
	f := newFixture(t)
	o := f.lottery("lot", func(o *domain.Offering) { o.MaxPerParticipantPerTerm = 1 })
	f.offering("other", 5)
	a, b := f.person("acc-a", 1), f.person("acc-b", 2)
	if _, err := f.book(a, "other", false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.apply(a, o.ID, ""); !apperr.Is(err, apperr.TermLimitReached) {
		t.Errorf("term limit: %v", err)
	}
	young := f.lottery("young", func(o *domain.Offering) { o.MinAgeMonths = 40 * 12 })
	if _, err := f.apply(b, young.ID, ""); !apperr.Is(err, apperr.NotEligible) {
		t.Errorf("age: %v", err)
	}
	if entries, _ := f.st.ApplicationEntries(context.Background(), o.ID); len(entries) != 0 {
		t.Errorf("a refused application left %d entries", len(entries))
	}
}

// Twenty at once with one ID number through two accounts: one application.
func TestApplyOncePerIdentityUnderConcurrency(t *testing.T) {
	f := newFixture(t)
	o := f.lottery("lot")
	people := []domain.Participant{f.person("acc-a", 7), f.person("acc-b", 7)}
	var wg sync.WaitGroup
	var mu sync.Mutex
	codes := map[apperr.Code]int{}
	for i := range 20 {
		wg.Go(func() {
			_, err := f.apply(people[i%2], o.ID, "")
			mu.Lock()
			defer mu.Unlock()
			if err == nil {
				codes["ok"]++
			} else if e, ok := err.(*apperr.Error); ok {
				codes[e.Code]++
			} else {
				t.Errorf("%v", err)
			}
		})
	}
	wg.Wait()
	if codes["ok"] != 1 || codes[apperr.AlreadyApplied] != 19 {
		t.Errorf("outcomes: %v", codes)
	}
	if entries, _ := f.st.ApplicationEntries(context.Background(), o.ID); len(entries) != 1 {
		t.Errorf("entries: %d", len(entries))
	}
}

// The calls README's table gives for applying, listing and withdrawing.
func TestApplicationCallBudgets(t *testing.T) {
	f := newFixture(t)
	o := f.lottery("lot")
	p := f.person("acc-a", 1)
	count := func(fn func(ctx context.Context) error) map[string]int {
		ctx, tally := dbcalls.With(context.Background())
		if err := fn(ctx); err != nil {
			t.Fatal(err)
		}
		return tally.Snapshot()
	}
	var id string
	cases := []struct {
		name string
		run  func(context.Context) error
		want map[string]int
	}{
		{"apply", func(ctx context.Context) error {
			res, err := f.svc.Apply(ctx, residents.ApplyRequest{Account: p.Account, OfferingID: o.ID, ParticipantID: p.ID, IdempotencyKey: "k"})
			id = res.Application.ID
			return err
		}, map[string]int{"BatchGetItem": 1, "TransactWriteItems": 1}},
		{"list", func(ctx context.Context) error {
			_, _, err := f.svc.Applications(ctx, p.Account, paging.Page{Limit: 10})
			return err
		}, map[string]int{"Query": 1}},
		{"withdraw", func(ctx context.Context) error {
			_, err := f.svc.Withdraw(ctx, p.Account, id)
			return err
		}, map[string]int{"GetItem": 2, "TransactWriteItems": 1}},
	}
	for _, c := range cases {
		if got := count(c.run); !maps.Equal(got, c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}
