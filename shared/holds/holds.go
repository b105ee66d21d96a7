// Package holds releases what a person item holds once no rule needs it:
// the daily pass (run by the retention job) that takes each ended
// offering's held#<offering> off its bookers' PERSON items, and no-show
// blocks whose last day has passed, so the item a booking writes stays
// under 1 KB (2 write units, not 4) for residents who book term after
// term. Term counts (active#<kind>#<term>) stay: an offering's term is
// its centre's choice, not bound to its dates, so no day says a term can
// take no more bookings.
package holds

import (
	"cmp"
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Bounds of one run: the rest is left to the next day's.
const (
	// MaxPerRun is how many offerings one run releases at most.
	MaxPerRun = 500
	// Lookback: each run reads the index again from this long before the
	// day its kind was done through, so an offering listed late is still
	// found (those done are passed over by their mark).
	Lookback = 31 * 24 * time.Hour
	// maxWrites bounds the person items written at once.
	maxWrites = 8
	// reserve is the time a run keeps in hand before its deadline.
	reserve = 10 * time.Second
	// progressEvery: a long run logs how far it has got.
	progressEvery = 50
)

// Service releases holds.
type Service struct {
	Store *store.Store
}

// Result is what one run did: counts only, never who.
type Result struct {
	// Day is the run's, in Wuxi: offerings ending before it are released.
	Day string
	// Offerings released now; Passed over: released by an earlier run.
	Offerings, Passed int
	// Bookings read on their rosters (active, naming their person);
	// Released their holds taken off; Kept: already gone or another
	// booking's now.
	Bookings, Released, Kept int
	// Blocks: no-show blocks lifted, their last day past.
	Blocks int
	// More: the run stopped at its bound with offerings still to release.
	More bool
}

// Release releases the holds of every offering that ended before at's day
// in Wuxi, up to most offerings and while ctx has time left. Each kind is
// read from the city index in order of last day, from where its last
// complete run got to; an offering is marked once all its holds are off,
// so a run cut short is finished by the next.
func (s *Service) Release(ctx context.Context, at time.Time, most int, log *slog.Logger) (Result, error) {
	today := at.In(domain.CityZone).Format(domain.DateLayout)
	res := Result{Day: today}
	for _, kind := range domain.Kinds {
		through, err := s.Store.HoldsReleasedThrough(ctx, kind)
		if err != nil || through == today {
			if err != nil {
				return res, err
			}
			continue
		}
		from := ""
		if through != "" {
			if t, err := domain.ParseDate(through); err == nil {
				from = t.Add(-Lookback).Format(domain.DateLayout)
			}
		}
		// stopped: the last day of the first offering not released, before
		// which the kind is done.
		stopped := ""
		err = s.Store.EndedOfferings(ctx, kind, from, today, func(e store.EndedOffering) (bool, error) {
			if e.Released {
				res.Passed++
				return true, nil
			}
			if dl, ok := ctx.Deadline(); res.Offerings == most || (ok && time.Until(dl) < reserve) {
				stopped, res.More = e.EndsOn, true
				return false, nil
			}
			if err := s.offering(ctx, e.ID, today, &res); err != nil {
				stopped = e.EndsOn
				return false, err
			}
			res.Offerings++
			if res.Offerings%progressEvery == 0 {
				log.Info("holds progress", "offerings", res.Offerings, "released", res.Released, "blocks", res.Blocks)
			}
			return true, nil
		})
		if err == nil && stopped == "" {
			err = s.Store.SetHoldsReleasedThrough(ctx, kind, today)
		} else if stopped != "" && stopped > through {
			err = cmp.Or(err, s.Store.SetHoldsReleasedThrough(ctx, kind, stopped))
		}
		if err != nil || res.More {
			return res, err
		}
	}
	return res, nil
}

// offering releases one ended offering's holds, then marks it; an error
// leaves it unmarked, for the next run.
func (s *Service) offering(ctx context.Context, id, today string, res *Result) error {
	held, err := s.Store.RosterHolds(ctx, id)
	if err != nil {
		return err
	}
	res.Bookings += len(held)
	var mu sync.Mutex
	var firstErr error
	slots := make(chan struct{}, maxWrites)
	var wg sync.WaitGroup
	for _, b := range held {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			r, err := s.Store.ReleaseHold(ctx, id, b, today)
			mu.Lock()
			defer mu.Unlock()
			res.Blocks += r.Blocks
			switch {
			case err != nil:
				firstErr = cmp.Or(firstErr, err)
			case r.Hold:
				res.Released++
			default:
				res.Kept++
			}
		})
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return s.Store.MarkHoldsReleased(ctx, id, today)
}
