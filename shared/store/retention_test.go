package store_test

import (
	"slices"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestRetention: a participant comes due a year after registering, strictly
// before the day asked about, earliest first and no more than asked for;
// postponing moves the day only later, and not while the participant is
// being erased (which an unknown participant cannot be).
func TestRetention(t *testing.T) {
	w := newWorld(t) // 2025-08-01
	a := w.register("acc-1", 1)
	w.now = w.now.AddDate(0, 0, 2)
	b := w.register("acc-2", 2)
	w.now = w.now.AddDate(0, 0, 2)
	c := w.register("acc-3", 3)
	due := func(today string, limit int) []string {
		t.Helper()
		ds, err := w.st.DueForErasure(w.ctx, today, limit)
		w.must(err)
		return idsOf(ds, func(d store.Due) string { return d.Account + "/" + d.ParticipantID + "@" + d.RetainUntil })
	}
	cases := []struct {
		today string
		limit int
		want  []string
	}{
		{"2026-08-01", 10, nil},
		{"2026-08-02", 10, []string{"acc-1/" + a.ID + "@2026-08-01"}},
		{"2027-01-01", 10, []string{"acc-1/" + a.ID + "@2026-08-01", "acc-2/" + b.ID + "@2026-08-03", "acc-3/" + c.ID + "@2026-08-05"}},
		{"2027-01-01", 2, []string{"acc-1/" + a.ID + "@2026-08-01", "acc-2/" + b.ID + "@2026-08-03"}},
	}
	for _, tc := range cases {
		if got := due(tc.today, tc.limit); !slices.Equal(got, tc.want) {
			t.Errorf("due before %s (%d): %v, want %v", tc.today, tc.limit, got, tc.want)
		}
	}

	w.must(w.st.PostponeRetention(w.ctx, "acc-1", a.ID, "2026-12-31"))
	w.must(w.st.PostponeRetention(w.ctx, "acc-1", a.ID, "2026-09-01")) // earlier: kept as it is
	w.must(w.st.PostponeRetention(w.ctx, "acc-9", "nobody", "2027-01-01"))
	if got := due("2027-01-01", 10); !slices.Equal(got, []string{"acc-2/" + b.ID + "@2026-08-03", "acc-3/" + c.ID + "@2026-08-05", "acc-1/" + a.ID + "@2026-12-31"}) {
		t.Fatalf("after postponing a: %v", got)
	}

	w.must(w.st.MarkErasing(w.ctx, "acc-2", b.ID, w.now))
	w.must(w.st.PostponeRetention(w.ctx, "acc-2", b.ID, "2026-12-31")) // being erased: not moved
	if got := due("2026-08-04", 10); !slices.Equal(got, []string{"acc-2/" + b.ID + "@2026-08-03"}) {
		t.Fatalf("postponed while being erased: %v", got)
	}
	w.must(w.st.UnmarkErasing(w.ctx, "acc-2", b.ID))
	w.must(w.st.PostponeRetention(w.ctx, "acc-2", b.ID, "2026-12-31"))
	if got := due("2026-08-04", 10); len(got) != 0 {
		t.Fatalf("not postponed after the mark went: %v", got)
	}
	wantCode(t, "marking an unknown participant", w.st.MarkErasing(w.ctx, "acc-1", "nobody", w.now), apperr.NotFound)
	wantCode(t, "unmarking an unknown participant", w.st.UnmarkErasing(w.ctx, "acc-1", "nobody"), apperr.NotFound)
}

// TestRetainedAfter: a year after an offering's last day, leap days
// included; a day that is not one is internal.
func TestRetainedAfter(t *testing.T) {
	for _, tc := range []struct{ ends, want string }{
		{"2025-12-31", "2026-12-31"},
		{"2024-02-29", "2025-03-01"},
		{"2025-01-01", "2026-01-01"},
	} {
		if got, err := store.RetainedAfter(tc.ends); got != tc.want || err != nil {
			t.Errorf("ends %s: %q %v, want %s", tc.ends, got, err, tc.want)
		}
	}
	_, err := store.RetainedAfter("31/12/2025")
	wantCode(t, "not a date", err, apperr.Internal)
}
