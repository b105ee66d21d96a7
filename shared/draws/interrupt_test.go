package draws_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/draws"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestDrawInterruptedAtEveryStep: a lottery of 13 applicants for 10
// places (the close, the draw, the allocation in batches, the finish),
// interrupted at each of its write calls, whatever the operation, before
// the call is sent and after it landed with its answer lost; the
// DrawsFunction runs it again, and it ends with the table an uninterrupted
// draw leaves: the same ranks, bookings, offers, line, counters and notices.
func TestDrawInterruptedAtEveryStep(t *testing.T) {
	w := newWorld(t, 10)
	for i := range 13 {
		w.apply(i + 1)
	}
	w.toDrawTime()
	now := w.now
	dbtest.EveryStep(t, dbtest.Operation{
		Name: "lottery draw of 13 for 10", World: w.cfg,
		Start: dbtest.Again(func(ctx context.Context, st *store.Store) error {
			_, err := (&draws.Service{Store: st, Beacon: w.svc.Beacon, Now: func() time.Time { return now }}).Run(ctx, w.o.ID)
			return err
		}),
	})
}
