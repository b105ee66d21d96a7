package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// policy is version v of kind's policy, effective from, with n tiers whose
// names say the version (so versions are told apart).
func policy(kind domain.Kind, v int, from time.Time, n int) domain.PriorityPolicy {
	p := domain.PriorityPolicy{Kind: kind, Version: v, EffectiveFrom: from, CreatedAt: from.Add(-time.Hour), CreatedBy: "officer-1"}
	for i := range n {
		t := domain.PolicyTier{Tier: i + 1, Code: fmt.Sprintf("tier_%d", i+1), ZH: fmt.Sprintf("第%d版第%d档", v, i+1), EN: fmt.Sprintf("v%d tier %d", v, i+1), Evidence: "证明"}
		if i == n-1 {
			t.Code, t.Evidence = "general", ""
		}
		p.Tiers = append(p.Tiers, t)
	}
	return p
}

// TestPolicyVersions: versions read back as written (times in any zone
// equal, the officer kept), newest first page by page; the version in
// force at a time is the highest whose effective_from is not after it,
// even where a lower version is scheduled later, and the schedule lists
// the versions after it; each kind on its own.
func TestPolicyVersions(t *testing.T) {
	w := newWorld(t)
	day := func(d int) time.Time { return w.now.AddDate(0, 0, d) }
	for _, get := range []func() error{
		func() error { _, err := w.st.PolicyInForce(w.ctx, domain.Childcare, w.now); return err },
		func() error { _, err := w.st.LatestPolicy(w.ctx, domain.Childcare); return err },
		func() error { _, err := w.st.PolicyVersion(w.ctx, domain.Childcare, 1); return err },
	} {
		if err := get(); !apperr.Is(err, apperr.NotFound) {
			t.Fatalf("no policy: %v, want not_found", err)
		}
	}
	if got, next, err := w.st.PolicyVersions(w.ctx, domain.Childcare, paging.Page{Limit: 5}); err != nil || got == nil || len(got) != 0 || next != "" {
		t.Fatalf("no versions: %v %q %v, want an empty list", got, next, err)
	}

	// v1 from day 0; v2 scheduled for day 20; v3 written later, from day 10:
	// from day 10 on v3 is in force and v2 never comes into force.
	vs := []domain.PriorityPolicy{policy(domain.Childcare, 1, day(0), 5), policy(domain.Childcare, 2, day(20), 3), policy(domain.Childcare, 3, day(10), 2)}
	for _, p := range vs {
		w.must(w.st.PutPolicy(w.ctx, p))
	}
	w.must(w.st.PutPolicy(w.ctx, policy(domain.CareClass, 1, day(-5), 2)))

	for _, c := range []struct {
		at   time.Time
		want int // 0: none
	}{
		{day(-1), 0}, {day(0).Add(-time.Nanosecond), 0}, {day(0), 1}, {day(9), 1}, {day(10), 3}, {day(20), 3}, {day(400), 3},
	} {
		got, err := w.st.PolicyInForce(w.ctx, domain.Childcare, c.at)
		switch {
		case c.want == 0 && !apperr.Is(err, apperr.NotFound):
			t.Errorf("in force at %s: %+v %v, want not_found", c.at, got, err)
		case c.want != 0 && (err != nil || got.Version != c.want):
			t.Errorf("in force at %s: version %d %v, want %d", c.at, got.Version, err, c.want)
		}
	}
	if got, err := w.st.PolicyInForce(w.ctx, domain.CareClass, day(0)); err != nil || got.Kind != domain.CareClass || got.Version != 1 {
		t.Errorf("care_class in force: %+v %v", got, err)
	}
	if _, err := w.st.PolicyInForce(w.ctx, domain.EveningCourse, day(0)); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("evening_course in force: %v, want not_found", err)
	}
	for _, c := range []struct {
		at      time.Time
		inForce int
		later   []int
	}{{day(-1), 0, []int{3, 2, 1}}, {day(5), 1, []int{3, 2}}, {day(10), 3, nil}} {
		p, later, err := w.st.PolicySchedule(w.ctx, domain.Childcare, c.at)
		w.must(err)
		var got []int
		for _, l := range later {
			got = append(got, l.Version)
		}
		if (p == nil) != (c.inForce == 0) || (p != nil && p.Version != c.inForce) || !reflect.DeepEqual(got, c.later) {
			t.Errorf("schedule at %s: %+v then %v, want version %d then %v", c.at, p, got, c.inForce, c.later)
		}
	}
	latest, err := w.st.LatestPolicy(w.ctx, domain.Childcare)
	if w.must(err); latest.Version != 3 {
		t.Errorf("latest version %d, want 3", latest.Version)
	}

	for _, p := range vs {
		got, err := w.st.PolicyVersion(w.ctx, p.Kind, p.Version)
		w.must(err)
		if !got.EffectiveFrom.Equal(p.EffectiveFrom) || !got.CreatedAt.Equal(p.CreatedAt) {
			t.Errorf("v%d times %s %s, want %s %s", p.Version, got.EffectiveFrom, got.CreatedAt, p.EffectiveFrom, p.CreatedAt)
		}
		got.EffectiveFrom, got.CreatedAt = p.EffectiveFrom, p.CreatedAt
		if !reflect.DeepEqual(got, p) {
			t.Errorf("v%d read back %+v, want %+v", p.Version, got, p)
		}
	}
	if _, err := w.st.PolicyVersion(w.ctx, domain.Childcare, 4); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("version 4: %v, want not_found", err)
	}

	var order []int
	page := paging.Page{Limit: 2}
	for {
		got, next, err := w.st.PolicyVersions(w.ctx, domain.Childcare, page)
		w.must(err)
		for _, p := range got {
			order = append(order, p.Version)
		}
		if next == "" {
			break
		}
		page.Cursor = next
	}
	if !reflect.DeepEqual(order, []int{3, 2, 1}) {
		t.Errorf("versions page by page %v, want [3 2 1]", order)
	}
}

// TestPolicyVersionTaken: a version is written once. Writing it again
// (another officer got there first) is ErrContention and leaves the first;
// of many writing the same version at once exactly one succeeds. Tiers an
// officer could not write are refused here too.
func TestPolicyVersionTaken(t *testing.T) {
	w := newWorld(t)
	first := policy(domain.Childcare, 1, w.now, 3)
	w.must(w.st.PutPolicy(w.ctx, first))
	if err := w.st.PutPolicy(w.ctx, policy(domain.Childcare, 1, w.now, 4)); !errors.Is(err, store.ErrContention) {
		t.Fatalf("version 1 again: %v, want ErrContention", err)
	}
	if got, err := w.st.PolicyVersion(w.ctx, domain.Childcare, 1); err != nil || len(got.Tiers) != 3 {
		t.Fatalf("version 1 after the lost write: %d tiers %v, want the first's 3", len(got.Tiers), err)
	}

	const writers = 8
	var wg sync.WaitGroup
	errs := make([]error, writers)
	for i := range writers {
		wg.Go(func() { errs[i] = w.st.PutPolicy(w.ctx, policy(domain.Childcare, 2, w.now, 2+i%5)) })
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, store.ErrContention):
			t.Errorf("a racing write: %v, want nil or ErrContention", err)
		}
	}
	if won != 1 {
		t.Errorf("%d of %d racing writes of version 2 succeeded, want exactly 1", won, writers)
	}

	bad := policy(domain.Childcare, 3, w.now, 3)
	bad.Tiers[2].Evidence = "证明"
	if err := w.st.PutPolicy(w.ctx, bad); !apperr.Is(err, apperr.ValidationFailed) {
		t.Errorf("evidence on the last tier: %v, want validation_failed", err)
	}
	if _, err := w.st.PolicyVersion(w.ctx, domain.Childcare, 3); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("the refused version was stored: %v", err)
	}
}
