package local_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// TestConcurrentRefusalsOverHTTP (issue 18): bursts through the gateway in
// which every refusal names the rule that stopped it: one fresh identity
// booking 20 open offerings of a term at once under a limit of 2 gets 2
// bookings and 18 term_limit_reached (with and without Idempotency-Keys); 20 at once of one offering, 1 and 19
// already_booked; 20 residents at once for 5 places without a line, 5 and
// 15 offering_full. A burst (make test-fidelity keeps it on the embedded
// server); make refusals-soak runs it with the service's bursts 50 times.
func TestConcurrentRefusalsOverHTTP(t *testing.T) {
	const burst = 20
	e := start(t)
	limit := func(o *domain.Offering) { o.MaxPerParticipantPerTerm = 2 }
	for i := range burst {
		e.offering(fmt.Sprintf("term-%d", i), 100, limit)
	}
	e.offering("one", 100, limit)
	e.offering("few", 5, func(o *domain.Offering) { o.WaitlistEnabled = false })

	// key, when set, is the Idempotency-Key each request sends (its own),
	// as the web front end does.
	type booker struct{ tok, participant, offering, key string }
	// fire sends every booking at once and counts the answers, a refusal
	// by its problem code.
	fire := func(t *testing.T, bs []booker) map[string]int {
		t.Helper()
		replies := make([]reply, len(bs))
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i, b := range bs {
			wg.Go(func() {
				<-gate
				var headers []string
				if b.key != "" {
					headers = []string{"Idempotency-Key", b.key}
				}
				replies[i] = e.book(b.tok, b.offering, b.participant, false, headers...)
			})
		}
		close(gate)
		wg.Wait()
		got := map[string]int{}
		for i, r := range replies {
			switch {
			case r.status == 201:
				got["booked"]++
			case r.status == 409:
				got[r.str("code")]++
			default:
				t.Fatalf("booking %s: %d %s", bs[i].offering, r.status, r.body)
			}
		}
		return got
	}
	for _, keyed := range []bool{false, true} {
		t.Run(fmt.Sprintf("term limit, keyed %v", keyed), func(t *testing.T) {
			tok, p, _ := e.resident(fmt.Sprintf("limit-%v", keyed))
			var bs []booker
			for i := range burst {
				b := booker{tok: tok, participant: p, offering: fmt.Sprintf("term-%d", i)}
				if keyed {
					b.key = fmt.Sprintf("limit-key-%d", i)
				}
				bs = append(bs, b)
			}
			if got := fire(t, bs); got["booked"] != 2 || got["term_limit_reached"] != burst-2 || len(got) != 2 {
				t.Fatalf("answers %v, want 2 booked and %d term_limit_reached", got, burst-2)
			}
		})
	}
	t.Run("already booked", func(t *testing.T) {
		tok, p, _ := e.resident("dup")
		var bs []booker
		for range burst {
			bs = append(bs, booker{tok: tok, participant: p, offering: "one"})
		}
		if got := fire(t, bs); got["booked"] != 1 || got["already_booked"] != burst-1 || len(got) != 2 {
			t.Fatalf("answers %v, want 1 booked and %d already_booked", got, burst-1)
		}
	})
	t.Run("offering full", func(t *testing.T) {
		var bs []booker
		for i := range burst {
			tok, p, _ := e.resident(fmt.Sprintf("full-%d", i))
			bs = append(bs, booker{tok: tok, participant: p, offering: "few"})
		}
		if got := fire(t, bs); got["booked"] != 5 || got["offering_full"] != burst-5 || len(got) != 2 {
			t.Fatalf("answers %v, want 5 booked and %d offering_full", got, burst-5)
		}
		if conf, wait := e.counters("few"); conf != 5 || wait != 0 {
			t.Fatalf("counters %d/%d, want 5/0", conf, wait)
		}
	})
}
