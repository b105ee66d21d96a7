package cityoffice_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/cityoffice"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// TestSetTargetConcurrently: officers setting one target at once through
// the service (which reads again and retries when another change landed)
// each get their change kept: as many history entries as officers, in the
// order they landed, each officer's once, the target the last of them.
func TestSetTargetConcurrently(t *testing.T) {
	st, _ := dbtest.Store(t)
	svc := &cityoffice.Service{Store: st}
	ctx := context.Background()
	now := time.Date(2027, 2, 1, 9, 0, 0, 0, domain.CityZone)
	const n = 16
	var wg sync.WaitGroup
	errs, created := make([]error, n), make([]bool, n)
	for i := range n {
		wg.Go(func() {
			goal := 2000 + i
			title := "新增托位 / New places"
			res, err := svc.SetTarget(ctx, "2027", "childcare", cityoffice.TargetInput{Target: &goal, Title: &title},
				fmt.Sprintf("officer-%d", i), now.Add(time.Duration(i)*time.Minute))
			errs[i], created[i] = err, res.Created
		})
	}
	wg.Wait()
	news := 0
	for i := range n {
		if errs[i] != nil {
			t.Fatalf("officer %d: %v", i, errs[i])
		}
		if created[i] {
			news++
		}
	}
	if news != 1 {
		t.Errorf("%d officers were told they made the target, want 1", news)
	}
	hist, err := svc.TargetHistory(ctx)
	if err != nil {
		t.Fatal(err)
	}
	changes := hist["2027#childcare#new_places"]
	if len(hist) != 1 || len(changes) != n {
		t.Fatalf("history %+v, want %d changes of one target", hist, n)
	}
	seen := map[string]bool{}
	for i, c := range changes {
		if c.Version != i+1 || seen[c.ChangedBy] || c.ChangedBy != fmt.Sprintf("officer-%d", c.Target-2000) || c.Baseline != "2027-01-01" {
			t.Errorf("change %d: %+v", i, c)
		}
		seen[c.ChangedBy] = true
	}
	targets, err := st.Targets(ctx)
	if err != nil || len(targets) != 1 || targets[0].Target != changes[n-1].Target {
		t.Fatalf("targets %+v %v, want the last change %+v", targets, err, changes[n-1])
	}
}
