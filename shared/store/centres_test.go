package store_test

import (
	"fmt"
	"reflect"
	"slices"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// TestCentreRoundTrip: a centre reads back as written, its kinds in the
// fixed order whatever order they were given; onlyIfNew keeps the one
// there, a plain put replaces it; an unknown centre is not_found.
func TestCentreRoundTrip(t *testing.T) {
	w := newWorld(t)
	c := dbtest.Centre("c2", "liangxi")
	c.Kinds = []domain.Kind{domain.EveningCourse, domain.Childcare}
	w.must(w.st.PutCentre(w.ctx, c, false))
	got, err := w.st.GetCentre(w.ctx, "c2")
	w.must(err)
	want := c
	want.Kinds = []domain.Kind{domain.Childcare, domain.EveningCourse}
	want.Status = domain.CentreActive // written without a status, as the seed's were: reads active
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("read %+v, want %+v", got, want)
	}
	renamed := c
	renamed.Name = "改名"
	w.must(w.st.PutCentre(w.ctx, renamed, true))
	if got, _ := w.st.GetCentre(w.ctx, "c2"); got.Name != c.Name {
		t.Fatalf("onlyIfNew replaced the centre: %q", got.Name)
	}
	w.must(w.st.PutCentre(w.ctx, renamed, false))
	if got, _ := w.st.GetCentre(w.ctx, "c2"); got.Name != "改名" {
		t.Fatalf("a put did not replace the centre: %q", got.Name)
	}
	_, err = w.st.GetCentre(w.ctx, "nowhere")
	wantCode(t, "unknown centre", err, apperr.NotFound)
}

// TestListCentres: every centre, or one district's, by district then id, at
// every page size; a centre moved to another district leaves the first's
// list.
func TestListCentres(t *testing.T) {
	w := newWorld(t) // c1 in binhu
	for i, d := range []domain.District{"huishan", "binhu", "xinwu", "huishan", "binhu"} {
		w.must(w.st.PutCentre(w.ctx, dbtest.Centre(fmt.Sprintf("c%d", i+2), d), false))
	}
	cases := []struct {
		district domain.District
		want     []string
	}{
		{"", []string{"c1", "c3", "c6", "c2", "c5", "c4"}},
		{"binhu", []string{"c1", "c3", "c6"}},
		{"huishan", []string{"c2", "c5"}},
		{"liangxi", nil},
	}
	for _, tc := range cases {
		for _, limit := range []int{1, 2, 3, 100} {
			got, _ := pageAll(t, limit, func(p paging.Page) ([]domain.Centre, string, error) { return w.st.ListCentres(w.ctx, tc.district, p) })
			if ids := idsOf(got, func(c domain.Centre) string { return c.ID }); !slices.Equal(ids, tc.want) && len(ids)+len(tc.want) > 0 {
				t.Errorf("district %q limit %d: %v, want %v", tc.district, limit, ids, tc.want)
			}
		}
	}
	moved := dbtest.Centre("c3", "liangxi")
	w.must(w.st.PutCentre(w.ctx, moved, false))
	binhu, _, err := w.st.ListCentres(w.ctx, "binhu", paging.Page{Limit: 10})
	w.must(err)
	liangxi, _, err := w.st.ListCentres(w.ctx, "liangxi", paging.Page{Limit: 10})
	w.must(err)
	if ids := idsOf(binhu, func(c domain.Centre) string { return c.ID }); !slices.Equal(ids, []string{"c1", "c6"}) || len(liangxi) != 1 || liangxi[0].ID != "c3" {
		t.Fatalf("after the move: binhu %v, liangxi %+v", ids, liangxi)
	}
}
