package local_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// TestRetentionReleasesHolds: bookings made over HTTP hold their offerings
// on the person item; once one offering has ended, the retention job run
// through the local scheduler's route takes that hold off and leaves the
// running offering's, and logs what it released (counts only).
func TestRetentionReleasesHolds(t *testing.T) {
	clk := newMovableClock(time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone))
	e := start(t, clk.option())
	e.offering("ends-dec", 5)
	e.offering("ends-mar", 5, func(o *domain.Offering) { o.EndsOn = "2026-03-31" })
	tok, participant, _ := e.resident("holds-resident")
	for _, o := range []string{"ends-dec", "ends-mar"} {
		e.expect(e.book(tok, o, participant, false), 201, "")
	}
	ctx := context.Background()
	p, err := e.st.Store.GetParticipant(ctx, "holds-resident", participant)
	if err != nil {
		t.Fatal(err)
	}
	held := func() []string {
		hs, err := e.st.Store.HoldsOf(ctx, p.Identity)
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, h := range hs {
			out = append(out, h.OfferingID)
		}
		return out
	}
	if got := strings.Join(held(), ","); got != "ends-dec,ends-mar" {
		t.Fatalf("held before: %s", got)
	}
	// 2026-01-02, 03:30 in Wuxi: ends-dec ended on 2025-12-31.
	clk.move(time.Date(2026, 1, 2, 3, 30, 0, 0, domain.CityZone).Sub(clk.now()))
	e.expect(e.do("POST", "/_local/schedule/RetentionFunction", "", nil), 200, "")
	if got := strings.Join(held(), ","); got != "ends-mar" {
		t.Errorf("held after the job: %s, want ends-mar", got)
	}
	logged := false
	for _, l := range strings.Split(e.logs.String(), "\n") {
		logged = logged || strings.Contains(l, `"msg":"holds released"`) && strings.Contains(l, `"function":"RetentionFunction"`) &&
			strings.Contains(l, `"date":"2026-01-02","offerings":1,"passed_over":0,"bookings":1,"released":1,"kept":0`)
	}
	if !logged {
		t.Errorf("no log line of the hold released:\n%s", e.logs.String())
	}
}
