// Package snapshot is the daily job that records the city's figures: at
// 23:55 Asia/Shanghai it counts the offerings in service, writes the day's
// snapshot, and writes to the change ledger the places of offerings whose
// last day has passed, so that history and ledger agree day by day.
package snapshot

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Result is what one run did.
type Result struct {
	Date     string              // the day recorded
	Read     int                 // offerings read from the city index
	Ended    int                 // ledger entries written for offerings that ended
	Total    cityfigures.Figures // the city's figures that day
	Previous string              // the snapshot before this one ("" for the first)
}

// New is the job SnapshotFunction runs on its schedule.
func New(d lambdafn.Deps) lambdafn.Job {
	return func(ctx context.Context, at time.Time) error {
		started := time.Now()
		res, err := Take(ctx, d.Store, at)
		if err != nil {
			d.Log.Error("snapshot failed", "date", cityfigures.Date(at), "error", err.Error())
			return err
		}
		d.Log.Info("snapshot", "date", res.Date, "previous", res.Previous, "offerings_read", res.Read,
			"ended", res.Ended, "capacity", res.Total.Capacity, "confirmed", res.Total.Confirmed,
			"waitlisted", res.Total.Waitlisted, "ms", time.Since(started).Milliseconds())
		return nil
	}
}

// Take records the figures of at's day. Offerings whose last day fell after
// the previous snapshot and before today leave service: each gets its
// `ended` ledger entry (keyed by offering, so a run repeated after a crash
// writes it once). Ledger entries go first and the snapshot last, so a run
// cut short is simply run again; a second run on the same day replaces the
// day's snapshot with fresher figures and finds nothing more to end.
func Take(ctx context.Context, st *store.Store, at time.Time) (Result, error) {
	today := cityfigures.Date(at)
	res := Result{Date: today}
	// Without an earlier snapshot, only yesterday's ends are this run's:
	// older ones were before the city kept figures.
	since := cityfigures.Date(at.AddDate(0, 0, -1))
	prev, err := st.LatestSnapshot(ctx)
	if err != nil {
		return res, err
	}
	if prev != nil {
		res.Previous = prev.Date
		since = min(prev.Date, today)
	}
	offerings, err := st.CityOfferings(ctx, since)
	if err != nil {
		return res, err
	}
	res.Read = len(offerings)
	var ended []cityfigures.Change
	for _, o := range offerings {
		if o.EndsOn >= today {
			continue
		}
		if c, ok := cityfigures.EndOf(o); ok {
			ended = append(ended, c)
		}
	}
	if err := st.RecordChanges(ctx, ended); err != nil {
		return res, err
	}
	res.Ended = len(ended)
	tally := cityfigures.Count(offerings, today)
	res.Total = tally[cityfigures.Scope{}]
	return res, st.PutSnapshot(ctx, store.Snapshot{Date: today, TakenAt: at, Tally: tally})
}
