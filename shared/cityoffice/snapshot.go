package cityoffice

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Taken is what one run of the daily snapshot did.
type Taken struct {
	Date     string              // the day recorded
	Read     int                 // offerings read from the city index
	Ended    int                 // ledger entries written for offerings that ended
	Total    cityfigures.Figures // the city's figures that day
	Previous string              // the snapshot before this one ("" for the first)
}

// Take records the figures of at's day. Offerings whose last day fell after
// the previous snapshot and before today leave service: each gets its
// `ended` ledger entry (keyed by offering, so a run repeated after a crash
// writes it once). Ledger entries go first and the snapshot last, so a run
// cut short is simply run again; a second run on the same day replaces the
// day's snapshot with fresher figures and finds nothing more to end.
func (s *Service) Take(ctx context.Context, at time.Time) (Taken, error) {
	today := cityfigures.Date(at)
	res := Taken{Date: today}
	// Without an earlier snapshot, only yesterday's ends are this run's:
	// older ones were before the city kept figures.
	since := cityfigures.Date(at.AddDate(0, 0, -1))
	prev, err := s.Store.LatestSnapshot(ctx)
	if err != nil {
		return res, err
	}
	if prev != nil {
		res.Previous = prev.Date
		since = min(prev.Date, today)
	}
	offerings, err := s.Store.CityOfferings(ctx, since)
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
	if err := s.Store.RecordChanges(ctx, ended); err != nil {
		return res, err
	}
	res.Ended = len(ended)
	tally := cityfigures.Count(offerings, today)
	res.Total = tally[cityfigures.Scope{}]
	return res, s.Store.PutSnapshot(ctx, store.Snapshot{Date: today, TakenAt: at, Tally: tally})
}
