// Package retention is the daily job that erases personal data once it is
// no longer needed: 12 months after the end of a participant's last
// offering booked, or after registering for one who never booked. Then it
// releases the holds of offerings that have ended (shared/holds), which
// keeps the person item a booking writes small.
package retention

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/erasure"
	"github.com/wuxi-enrol/enrol/shared/holds"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

// Bounds of one run: the rest is left to the next day's.
const (
	// MaxPerRun is how many participants one run erases at most.
	MaxPerRun = 500
	// batch is how many are read from the index at a time.
	batch = 50
	// reserve is the time a run keeps in hand before its deadline.
	reserve = 10 * time.Second
	// progressEvery: a long run logs how far it has got.
	progressEvery = 100
)

// Result is what one run did: counts only, never who.
type Result struct {
	// Postponed: due by registration, but an offering booked ends later.
	Due, Erased, Postponed, Gone, Failed int
	// More: the run stopped at its bound with participants still due.
	More bool
}

// New is the job RetentionFunction runs on its schedule: the erasures,
// then the holds released, each logged with its counts; a failed erasure
// does not keep the holds from being released.
func New(d lambdafn.Deps) lambdafn.Job {
	e := Service(d)
	h := &holds.Service{Store: d.Store}
	return func(ctx context.Context, at time.Time) error {
		started := d.Now() // the injected clock, as every time in the job
		res, err := Run(ctx, e, at, d.Log)
		attrs := []any{"date", at.In(domain.CityZone).Format(domain.DateLayout), "due", res.Due, "erased", res.Erased, "postponed", res.Postponed,
			"already_gone", res.Gone, "failed", res.Failed, "more", res.More, "ms", d.Now().Sub(started).Milliseconds()}
		if err != nil {
			d.Log.Error("retention failed", append(attrs, "error", err.Error())...)
		} else {
			d.Log.Info("retention", attrs...)
		}
		started = d.Now()
		rel, herr := h.Release(ctx, at, holds.MaxPerRun, d.Log)
		attrs = []any{"date", rel.Day, "offerings", rel.Offerings, "passed_over", rel.Passed, "bookings", rel.Bookings,
			"released", rel.Released, "kept", rel.Kept, "blocks_lifted", rel.Blocks, "more", rel.More, "ms", d.Now().Sub(started).Milliseconds()}
		if herr != nil {
			d.Log.Error("holds release failed", append(attrs, "error", herr.Error())...)
		} else {
			d.Log.Info("holds released", attrs...)
		}
		return errors.Join(err, herr)
	}
}

// Service is the erasure the job carries out.
func Service(d lambdafn.Deps) *erasure.Service {
	return &erasure.Service{Store: d.Store, Booking: &residents.Service{Store: d.Store, Now: d.Now}, Now: d.Now}
}

// Run erases every participant whose retention ended before at's day, up
// to MaxPerRun and while the context has time left. Each erasure is one
// that can be repeated, so a run cut short is finished by the next.
func Run(ctx context.Context, e *erasure.Service, at time.Time, log *slog.Logger) (Result, error) {
	return RunAtMost(ctx, e, at, log, MaxPerRun)
}

// RunAtMost is Run with another bound.
func RunAtMost(ctx context.Context, e *erasure.Service, at time.Time, log *slog.Logger, most int) (Result, error) {
	today := at.In(domain.CityZone).Format(domain.DateLayout)
	var res Result
	// The index is eventually consistent: an entry just erased may still be
	// listed, so one already tried is not tried again in this run.
	tried := map[string]bool{}
	for {
		if dl, ok := ctx.Deadline(); ok && time.Until(dl) < reserve {
			res.More = true
			return res, nil
		}
		due, err := e.DueForErasure(ctx, today, batch)
		if err != nil {
			return res, err
		}
		fresh := 0
		for _, d := range due {
			k := d.Account + "#" + d.ParticipantID
			if tried[k] {
				continue
			}
			if res.Due == most {
				res.More = true
				return res, nil
			}
			tried[k] = true
			fresh++
			res.Due++
			// Bookings keep the data 12 months past their offering's end:
			// a later day found there moves the participant on, unerased.
			kept, err := e.KeptUntil(ctx, d.Account, d.ParticipantID)
			if err == nil && kept >= today {
				err = e.PostponeRetention(ctx, d.Account, d.ParticipantID, kept)
				if err == nil {
					res.Postponed++
					continue
				}
			}
			if err == nil {
				err = e.Participant(ctx, d.Account, d.ParticipantID, erasure.Cancel)
			}
			switch {
			case erasure.IsNotFound(err):
				res.Gone++
			case err != nil:
				// One that fails is tried again tomorrow; the rest go on.
				res.Failed++
				log.Warn("retention: an erasure failed", "error", err.Error())
			default:
				res.Erased++
			}
			if res.Due%progressEvery == 0 {
				log.Info("retention progress", "due", res.Due, "erased", res.Erased)
			}
		}
		if fresh == 0 {
			if res.Failed > 0 {
				return res, fmt.Errorf("retention: %d of %d erasures failed", res.Failed, res.Due)
			}
			return res, nil
		}
	}
}
