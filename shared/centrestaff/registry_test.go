package centrestaff_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

var (
	cityOfficer = auth.Caller{Sub: "city-1", Groups: []string{auth.CityOfficers}}
	liangxiDO   = auth.Caller{Sub: "do-liangxi", Groups: []string{auth.DistrictOfficers}, District: "liangxi"}
	xishanDO    = auth.Caller{Sub: "do-xishan", Groups: []string{auth.DistrictOfficers}, District: "xishan"}
	resident    = auth.Caller{Sub: "res-1", Groups: []string{auth.Residents}}
)

func newCentre(district domain.District) domain.NewCentre {
	return domain.NewCentre{Name: "新登记托育园", District: district, LicenceNo: "320213-TY-0042", Address: "无锡市梁溪区中山路 8 号",
		Phone: "0510-82345678", Kinds: []domain.Kind{domain.Childcare, domain.EveningCourse}}
}

// TestRegistryWho: city officers register anywhere, district officers in
// their district only (another: 403); staff and residents are refused
// (403); another district's centre is not found to a district officer.
func TestRegistryWho(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, domain.CityZone)
	f := newFixture(t, now) // c1, liangxi
	ctx := context.Background()
	staffOfC1 := f.staff
	for _, tc := range []struct {
		name     string
		who      auth.Caller
		district domain.District
		want     apperr.Code
	}{
		{"city officer", cityOfficer, "xishan", ""},
		{"district officer, own district", liangxiDO, "liangxi", ""},
		{"district officer, another district", xishanDO, "liangxi", apperr.Forbidden},
		{"staff", staffOfC1, "liangxi", apperr.Forbidden},
		{"resident", resident, "liangxi", apperr.Forbidden},
		{"district officer, bad input", liangxiDO, "", apperr.ValidationFailed},
	} {
		c, err := f.admin.CreateCentre(ctx, tc.who, newCentre(tc.district))
		if tc.want == "" && (err != nil || c.Status != domain.CentreDraft || c.ID == "") {
			t.Errorf("%s: %+v %v", tc.name, c, err)
		}
		if tc.want != "" && !apperr.Is(err, tc.want) {
			t.Errorf("%s: %v, want %s", tc.name, err, tc.want)
		}
	}
	name := "改了名字的托育园"
	for _, tc := range []struct {
		name string
		who  auth.Caller
		want apperr.Code
	}{
		{"staff of the centre", staffOfC1, apperr.Forbidden},
		{"resident", resident, apperr.Forbidden},
		{"district officer of another district", xishanDO, apperr.NotFound},
		{"district officer of its district", liangxiDO, ""},
		{"city officer", cityOfficer, ""},
	} {
		_, err := f.admin.PatchCentre(ctx, tc.who, "c1", domain.CentrePatch{Name: &name})
		if (tc.want == "" && err != nil) || (tc.want != "" && !apperr.Is(err, tc.want)) {
			t.Errorf("patch by %s: %v, want %q", tc.name, err, tc.want)
		}
		_, err = f.admin.SuspendCentre(ctx, tc.who, "nowhere", "检查")
		if tc.want != apperr.Forbidden && !apperr.Is(err, apperr.NotFound) {
			t.Errorf("suspending an unknown centre by %s: %v", tc.name, err)
		}
	}
	list, _, err := f.admin.Registry(ctx, liangxiDO, "", "", paging.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range list {
		if c.District != "liangxi" {
			t.Errorf("a liangxi officer's registry lists %s of %s", c.ID, c.District)
		}
	}
	if len(list) != 2 { // c1 and the one the liangxi officer registered
		t.Errorf("liangxi registry: %d centres", len(list))
	}
	if _, _, err := f.admin.Registry(ctx, liangxiDO, "xishan", "", paging.Page{Limit: 50}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("another district's registry: %v", err)
	}
	if _, _, err := f.admin.Registry(ctx, staffOfC1, "", "", paging.Page{Limit: 50}); !apperr.Is(err, apperr.Forbidden) {
		t.Errorf("staff reading the registry: %v", err)
	}
	all, _, err := f.admin.Registry(ctx, cityOfficer, "", domain.CentreDraft, paging.Page{Limit: 50})
	if err != nil || len(all) != 2 {
		t.Errorf("city's drafts: %d, %v", len(all), err)
	}
}

// TestDraftCentreToPublished: a draft centre's offering is created as a
// draft, publishing it (on creation or by an edit) is 409
// centre_not_active; once the centre is activated it publishes. Audited.
func TestDraftCentreToPublished(t *testing.T) {
	now := time.Date(2026, 3, 2, 10, 0, 0, 0, domain.CityZone)
	f := newFixture(t, now)
	ctx := context.Background()
	c, err := f.admin.CreateCentre(ctx, liangxiDO, newCentre("liangxi"))
	if err != nil {
		t.Fatal(err)
	}
	in := domain.NewOffering{Kind: domain.EveningCourse, Title: "锡青夜校 · 书法", Term: "2026-spring", StartsOn: "2026-04-01", EndsOn: "2026-06-30",
		Schedule: domain.Schedule{Text: "每周三晚", Sessions: []string{"2026-04-01"}}, Capacity: 20,
		Status: domain.OfferingPublished}
	if _, err := f.admin.Create(ctx, liangxiDO, c.ID, in); !apperr.Is(err, apperr.CentreNotActive) {
		t.Fatalf("publishing at a draft centre on creation: %v", err)
	}
	in.Status = domain.OfferingDraft
	o, err := f.admin.Create(ctx, liangxiDO, c.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	publish := domain.OfferingPublished
	if _, err := f.admin.Update(ctx, liangxiDO, o.ID, domain.Patch{Status: &publish}); !apperr.Is(err, apperr.CentreNotActive) {
		t.Fatalf("publishing at a draft centre: %v", err)
	}
	active := domain.CentreActive
	if c, err = f.admin.PatchCentre(ctx, liangxiDO, c.ID, domain.CentrePatch{Status: &active}); err != nil || c.Status != domain.CentreActive {
		t.Fatalf("activating: %+v %v", c, err)
	}
	if o, err = f.admin.Update(ctx, liangxiDO, o.ID, domain.Patch{Status: &publish}); err != nil || o.Status != domain.OfferingPublished {
		t.Fatalf("publishing at an active centre: %+v %v", o, err)
	}
	as, _, err := f.st.ListAudit(ctx, c.ID, paging.Page{Limit: 20})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range as {
		actions = append(actions, a.Action)
	}
	slices.Sort(actions) // all at one instant of the fixture's clock
	if fmt.Sprint(actions) != "[centre.activate centre.create offering.create offering.update]" {
		t.Fatalf("audit %v", actions)
	}
}

// TestSuspensionInBatchesResumed: a centre with 65 offerings in service
// (three writes of at most 30) and a draft is suspended; the second
// flagging write fails, as if the function were cut off. The centre is
// suspended already, some offerings flagged; suspending again resumes and
// flags the rest, each once, with one ledger entry (−capacity) and one
// audit record each; the booking made before stands. A reinstatement
// interrupted the same way is resumed by PATCH status active.
func TestSuspensionInBatchesResumed(t *testing.T) {
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	inj := &faults.Injector{}
	f := newFixture(t, now, inj.Option)
	ctx := context.Background()
	centre := f.c
	for i := range 65 {
		if err := f.st.PutOffering(ctx, dbtest.Offering(fmt.Sprintf("o%02d", i), centre, 3, now), false); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.st.PutOffering(ctx, dbtest.Offering("draft", centre, 3, now, func(o *domain.Offering) { o.Status = domain.OfferingDraft }), false); err != nil {
		t.Fatal(err)
	}
	booked := f.confirmed("o07", 1)
	for _, step := range []struct {
		what   string
		run    func() (domain.Centre, error)
		status domain.CentreStatus
		flag   bool
		reason cityfigures.Reason
		action string
	}{
		{"suspension", func() (domain.Centre, error) {
			return f.admin.SuspendCentre(ctx, liangxiDO, "c1", "消防检查未通过")
		},
			domain.CentreSuspended, true, cityfigures.CentreSuspended, "offering.centre_suspended"},
		{"reinstatement", func() (domain.Centre, error) {
			active := domain.CentreActive
			return f.admin.PatchCentre(ctx, liangxiDO, "c1", domain.CentrePatch{Status: &active})
		}, domain.CentreActive, false, cityfigures.CentreReinstated, "offering.centre_reinstated"},
	} {
		f.clock.t = f.clock.t.Add(time.Hour)
		var writes atomic.Int32
		inj.Fail("TransactWriteItems", 1, func(any) error {
			// the centre's write, the first batch, then the cut
			if writes.Add(1) == 3 {
				return errors.New("cut off")
			}
			return nil
		})
		if _, err := step.run(); err == nil {
			t.Fatalf("%s: the interrupted run succeeded", step.what)
		}
		c, err := f.st.GetCentre(ctx, "c1")
		if err != nil || c.Status != step.status {
			t.Fatalf("%s: centre %+v %v: its status is written first", step.what, c, err)
		}
		if n := f.flagged(65, step.flag); n != store.MaxFlagsPerWrite {
			t.Fatalf("%s interrupted: %d offerings flagged %v, want one batch (%d)", step.what, n, step.flag, store.MaxFlagsPerWrite)
		}
		if c, err = step.run(); err != nil || c.Status != step.status {
			t.Fatalf("%s resumed: %+v %v", step.what, c, err)
		}
		if n := f.flagged(65, step.flag); n != 65 {
			t.Fatalf("%s resumed: %d of 65 flagged %v", step.what, n, step.flag)
		}
		if d, _ := f.st.GetOffering(ctx, "draft"); d.CentreSuspended {
			t.Fatalf("%s: the draft was flagged", step.what)
		}
		changes, err := f.st.Changes(ctx, "2025-08-01", "2025-08-01", store.ChangeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		per := map[string]int{}
		for _, c := range changes {
			if c.Reason == step.reason {
				per[c.OfferingID] += c.Delta
			}
		}
		want := 3
		if step.flag {
			want = -3
		}
		for i := range 65 {
			if id := fmt.Sprintf("o%02d", i); per[id] != want {
				t.Fatalf("%s: ledger of %s adds %d, want %d once", step.what, id, per[id], want)
			}
		}
		n := 0
		for _, a := range f.auditAll() {
			if a.Action == step.action {
				n++
			}
		}
		if n != 65 {
			t.Fatalf("%s: %d audit records %s, want 65", step.what, n, step.action)
		}
	}
	if b, err := f.st.GetBooking(ctx, booked.Account, booked.ID); err != nil || b.Status != domain.BookingConfirmed {
		t.Fatalf("the booking made before: %+v %v", b, err)
	}
}

// flagged is how many of offerings o00…o<n-1> carry centre_suspended == flag.
func (f *fixture) flagged(n int, flag bool) int {
	f.t.Helper()
	k := 0
	for i := range n {
		o, err := f.st.GetOffering(context.Background(), fmt.Sprintf("o%02d", i))
		if err != nil {
			f.t.Fatal(err)
		}
		if o.CentreSuspended == flag {
			k++
		}
	}
	return k
}

func (f *fixture) auditAll() []store.AuditEntry {
	f.t.Helper()
	var out []store.AuditEntry
	page := paging.Page{Limit: 100}
	for {
		as, next, err := f.st.ListAudit(context.Background(), f.c.ID, page)
		if err != nil {
			f.t.Fatal(err)
		}
		out = append(out, as...)
		if next == "" {
			return out
		}
		page.Cursor = next
	}
}

// TestBookingsRaceSuspension: residents book an offering from several
// goroutines while an officer suspends its centre. Each booking either
// lands before the flag, and stands, or is refused with booking_closed:
// the offering's confirmed count read right after the suspension returned
// is the final one and the number of bookings made.
func TestBookingsRaceSuspension(t *testing.T) {
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	f := newFixture(t, now)
	ctx := context.Background()
	if err := f.st.PutOffering(ctx, dbtest.Offering("o1", f.c, 200, now), false); err != nil {
		t.Fatal(err)
	}
	const workers, each = 4, 12
	people := make([][]domain.Participant, workers)
	for w := range workers {
		for i := range each {
			seq := w*each + i
			birth := time.Date(1990, 1, 1+seq%28, 0, 0, 0, 0, domain.CityZone)
			p, err := domain.Register(ctx, domain.NewParticipant{Name: "学员", BirthDate: birth.Format(domain.DateLayout),
				IDNumber: idnumber.Make("320205", birth, 200+seq)}, fmt.Sprintf("acc%02d", seq), f.ids, now)
			if err != nil {
				t.Fatal(err)
			}
			if err := f.st.CreateParticipant(ctx, p); err != nil {
				t.Fatal(err)
			}
			people[w] = append(people[w], p)
		}
	}
	svc := &residents.Service{Store: f.st, Now: f.clock.now}
	var made, refused atomic.Int32
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Go(func() {
			<-start
			for _, p := range people[w] {
				_, err := svc.Book(ctx, residents.Request{Account: p.Account, OfferingID: "o1", ParticipantID: p.ID, JoinWaitlist: true})
				switch {
				case err == nil:
					made.Add(1)
				case apperr.Is(err, apperr.BookingClosed):
					refused.Add(1)
				default:
					errs <- err
				}
			}
		})
	}
	close(start)
	time.Sleep(20 * time.Millisecond) // let some bookings land first
	if _, err := f.admin.SuspendCentre(ctx, cityOfficer, "c1", "停业整顿"); err != nil {
		t.Fatal(err)
	}
	atSuspension, err := f.st.GetOffering(ctx, "o1")
	if err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("a booking failed otherwise: %v", err)
	}
	final, err := f.st.GetOffering(ctx, "o1")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d booked before the suspension, %d refused", made.Load(), refused.Load())
	if !final.CentreSuspended || final.Confirmed != atSuspension.Confirmed || final.Confirmed != int(made.Load()) {
		t.Fatalf("confirmed at suspension %d, at the end %d, bookings made %d", atSuspension.Confirmed, final.Confirmed, made.Load())
	}
	if made.Load()+refused.Load() != workers*each {
		t.Fatalf("%d made + %d refused of %d", made.Load(), refused.Load(), workers*each)
	}
}
