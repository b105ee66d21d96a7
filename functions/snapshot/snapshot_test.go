package snapshot_test

import (
	"context"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/functions/snapshot"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestSnapshotInterruptedAtEveryStep: the day's snapshot after 30
// offerings ended (their ledger entries take two batches of 25, then the
// snapshot's put), interrupted at each of its write calls, before the call
// is sent and after it landed with its answer lost; Lambda invokes the
// failed scheduled event again (the same event time), and the day ends
// with the same ledger and snapshot as an uninterrupted run.
func TestSnapshotInterruptedAtEveryStep(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 28, 23, 55, 0, 0, domain.CityZone)
	cfg := dbtest.Config(t)
	st, _, _ := dbtest.CustodyOn(t, cfg)
	c := dbtest.Centre("c1", "jiangyin")
	for i := range 34 {
		ends := at.AddDate(0, 0, -1) // 30 ended yesterday, 4 still running
		if i >= 30 {
			ends = at.AddDate(0, 0, 30)
		}
		o := dbtest.Offering(fmt.Sprintf("o%02d", i), c, 20, at, func(o *domain.Offering) {
			o.EndsOn, o.Confirmed = ends.Format(domain.DateLayout), 5
		})
		if err := st.PutOffering(ctx, o, false); err != nil {
			t.Fatal(err)
		}
	}
	dbtest.EveryStep(t, dbtest.Operation{
		Name: "daily snapshot after 30 ended", World: cfg,
		Start: dbtest.Again(func(ctx context.Context, st *store.Store) error {
			return snapshot.New(lambdafn.Deps{Store: st, Log: slog.New(slog.DiscardHandler), Now: func() time.Time { return at }})(ctx, at)
		}),
	})
}
