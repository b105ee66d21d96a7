package cityoffice_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/cityoffice"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

func newTiers(label string) []domain.PolicyTier {
	return []domain.PolicyTier{
		{Code: "dual_worker", ZH: "双职工家庭" + label, EN: "Both parents work " + label, Evidence: "劳动合同"},
		{Code: "general", ZH: "其他申请人", EN: "Everyone else"},
	}
}

type policyWorld struct {
	t   *testing.T
	ctx context.Context
	svc *cityoffice.Policies
	now time.Time
}

func newPolicyWorld(t *testing.T) *policyWorld {
	st, _ := dbtest.Store(t)
	w := &policyWorld{t: t, ctx: context.Background(), now: time.Date(2025, 9, 1, 9, 0, 0, 0, domain.CityZone)}
	w.svc = &cityoffice.Policies{Store: st, Now: func() time.Time { return w.now }}
	return w
}

func (w *policyWorld) put(in cityoffice.NewPolicy) cityoffice.Policy {
	w.t.Helper()
	p, err := w.svc.Put(w.ctx, domain.Childcare, in, "officer-1")
	if err != nil {
		w.t.Fatal(err)
	}
	return p
}

// statuses are each version's status, newest first.
func (w *policyWorld) statuses() []string {
	w.t.Helper()
	ps, _, err := w.svc.Versions(w.ctx, domain.Childcare, paging.Page{Limit: 50})
	if err != nil {
		w.t.Fatal(err)
	}
	var out []string
	for _, p := range ps {
		out = append(out, fmt.Sprintf("v%d %s", p.Version, p.Status))
	}
	return out
}

// TestPolicySchedule: a version is numbered after the latest and takes
// effect now by default (a time a moment past counts as now); one
// scheduled later is listed as scheduled while the one in force stays
// current until its time comes; a version that begins before a scheduled
// one supersedes it for good.
func TestPolicySchedule(t *testing.T) {
	w := newPolicyWorld(t)
	if _, err := w.svc.Current(w.ctx, domain.Childcare); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("no policy yet: %v, want not_found", err)
	}
	v1 := w.put(cityoffice.NewPolicy{Tiers: newTiers("1")})
	if v1.Version != 1 || !v1.EffectiveFrom.Equal(w.now) || v1.Status != cityoffice.InForce || v1.Tiers[0].Tier != 1 || v1.Tiers[1].Tier != 2 {
		t.Fatalf("first version %+v, want version 1 in force from now, tiers numbered", v1)
	}

	later := w.now.Add(72 * time.Hour)
	v2 := w.put(cityoffice.NewPolicy{EffectiveFrom: &later, Tiers: newTiers("2")})
	if v2.Version != 2 || v2.Status != cityoffice.Scheduled {
		t.Fatalf("scheduled version %+v", v2)
	}
	if got := w.statuses(); !slices.Equal(got, []string{"v2 scheduled", "v1 in_force"}) {
		t.Errorf("statuses %v", got)
	}
	w.now = later.Add(-time.Second)
	if cur, err := w.svc.Current(w.ctx, domain.Childcare); err != nil || cur.Version != 1 {
		t.Errorf("a second before v2: current %d %v, want 1", cur.Version, err)
	}
	w.now = later
	if cur, err := w.svc.Current(w.ctx, domain.Childcare); err != nil || cur.Version != 2 || cur.Status != cityoffice.InForce || cur.Tiers[0].ZH != "双职工家庭2" {
		t.Errorf("at v2's time: current %+v %v, want version 2", cur, err)
	}
	if got := w.statuses(); !slices.Equal(got, []string{"v2 in_force", "v1 superseded"}) {
		t.Errorf("statuses %v", got)
	}

	// v3 for next month, then v4 at once: v4 supersedes v3 before it begins.
	month := w.now.AddDate(0, 1, 0)
	w.put(cityoffice.NewPolicy{EffectiveFrom: &month, Tiers: newTiers("3")})
	past := w.now.Add(-30 * time.Second)
	v4 := w.put(cityoffice.NewPolicy{EffectiveFrom: &past, Tiers: newTiers("4")})
	if !v4.EffectiveFrom.Equal(w.now) || v4.Status != cityoffice.InForce {
		t.Errorf("a moment past: %+v, want in force from now", v4)
	}
	if got := w.statuses(); !slices.Equal(got, []string{"v4 in_force", "v3 superseded", "v2 superseded", "v1 superseded"}) {
		t.Errorf("statuses %v", got)
	}
	w.now = month.AddDate(0, 0, 1)
	if cur, _ := w.svc.Current(w.ctx, domain.Childcare); cur.Version != 4 {
		t.Errorf("after v3's date: current %d, want 4", cur.Version)
	}
	if v, err := w.svc.Version(w.ctx, domain.Childcare, 1); err != nil || v.Status != cityoffice.Superseded || v.Tiers[0].ZH != "双职工家庭1" {
		t.Errorf("version 1: %+v %v", v, err)
	}
	if _, err := w.svc.Version(w.ctx, domain.Childcare, 5); !apperr.Is(err, apperr.NotFound) {
		t.Errorf("version 5: %v, want not_found", err)
	}
}

// TestPolicyRefused: every bad field at once, with its name; nothing
// written.
func TestPolicyRefused(t *testing.T) {
	w := newPolicyWorld(t)
	ago, far := w.now.Add(-2*time.Minute), w.now.AddDate(3, 0, 0)
	bad := newTiers("")
	bad[1].Evidence = "户口簿"
	for _, c := range []struct {
		name   string
		in     cityoffice.NewPolicy
		fields []string
	}{
		{"in the past, bad tiers", cityoffice.NewPolicy{EffectiveFrom: &ago, Tiers: bad}, []string{"effective_from", "tiers[1].evidence"}},
		{"too far ahead", cityoffice.NewPolicy{EffectiveFrom: &far, Tiers: newTiers("")}, []string{"effective_from"}},
		{"no tiers", cityoffice.NewPolicy{}, []string{"tiers"}},
	} {
		_, err := w.svc.Put(w.ctx, domain.Childcare, c.in, "officer-1")
		e := apperr.As(err)
		var named []string
		for _, f := range e.Fields {
			named = append(named, f.Field)
		}
		if e.Code != apperr.ValidationFailed || !slices.Equal(named, c.fields) {
			t.Errorf("%s: %v naming %v, want validation_failed naming %v", c.name, err, named, c.fields)
		}
	}
	if got := w.statuses(); len(got) != 0 {
		t.Errorf("refused versions were written: %v", got)
	}

	for _, s := range []string{"yoga", "", "CHILDCARE"} {
		if _, err := cityoffice.PolicyKind(s); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("kind %q: %v, want not_found", s, err)
		}
	}
	for _, s := range []string{"0", "-1", "01", "x", "1000000", "1.5"} {
		if _, err := cityoffice.PolicyVersionNumber(s); !apperr.Is(err, apperr.NotFound) {
			t.Errorf("version %q: %v, want not_found", s, err)
		}
	}
	if v, err := cityoffice.PolicyVersionNumber("12"); v != 12 || err != nil {
		t.Errorf("version 12: %d %v", v, err)
	}
}

// TestPolicyConcurrentPuts: officers writing at once each get their own
// version, numbered one after another; none is lost.
func TestPolicyConcurrentPuts(t *testing.T) {
	w := newPolicyWorld(t)
	w.put(cityoffice.NewPolicy{Tiers: newTiers("1")})
	const n = 6
	got := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			p, err := w.svc.Put(w.ctx, domain.Childcare, cityoffice.NewPolicy{Tiers: newTiers(fmt.Sprint("w", i))}, fmt.Sprint("officer-", i))
			if err != nil {
				t.Error(err)
			}
			got[i] = p.Version
		})
	}
	wg.Wait()
	slices.Sort(got)
	if !slices.Equal(got, []int{2, 3, 4, 5, 6, 7}) {
		t.Errorf("versions %v, want 2..7", got)
	}
	labels := map[string]bool{}
	for v := 2; v <= n+1; v++ {
		p, err := w.svc.Version(w.ctx, domain.Childcare, v)
		if err != nil {
			t.Fatal(err)
		}
		labels[p.Tiers[0].ZH] = true
	}
	if len(labels) != n {
		t.Errorf("%d distinct versions written, want %d: %v", len(labels), n, labels)
	}
}
