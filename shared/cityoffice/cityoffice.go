// Package cityoffice is the service behind what the city's officers read:
// the places now (capacity and unmet demand), the change ledger, the daily
// snapshots and their history, and progress against targets; and the daily
// job that takes the snapshot. The figures themselves are computed by the
// pure rules of cityfigures; the HTTP (parameters, CSV) is functions/city's.
package cityoffice

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/retry"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Service reads (and, for the snapshot, writes) the city's figures.
type Service struct {
	Store *store.Store
	// Retry is the policy for setting a target when another officer's
	// change landed meanwhile; zero: retry.Default.
	Retry retry.Policy
}

// Capacity is the tally of the offerings in service on today, within scope
// and for each slice of it: one Query per kind asked for (and per megabyte).
func (s *Service) Capacity(ctx context.Context, scope cityfigures.Scope, today string) (cityfigures.Tally, error) {
	offerings, err := s.inService(ctx, scope, today)
	if err != nil {
		return nil, err
	}
	return cityfigures.Count(offerings, today), nil
}

// Participants are the people registered city-wide and those of them
// whose identity centre staff verified.
func (s *Service) Participants(ctx context.Context) (registered, verified int, err error) {
	return s.Store.ParticipantCounts(ctx)
}

// Demand is unmet demand on today within scope, from the same read as
// Capacity, with the lottery offerings' applicants per place. A drawn
// lottery's count is on the offering (the draw recorded it); an undrawn
// one's is the scheduled job's tally on the offering (draws.Tally, every
// minute), as of the time the answer gives (counted_at): counting the
// draws' entries on every request cost 16 Queries a lottery, and applying
// writes no counter that every applicant would share.
func (s *Service) Demand(ctx context.Context, scope cityfigures.Scope, today string) (cityfigures.Demand, error) {
	offerings, err := s.inService(ctx, scope, today)
	if err != nil {
		return cityfigures.Demand{}, err
	}
	applicants := map[string]int{}
	var counted *time.Time
	for _, o := range offerings {
		switch {
		case !o.IsLottery():
		case o.DrawnAt != nil:
			applicants[o.ID] = o.Applicants
		case o.TalliedAt != nil && cityfigures.InService(o, today):
			applicants[o.ID] = o.ApplicantsTally
			if counted == nil || o.TalliedAt.Before(*counted) {
				counted = o.TalliedAt
			}
		}
	}
	d := cityfigures.DemandOf(offerings, today)
	d.Applications = cityfigures.ApplicationsOf(offerings, today, applicants)
	if counted != nil {
		t := counted.In(domain.CityZone)
		d.Applications.CountedAt = &t
	}
	// Once a lottery's applications close, its draw record counts them by
	// tier (issue 14).
	var allLotteries []string
	for _, o := range offerings {
		if o.IsLottery() && cityfigures.InService(o, today) {
			allLotteries = append(allLotteries, o.ID)
		}
	}
	tiers, err := s.Store.DrawTierCounts(ctx, allLotteries)
	if err != nil {
		return cityfigures.Demand{}, err
	}
	d.Applications.AddTiers(offerings, today, tiers)
	return d, nil
}

// inService reads the offerings of the kinds in scope whose last day is not
// past, and keeps those of the district in scope.
func (s *Service) inService(ctx context.Context, scope cityfigures.Scope, today string) ([]domain.Offering, error) {
	var kinds []domain.Kind
	if scope.Kind != "" {
		kinds = []domain.Kind{scope.Kind}
	}
	all, err := s.Store.CityOfferings(ctx, today, kinds...)
	if err != nil || scope.District == "" {
		return all, err
	}
	var out []domain.Offering
	for _, o := range all {
		if o.Centre.District == scope.District {
			out = append(out, o)
		}
	}
	return out, nil
}

// ChangeFilter narrows the change ledger to a kind or a district.
type ChangeFilter = store.ChangeFilter

// Changes is the whole ledger from from to to (city days, both included),
// oldest first.
func (s *Service) Changes(ctx context.Context, from, to string, f ChangeFilter) ([]cityfigures.Change, error) {
	return s.Store.Changes(ctx, from, to, f)
}

// ChangesPage is one page of the same.
func (s *Service) ChangesPage(ctx context.Context, from, to string, f ChangeFilter, page paging.Page) ([]cityfigures.Change, string, error) {
	return s.Store.ListChanges(ctx, from, to, f, page)
}

// Snapshot is one day's figures, as the daily job recorded them.
type Snapshot = store.Snapshot

// History is the daily snapshots from from to to: one Query per 400 days
// or so. A day without a snapshot (the job did not run) is missing.
func (s *Service) History(ctx context.Context, from, to string) ([]Snapshot, error) {
	return s.Store.Snapshots(ctx, from, to)
}

// Targets measures every target (of kind, if given) against the change
// ledger as of today: one Query for the targets, then one Query per
// megabyte of ledger over the days their windows span together (a year's
// changes city-wide are a few thousand entries). With a district, what is
// achieved counts that district's changes only: its part of the city's
// target.
func (s *Service) Targets(ctx context.Context, kind domain.Kind, district domain.District, today string) ([]cityfigures.Progress, error) {
	all, err := s.Store.Targets(ctx)
	if err != nil {
		return nil, err
	}
	ts := all[:0]
	for _, t := range all {
		if kind == "" || t.Kind == kind {
			ts = append(ts, t)
		}
	}
	var changes []cityfigures.Change
	if from, to, ok := span(ts, today); ok {
		if changes, err = s.Store.Changes(ctx, from, to, store.ChangeFilter{District: district}); err != nil {
			return nil, err
		}
	}
	out := make([]cityfigures.Progress, len(ts))
	for i, t := range ts {
		out[i] = cityfigures.Measure(t, changes, today)
	}
	return out, nil
}

// span is the days every target's window covers, as of today; ok is false
// when no window has begun.
func span(ts []cityfigures.Target, today string) (from, to string, ok bool) {
	for _, t := range ts {
		f, e := t.Window(today)
		if f > e {
			continue
		}
		if !ok || f < from {
			from = f
		}
		if !ok || e > to {
			to = e
		}
		ok = true
	}
	return from, to, ok
}
