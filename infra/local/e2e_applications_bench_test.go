package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// BenchmarkApplyThousandAtOnceOverHTTP: 1,000 residents apply to one
// lottery offering at the same moment, each through the gateway with an
// Idempotency-Key and retrying a 503 as a client does (bookLikeAClient's
// manners). Each round is a fresh offering; it prints the latency of each
// application as its client saw it (p50, p99, max), the refusals and
// retries, and the DynamoDB calls per application from the function's log.
// Applications share no item, so none should contend.
func BenchmarkApplyThousandAtOnceOverHTTP(b *testing.B) {
	const people = 1000
	e := start(b)
	toks, ps := make([]string, people), make([]string, people)
	for i := range people {
		toks[i], ps[i], _ = e.resident(fmt.Sprintf("apply-%d", i))
	}
	round := 0
	b.ResetTimer()
	for b.Loop() {
		round++
		b.StopTimer()
		id := e.lotteryOffering(fmt.Sprintf("lot-%d", round), 30)
		e.logs.Reset()
		b.StartTimer()

		lat := make([]time.Duration, people)
		status := make([]int, people)
		tries := make([]int, people)
		var wg sync.WaitGroup
		gate := make(chan struct{})
		for i := range people {
			wg.Go(func() {
				<-gate
				t0 := e.st.Now()
				for tries[i] = 1; ; tries[i]++ {
					r := e.do("POST", "/v1/offerings/"+id+"/applications", toks[i], map[string]any{"participant_id": ps[i]},
						"Idempotency-Key", fmt.Sprintf("apply-%d-%d", round, i))
					status[i] = r.status
					if r.status != 503 && r.status != 502 && r.status != 504 || e.st.Now().Sub(t0) > 2*time.Minute {
						break
					}
					time.Sleep(time.Duration(min(tries[i], 4)) * 500 * time.Millisecond)
				}
				lat[i] = e.st.Now().Sub(t0)
			})
		}
		t0 := e.st.Now()
		close(gate)
		wg.Wait()
		wall := e.st.Now().Sub(t0)

		b.StopTimer()
		statuses, retries := map[int]int{}, 0
		for i := range people {
			statuses[status[i]]++
			retries += tries[i] - 1
		}
		slices.Sort(lat)
		calls, _ := e.requestsOf("POST /v1/offerings/{offering_id}/applications")
		total := 0
		for _, n := range calls {
			total += n
		}
		inFn := e.functionLatencies("POST /v1/offerings/{offering_id}/applications")
		entries, err := e.st.Store.ApplicationEntries(context.Background(), id)
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("round %d: %d applications at once in %s: statuses %v, %d retries, %d in the draw; latency p50 %s, p99 %s, max %s (in the function: p50 %s, p99 %s); DynamoDB calls %v = %.2f per application",
			round, people, wall.Round(time.Millisecond), statuses, retries, len(entries),
			lat[people/2].Round(time.Millisecond), lat[people*99/100].Round(time.Millisecond), lat[people-1].Round(time.Millisecond),
			inFn[len(inFn)/2].Round(time.Millisecond), inFn[len(inFn)*99/100].Round(time.Millisecond), calls, float64(total)/people)
		if statuses[201] != people || len(entries) != people {
			b.Fatalf("statuses %v, %d entries", statuses, len(entries))
		}
		b.ReportMetric(float64(lat[people/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[people*99/100].Microseconds())/1000, "p99-ms")
		b.ReportMetric(float64(total)/people, "ddb-calls/application")
		b.StartTimer()
	}
}

// functionLatencies are the latencies the function logged for route,
// sorted: the time inside the function, without the queue before it.
func (e *env) functionLatencies(route string) []time.Duration {
	var out []time.Duration
	for _, l := range strings.Split(e.logs.String(), "\n") {
		var m struct {
			Route   string  `json:"route"`
			Latency float64 `json:"latency_ms"`
		}
		if json.Unmarshal([]byte(l), &m) == nil && m.Route == route {
			out = append(out, time.Duration(m.Latency*float64(time.Millisecond)))
		}
	}
	slices.Sort(out)
	if len(out) == 0 {
		out = []time.Duration{0}
	}
	return out
}

// lotteryOffering stores a published lottery evening course whose
// applications are open for a day, with its draw record, as staff's
// creation writes it; it returns its id.
func (e *env) lotteryOffering(id string, capacity int) string {
	e.t.Helper()
	now := e.st.Now()
	open, closes, draw := now.Add(-time.Minute), now.Add(24*time.Hour), now.Add(25*time.Hour)
	o := dbtest.Offering(id, e.centre, capacity, now, func(o *domain.Offering) {
		o.Allocation, o.OfferHours = domain.Lottery, domain.DefaultLotteryOfferHours
		o.ApplicationsOpenAt, o.ApplicationsCloseAt, o.DrawAt, o.BookingOpensAt = &open, &closes, &draw, draw
	})
	d, err := centrestaff.NewDraw(e.st.Beacon, o)
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.Store.CreateOffering(context.Background(), o, store.Audit(o.Centre.ID, "bench", "offering.create", o.ID, nil, o, now), d); err != nil {
		e.t.Fatal(err)
	}
	return id
}
