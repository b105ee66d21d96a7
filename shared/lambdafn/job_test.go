package lambdafn

import (
	"context"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/clock"
)

// TestJobHandlerTime: the job runs at the scheduled event's time, or at the
// clock's now for an event without one; never at the wall clock's.
func TestJobHandlerTime(t *testing.T) {
	now := time.Date(2027, 1, 1, 0, 30, 0, 0, time.FixedZone("CST", 8*3600))
	tests := []struct {
		name    string
		payload string
		want    time.Time
	}{
		{"event time", `{"detail-type":"Scheduled Event","time":"2026-12-31T15:55:00Z","detail":{}}`, time.Date(2026, 12, 31, 15, 55, 0, 0, time.UTC)},
		{"no time", `{"detail-type":"Scheduled Event","detail":{}}`, now},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got time.Time
			h := JobHandler(func(_ context.Context, at time.Time) error { got = at; return nil }, clock.Fixed(now), nil)
			if _, err := h.Invoke(context.Background(), []byte(tt.payload)); err != nil {
				t.Fatal(err)
			}
			if !got.Equal(tt.want) {
				t.Errorf("the job ran at %s, want %s", got, tt.want)
			}
		})
	}
}

// TestWithBeacon: the constructor WithBeacon wraps is given the drand
// beacon the configuration names.
func TestWithBeacon(t *testing.T) {
	var got Deps
	WithBeacon(func(d Deps) int { got = d; return 0 })(Deps{})
	if got.Beacon == nil {
		t.Error("WithBeacon gave no beacon")
	}
}
