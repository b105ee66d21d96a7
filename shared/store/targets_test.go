package store_test

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/retry"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestTargets: targets read back by year then kind; a target for the same
// year, kind and metric replaces the one there, unless onlyIfNew; an
// invalid one is refused and not stored.
func TestTargets(t *testing.T) {
	w := newWorld(t)
	target := func(k domain.Kind, year, goal int) cityfigures.Target {
		return cityfigures.Target{Kind: k, Year: year, Metric: cityfigures.NewPlaces, Target: goal, Baseline: "2025-01-01", Title: "新增学位 / New places"}
	}
	if got, err := w.st.Targets(w.ctx); got == nil || len(got) != 0 || err != nil {
		t.Fatalf("no targets: %#v %v, want an empty list", got, err)
	}
	t26 := target(domain.Childcare, 2026, 500)
	t26.Baseline = "2026-01-01"
	for _, tg := range []cityfigures.Target{target(domain.EveningCourse, 2025, 300), t26, target(domain.Childcare, 2025, 100)} {
		w.must(w.st.PutTarget(w.ctx, tg, false))
	}
	w.must(w.st.PutTarget(w.ctx, target(domain.Childcare, 2025, 999), true)) // kept
	w.must(w.st.PutTarget(w.ctx, target(domain.EveningCourse, 2025, 350), false))
	bad := target(domain.Childcare, 2027, 0)
	if err := w.st.PutTarget(w.ctx, bad, false); err == nil {
		t.Fatal("a target of 0 was accepted")
	}
	got, err := w.st.Targets(w.ctx)
	w.must(err)
	want := []cityfigures.Target{target(domain.Childcare, 2025, 100), target(domain.EveningCourse, 2025, 350), t26}
	if !slices.Equal(got, want) {
		t.Fatalf("targets %+v, want %+v", got, want)
	}
}

// TestSetTarget: a target set for the first time is created with a first
// history entry; the same values again write nothing; a change replaces it
// and is kept with what it replaced; a target written before history was
// kept (PutTarget) gets its first entry when it changes; an invalid target
// is refused.
func TestSetTarget(t *testing.T) {
	w := newWorld(t)
	at := w.now
	tg := cityfigures.Target{Kind: domain.Childcare, Year: 2027, Metric: cityfigures.NewPlaces, Target: 600, Baseline: "2027-01-01", Title: "新增托位 / New nursery places"}
	set := func(tg cityfigures.Target, by string) store.TargetSet {
		t.Helper()
		res, err := w.st.SetTarget(w.ctx, tg, by, at)
		w.must(err)
		at = at.Add(time.Hour)
		return res
	}
	if got := set(tg, "officer-a"); got != (store.TargetSet{Created: true, Changed: true}) {
		t.Fatalf("first set: %+v", got)
	}
	if got := set(tg, "officer-b"); got != (store.TargetSet{}) {
		t.Fatalf("same values again: %+v, want nothing written", got)
	}
	changed := tg
	changed.Target, changed.Baseline = 650, "2027-03-01"
	if got := set(changed, "officer-b"); got != (store.TargetSet{Changed: true}) {
		t.Fatalf("a change: %+v", got)
	}
	legacy := cityfigures.Target{Kind: domain.EveningCourse, Year: 2026, Metric: cityfigures.NewPlaces, Target: 300, Baseline: "2026-01-01", Title: "夜校 / Evening school"}
	w.must(w.st.PutTarget(w.ctx, legacy, false))
	legacy2 := legacy
	legacy2.Title = "锡青夜校 / Evening school"
	if got := set(legacy2, "officer-a"); got != (store.TargetSet{Changed: true}) {
		t.Fatalf("changing a target without history: %+v", got)
	}
	bad := tg
	bad.Baseline = "2026-12-31"
	if _, err := w.st.SetTarget(w.ctx, bad, "officer-a", at); err == nil {
		t.Fatal("a baseline outside the year was accepted")
	}

	targets, err := w.st.Targets(w.ctx)
	w.must(err)
	if want := []cityfigures.Target{legacy2, changed}; !slices.Equal(targets, want) {
		t.Fatalf("targets %+v, want %+v", targets, want)
	}
	hist, err := w.st.TargetHistory(w.ctx, "")
	w.must(err)
	t0 := w.now
	want := []cityfigures.TargetChange{
		{TargetValues: legacy2.Values(), ChangedAt: t0.Add(3 * time.Hour), ChangedBy: "officer-a", Key: legacy.Key(), Version: 1, Before: ptr(legacy.Values())},
		{TargetValues: tg.Values(), ChangedAt: t0, ChangedBy: "officer-a", Key: tg.Key(), Version: 1},
		{TargetValues: changed.Values(), ChangedAt: t0.Add(2 * time.Hour), ChangedBy: "officer-b", Key: tg.Key(), Version: 2, Before: ptr(tg.Values())},
	}
	if len(hist) != len(want) {
		t.Fatalf("history %+v, want %+v", hist, want)
	}
	for i := range want {
		h, w := hist[i], want[i]
		if h.TargetValues != w.TargetValues || !h.ChangedAt.Equal(w.ChangedAt) || h.ChangedBy != w.ChangedBy || h.Key != w.Key ||
			h.Version != w.Version || (h.Before == nil) != (w.Before == nil) || (h.Before != nil && *h.Before != *w.Before) {
			t.Errorf("history[%d] = %+v (before %v), want %+v (before %v)", i, h, h.Before, w, w.Before)
		}
	}
	if only, err := w.st.TargetHistory(w.ctx, "2027#"); err != nil || len(only) != 2 {
		t.Fatalf("2027's history: %d entries, %v; want 2", len(only), err)
	}
}

// TestSetTargetConcurrently: officers changing one target at once, each
// retrying when another's change landed first, are all kept: one history
// entry per change, versions 1..n with none missing, each entry's before
// the entry before it, and the target the last one.
func TestSetTargetConcurrently(t *testing.T) {
	w := newWorld(t)
	const n = 12
	base := cityfigures.Target{Kind: domain.CareClass, Year: 2027, Metric: cityfigures.NewPlaces, Baseline: "2027-01-01", Title: "七彩托班 / Care classes"}
	var wg sync.WaitGroup
	var attempts atomic.Int64
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			tg := base
			tg.Target = 1000 + i
			errs[i] = retry.Policy{}.Do(w.ctx, func(int) error {
				attempts.Add(1)
				_, err := w.st.SetTarget(w.ctx, tg, fmt.Sprintf("officer-%d", i), w.now.Add(time.Duration(i)*time.Second))
				return err
			})
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("officer %d: %v", i, err)
		}
	}
	t.Logf("%d changes in %d attempts", n, attempts.Load())
	hist, err := w.st.TargetHistory(w.ctx, base.Key())
	w.must(err)
	if len(hist) != n {
		t.Fatalf("%d history entries, want %d: %+v", len(hist), n, hist)
	}
	seen := map[int]bool{}
	for i, h := range hist {
		if h.Version != i+1 {
			t.Errorf("entry %d has version %d", i, h.Version)
		}
		if seen[h.Target] || h.Target < 1000 || h.Target >= 1000+n || h.ChangedBy != fmt.Sprintf("officer-%d", h.Target-1000) {
			t.Errorf("entry %d: %+v", i, h)
		}
		seen[h.Target] = true
		switch {
		case i == 0 && h.Before != nil:
			t.Errorf("the first entry replaced %+v", *h.Before)
		case i > 0 && (h.Before == nil || *h.Before != hist[i-1].TargetValues):
			t.Errorf("entry %d replaced %v, want %+v", i, h.Before, hist[i-1].TargetValues)
		}
	}
	targets, err := w.st.Targets(w.ctx)
	w.must(err)
	if len(targets) != 1 || targets[0].Values() != hist[n-1].TargetValues {
		t.Fatalf("targets %+v, want the last change %+v", targets, hist[n-1].TargetValues)
	}
}

func ptr[T any](v T) *T { return &v }
