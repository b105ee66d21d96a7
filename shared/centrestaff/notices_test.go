package centrestaff_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// crowd registers n adults, each in their own account ("acc00", …), and
// books each onto every offering of offerings in turn, joining the line
// when it is full.
func (f *fixture) crowd(n int, offerings ...string) map[string][]domain.Booking {
	f.t.Helper()
	ctx := context.Background()
	svc := &residents.Service{Store: f.st, Now: f.clock.now}
	out := map[string][]domain.Booking{}
	for i := range n {
		birth := time.Date(1990, 1, 1+i%28, 0, 0, 0, 0, domain.CityZone)
		p, err := domain.Register(ctx, domain.NewParticipant{Name: "学员", BirthDate: birth.Format(domain.DateLayout),
			IDNumber: idnumber.Make("320205", birth, 100+i)}, fmt.Sprintf("acc%02d", i), f.ids, f.clock.now())
		if err != nil {
			f.t.Fatal(err)
		}
		if err := f.st.CreateParticipant(ctx, p); err != nil {
			f.t.Fatal(err)
		}
		for _, o := range offerings {
			res, err := svc.Book(ctx, residents.Request{Account: p.Account, OfferingID: o, ParticipantID: p.ID, JoinWaitlist: true})
			if err != nil {
				f.t.Fatal(err)
			}
			out[o] = append(out[o], res.Booking)
		}
	}
	return out
}

// told is the outbox's notices of event (dbtest.Told's lines).
func (f *fixture) told(event string) []string {
	f.t.Helper()
	var out []string
	for _, n := range dbtest.Told(f.t, f.st) {
		if e, _, _ := strings.Cut(n, " "); e == event {
			out = append(out, n)
		}
	}
	return out
}

// lines are the notice lines of event for bs, sorted.
func lines(event string, bs []domain.Booking) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = event + " " + b.Account + " " + b.ID
	}
	slices.Sort(out)
	return out
}

// TestRaiseAndCancelAnnounceEachOnce: a raise that confirms 40 waiting
// bookings, more than one write holds, tells each of the 40 once (each
// write within DynamoDB's 100 items, which the embedded server enforces);
// a centre's cancellation of an offering with 41 active bookings, in
// batches (the waitlisted ones five items each), tells each booking's
// account once; doing either again tells nobody again.
func TestRaiseAndCancelAnnounceEachOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone))
	for _, id := range []string{"raise", "cancel"} {
		if err := f.st.PutOffering(ctx, dbtest.Offering(id, f.c, 1, f.clock.now()), false); err != nil {
			t.Fatal(err)
		}
	}
	booked := f.crowd(41, "raise", "cancel")
	if n := len(f.told("promoted")); n != 0 {
		t.Fatalf("%d promotions before the raise", n)
	}

	f.clock.t = f.clock.t.Add(time.Minute)
	capacity := 41
	for range 2 {
		o, err := f.admin.Update(ctx, f.staff, "raise", domain.Patch{Capacity: &capacity})
		if err != nil {
			t.Fatal(err)
		}
		if o.Confirmed != 41 || o.Waitlisted != 0 {
			t.Fatalf("after the raise %d/%d", o.Confirmed, o.Waitlisted)
		}
	}
	if got, want := f.told("promoted"), lines("promoted", booked["raise"][1:]); !slices.Equal(got, want) {
		t.Fatalf("promotions told: %d %q\nwant %d", len(got), got, len(want))
	}
	for _, n := range f.mustOutbox() {
		if n.Event == "promoted" && (n.Title != "锡青夜校 · 测试课程 raise" || n.FirstSession != "2025-09-01" || !n.At.Equal(f.clock.t)) {
			t.Errorf("promotion %+v", n)
		}
	}

	for range 2 {
		o, err := f.admin.Cancel(ctx, f.staff, "cancel", "场地维修")
		if err != nil {
			t.Fatal(err)
		}
		if o.Status != domain.OfferingCancelled || o.Confirmed != 0 || o.Waitlisted != 0 {
			t.Fatalf("after cancelling %s %d/%d", o.Status, o.Confirmed, o.Waitlisted)
		}
	}
	if got, want := f.told("offering_cancelled"), lines("offering_cancelled", booked["cancel"]); !slices.Equal(got, want) {
		t.Fatalf("cancellations told: %d %q\nwant %d", len(got), got, len(want))
	}
}

func (f *fixture) mustOutbox() []store.OutboxEntry {
	f.t.Helper()
	es, err := f.st.OutboxEntries(context.Background())
	if err != nil {
		f.t.Fatal(err)
	}
	return es
}

// TestNoShowBlockAnnouncedOnce: 40 people absent from the first session of
// a course whose rule blocks at one absence: each block is new, and each
// person's account is told once, in the write that sets the block (three
// items a person, so the day takes two transactions). Recording the same
// day again (which writes nothing, so no second audit record), or the next
// session's absences, sets no block anew and tells nobody again; an
// absence corrected to present lifts the block, and a later absence that
// sets it again is told again.
func TestNoShowBlockAnnouncedOnce(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone))
	o := dbtest.Offering("course", f.c, 40, f.clock.now(), func(o *domain.Offering) {
		o.NoShowRule = &domain.NoShowRule{MaxUnexcused: 1, Seasons: []string{"spring", "autumn"}}
	})
	if err := f.st.PutOffering(ctx, o, false); err != nil {
		t.Fatal(err)
	}
	booked := f.crowd(40, "course")["course"]
	f.clock.t = time.Date(2025, 9, 9, 10, 0, 0, 0, domain.CityZone)
	record := func(date string, status func(i int) domain.AttendanceStatus) {
		t.Helper()
		var rs []centrestaff.AttendanceRecord
		for i, b := range booked {
			rs = append(rs, centrestaff.AttendanceRecord{BookingID: b.ID, Status: status(i)})
		}
		if _, err := f.admin.RecordAttendance(ctx, f.staff, "course", date, rs); err != nil {
			t.Fatal(err)
		}
	}
	absent := func(int) domain.AttendanceStatus { return domain.Absent }
	record("2025-09-01", absent)
	want := lines("no_show_blocked", booked)
	if got := f.told("no_show_blocked"); !slices.Equal(got, want) {
		t.Fatalf("blocks told: %d %q\nwant %d", len(got), got, len(want))
	}
	record("2025-09-01", absent)
	// The same day sent again as recorded writes nothing: one audit record.
	recorded := 0
	for _, a := range f.audit() {
		if a.Action == "attendance.record" {
			recorded++
		}
	}
	if recorded != 1 {
		t.Errorf("the same day sent twice: %d audit records, want 1", recorded)
	}
	record("2025-09-08", absent)
	if got := f.told("no_show_blocked"); !slices.Equal(got, want) {
		t.Fatalf("recorded again: %d told, want %d", len(got), len(want))
	}
	// The first person was there after all, both days: no block. Then
	// absent on the second day again: blocked anew, told anew.
	first := func(s domain.AttendanceStatus) func(int) domain.AttendanceStatus {
		return func(i int) domain.AttendanceStatus {
			if i == 0 {
				return s
			}
			return domain.Absent
		}
	}
	record("2025-09-01", first(domain.Present))
	record("2025-09-08", first(domain.Present))
	record("2025-09-08", first(domain.Absent))
	want = append(want, lines("no_show_blocked", booked[:1])...)
	slices.Sort(want)
	if got := f.told("no_show_blocked"); !slices.Equal(got, want) {
		t.Fatalf("blocked anew: %d told, want %d", len(got), len(want))
	}
}
