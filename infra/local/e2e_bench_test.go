package local_test

import (
	"fmt"
	"sync/atomic"
	"testing"
)

// BenchmarkCatalogueOverHTTP: one public catalogue page of the demo data,
// through gateway, Lambda adapter, function and embedded DynamoDB.
func BenchmarkCatalogueOverHTTP(b *testing.B) {
	e := start(b, withSeed)
	b.ResetTimer()
	for b.Loop() {
		if r := e.do("GET", "/v1/offerings?kind=evening_course&limit=20", "", nil); r.status != 200 {
			b.Fatal(r.status)
		}
	}
}

// BenchmarkBookCancelOverHTTP: a booking and its cancellation, one after the
// other, so the table stays the same size.
func BenchmarkBookCancelOverHTTP(b *testing.B) {
	e := start(b, withSeed)
	e.offering("bench", 1000)
	tok, p, _ := e.resident("bench-acc")
	b.ResetTimer()
	for b.Loop() {
		r := e.book(tok, "bench", p, false)
		if r.status != 201 {
			b.Fatalf("%d %s", r.status, r.body)
		}
		if c := e.do("POST", "/v1/me/bookings/"+r.str("id")+"/cancel", tok, nil); c.status != 200 {
			b.Fatalf("%d %s", c.status, c.body)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N)/2000, "ms/request")
}

// BenchmarkParallelBookingsOverHTTP: many residents booking one offering at
// once (each booking on its own account), waitlist included.
func BenchmarkParallelBookingsOverHTTP(b *testing.B) {
	e := start(b)
	e.offering("rush", 50)
	const people = 400
	toks, ps := make([]string, people), make([]string, people)
	for i := range people {
		toks[i], ps[i], _ = e.resident(fmt.Sprintf("rush-%d", i))
	}
	var next atomic.Int64
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1)-1) % people
			// Past the first round everyone is already booked: that is a
			// refusal answered from one read, also worth measuring.
			r := e.book(toks[i], "rush", ps[i], true)
			if r.status != 201 && r.str("code") != "already_booked" {
				b.Fatalf("%d %s", r.status, r.body)
			}
		}
	})
}
