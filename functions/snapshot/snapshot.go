// Package snapshot is the daily job that records the city's figures: at
// 23:55 Asia/Shanghai it counts the offerings in service, writes the day's
// snapshot, and writes to the change ledger the places of offerings whose
// last day has passed, so that history and ledger agree day by day.
package snapshot

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/cityoffice"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// New is the job SnapshotFunction runs on its schedule.
func New(d lambdafn.Deps) lambdafn.Job {
	city := &cityoffice.Service{Store: d.Store}
	return func(ctx context.Context, at time.Time) error {
		started := d.Now()
		res, err := city.Take(ctx, at)
		if err != nil {
			d.Log.Error("snapshot failed", "date", cityfigures.Date(at), "error", err.Error())
			return err
		}
		d.Log.Info("snapshot", "date", res.Date, "previous", res.Previous, "offerings_read", res.Read,
			"ended", res.Ended, "capacity", res.Total.Capacity, "confirmed", res.Total.Confirmed,
			"waitlisted", res.Total.Waitlisted, "ms", d.Now().Sub(started).Milliseconds())
		return nil
	}
}
