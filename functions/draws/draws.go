// Package draws is the scheduled job that runs every lottery draw whose
// draw_at has come (shared/draws): every minute, so a draw starts within a
// minute of its time and of its beacon round being out, and one killed
// half-way is finished by the next run.
package draws

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/draws"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// New is the job DrawsFunction runs on its schedule.
func New(d lambdafn.Deps) lambdafn.Job {
	svc := &draws.Service{Store: d.Store, Beacon: d.Beacon, Now: d.Now}
	return func(ctx context.Context, at time.Time) error {
		started := d.Now()
		res, err := svc.RunDue(ctx, at)
		attrs := []any{"due", res.Due, "drawn", res.Drawn, "waiting", res.Waiting, "ms", d.Now().Sub(started).Milliseconds()}
		if err != nil {
			d.Log.Error("draws failed", append(attrs, "error", err.Error())...)
			return err
		}
		d.Log.Info("draws", attrs...)
		return nil
	}
}
