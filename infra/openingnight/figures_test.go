package openingnight

import (
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"testing/synctest"
	"time"
)

// TestOpeningNightFigures plays the opening nights and checks each: every
// place sold, each once (201s agree with places), no answer the client
// does not retry. ENROL_OPENING_NIGHT says which nights:
//
//   - unset (make test): 1,000 and 3,000 residents for 3 courses at the
//     chosen defaults, the table only with -v;
//   - bench (make bench): 100,000 residents at the template's throttle
//     and at the one it had before, table printed;
//   - full (make bench OPENING_NIGHT=full): those and 900,000 residents
//     at both, table printed;
//   - sweep: the 100k night at several throttles, reservations and table
//     sizes (the README's choice of defaults), table printed.
func TestOpeningNightFigures(t *testing.T) {
	which := os.Getenv("ENROL_OPENING_NIGHT")
	// A night allocates briskly and keeps little: fewer collections.
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	nights, err := Nights(which)
	if err != nil {
		t.Fatal(err)
	}
	var rs []Result
	for _, s := range nights {
		start := time.Now()
		synctest.Test(t, func(t *testing.T) {
			r, err := Run(t.Context(), s)
			if err != nil {
				t.Fatal(err)
			}
			if r.Sold != r.Seats || r.Booked != r.Sold {
				t.Errorf("%s: sold %d, booked %d, of %d seats", s.Name, r.Sold, r.Booked, r.Seats)
			}
			if r.Errored != 0 {
				t.Errorf("%s: %d residents had an answer the client does not retry: %v", s.Name, r.Errored, r.Errors)
			}
			rs = append(rs, r)
		})
		t.Logf("%s: played in %s", s.Name, time.Since(start).Round(time.Second))
	}
	if which != "" || testing.Verbose() {
		var b strings.Builder
		Print(&b, rs...)
		os.Stdout.WriteString("\n" + b.String())
	}
}
