package centrestaff_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestStaffOperationsInterruptedAtEveryStep: a capacity raise confirming
// 33 waiting (two writes of at most 32), the same raise where places are
// offered for a time instead, a cancellation ending 34 bookings (the
// offering, then batches of 19), a verification cancelling two other
// accounts' bookings of the same child, and a day's attendance of 34
// people that blocks each (three items a person, 98 to a transaction:
// two), each
// interrupted at every write call it makes, before the call is sent and
// after it landed with its answer lost, then sent again by the staff
// member as they would: each ends exactly as an uninterrupted run does.
func TestStaffOperationsInterruptedAtEveryStep(t *testing.T) {
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	staff := auth.Caller{Sub: "staff-1", Groups: []string{auth.CentreStaff}, CentreIDs: []string{"c1"}}
	// world is a table with one offering and 34 people booked onto it (the
	// first confirmed, the rest waiting when it has one place), on its own so
	// that each run copies and writes a small table.
	world := func(o domain.Offering) (config.Config, []domain.Booking) {
		f := newFixture(t, now)
		if err := f.st.PutOffering(context.Background(), o, false); err != nil {
			t.Fatal(err)
		}
		return f.cfg, f.crowd(34, o.ID)[o.ID]
	}
	centre := dbtest.Centre("c1", "liangxi") // newFixture's
	raise, _ := world(dbtest.Offering("raise", centre, 1, now))
	cancel, _ := world(dbtest.Offering("cancel", centre, 1, now))
	offers, _ := world(dbtest.Offering("offers", centre, 1, now, func(o *domain.Offering) { o.OfferHours = 24 }))
	course, booked := world(dbtest.Offering("course", centre, 50, now, func(o *domain.Offering) {
		o.NoShowRule = &domain.NoShowRule{MaxUnexcused: 1, Seasons: []string{"spring", "autumn"}}
	}))
	// A child verified for their parent's booking, booked by two strangers
	// meanwhile (in other offerings): the verification cancels both.
	pp := newPeople(t)
	for _, id := range []string{"o1", "o2", "o3"} {
		pp.offering(id, 5)
	}
	child := pp.mustRegister("acc-parent", 1)
	parents := pp.mustBook(child, "o1")
	pp.mustBook(pp.mustRegister("acc-stranger-1", 1), "o2")
	pp.mustBook(pp.mustRegister("acc-stranger-2", 1), "o3")
	identity, err := pp.ids.Identify(context.Background(), pp.number(1))
	if err != nil {
		t.Fatal(err)
	}
	absent := make([]centrestaff.AttendanceRecord, len(booked))
	for i, b := range booked {
		absent[i] = centrestaff.AttendanceRecord{BookingID: b.ID, Status: domain.Absent}
	}

	// request is one staff request at time at, sent again as it is after
	// an interruption.
	request := func(at time.Time, do func(context.Context, *centrestaff.Service) error) func(testing.TB, config.Config, *faults.Injector) (func(context.Context) error, func(context.Context) error) {
		return dbtest.Again(func(ctx context.Context, st *store.Store) error {
			return do(ctx, &centrestaff.Service{Store: st, Now: func() time.Time { return at }})
		})
	}
	capacity := 34
	later := now.Add(time.Minute)
	ops := []dbtest.Operation{
		{Name: "capacity raise promoting 33", World: raise, Start: request(later, func(ctx context.Context, s *centrestaff.Service) error {
			_, err := s.Update(ctx, staff, "raise", domain.Patch{Capacity: &capacity})
			return err
		})},
		{Name: "capacity raise offering 33 places", World: offers, Start: request(later, func(ctx context.Context, s *centrestaff.Service) error {
			_, err := s.Update(ctx, staff, "offers", domain.Patch{Capacity: &capacity})
			return err
		})},
		{Name: "offering cancelled with 34 bookings", World: cancel, Start: request(later, func(ctx context.Context, s *centrestaff.Service) error {
			_, err := s.Cancel(ctx, staff, "cancel", "场地维修")
			return err
		})},
		{Name: "verification cancelling 2 strangers' bookings", World: pp.cfg, Start: request(later, func(ctx context.Context, s *centrestaff.Service) error {
			_, err := s.VerifyIdentity(ctx, staff, "o1", parents.ID, identity, "household_register")
			return err
		})},
		{Name: "attendance of 34 absent", World: course, Start: request(time.Date(2025, 9, 9, 10, 0, 0, 0, domain.CityZone), func(ctx context.Context, s *centrestaff.Service) error {
			_, err := s.RecordAttendance(ctx, staff, "course", "2025-09-01", absent)
			return err
		})},
	}
	for _, op := range ops {
		t.Run(op.Name, func(t *testing.T) { dbtest.EveryStep(t, op) })
	}
}
