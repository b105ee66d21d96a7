package store

import (
	"math"
	"slices"
	"testing"
)

// TestStampKeysSortAsStamps: arrival stamps are kept as strings whose
// order is the stamps' order (the waiting line, the audit log, the ledger
// depend on it), and a wait key orders by stamp before booking id.
func TestStampKeysSortAsStamps(t *testing.T) {
	stamps := []int64{0, 1, 9, 10, 99, 1_000_000_000, 1_754_000_000_000_000_000, math.MaxInt64}
	var keys []string
	for _, s := range stamps {
		k := stampKey(s)
		if len(k) != 19 {
			t.Errorf("stamp %d: key %q is not 19 digits", s, k)
		}
		keys = append(keys, k)
	}
	if !slices.IsSorted(keys) {
		t.Fatalf("keys out of the stamps' order: %v", keys)
	}
	if a, b := waitSK(9, "", "bk-z"), waitSK(10, "", "bk-a"); a >= b {
		t.Fatalf("%q sorts after %q: a later arrival with a smaller id went first", a, b)
	}
	// A sibling group shares its rank: its bookings stay together, ahead
	// of the next rank, whatever their ids.
	if g, next := waitSK(3, "app_b", "bk-z"), waitSK(4, "", "bk-a"); g >= next {
		t.Fatalf("%q sorts after %q: a group's booking behind the next rank", g, next)
	}
}
