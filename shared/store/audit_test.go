package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestListAudit: a centre's audit log lists its own records, those written
// alone (PutAudit) and those written with the change they record
// (CreateOffering), newest first at every page size, with who, what, when,
// before and after as recorded; another centre's cursor is refused.
func TestListAudit(t *testing.T) {
	w := newWorld(t)
	want := []string{}
	for i := range 4 {
		var before, after any
		if i%2 == 1 {
			before, after = map[string]int{"i": i - 1}, map[string]int{"i": i}
		}
		w.must(w.st.PutAudit(w.ctx, store.Audit(w.c.ID, "staff-1", "roster.view", fmt.Sprintf("t%d", i), before, after, w.tick())))
		want = append(want, fmt.Sprintf("t%d", i))
	}
	o := w.draft("o1")
	w.must(w.st.CreateOffering(w.ctx, o, store.Audit(w.c.ID, "staff-2", "offering.create", o.ID, nil, map[string]string{"id": o.ID}, w.tick())))
	want = append(want, o.ID)
	w.must(w.st.PutAudit(w.ctx, store.Audit("c2", "staff-9", "roster.view", "elsewhere", nil, nil, w.tick())))
	slices.Reverse(want)

	for _, limit := range []int{1, 2, 5, 6, 50} {
		got, _ := pageAll(t, limit, func(p paging.Page) ([]store.AuditEntry, string, error) { return w.st.ListAudit(w.ctx, w.c.ID, p) })
		if ids := idsOf(got, func(a store.AuditEntry) string { return a.Target }); !slices.Equal(ids, want) {
			t.Errorf("limit %d: %v, want %v", limit, ids, want)
		}
	}
	got, _, err := w.st.ListAudit(w.ctx, w.c.ID, paging.Page{Limit: 5})
	w.must(err)
	first := got[0]
	if first.Actor != "staff-2" || first.Action != "offering.create" || first.CentreID != w.c.ID || first.Before != nil ||
		string(first.After) != `{"id":"o1"}` || !first.At.Equal(w.now.Add(-time.Minute)) || first.At.Location() != domain.CityZone {
		t.Errorf("newest %+v", first)
	}
	if a := got[3]; string(a.Before) != `{"i":0}` || string(a.After) != `{"i":1}` {
		t.Errorf("t1 before %s after %s", a.Before, a.After)
	}
	if a := got[4]; a.Before != nil || a.After != nil {
		t.Errorf("t0 before %s after %s, want none", a.Before, a.After)
	}

	_, next, err := w.st.ListAudit(w.ctx, w.c.ID, paging.Page{Limit: 1})
	w.must(err)
	_, _, err = w.st.ListAudit(w.ctx, "c2", paging.Page{Limit: 1, Cursor: next})
	wantCode(t, "c1's cursor on c2's log", err, apperr.InvalidRequest)
	other, _, err := w.st.ListAudit(w.ctx, "c2", paging.Page{Limit: 5})
	if err != nil || len(other) != 1 || other[0].Target != "elsewhere" {
		t.Fatalf("c2's log %+v %v", other, err)
	}
}
