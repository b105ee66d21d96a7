// Package reminders is the daily job that tells residents their offering
// starts tomorrow: at 18:00 Asia/Shanghai it writes one reminder per
// confirmed booking of every offering whose first session is the next day
// (shared/reminders), for the dispatcher to send.
package reminders

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/reminders"
)

// New is the job RemindersFunction runs on its schedule.
func New(d lambdafn.Deps) lambdafn.Job {
	svc := &reminders.Service{Store: d.Store}
	return func(ctx context.Context, at time.Time) error {
		started := d.Now()
		res, err := svc.Remind(ctx, at)
		if err != nil {
			d.Log.Error("reminders failed", "day", res.Day, "reminded", res.Reminded, "error", err.Error())
			return err
		}
		d.Log.Info("reminders", "day", res.Day, "offerings_read", res.Read, "offerings", res.Offerings,
			"reminded", res.Reminded, "already", res.Already, "ms", d.Now().Sub(started).Milliseconds())
		return nil
	}
}
