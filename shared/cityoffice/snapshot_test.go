package cityoffice_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/cityoffice"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

func TestTake(t *testing.T) {
	ctx := context.Background()
	at := time.Date(2026, 11, 28, 23, 55, 0, 0, domain.CityZone)
	day := func(n int) string { return at.AddDate(0, 0, n).Format(time.DateOnly) }
	tests := []struct {
		name     string
		previous int // days before today of the last snapshot; 0 for none
		ended    []string
	}{
		{"first run ends only yesterday's", 0, []string{"yesterday"}},
		{"after a gap, ends everything since the last snapshot", -3, []string{"three-days", "yesterday"}},
		{"after yesterday's run", -1, []string{"yesterday"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, _ := dbtest.Store(t)
			c := dbtest.Centre("c1", "jiangyin")
			put := func(id string, ends string, status domain.OfferingStatus) {
				o := dbtest.Offering(id, c, 20, at, func(o *domain.Offering) { o.EndsOn, o.Status, o.Confirmed = ends, status, 5 })
				if err := st.PutOffering(ctx, o, false); err != nil {
					t.Fatal(err)
				}
			}
			put("long-ago", day(-10), domain.OfferingClosed)
			put("three-days", day(-3), domain.OfferingClosed)
			put("yesterday", day(-1), domain.OfferingPublished)
			put("cancelled", day(-1), domain.OfferingCancelled)
			put("today", day(0), domain.OfferingPublished)
			put("running", day(30), domain.OfferingPublished)
			if tt.previous != 0 {
				prev := at.AddDate(0, 0, tt.previous)
				if err := st.PutSnapshot(ctx, store.Snapshot{Date: day(tt.previous), TakenAt: prev, Tally: cityfigures.Tally{}}); err != nil {
					t.Fatal(err)
				}
			}
			for run := range 2 { // a second run the same day ends nothing more
				res, err := (&cityoffice.Service{Store: st}).Take(ctx, at)
				if err != nil {
					t.Fatal(err)
				}
				changes, err := st.Changes(ctx, day(-30), day(1), store.ChangeFilter{})
				if err != nil {
					t.Fatal(err)
				}
				var ended []string
				for _, ch := range changes {
					if ch.Reason != cityfigures.Ended || ch.Delta != -20 || ch.Actor != cityfigures.SystemActor {
						t.Errorf("entry %+v", ch)
					}
					ended = append(ended, ch.OfferingID)
				}
				if len(ended) != len(tt.ended) || (run == 0 && res.Ended != len(tt.ended)) || (run == 1 && res.Ended != 0) {
					t.Fatalf("run %d: ended %v (result %d), want %v", run, ended, res.Ended, tt.ended)
				}
				for i := range ended {
					if ended[i] != tt.ended[i] {
						t.Fatalf("ended %v, want %v", ended, tt.ended)
					}
				}
				sn, err := st.LatestSnapshot(ctx)
				if err != nil || sn.Date != day(0) || !sn.TakenAt.Equal(at) {
					t.Fatalf("snapshot %+v %v", sn, err)
				}
				// Today and the running one: 40 places, 10 confirmed.
				want := cityfigures.Figures{Capacity: 40, Confirmed: 10, Centres: 1, Offerings: 2}
				if f := sn.Tally[cityfigures.Scope{District: "jiangyin"}]; f != want || res.Total != want {
					t.Errorf("figures %+v (result %+v), want %+v", f, res.Total, want)
				}
			}
		})
	}
}
