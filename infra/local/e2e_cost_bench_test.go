package local_test

import (
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"

	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/pricing"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

// BenchmarkRequestCosts prints what each kind of request costs: the read
// and write units its log line gives (DynamoDB's rules on the actual
// items, answered by the embedded server as by DynamoDB), its DynamoDB
// calls, its function's duration measured here (median), and, at list
// prices (infra/pricing) with the function's MemorySize from template.yaml,
// the cost of a million such requests. Durations are this machine's, not
// Lambda's; the units are what DynamoDB would charge.
func BenchmarkRequestCosts(b *testing.B) {
	e := start(b)
	tmpl, err := samtemplate.Load(localdb.TemplatePath())
	if err != nil {
		b.Fatal(err)
	}
	memory := map[string]int{}
	for _, r := range tmpl.Routes() {
		memory[r.Key()] = tmpl.Functions[r.FunctionID].MemorySize
	}
	for i := range 20 {
		e.offering(fmt.Sprintf("cost-list-%02d", i), 30)
	}
	e.offering("cost-open", 1000)
	e.offering("cost-full", 1)
	e.offering("cost-roster", 40)
	lottery := e.lotteryOffering("cost-lottery", 20)
	first, p0, _ := e.resident("cost-first")
	e.expect(e.book(first, "cost-full", p0, false), 201, "")
	for i := range 20 { // a roster of 20
		tok, p, _ := e.resident(fmt.Sprintf("cost-roster-%d", i))
		e.expect(e.book(tok, "cost-roster", p, false), 201, "")
	}
	staff := e.tokenFor("cost-staff", []string{"centre-staff"}, e.centre.ID)
	tokA, pA, _ := e.resident("cost-a")
	tokB, pB, _ := e.resident("cost-b")

	kinds := []string{"catalogue list", "offering detail", "book (confirmed)", "book (waitlisted)", "cancel (confirmed)", "cancel (waitlisted)",
		"my bookings", "register participant", "apply (lottery)", "roster export (CSV)"}
	samples := map[string][]costLine{}
	measure := func(kind string, r reply, status int) reply {
		if r.status != status {
			b.Fatalf("%s: %d %s", kind, r.status, r.body)
		}
		samples[kind] = append(samples[kind], e.lastCost())
		return r
	}
	pass := 0
	for b.Loop() {
		pass++
		measure("catalogue list", e.do("GET", "/v1/offerings?kind=evening_course&limit=20", "", nil), 200)
		measure("offering detail", e.do("GET", "/v1/offerings/cost-open", "", nil), 200)
		booked := measure("book (confirmed)", e.book(tokA, "cost-open", pA, false, "Idempotency-Key", fmt.Sprintf("a-%d", pass)), 201)
		measure("my bookings", e.do("GET", "/v1/me/bookings", tokA, nil), 200)
		measure("cancel (confirmed)", e.do("POST", "/v1/me/bookings/"+booked.str("id")+"/cancel", tokA, nil), 200)
		waiting := measure("book (waitlisted)", e.book(tokB, "cost-full", pB, true, "Idempotency-Key", fmt.Sprintf("b-%d", pass)), 201)
		measure("cancel (waitlisted)", e.do("POST", "/v1/me/bookings/"+waiting.str("id")+"/cancel", tokB, nil), 200)
		tok := e.token(fmt.Sprintf("cost-applicant-%d", pass), "residents")
		p, _ := e.register(tok)
		samples["register participant"] = append(samples["register participant"], e.lastCost())
		measure("apply (lottery)", e.do("POST", "/v1/offerings/"+lottery+"/applications", tok, map[string]any{"participant_id": p}), 201)
		measure("roster export (CSV)", e.do("GET", "/v1/offerings/cost-roster/roster?format=csv", staff, nil), 200)
	}

	var out strings.Builder
	w := tabwriter.NewWriter(&out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "request\tRCU\tWCU\tDynamoDB calls\tms\tMB\tLambda\tHTTP API\tDynamoDB\ttotal $/M\tunits by table and index (last run)")
	for _, kind := range kinds {
		s := samples[kind]
		last := s[len(s)-1]
		ms, rcu, wcu := make([]float64, len(s)), make([]float64, len(s)), make([]float64, len(s))
		for i, l := range s {
			ms[i], rcu[i], wcu[i] = l.LatencyMS, l.RCU, l.WCU
		}
		median := func(v []float64) float64 { v = slices.Clone(v); slices.Sort(v); return v[len(v)/2] }
		span := func(v []float64) string {
			lo, hi := slices.Min(v), slices.Max(v)
			if lo == hi {
				return fmt.Sprint(lo)
			}
			return fmt.Sprintf("%g–%g", lo, hi)
		}
		mem := memory[last.Route]
		c := pricing.PerMillion(pricing.Request{DurationMS: median(ms), MemoryMB: mem, Read: median(rcu), Write: median(wcu)})
		var calls []string
		for _, op := range slices.Sorted(maps.Keys(last.Calls)) {
			if n := last.Calls[op]; n > 1 {
				calls = append(calls, fmt.Sprintf("%d×%s", n, op))
			} else {
				calls = append(calls, op)
			}
		}
		var parts []string
		for _, name := range slices.Sorted(maps.Keys(last.Units)) {
			u := last.Units[name]
			parts = append(parts, fmt.Sprintf("%s %g/%g", name, u.Read, u.Write))
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%.1f\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%s\n", kind, span(rcu), span(wcu), strings.Join(calls, " "), median(ms), mem,
			c.Lambda, c.HTTPAPI, c.DynamoDB, c.Total(), strings.Join(parts, ", "))
	}
	w.Flush()
	// Printed, not logged: a benchmark's log is cut at ten lines.
	fmt.Printf("\nWhat each request costs (BenchmarkRequestCosts, %d runs of each): read and write units by DynamoDB's rules on the\n"+
		"actual items (a span where runs differ: my bookings grows with the cancelled bookings); ms: the function's duration\n"+
		"on this machine (median); MB: its MemorySize in template.yaml; $ per million requests at %s list prices read %s\n"+
		"(infra/pricing), medians priced; units by part: read/write.\n%s\n", pass, pricing.Region, pricing.PricesRead, out.String())
}
