package openingnight

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

// Result is what one scenario came to.
type Result struct {
	Scenario Scenario
	// Seats and Sold are the places on offer and taken; SoldOut is when
	// the last was taken after opening (zero if some were left), Sold90
	// when nine in ten were.
	Seats, Sold     int
	SoldOut, Sold90 time.Duration
	// CourseSpan is the median and the longest time from a course's first
	// place taken to its last.
	CourseSpanP50, CourseSpanMax time.Duration
	// Residents by outcome.
	Booked, Refused, GaveUp, Errored int
	// Saw429 and Saw5xx are the shares of residents answered 429, or 503
	// or API Gateway's 500, at least once.
	Saw429, Saw5xx float64
	// Requests sent, and of them: 429 from API Gateway, 500 from a Lambda
	// throttle, 503 from the function, and run by the function.
	Requests, Throttled, LambdaThrottled, Busy, Invoked int
	ColdStarts, MaxRunning                              int
	// ServiceRetries are the booking's own reads-and-writes-again (lost
	// races, batches left unprocessed), SDKRetries the SDK's retries of a
	// throttled call; both per place booked.
	ServiceRetries, SDKRetries float64
	DBCallsPerRequest          float64
	// Latencies: per request as the client sees it (answers from API
	// Gateway included), per request the function ran, and per resident
	// from arrival to the last answer (booked, or all).
	ReqP50, ReqP99, FnP50, FnP99, E2EBookedP50, E2EBookedP99, E2EAllP50, E2EAllP99 time.Duration
	// LaterArrivals is the share of seats that went to a resident who came
	// to that course after someone who did not get it (refused full, or
	// gave up); Tau is Kendall's tau between arrival and getting a seat
	// over all such (seated, not seated) pairs of a course: 1 is arrival
	// order kept exactly.
	LaterArrivals, Tau float64
	// LaterBy1s counts only a seat whose holder came more than a second
	// after someone who did not get it: the unfairness a resident could notice.
	LaterBy1s float64
	Table     TableStats
	HotItem   string
	Errors    map[string]int
}

func pct(xs []time.Duration, p float64) time.Duration {
	if len(xs) == 0 {
		return 0
	}
	slices.Sort(xs)
	return xs[min(len(xs)-1, int(p*float64(len(xs))))]
}

// pctWith is pct of xs and n more samples of d.
func pctWith(xs []time.Duration, n int, d time.Duration, p float64) time.Duration {
	slices.Sort(xs)
	total := len(xs) + n
	if total == 0 {
		return 0
	}
	rank := min(total-1, int(p*float64(total)))
	below := sort.Search(len(xs), func(i int) bool { return xs[i] >= d }) // samples under d
	switch {
	case rank < below:
		return xs[rank]
	case rank < below+n:
		return d
	}
	return xs[rank-n]
}

func (m *sim) result() Result {
	r := Result{Scenario: m.s, Requests: m.f.requests, Throttled: m.f.throttled, LambdaThrottled: m.f.lambdaThrottled,
		Busy: m.f.busy, Invoked: m.f.invoked, ColdStarts: m.f.coldStarts, MaxRunning: m.f.maxRunning,
		Table: m.table.Stats(), HotItem: m.table.HotItem(), Errors: m.f.errors}
	var seated, all []time.Duration
	n429, n5xx := 0, 0
	for _, p := range m.people {
		switch p.outcome {
		case booked:
			r.Booked++
			seated = append(seated, p.done.Sub(p.arrive))
		case refused:
			r.Refused++
		case gaveUp:
			r.GaveUp++
		default:
			r.Errored++
		}
		all = append(all, p.done.Sub(p.arrive))
		if p.saw429 {
			n429++
		}
		if p.saw5xx {
			n5xx++
		}
	}
	r.Saw429, r.Saw5xx = float64(n429)/float64(len(m.people)), float64(n5xx)/float64(len(m.people))
	r.E2EBookedP50, r.E2EBookedP99 = pct(seated, .5), pct(seated, .99)
	r.E2EAllP50, r.E2EAllP99 = pct(all, .5), pct(all, .99)
	r.ReqP50, r.ReqP99 = pctWith(m.f.reqLatency, m.f.refusedFast, m.s.RTT, .5), pctWith(m.f.reqLatency, m.f.refusedFast, m.s.RTT, .99)
	r.FnP50, r.FnP99 = pct(m.f.fnLatency, .5), pct(m.f.fnLatency, .99)
	if r.Booked > 0 {
		r.ServiceRetries = float64(m.f.serviceRetries) / float64(r.Booked)
		r.SDKRetries = float64(m.f.sdkRetries) / float64(r.Booked)
	}
	if m.f.invoked > 0 {
		r.DBCallsPerRequest = float64(m.f.dbCalls) / float64(m.f.invoked)
	}
	var lasts, spans []time.Duration
	later, laterBy1s, concordant, discordant := 0, 0, 0, 0
	for _, c := range m.courses {
		r.Seats += c.capacity
		r.Sold += c.sold
		if c.sold > 0 {
			lasts = append(lasts, c.last.Sub(m.start))
			spans = append(spans, c.last.Sub(c.first))
		}
		losers := slices.Clone(c.losers)
		slices.SortFunc(losers, func(a, b time.Time) int { return a.Compare(b) })
		for _, w := range c.winners {
			// Losers who came before this winner: pairs out of order.
			before := sort.Search(len(losers), func(i int) bool { return !losers[i].Before(w) })
			if before > 0 {
				later++
				if w.Sub(losers[0]) > time.Second {
					laterBy1s++
				}
			}
			discordant += before
			concordant += len(losers) - before
		}
	}
	if r.Sold > 0 {
		r.LaterArrivals = float64(later) / float64(r.Sold)
		r.LaterBy1s = float64(laterBy1s) / float64(r.Sold)
	}
	if pairs := concordant + discordant; pairs > 0 {
		r.Tau = float64(concordant-discordant) / float64(pairs)
	}
	slices.Sort(lasts)
	if r.Sold == r.Seats && len(lasts) > 0 {
		r.SoldOut = lasts[len(lasts)-1]
	}
	if len(lasts) > 0 {
		// When nine in ten courses had sold their last place: close to
		// nine in ten places, as courses differ little in size.
		r.Sold90 = lasts[min(len(lasts)-1, len(lasts)*9/10)]
	}
	r.CourseSpanP50, r.CourseSpanMax = pct(spans, .5), pct(spans, 1)
	return r
}

func secs(d time.Duration) string {
	if d == 0 {
		return "—"
	}
	if d < time.Second {
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}

// Print writes results side by side, one column a scenario.
func Print(w io.Writer, rs ...Result) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	row := func(name string, f func(r Result) string) {
		cells := []string{name}
		for _, r := range rs {
			cells = append(cells, f(r))
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t")+"\t")
	}
	row("scenario", func(r Result) string { return r.Scenario.Name })
	row("throttle rate/burst, concurrency", func(r Result) string {
		return fmt.Sprintf("%g/%d, %d", r.Scenario.ThrottleRate, r.Scenario.ThrottleBurst, r.Scenario.Concurrency)
	})
	row("table partitions", func(r Result) string { return fmt.Sprint(r.Scenario.DB.Partitions) })
	row("seats sold / on offer", func(r Result) string { return fmt.Sprintf("%d / %d", r.Sold, r.Seats) })
	row("sold out after (90% of courses)", func(r Result) string { return fmt.Sprintf("%s (%s)", secs(r.SoldOut), secs(r.Sold90)) })
	row("one course: first to last seat p50/max", func(r Result) string {
		return fmt.Sprintf("%s / %s", secs(r.CourseSpanP50), secs(r.CourseSpanMax))
	})
	row("residents booked/refused/gave up/error", func(r Result) string {
		return fmt.Sprintf("%d/%d/%d/%d", r.Booked, r.Refused, r.GaveUp, r.Errored)
	})
	row("residents answered 429 / 503 or 500", func(r Result) string {
		return fmt.Sprintf("%.0f%% / %.1f%%", 100*r.Saw429, 100*r.Saw5xx)
	})
	row("requests: all / 429 / Lambda 500 / 503", func(r Result) string {
		return fmt.Sprintf("%d / %d / %d / %d", r.Requests, r.Throttled, r.LambdaThrottled, r.Busy)
	})
	row("function runs, most at once, cold starts", func(r Result) string {
		return fmt.Sprintf("%d, %d, %d", r.Invoked, r.MaxRunning, r.ColdStarts)
	})
	row("store retries per booking (service, SDK)", func(r Result) string {
		return fmt.Sprintf("%.2f, %.2f", r.ServiceRetries, r.SDKRetries)
	})
	row("DynamoDB calls per function run", func(r Result) string { return fmt.Sprintf("%.2f", r.DBCallsPerRequest) })
	row("request p50/p99 (all answers)", func(r Result) string { return secs(r.ReqP50) + " / " + secs(r.ReqP99) })
	row("request p50/p99 (function ran)", func(r Result) string { return secs(r.FnP50) + " / " + secs(r.FnP99) })
	row("resident end to end p50/p99, booked", func(r Result) string { return secs(r.E2EBookedP50) + " / " + secs(r.E2EBookedP99) })
	row("resident end to end p50/p99, all", func(r Result) string { return secs(r.E2EAllP50) + " / " + secs(r.E2EAllP99) })
	row("seats to a later arrival than a loser (by > 1 s)", func(r Result) string {
		return fmt.Sprintf("%.0f%% (%.0f%%)", 100*r.LaterArrivals, 100*r.LaterBy1s)
	})
	row("Kendall tau (arrival vs seat)", func(r Result) string { return fmt.Sprintf("%.2f", r.Tau) })
	row("DynamoDB throttles: item / partition / read", func(r Result) string {
		return fmt.Sprintf("%d / %d / %d", r.Table.ItemThrottles, r.Table.PartThrottles, r.Table.ReadThrottles)
	})
	row("transaction conflicts, condition failures", func(r Result) string {
		return fmt.Sprintf("%d, %d", r.Table.Conflicts, r.Table.ConditionFailures)
	})
	row("most writes to one item in 1 s", func(r Result) string { return fmt.Sprint(r.Table.MaxItemWritesPerSecond) })
	row("WCU, RCU used", func(r Result) string { return fmt.Sprintf("%.0f, %.0f", r.Table.WCU, r.Table.RCU) })
	_ = tw.Flush()
	for _, r := range rs {
		if len(r.Errors) > 0 {
			fmt.Fprintf(w, "%s: answers not retried: %v\n", r.Scenario.Name, r.Errors)
		}
	}
}
