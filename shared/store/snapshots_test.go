package store_test

import (
	"reflect"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestSnapshots: no latest before the first; a day's figures for every
// scope read back as written; writing a day again replaces it; a range
// reads its days oldest first, ends included; the latest is the newest day.
func TestSnapshots(t *testing.T) {
	w := newWorld(t)
	if sn, err := w.st.LatestSnapshot(w.ctx); sn != nil || err != nil {
		t.Fatalf("before the first: %+v %v", sn, err)
	}
	snap := func(date string, n int) store.Snapshot {
		return store.Snapshot{Date: date, TakenAt: time.Date(2025, 8, 1, 0, 5, n, 0, domain.CityZone), Tally: cityfigures.Tally{
			{}:                       {Capacity: 100 + n, Confirmed: 50, Waitlisted: 3, Centres: 2, Offerings: 4},
			{Kind: domain.Childcare}: {Capacity: 40 + n, Confirmed: 20, Centres: 1, Offerings: 1},
			{District: "binhu"}:      {Capacity: 60, Confirmed: 30 + n, Waitlisted: 3, Centres: 1, Offerings: 3},
			{Kind: domain.EveningCourse, District: "binhu"}: {Capacity: 60, Offerings: 3},
		}}
	}
	w.must(w.st.PutSnapshot(w.ctx, snap("2025-08-02", 1)))
	w.must(w.st.PutSnapshot(w.ctx, snap("2025-08-02", 2))) // the same day again
	w.must(w.st.PutSnapshots(w.ctx, []store.Snapshot{snap("2025-08-01", 3), snap("2025-08-04", 4), snap("2025-07-31", 5)}))
	got, err := w.st.Snapshots(w.ctx, "2025-08-01", "2025-08-04")
	w.must(err)
	want := []store.Snapshot{snap("2025-08-01", 3), snap("2025-08-02", 2), snap("2025-08-04", 4)}
	if len(got) != len(want) {
		t.Fatalf("%d snapshots, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		if got[i].Date != want[i].Date || !got[i].TakenAt.Equal(want[i].TakenAt) || !reflect.DeepEqual(got[i].Tally, want[i].Tally) {
			t.Errorf("snapshot %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	latest, err := w.st.LatestSnapshot(w.ctx)
	if err != nil || latest == nil || latest.Date != "2025-08-04" || !reflect.DeepEqual(latest.Tally, want[2].Tally) {
		t.Fatalf("latest %+v %v", latest, err)
	}
	if none, err := w.st.Snapshots(w.ctx, "2025-09-01", "2025-09-30"); len(none) != 0 || err != nil {
		t.Fatalf("a range without snapshots: %+v %v", none, err)
	}
}
