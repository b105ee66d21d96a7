package throttle

import (
	"testing"
	"time"
)

// TestBucket: full at first, empty after its burst, refilled at the rate,
// never beyond the burst.
func TestBucket(t *testing.T) {
	t0 := time.Date(2025, 9, 1, 20, 0, 0, 0, time.UTC)
	b := New(2, 3)
	var got []bool
	for _, at := range []time.Duration{0, 0, 0, 0, 500 * time.Millisecond, 500 * time.Millisecond, time.Hour, time.Hour, time.Hour, time.Hour} {
		got = append(got, b.Take(t0.Add(at)))
	}
	want := []bool{true, true, true, false, true, false, true, true, true, false}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("takes %v, want %v", got, want)
		}
	}
}
