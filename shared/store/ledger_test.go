package store_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestRecordAndListChanges: changes the system records read back whole,
// once however often written; a day range is the city's days, both ends
// included; ListChanges pages oldest first through all or a kind's or a
// district's, at every page size, and unfiltered pages are full but the last.
func TestRecordAndListChanges(t *testing.T) {
	w := newWorld(t)
	var all []cityfigures.Change
	kinds := []domain.Kind{domain.Childcare, domain.EveningCourse, domain.Childcare}
	districts := []domain.District{"binhu", "binhu", "huishan", "liangxi"}
	// Day 1 at 00:00 to day 4 at 23:59, Wuxi time: 12 entries, 4 a day.
	for i := range 12 {
		at := time.Date(2025, 10, 1+i/3, 0, 0, 0, 0, domain.CityZone).Add(time.Duration(i%3) * (12*time.Hour - time.Minute))
		all = append(all, cityfigures.Change{At: at, Date: at.Format(time.DateOnly), Kind: kinds[i%3], District: districts[i%4],
			CentreID: "c1", CentreName: "中心", OfferingID: fmt.Sprintf("o%02d", i), OfferingTitle: "课程", Term: "2025-autumn",
			Reason: cityfigures.Published, Before: 0, After: 10 + i, Delta: 10 + i, Actor: "system"})
	}
	w.must(w.st.RecordChanges(w.ctx, all))
	w.must(w.st.RecordChanges(w.ctx, all[:5])) // again: replaced, not repeated

	got, err := w.st.Changes(w.ctx, "2025-10-01", "2025-10-04", store.ChangeFilter{})
	w.must(err)
	if len(got) != len(all) {
		t.Fatalf("%d changes, want %d", len(got), len(all))
	}
	for i := range all {
		if !got[i].At.Equal(all[i].At) || got[i].At.Location() != domain.CityZone {
			t.Errorf("change %d at %v, want %v in Wuxi", i, got[i].At, all[i].At)
		}
		g, want := got[i], all[i]
		g.At, want.At = time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, want) {
			t.Errorf("change %d: %+v, want %+v", i, g, want)
		}
	}
	day2, err := w.st.Changes(w.ctx, "2025-10-02", "2025-10-02", store.ChangeFilter{})
	w.must(err)
	if ids := idsOf(day2, offeringOf); !slices.Equal(ids, []string{"o03", "o04", "o05"}) {
		t.Fatalf("day 2: %v", ids)
	}

	filters := []store.ChangeFilter{{}, {Kind: domain.Childcare}, {District: "binhu"}, {Kind: domain.EveningCourse, District: "binhu"}, {District: "xinwu"}}
	for _, f := range filters {
		var want []string
		for _, c := range all {
			if (f.Kind == "" || c.Kind == f.Kind) && (f.District == "" || c.District == f.District) {
				want = append(want, c.OfferingID)
			}
		}
		for _, limit := range []int{1, 2, 5, 12, 50} {
			listed, sizes := pageAll(t, limit, func(p paging.Page) ([]cityfigures.Change, string, error) {
				return w.st.ListChanges(w.ctx, "2025-10-01", "2025-10-04", f, p)
			})
			if ids := idsOf(listed, offeringOf); !slices.Equal(ids, want) {
				t.Errorf("filter %+v limit %d: %v, want %v", f, limit, ids, want)
			}
			if f == (store.ChangeFilter{}) {
				for i, n := range sizes[:len(sizes)-1] {
					if n != limit {
						t.Errorf("limit %d: page %d holds %d (%v)", limit, i+1, n, sizes)
					}
				}
			}
		}
	}
}

func offeringOf(c cityfigures.Change) string { return c.OfferingID }
