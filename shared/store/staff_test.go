package store_test

import (
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/retry"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestStaff: adding a person to a centre's staff lists them, audits it and
// puts the centre in their set; adding them again writes nothing; a second
// centre joins the set; removing takes them off the list and the centre out
// of the set, audited; removing again is not found.
func TestStaff(t *testing.T) {
	w := newWorld(t)
	member := func(centre string) store.StaffMember {
		return store.StaffMember{CentreID: centre, UserID: "u-1", Username: "u-1", Name: "王老师", PhoneMasked: "139****5678", AddedAt: w.now, AddedBy: "officer-1"}
	}
	audit := func(centre, action string) store.AuditEntry {
		return store.Audit(centre, "officer-1", action, "u-1", nil, map[string]string{"phone": "139****5678"}, w.tick())
	}
	if c, known, err := w.st.StaffCentres(w.ctx, "u-1"); err != nil || known || len(c) != 0 {
		t.Fatalf("a stranger's centres: %v %v %v", c, known, err)
	}
	added, err := w.st.AddStaff(w.ctx, member("c1"), audit("c1", "staff.add"))
	if err != nil || !added {
		t.Fatalf("first add: %v %v", added, err)
	}
	if added, err = w.st.AddStaff(w.ctx, member("c1"), audit("c1", "staff.add")); err != nil || added {
		t.Fatalf("second add: added %v, %v; want false, nil", added, err)
	}
	w.must2(w.st.AddStaff(w.ctx, member("c2"), audit("c2", "staff.add")))
	if c, known, err := w.st.StaffCentres(w.ctx, "u-1"); err != nil || !known || !slices.Equal(c, []string{"c1", "c2"}) {
		t.Fatalf("centres %v %v %v, want [c1 c2]", c, known, err)
	}
	list, _, err := w.st.ListStaff(w.ctx, "c1", paging.Page{Limit: 10})
	w.must(err)
	if len(list) != 1 || list[0].UserID != "u-1" || list[0].Name != "王老师" || list[0].PhoneMasked != "139****5678" || list[0].AddedBy != "officer-1" {
		t.Fatalf("staff of c1: %+v", list)
	}
	entries, _, err := w.st.ListAudit(w.ctx, "c1", paging.Page{Limit: 10})
	w.must(err)
	if len(entries) != 1 || entries[0].Action != "staff.add" {
		t.Fatalf("c1's audit after adding twice: %+v, want one staff.add", entries)
	}

	w.must(w.st.RemoveStaff(w.ctx, "c1", "u-1", audit("c1", "staff.remove")))
	if c, _, err := w.st.StaffCentres(w.ctx, "u-1"); err != nil || !slices.Equal(c, []string{"c2"}) {
		t.Fatalf("centres after removal %v %v, want [c2]", c, err)
	}
	if list, _, _ := w.st.ListStaff(w.ctx, "c1", paging.Page{Limit: 10}); len(list) != 0 {
		t.Fatalf("c1's staff after removal: %+v", list)
	}
	err = w.st.RemoveStaff(w.ctx, "c1", "u-1", audit("c1", "staff.remove"))
	if e := apperr.As(err); e.Code != apperr.NotFound {
		t.Fatalf("removing again: %v, want not_found", err)
	}
	entries, _, _ = w.st.ListAudit(w.ctx, "c1", paging.Page{Limit: 10})
	if len(entries) != 2 || entries[0].Action != "staff.remove" {
		t.Fatalf("c1's audit: %+v, want staff.remove then staff.add", entries)
	}
	w.must(w.st.RemoveStaff(w.ctx, "c2", "u-1", audit("c2", "staff.remove")))
	if c, known, err := w.st.StaffCentres(w.ctx, "u-1"); err != nil || !known || len(c) != 0 {
		t.Fatalf("no centre left: %v %v %v, want [] and known", c, known, err)
	}
}

// TestStaffConcurrentCentres: officers adding different centres to one
// person at the same moment all land in the set (ADD on a string set), and
// the set then holds every one.
func TestStaffConcurrentCentres(t *testing.T) {
	w := newWorld(t)
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			centre := fmt.Sprintf("c%d", i)
			m := store.StaffMember{CentreID: centre, UserID: "u-9", Username: "u-9", Name: "李老师", AddedAt: w.now, AddedBy: "officer"}
			// A lost race is ErrContention (a TransactionConflict on the set's
			// item): going round again, as the function does.
			errs[i] = retry.Policy{}.Do(w.ctx, func(int) error {
				_, err := w.st.AddStaff(w.ctx, m, store.Audit(centre, "officer", "staff.add", "u-9", nil, nil, w.now))
				return err
			})
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	got, _, err := w.st.StaffCentres(w.ctx, "u-9")
	w.must(err)
	if len(got) != n {
		t.Fatalf("centres %v, want all %d", got, n)
	}
}

func (w *world) must2(_ bool, err error) {
	w.t.Helper()
	w.must(err)
}
