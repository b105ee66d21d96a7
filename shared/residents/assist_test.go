package residents_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// link writes centre's link to account as finding it by phone does, from
// at for hours.
func (f *fixture) link(centre, account string, at time.Time, hours int) {
	f.t.Helper()
	l := store.AssistLink{CentreID: centre, Account: account, Staff: "staff-1", PhoneLast4: "5678", At: at, Until: at.Add(time.Duration(hours) * time.Hour)}
	n := notices.New(notices.Event("assisted_at_counter"), at)
	n.Account, n.CentreID = account, centre
	if err := f.st.PutAssistLink(context.Background(), l, store.Audit(centre, "staff-1", "assist.find", account, nil, map[string]string{"phone_last4": "5678"}, at), n); err != nil {
		f.t.Fatal(err)
	}
}

// counter is staff-1 acting for account at the fixture's centre.
func (f *fixture) counter(account string) residents.Actor {
	f.t.Helper()
	who, err := f.svc.Counter(context.Background(), f.centre.ID, account, "staff-1")
	if err != nil {
		f.t.Fatal(err)
	}
	return who
}

// assistAudit is the centre's assist.* records but assist.find, oldest first.
func (f *fixture) assistAudit() []store.AuditEntry {
	f.t.Helper()
	es, _, err := f.st.ListAudit(context.Background(), f.centre.ID, paging.Page{Limit: 100})
	if err != nil {
		f.t.Fatal(err)
	}
	var out []store.AuditEntry
	for _, e := range slices.Backward(es) {
		if strings.HasPrefix(e.Action, "assist.") && e.Action != "assist.find" {
			out = append(out, e)
		}
	}
	return out
}

// TestCounterLink: staff act for an account only while the centre's link
// to it holds; none, or one lapsed, is 409 assist_required.
func TestCounterLink(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	if _, err := f.svc.Counter(ctx, f.centre.ID, "acc-a", "staff-1"); !apperr.Is(err, apperr.AssistRequired) || apperr.As(err).Code.Status() != 409 {
		t.Fatalf("no link: %v, want 409 assist_required", err)
	}
	f.link(f.centre.ID, "acc-a", f.now.Add(-13*time.Hour), 12)
	if _, err := f.svc.Counter(ctx, f.centre.ID, "acc-a", "staff-1"); !apperr.Is(err, apperr.AssistRequired) {
		t.Fatalf("a lapsed link: %v, want assist_required", err)
	}
	f.link("c-other", "acc-a", f.now, 12)
	if _, err := f.svc.Counter(ctx, f.centre.ID, "acc-a", "staff-1"); !apperr.Is(err, apperr.AssistRequired) {
		t.Fatalf("another centre's link: %v, want assist_required", err)
	}
	f.link(f.centre.ID, "acc-a", f.now, 12)
	who, err := f.svc.Counter(ctx, f.centre.ID, "acc-a", "staff-1")
	if err != nil || who.Account != "acc-a" || who.Assist == nil || who.Assist.Staff != "staff-1" || who.Assist.CentreID != f.centre.ID {
		t.Fatalf("a link that holds: %+v %v", who, err)
	}
}

// TestCounterActsAsOnline: at the counter staff register a participant,
// book, apply, accept and cancel through the same services as the
// resident, each marked by staff and audited at the centre with both ids in
// its own write; another centre's offering or booking is not found and
// writes nothing.
func TestCounterActsAsOnline(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	f.offering("o", 1, func(o *domain.Offering) { o.OfferHours = 48 })
	lot := f.lottery("lot")
	other := dbtest.Centre("c2", "binhu")
	if err := f.st.PutCentre(ctx, other, false); err != nil {
		t.Fatal(err)
	}
	if err := f.st.PutOffering(ctx, dbtest.Offering("elsewhere", other, 5, f.now), false); err != nil {
		t.Fatal(err)
	}
	f.link(f.centre.ID, "acc-g", f.now, 12)
	who := f.counter("acc-g")
	parts := &residents.Participants{Store: f.st, Identities: f.ids, Now: f.svc.Now}
	birth := time.Date(1990, 5, 3, 0, 0, 0, 0, domain.CityZone)
	p, err := parts.RegisterAs(ctx, who, domain.NewParticipant{Name: "王奶奶", BirthDate: birth.Format(domain.DateLayout), IDNumber: idnumber.Make("320202", birth, 7)})
	if err != nil || p.By != domain.ByStaff {
		t.Fatalf("participant at the counter: %+v %v", p, err)
	}
	if ps, _, _ := parts.List(ctx, "acc-g", paging.Page{Limit: 10}); len(ps) != 1 || ps[0].By != domain.ByStaff {
		t.Fatalf("the resident's participants: %+v", ps)
	}

	// Another centre's offering: not found, nothing written.
	if _, err := f.svc.Book(ctx, residents.Request{Account: "acc-g", OfferingID: "elsewhere", ParticipantID: p.ID, Assist: who.Assist}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("another centre's offering: %v, want not_found", err)
	}
	if o := f.mustOffering("elsewhere"); o.Confirmed != 0 {
		t.Fatalf("another centre's offering booked: %+v", o)
	}
	if _, err := f.svc.Apply(ctx, residents.ApplyRequest{Account: "acc-g", OfferingID: "elsewhere", ParticipantID: p.ID, Assist: who.Assist}); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("applying to another centre's offering: %v, want not_found", err)
	}

	// A resident takes the one place first; the counter's booking waits,
	// marked by staff.
	first := f.person("acc-r", 1)
	firstB, err := f.book(first, "o", false)
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.svc.Book(ctx, residents.Request{Account: "acc-g", OfferingID: "o", ParticipantID: p.ID, JoinWaitlist: true, Assist: who.Assist})
	b := res.Booking
	if err != nil || b.By != domain.ByStaff || b.Status != domain.BookingWaitlisted || b.WaitlistPosition != 1 {
		t.Fatalf("booking at the counter: %+v %v", b, err)
	}
	if mine, _, _ := f.svc.List(ctx, "acc-g", "", paging.Page{Limit: 10}); len(mine) != 1 || mine[0].By != domain.ByStaff || mine[0].ID != b.ID {
		t.Fatalf("the resident's bookings: %+v", mine)
	}
	ap, err := f.svc.Apply(ctx, residents.ApplyRequest{Account: "acc-g", OfferingID: lot.ID, ParticipantID: p.ID, Assist: who.Assist})
	if err != nil || ap.Application.By != domain.ByStaff {
		t.Fatalf("application at the counter: %+v %v", ap, err)
	}
	if as, _, _ := f.svc.Applications(ctx, "acc-g", paging.Page{Limit: 10}); len(as) != 1 || as[0].By != domain.ByStaff {
		t.Fatalf("the resident's applications: %+v", as)
	}

	// The resident gives up the place: the counter's booking is offered
	// it, and the counter accepts.
	if _, err := f.svc.Cancel(ctx, "acc-r", firstB.ID); err != nil {
		t.Fatal(err)
	}
	acc, err := f.svc.AcceptAs(ctx, who, b.ID)
	if err != nil || acc.Status != domain.BookingConfirmed {
		t.Fatalf("accepted at the counter: %+v %v", acc, err)
	}
	// A booking at another centre is not found at the counter (the
	// account's own, made online).
	f.link(f.centre.ID, "acc-r", f.now, 12)
	elsewhere, err := f.book(first, "elsewhere", false)
	if err != nil {
		t.Fatal(err)
	}
	whoR := f.counter("acc-r")
	if _, err := f.svc.CancelAs(ctx, whoR, elsewhere.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("cancelling another centre's booking: %v, want not_found", err)
	}
	if _, err := f.svc.AcceptAs(ctx, whoR, elsewhere.ID); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("accepting another centre's booking: %v, want not_found", err)
	}
	if got, _, _ := f.svc.ListAs(ctx, whoR, "", paging.Page{Limit: 10}); len(got) != 1 || got[0].ID != firstB.ID {
		t.Fatalf("at the counter, the account's bookings at this centre only: %+v", got)
	}
	c, err := f.svc.CancelAs(ctx, who, b.ID)
	if err != nil || c.Status != domain.BookingCancelled || c.CancelledBy != domain.ByStaff {
		t.Fatalf("cancelled at the counter: %+v %v", c, err)
	}
	if got, _ := f.svc.Get(ctx, "acc-g", b.ID); got.CancelledBy != domain.ByStaff || got.By != domain.ByStaff {
		t.Fatalf("as stored: %+v", got)
	}

	want := []struct{ action, target string }{
		{"assist.participant", p.ID}, {"assist.book", b.ID}, {"assist.apply", ap.Application.ID},
		{"assist.accept", b.ID}, {"assist.cancel", b.ID},
	}
	got := f.assistAudit()
	if len(got) != len(want) {
		t.Fatalf("audit %+v, want %d records", got, len(want))
	}
	for i, w := range want {
		var after struct{ Account string }
		_ = json.Unmarshal(got[i].After, &after)
		if got[i].Action != w.action || got[i].Target != w.target || got[i].Actor != "staff-1" || after.Account != "acc-g" {
			t.Errorf("audit %d: %s %s by %s after %s, want %s %s by staff-1 for acc-g", i, got[i].Action, got[i].Target, got[i].Actor, got[i].After, w.action, w.target)
		}
	}
}

// TestCounterIsNoFasterLane: bookings at the counter and online, one after
// another in turn on one offering of capacity N, are placed by arrival
// alone: the first N confirmed whatever their channel, the rest waiting in
// the order they came.
func TestCounterIsNoFasterLane(t *testing.T) {
	const capacity, total = 5, 14
	f := newFixture(t)
	ctx := context.Background()
	f.offering("o", capacity)
	var got []domain.Booking
	for i := range total {
		account := fmt.Sprintf("acc%d", i)
		p := f.person(account, 100+i)
		req := residents.Request{Account: account, OfferingID: "o", ParticipantID: p.ID, JoinWaitlist: true}
		// Every third arrives at the counter, the first among them, so
		// the counter has a booking both among the first N and in line.
		if i%3 == 0 {
			f.link(f.centre.ID, account, f.now, 12)
			req.Assist = f.counter(account).Assist
		}
		res, err := f.svc.Book(ctx, req)
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, res.Booking)
	}
	counter := 0
	for i, b := range got {
		want, pos := domain.BookingConfirmed, 0
		if i >= capacity {
			want, pos = domain.BookingWaitlisted, i-capacity+1
		}
		if b.Status != want || b.WaitlistPosition != pos {
			t.Errorf("arrival %d (by %q): %s at %d, want %s at %d", i, b.By, b.Status, b.WaitlistPosition, want, pos)
		}
		if (b.By == domain.ByStaff) != (i%3 == 0) {
			t.Errorf("arrival %d: by %q", i, b.By)
		}
		if b.By == domain.ByStaff && b.Status == domain.BookingConfirmed {
			counter++
		}
	}
	// Read back as listed, the places in line are still by arrival.
	for i, b := range got[capacity:] {
		now, err := f.svc.Get(ctx, b.Account, b.ID)
		if err != nil || now.WaitlistPosition != i+1 {
			t.Errorf("waiting %d: position %d %v", i, now.WaitlistPosition, err)
		}
	}
	t.Logf("capacity %d, %d arrivals (every third at the counter): %d confirmed at the counter, %d online", capacity, total, counter, capacity-counter)
}
