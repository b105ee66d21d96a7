package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/keycustody"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// world is a store on a fresh table with what the access-pattern tests
// share: its raw client and table name, the identities, a settable clock,
// one centre, and the residents' service to book through (bookings are
// written by the service, whose store calls the lead is reshaping).
type world struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	db    *dynamodb.Client
	table string
	ids   *keycustody.Identities
	now   time.Time
	c     domain.Centre
	svc   *residents.Service
	cfg   config.Config // for a second client of the same table
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	cfg := dbtest.Config(t)
	st, ids, db := dbtest.CustodyOn(t, cfg)
	w := &world{t: t, ctx: ctx, st: st, db: db, table: cfg.TableName, ids: ids, cfg: cfg,
		now: time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone), c: dbtest.Centre("c1", "binhu")}
	w.svc = &residents.Service{Store: st, Now: func() time.Time { return w.now }}
	w.must(st.PutCentre(ctx, w.c, false))
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// tick moves the clock on a minute, so writes made one after another arrive
// in order.
func (w *world) tick() time.Time {
	w.now = w.now.Add(time.Minute)
	return w.now
}

// person is adult number seq as account registers them (the same seq is the
// same person, whatever the account), registered now.
func (w *world) person(account string, seq int) domain.Participant {
	w.t.Helper()
	birth := time.Date(1990, 1, 1+seq%28, 0, 0, 0, 0, domain.CityZone)
	p, err := domain.Register(w.ctx, domain.NewParticipant{Name: fmt.Sprintf("居民%d", seq), BirthDate: birth.Format(domain.DateLayout),
		IDNumber: idnumber.Make("320213", birth, seq)}, account, w.ids, w.now)
	w.must(err)
	return p
}

// register stores person(account, seq).
func (w *world) register(account string, seq int) domain.Participant {
	w.t.Helper()
	p := w.person(account, seq)
	w.must(w.st.CreateParticipant(w.ctx, p))
	return p
}

// offering stores an open evening course of c1 with capacity places.
func (w *world) offering(id string, capacity int, edit ...func(*domain.Offering)) domain.Offering {
	w.t.Helper()
	o := dbtest.Offering(id, w.c, capacity, w.now, edit...)
	w.must(w.st.PutOffering(w.ctx, o, false))
	return o
}

// book books p onto offering (joining the waitlist when full), a minute
// after the last write, under an Idempotency-Key when one is given.
func (w *world) book(p domain.Participant, offering string, key ...string) domain.Booking {
	w.t.Helper()
	w.tick()
	req := residents.Request{Account: p.Account, OfferingID: offering, ParticipantID: p.ID, JoinWaitlist: true}
	if len(key) > 0 {
		req.IdempotencyKey = key[0]
	}
	res, err := w.svc.Book(w.ctx, req)
	w.must(err)
	return res.Booking
}

func (w *world) cancel(b domain.Booking) {
	w.t.Helper()
	w.tick()
	_, err := w.svc.Cancel(w.ctx, b.Account, b.ID)
	w.must(err)
}

// pageAll pages through a list limit at a time, following the cursor, and
// returns everything listed and each page's size. No page may be longer
// than limit; a filtered page may be empty and still have a next one, but
// more than 200 pages fails the test (a cursor going round).
func pageAll[T any](t *testing.T, limit int, list func(paging.Page) ([]T, string, error)) ([]T, []int) {
	t.Helper()
	var all []T
	var sizes []int
	cursor := ""
	for {
		got, next, err := list(paging.Page{Limit: limit, Cursor: cursor})
		if err != nil {
			t.Fatalf("limit %d, page %d: %v", limit, len(sizes)+1, err)
		}
		if len(got) > limit {
			t.Fatalf("limit %d, page %d holds %d", limit, len(sizes)+1, len(got))
		}
		all, sizes = append(all, got...), append(sizes, len(got))
		if next == "" {
			return all, sizes
		}
		if len(sizes) > 200 {
			t.Fatalf("limit %d: %d pages for %d items", limit, len(sizes), len(all))
		}
		cursor = next
	}
}

// wantCode fails unless err is an apperr of code.
func wantCode(t *testing.T, what string, err error, code apperr.Code) {
	t.Helper()
	if !apperr.Is(err, code) {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
}

// ids maps items to their ids, to compare lists.
func idsOf[T any](items []T, id func(T) string) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = id(it)
	}
	return out
}

// offeringValue is w's offering id as dbtest makes it, not stored.
func (w *world) offeringValue(id string, edit ...func(*domain.Offering)) domain.Offering {
	return dbtest.Offering(id, w.c, 10, w.now, edit...)
}

// draft is a draft offering of w's centre, not stored: it opens no places,
// so writing it records no change in places.
func (w *world) draft(id string) domain.Offering {
	return w.offeringValue(id, func(o *domain.Offering) { o.Status = domain.OfferingDraft })
}

// child registers a child of account with a guardian's consent, now.
func (w *world) child(account string) domain.Participant {
	w.t.Helper()
	birth := time.Date(2023, 5, 4, 0, 0, 0, 0, domain.CityZone)
	c, err := domain.Register(w.ctx, domain.NewParticipant{Name: "王小明", BirthDate: birth.Format(domain.DateLayout), IDNumber: idnumber.Make("320213", birth, 11),
		GuardianConsent: domain.AgreeToCurrentNotice()}, account, w.ids, w.now)
	w.must(err)
	w.must(w.st.CreateParticipant(w.ctx, c))
	return c
}
