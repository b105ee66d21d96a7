package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/domain"
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

// BenchmarkCityOverHTTP: each city view of the demo city (a year of
// history), then "now" with a thousand more offerings running, to show how
// the read grows with the offerings in service.
func BenchmarkCityOverHTTP(b *testing.B) {
	e := start(b, withSeed)
	tok := e.token("bench-officer", "city-officers")
	for _, path := range []string{
		"/v1/city/capacity", "/v1/city/capacity?kind=childcare", "/v1/city/capacity/history",
		"/v1/city/capacity/changes?limit=200", "/v1/city/targets", "/v1/city/demand", "/v1/city/capacity/history?format=csv",
	} {
		b.Run(path, func(b *testing.B) {
			size := 0
			for b.Loop() {
				r := e.do("GET", path, tok, nil)
				if r.status != 200 {
					b.Fatalf("%d %s", r.status, r.body)
				}
				size = len(r.body)
			}
			b.ReportMetric(float64(size), "B/response")
		})
	}
	for i := range 1000 {
		e.offering(fmt.Sprintf("bench-%04d", i), 20, func(o *domain.Offering) { o.EndsOn = "2099-12-31" })
	}
	b.Run("/v1/city/capacity with 1000 more offerings", func(b *testing.B) {
		for b.Loop() {
			if r := e.do("GET", "/v1/city/capacity", tok, nil); r.status != 200 {
				b.Fatalf("%d %s", r.status, r.body)
			}
		}
	})
	o, err := e.st.Store.GetOffering(context.Background(), "bench-0000")
	if err != nil {
		b.Fatal(err)
	}
	raw, _ := json.Marshal(o)
	b.Logf("an offering is about %d bytes, so one 1 MB Query page holds about %d of them", len(raw), (1<<20)/len(raw))
}
