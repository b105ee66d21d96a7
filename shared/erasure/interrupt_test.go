package erasure_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/erasure"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

// TestErasureInterruptedAtEveryStep: erasing a participant with two active
// bookings (one holds a place someone waits for): the mark,
// the cancellations, each booking's erasure, the participant's deletion,
// interrupted at each write call, before the call is sent and after it
// landed with its answer lost, then run again (the resident's request sent
// again, or the retention job's next run; a participant already gone is
// done, as both take it): the table ends as an uninterrupted erasure
// leaves it.
func TestErasureInterruptedAtEveryStep(t *testing.T) {
	f := newFixture(t)
	f.offering("full", 1)
	f.offering("open", 10)
	p := f.person("acct-a", 1)
	q := f.person("acct-b", 2)
	f.book(p, "full")
	f.book(q, "full") // waits for p's place
	f.book(p, "open")
	now := f.svc.Now()
	dbtest.EveryStep(t, dbtest.Operation{
		Name: "erasure of a participant with 2 active bookings", World: f.cfg,
		Start: func(t testing.TB, cfg config.Config, inj *faults.Injector) (func(context.Context) error, func(context.Context) error) {
			st, _, _ := dbtest.CustodyOn(t, cfg, inj.Option)
			clk := func() time.Time { return now }
			svc := &erasure.Service{Store: st, Booking: &residents.Service{Store: st, Now: clk}, Now: clk}
			run := func(ctx context.Context) error { return svc.Participant(ctx, p.Account, p.ID, erasure.Cancel) }
			resume := func(ctx context.Context) error {
				if err := run(ctx); !erasure.IsNotFound(err) {
					return err
				}
				return nil
			}
			return run, resume
		},
	})
}
