// Package draws is the scheduled job that runs every lottery draw whose
// draw_at has come (shared/draws), and every round's (shared/rounds): every minute, so a draw starts within a
// minute of its time and of its beacon round being out, and one killed
// half-way is finished by the next run.
package draws

import (
	"context"
	"errors"
	"time"

	"github.com/wuxi-enrol/enrol/shared/draws"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/rounds"
)

// New is the job DrawsFunction runs on its schedule.
func New(d lambdafn.Deps) lambdafn.Job {
	svc := &draws.Service{Store: d.Store, Beacon: d.Beacon, Now: d.Now}
	rs := &rounds.Service{Store: d.Store, Beacon: d.Beacon, Now: d.Now}
	return func(ctx context.Context, at time.Time) error {
		started := d.Now()
		res, err := svc.RunDue(ctx, at)
		// Rounds (issue 14) are due on their own index and run after.
		rr, rerr := rs.RunDue(ctx, at)
		// Then the undrawn lotteries' applications are counted for the
		// city's demand.
		tallied, terr := svc.Tally(ctx, at)
		err = errors.Join(err, rerr, terr)
		attrs := []any{"due", res.Due, "drawn", res.Drawn, "waiting", res.Waiting,
			"rounds_due", rr.Due, "rounds_drawn", rr.Drawn, "rounds_waiting", rr.Waiting, "tallied", tallied, "ms", d.Now().Sub(started).Milliseconds()}
		if err != nil {
			d.Log.Error("draws failed", append(attrs, "error", err.Error())...)
			return err
		}
		d.Log.Info("draws", attrs...)
		return nil
	}
}
