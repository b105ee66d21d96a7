package draws

import (
	"fmt"
	"runtime"
	"sort"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// BenchmarkRankAndPlan50000 is the draw's own work for 50,000 applications,
// without DynamoDB: the tickets, their digest, every number and rank
// (lottery.Draw) and every batch's places, as one run of the draw does it.
// It prints the time and memory (BenchmarkDraw measures the whole draw on
// the embedded DynamoDB, whose in-process server dominates its figures).
func BenchmarkRankAndPlan50000(b *testing.B) {
	const n = 50000
	now := time.Date(2025, 8, 2, 11, 0, 0, 0, domain.CityZone)
	o := domain.Offering{ID: "o1", Capacity: 1000, WaitlistEnabled: true, OfferHours: 48, Allocation: domain.Lottery}
	byTicket := make(map[string]domain.Application, n)
	tickets := make([]string, n)
	for i := range n {
		a := domain.Application{ID: fmt.Sprintf("app_%06d", i), Account: fmt.Sprintf("acct-%d", i), Identity: fmt.Sprintf("id-%d", i)}
		tickets[i] = lottery.Ticket(o.ID, a.ID)
		byTicket[tickets[i]] = a
	}
	secret := "3c2b1a09f8e7d6c5b4a39281706f5e4d3c2b1a09f8e7d6c5b4a39281706f5e4d"
	for b.Loop() {
		b.StopTimer()
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		// The benchmark's own timer, running only around the work, times it.
		start := b.Elapsed()
		b.StartTimer()
		ts := append([]string(nil), tickets...)
		sort.Strings(ts)
		doc := lottery.Document{Algorithm: lottery.Algorithm, Commitment: lottery.Commitment(secret), Secret: secret,
			ApplicantsDigest: lottery.ApplicantsDigest(ts), Tickets: ts,
			Beacon: lottery.Beacon{Randomness: "fe290beca10872ef2fb164d2aa4442de4566183ec51c56ff3cd603d930e54fdd"}}
		results, err := lottery.Draw(doc)
		if err != nil {
			b.Fatal(err)
		}
		offers, places := 0, 0
		for i := 0; i < len(results); i += BatchSize {
			ps, k := plan(o, results[i:min(i+BatchSize, len(results))], byTicket, map[string]*store.PlaceRefused{}, o.Capacity-offers, now, now)
			offers += k
			places += len(ps)
		}
		b.StopTimer()
		took := b.Elapsed() - start
		runtime.ReadMemStats(&after)
		if offers != o.Capacity || places != n {
			b.Fatalf("%d offers, %d places", offers, places)
		}
		b.Logf("%d applications ranked and planned in %s, %d MB allocated", n, took.Round(time.Millisecond), (after.TotalAlloc-before.TotalAlloc)>>20)
		b.StartTimer() // b.Loop times the loop; it wants the timer running
	}
}
