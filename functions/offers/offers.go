// Package offers is the job that keeps offers to their deadlines: every
// minute it expires the offers past their deadline (the next in line is
// offered the place in the same write) and warns, once, those within six
// hours of it (shared/offers), for the dispatcher to send.
package offers

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/offers"
)

// New is the job OffersFunction runs on its schedule.
func New(d lambdafn.Deps) lambdafn.Job {
	svc := &offers.Service{Store: d.Store}
	return func(ctx context.Context, at time.Time) error {
		started := d.Now()
		res, err := svc.Keep(ctx, at)
		attrs := []any{"read", res.Read, "expired", res.Expired, "warned", res.Warned, "already", res.Already,
			"ms", d.Now().Sub(started).Milliseconds()}
		if err != nil {
			d.Log.Error("offers failed", append(attrs, "error", err.Error())...)
			return err
		}
		d.Log.Info("offers", attrs...)
		return nil
	}
}
