package rounds_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/rounds"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestRoundInterruptedAtEveryStep: a round's draw over three offerings
// (its close, its members' closes, the draw, the allocation, the finish),
// interrupted at each of its write calls, whatever the operation, before
// the call is sent and after it landed with its answer lost; the
// DrawsFunction runs it again, and it ends with the table an uninterrupted
// draw leaves.
func TestRoundInterruptedAtEveryStep(t *testing.T) {
	w := newWorld(t, 2, 1, 1)
	w.create()
	w.applyMany(6)
	w.toDrawTime()
	now := w.now
	dbtest.EveryStep(t, dbtest.Operation{
		Name: "round draw of 6 over 3 offerings", World: w.cfg,
		Start: dbtest.Again(func(ctx context.Context, st *store.Store) error {
			_, err := (&rounds.Service{Store: st, Beacon: w.svc.Beacon, Now: func() time.Time { return now }}).Run(ctx, w.round.ID)
			return err
		}),
	})
}
