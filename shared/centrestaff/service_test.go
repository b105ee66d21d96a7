package centrestaff_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/keycustody"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// clock is a settable clock for the service under test.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

type fixture struct {
	t     *testing.T
	st    *store.Store
	cfg   config.Config
	clock *clock
	admin *centrestaff.Service
	staff auth.Caller
	c     domain.Centre
	ids   *keycustody.Identities
}

func newFixture(t *testing.T, now time.Time, opts ...func(*dynamodb.Options)) *fixture {
	cfg := dbtest.Config(t)
	st, ids, _ := dbtest.CustodyOn(t, cfg, opts...)
	f := &fixture{t: t, st: st, cfg: cfg, clock: &clock{now}, c: dbtest.Centre("c1", "liangxi"), ids: ids}
	f.admin = &centrestaff.Service{Store: st, Now: f.clock.now}
	f.staff = auth.Caller{Sub: "staff-1", Groups: []string{auth.CentreStaff}, CentreIDs: []string{f.c.ID}}
	if err := st.PutCentre(context.Background(), f.c, false); err != nil {
		t.Fatal(err)
	}
	return f
}

// confirmed books a fresh adult onto offering id and returns the booking.
func (f *fixture) confirmed(id string, seq int) domain.Booking {
	f.t.Helper()
	ctx := context.Background()
	birth := time.Date(1995, 3, 1+seq, 0, 0, 0, 0, domain.CityZone)
	p, err := domain.Register(ctx, domain.NewParticipant{Name: "学员", BirthDate: birth.Format(domain.DateLayout), IDNumber: idnumber.Make("320202", birth, seq)},
		"acc", f.ids, f.clock.now())
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.st.CreateParticipant(ctx, p); err != nil {
		f.t.Fatal(err)
	}
	svc := &residents.Service{Store: f.st, Now: f.clock.now}
	res, err := svc.Book(ctx, residents.Request{Account: "acc", OfferingID: id, ParticipantID: p.ID})
	if err != nil || res.Booking.Status != domain.BookingConfirmed {
		f.t.Fatalf("booking: %+v %v", res, err)
	}
	return res.Booking
}

func (f *fixture) audit() []store.AuditEntry {
	f.t.Helper()
	as, _, err := f.st.ListAudit(context.Background(), f.c.ID, paging.Page{Limit: 200})
	if err != nil {
		f.t.Fatal(err)
	}
	return as
}

// TestAttendanceNotInTheFuture: a session day after today (in Wuxi, by the
// service's clock) cannot be recorded, and nothing is written; today's and
// earlier sessions can. 00:30 on 3 December in Wuxi is still 2 December in
// UTC, and the 3rd is already today.
func TestAttendanceNotInTheFuture(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, time.Date(2026, 12, 2, 10, 0, 0, 0, domain.CityZone))
	o := dbtest.Offering("o1", f.c, 5, f.clock.now(), func(o *domain.Offering) {
		o.Term, o.StartsOn, o.EndsOn = "2026-autumn", "2026-11-25", "2026-12-31"
		o.Schedule.Sessions = []string{"2026-11-25", "2026-12-02", "2026-12-03", "2026-12-09"}
		rule := domain.NoShowRules[domain.EveningCourse]
		o.NoShowRule = &rule
	})
	if err := f.st.PutOffering(ctx, o, false); err != nil {
		t.Fatal(err)
	}
	b := f.confirmed("o1", 1)
	record := func(date string) error {
		_, err := f.admin.RecordAttendance(ctx, f.staff, "o1", date, []centrestaff.AttendanceRecord{{BookingID: b.ID, Status: domain.Absent}})
		return err
	}
	tests := []struct {
		at   time.Time
		date string
		ok   bool
	}{
		{time.Date(2026, 12, 2, 10, 0, 0, 0, domain.CityZone), "2026-12-03", false}, // tomorrow
		{time.Date(2026, 12, 2, 10, 0, 0, 0, domain.CityZone), "2026-12-09", false}, // next week
		{time.Date(2026, 12, 2, 23, 59, 0, 0, domain.CityZone), "2026-12-03", false},
		{time.Date(2026, 12, 2, 10, 0, 0, 0, domain.CityZone), "2026-12-02", true}, // today
		{time.Date(2026, 12, 2, 10, 0, 0, 0, domain.CityZone), "2026-11-25", true}, // last week
		{time.Date(2026, 12, 2, 16, 30, 0, 0, time.UTC), "2026-12-03", true},       // 00:30 on the 3rd in Wuxi
	}
	for _, tt := range tests {
		f.clock.t = tt.at
		days, err := f.st.AttendanceDays(ctx, "o1")
		if err != nil {
			t.Fatal(err)
		}
		auditBefore := len(f.audit())
		err = record(tt.date)
		if tt.ok {
			if err != nil {
				t.Errorf("%s at %s: %v", tt.date, tt.at, err)
			}
			continue
		}
		e, isApp := err.(*apperr.Error)
		if !apperr.Is(err, apperr.ValidationFailed) || !isApp || len(e.Fields) != 1 || e.Fields[0].Field != "date" {
			t.Errorf("%s at %s: %v, want validation_failed naming date", tt.date, tt.at, err)
		}
		after, err := f.st.AttendanceDays(ctx, "o1")
		if err != nil || len(after) != len(days) || len(f.audit()) != auditBefore {
			t.Errorf("%s at %s: a refused day was written (%d days, were %d) %v", tt.date, tt.at, len(after), len(days), err)
		}
	}
	// Only the days that have come were recorded, and only they count.
	days, err := f.st.AttendanceDays(ctx, "o1")
	if err != nil || len(days) != 3 {
		t.Fatalf("%d days recorded: %+v %v", len(days), days, err)
	}
	for _, d := range days {
		if d.Date > "2026-12-03" {
			t.Errorf("a day after today was recorded: %s", d.Date)
		}
	}
}

// TestPatchThatChangesNothing: a PATCH that leaves the offering as it is
// writes nothing, so no audit record (and no ledger entry) of no change;
// a real change still writes both.
func TestPatchThatChangesNothing(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, time.Date(2026, 12, 2, 10, 0, 0, 0, domain.CityZone))
	in := domain.NewOffering{Kind: domain.EveningCourse, Title: "摄影入门", StartsOn: "2027-03-01", EndsOn: "2027-03-22", Capacity: 30,
		Status: domain.OfferingPublished, Schedule: domain.Schedule{Text: "周一", Sessions: []string{"2027-03-01", "2027-03-08"}}}
	o, err := f.admin.Create(ctx, f.staff, f.c.ID, in)
	if err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	n := func(i int) *int { return &i }
	status := func(s domain.OfferingStatus) *domain.OfferingStatus { return &s }
	sameOpening := o.BookingOpensAt.UTC() // the same instant in another zone
	ledger := func() int {
		cs, err := f.st.Changes(ctx, "2026-01-01", "2027-12-31", store.ChangeFilter{})
		if err != nil {
			t.Fatal(err)
		}
		return len(cs)
	}
	tests := []struct {
		name    string
		p       domain.Patch
		changed bool
	}{
		{"nothing", domain.Patch{}, false},
		{"the same title", domain.Patch{Title: str("摄影入门")}, false},
		{"the same title, spaced", domain.Patch{Title: str("  摄影入门 ")}, false},
		{"the same status", domain.Patch{Status: status(domain.OfferingPublished)}, false},
		{"the same capacity and opening", domain.Patch{Capacity: n(30), BookingOpensAt: &sameOpening}, false},
		{"a new title", domain.Patch{Title: str("摄影进阶")}, true},
		{"more places", domain.Patch{Capacity: n(32)}, true},
	}
	for _, tt := range tests {
		audits, changes := len(f.audit()), ledger()
		got, err := f.admin.Update(ctx, f.staff, o.ID, tt.p)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		stored, err := f.st.GetOffering(ctx, o.ID)
		if err != nil || got.Title != stored.Title || got.Capacity != stored.Capacity {
			t.Errorf("%s: answered %+v, stored %+v (%v)", tt.name, got, stored, err)
		}
		wantAudits := audits
		if tt.changed {
			wantAudits++
		}
		if n := len(f.audit()); n != wantAudits {
			t.Errorf("%s: %d audit records, want %d", tt.name, n, wantAudits)
		}
		if tt.name == "more places" {
			changes++ // the ledger records the new places
		}
		if got := ledger(); got != changes {
			t.Errorf("%s: %d ledger entries, want %d", tt.name, got, changes)
		}
	}
}
