package store_test

import (
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

func registered(t *testing.T, w *world, id string, district domain.District) domain.Centre {
	t.Helper()
	c, err := domain.CreateCentre(domain.NewCentre{Name: "新登记托育园 " + id, District: district, LicenceNo: "320213-TY-" + id,
		Address: "无锡市梁溪区测试路 8 号", Phone: "13912345678", Kinds: []domain.Kind{domain.Childcare},
		Location: &domain.Location{Lat: 31.57, Lng: 120.3}}, id, w.now)
	w.must(err)
	return c
}

// TestCentreRegistryWrites: a new centre is written with its audit record
// once (its id again: ErrContention); an update from a stale read loses
// (ErrContention) and from a fresh one lands, audited; the registry lists
// every status, the public list hides drafts.
func TestCentreRegistryWrites(t *testing.T) {
	w := newWorld(t) // c1 in binhu, from before the registry (no status)
	d := registered(t, w, "cd", "binhu")
	w.must(w.st.CreateCentre(w.ctx, d, store.Audit(d.ID, "officer", "centre.create", d.ID, nil, d, w.now)))
	if err := w.st.CreateCentre(w.ctx, d, store.Audit(d.ID, "officer", "centre.create", d.ID, nil, d, w.now)); !errors.Is(err, store.ErrContention) {
		t.Fatalf("the same id again: %v, want ErrContention", err)
	}
	got, err := w.st.GetCentre(w.ctx, d.ID)
	w.must(err)
	if got.Status != domain.CentreDraft || got.LicenceNo != d.LicenceNo || got.Location == nil || *got.Location != *d.Location || got.UpdatedAt == nil || !got.UpdatedAt.Equal(w.now) {
		t.Fatalf("read back %+v", got)
	}
	now := w.tick()
	active := got
	active.Status, active.UpdatedAt = domain.CentreActive, &now
	w.must(w.st.UpdateCentre(w.ctx, got, active, store.Audit(d.ID, "officer", "centre.activate", d.ID, got, active, now)))
	renamed := got
	renamed.Name = "改名"
	if err := w.st.UpdateCentre(w.ctx, got, renamed, store.Audit(d.ID, "officer", "centre.update", d.ID, got, renamed, now)); !errors.Is(err, store.ErrContention) {
		t.Fatalf("an update from a stale read: %v, want ErrContention", err)
	}
	// A centre from before the registry (no status, no updated_at) updates too.
	old, err := w.st.GetCentre(w.ctx, "c1")
	w.must(err)
	susp, err := old.Suspend("检查", now)
	w.must(err)
	w.must(w.st.UpdateCentre(w.ctx, old, susp, store.Audit("c1", "officer", "centre.suspend", "c1", nil, nil, now)))

	audit, _, err := w.st.ListAudit(w.ctx, d.ID, paging.Page{Limit: 10})
	w.must(err)
	if actions := idsOf(audit, func(a store.AuditEntry) string { return a.Action }); !slices.Equal(actions, []string{"centre.activate", "centre.create"}) {
		t.Fatalf("audit %v", actions)
	}
	w.must(w.st.CreateCentre(w.ctx, registered(t, w, "ce", "binhu"), store.Audit("ce", "officer", "centre.create", "ce", nil, nil, now)))
	for _, tc := range []struct {
		status domain.CentreStatus
		want   []string
	}{{"", []string{"c1", "cd", "ce"}}, {domain.CentreDraft, []string{"ce"}}, {domain.CentreSuspended, []string{"c1"}}, {domain.CentreActive, []string{"cd"}}} {
		for _, limit := range []int{1, 10} {
			got, _ := pageAll(t, limit, func(p paging.Page) ([]domain.Centre, string, error) {
				return w.st.ListRegistry(w.ctx, "binhu", tc.status, p)
			})
			if ids := idsOf(got, func(c domain.Centre) string { return c.ID }); !slices.Equal(ids, tc.want) {
				t.Errorf("status %q limit %d: %v, want %v", tc.status, limit, ids, tc.want)
			}
		}
	}
	public, _ := pageAll(t, 1, func(p paging.Page) ([]domain.Centre, string, error) { return w.st.ListPublicCentres(w.ctx, "", p) })
	if ids := idsOf(public, func(c domain.Centre) string { return c.ID }); !slices.Equal(ids, []string{"c1", "cd"}) {
		t.Fatalf("public list %v: drafts are not public", ids)
	}
}

// setCentre writes w's centre c1 suspended (or active again), as the
// service does before flagging its offerings.
func setCentre(w *world, suspended bool) {
	w.t.Helper()
	before, err := w.st.GetCentre(w.ctx, "c1")
	w.must(err)
	after := before
	if suspended {
		after, err = before.Suspend("检查", w.now)
		w.must(err)
	} else {
		after.Status, after.SuspendedReason, after.SuspendedAt = domain.CentreActive, "", nil
		now := w.now
		after.UpdatedAt = &now
	}
	w.must(w.st.UpdateCentre(w.ctx, before, after, store.Audit("c1", "officer", "centre.x", "c1", nil, nil, w.now)))
}

// TestFlagCentreOfferings: flagging takes the offering's places out of the
// ledger (centre_suspended, −capacity) with an audit record, keeps its
// bookings, refuses new ones; a stale flag write is ErrContention;
// clearing brings the places back (centre_reinstated).
func TestFlagCentreOfferings(t *testing.T) {
	w := newWorld(t)
	o := w.offering("o1", 5)
	b := w.book(w.register("a", 1), "o1")
	stale := o
	o, err := w.st.GetOffering(w.ctx, "o1")
	w.must(err)
	at := w.tick()
	if err := w.st.FlagCentreOfferings(w.ctx, []domain.Offering{o}, true, "officer", at); !errors.Is(err, store.ErrContention) {
		t.Fatalf("flagging while the centre is active: %v, want ErrContention", err)
	}
	setCentre(w, true)
	if err := w.st.FlagCentreOfferings(w.ctx, []domain.Offering{func() domain.Offering { s := stale; s.Capacity = 6; return s }()}, true, "officer", at); !errors.Is(err, store.ErrContention) {
		t.Fatalf("flagging with a stale capacity: %v, want ErrContention", err)
	}
	w.must(w.st.FlagCentreOfferings(w.ctx, []domain.Offering{o}, true, "officer", at))
	if err := w.st.FlagCentreOfferings(w.ctx, []domain.Offering{o}, true, "officer", at); !errors.Is(err, store.ErrContention) {
		t.Fatalf("flagging twice: %v, want ErrContention", err)
	}
	got, err := w.st.GetOffering(w.ctx, "o1")
	w.must(err)
	if !got.CentreSuspended || got.Confirmed != 1 {
		t.Fatalf("flagged offering %+v", got)
	}
	w.tick()
	_, err = w.svc.Book(w.ctx, residents.Request{Account: "b", OfferingID: "o1", ParticipantID: w.register("b", 2).ID, JoinWaitlist: true})
	wantCode(t, "booking a suspended centre's offering", err, apperr.BookingClosed)
	if e := apperr.As(err); e == nil || e.Text.ZH != "该机构已暂停招生，暂不接受新的报名或申请；已有报名不受影响" {
		t.Fatalf("refusal %v does not say the centre is suspended", err)
	}
	if mine, err := w.st.GetBooking(w.ctx, "a", b.ID); err != nil || mine.Status != domain.BookingConfirmed {
		t.Fatalf("the booking made before: %+v, %v", mine, err)
	}
	back := w.tick()
	if err := w.st.FlagCentreOfferings(w.ctx, []domain.Offering{got}, false, "officer", back); !errors.Is(err, store.ErrContention) {
		t.Fatalf("clearing while the centre is suspended: %v, want ErrContention", err)
	}
	setCentre(w, false)
	w.must(w.st.FlagCentreOfferings(w.ctx, []domain.Offering{got}, false, "officer", back))
	changes, err := w.st.Changes(w.ctx, "2025-08-01", "2025-08-02", store.ChangeFilter{})
	w.must(err)
	var reasons []string
	var deltas []int
	for _, c := range changes {
		reasons, deltas = append(reasons, string(c.Reason)), append(deltas, c.Delta)
	}
	if !slices.Equal(reasons, []string{string(cityfigures.CentreSuspended), string(cityfigures.CentreReinstated)}) || !slices.Equal(deltas, []int{-5, 5}) {
		t.Fatalf("ledger %v %v", reasons, deltas)
	}
	audit, _, err := w.st.ListAudit(w.ctx, "c1", paging.Page{Limit: 10})
	w.must(err)
	actions := idsOf(audit, func(a store.AuditEntry) string { return a.Action })
	slices.Sort(actions) // the centre's writes share instants with the flags'
	if !slices.Equal(actions, []string{"centre.x", "centre.x", "offering.centre_reinstated", "offering.centre_suspended"}) {
		t.Fatalf("audit %v", actions)
	}
	w.book(w.register("c", 3), "o1") // open again
}

// TestBookingRacingSuspension: a booking that read the offering before its
// centre's suspension was flagged, and writes after, is refused by its
// write's condition (attribute_not_exists(centre_suspended)), then by the
// read again: no booking lands after the flag.
func TestBookingRacingSuspension(t *testing.T) {
	w := newWorld(t)
	w.offering("o1", 5)
	p := w.register("a", 1)
	setCentre(w, true) // the centre's status first, as the service writes it
	inj := &faults.Injector{}
	racing, _, _ := dbtest.CustodyOn(t, w.cfg, inj.Option)
	var once sync.Once
	inj.Fail("TransactWriteItems", 0, func(any) error {
		// Between the booking's read and its write: the suspension flags
		// the offering (through another client).
		once.Do(func() {
			o, err := w.st.GetOffering(w.ctx, "o1")
			w.must(err)
			w.must(w.st.FlagCentreOfferings(w.ctx, []domain.Offering{o}, true, "officer", w.now))
		})
		return nil
	})
	svc := &residents.Service{Store: racing, Now: func() time.Time { return w.now }}
	_, err := svc.Book(w.ctx, residents.Request{Account: "a", OfferingID: "o1", ParticipantID: p.ID, JoinWaitlist: true})
	wantCode(t, "a booking racing the suspension", err, apperr.BookingClosed)
	if writes := inj.Calls("TransactWriteItems"); writes < 1 {
		t.Fatalf("the booking never wrote (%d writes): the race was not run", writes)
	}
	got, err := w.st.GetOffering(w.ctx, "o1")
	w.must(err)
	if got.Confirmed != 0 || got.Waitlisted != 0 || !got.CentreSuspended {
		t.Fatalf("offering after the race %+v", got)
	}
}
