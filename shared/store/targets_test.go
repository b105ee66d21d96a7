package store_test

import (
	"slices"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
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
