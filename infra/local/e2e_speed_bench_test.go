package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/itemcopy"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// The local stack's speed, which make bench runs last so that its tables
// (printed to standard output) end its run; each figure also goes to
// ENROL_FIGURES (dbtest.Figure): the booking service called in process
// against the whole HTTP path, and a burst of bookings through the local
// gateway on a new table and on one grown to ENROL_BENCH_GROWN bookings.

// BenchmarkBookCancelInProcessAndOverHTTP: a booking and its cancellation
// by the booking service called in process, then the same through gateway,
// JWT check, Lambda adapter and handler, interleaved in one loop so that
// both meet the same machine load; the difference is the HTTP path's cost.
func BenchmarkBookCancelInProcessAndOverHTTP(b *testing.B) {
	e := start(b, withSeed)
	e.offering("bench-direct", 1000)
	e.offering("bench-http", 1000)
	tok, p, _ := e.resident("bench-acc")
	ctx := context.Background()
	var direct, overHTTP time.Duration
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		r, err := e.st.Booking.Book(ctx, residents.Request{Account: "bench-acc", OfferingID: "bench-direct", ParticipantID: p})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.st.Booking.Cancel(ctx, "bench-acc", r.Booking.ID); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		h := e.book(tok, "bench-http", p, false)
		if h.status != 201 {
			b.Fatalf("%d %s", h.status, h.body)
		}
		if c := e.do("POST", "/v1/me/bookings/"+h.str("id")+"/cancel", tok, nil); c.status != 200 {
			b.Fatalf("%d %s", c.status, c.body)
		}
		direct, overHTTP = direct+t1.Sub(t0), overHTTP+time.Since(t1)
	}
	n := float64(b.N)
	inMs, httpMs := float64(direct.Microseconds())/n/1000, float64(overHTTP.Microseconds())/n/1000
	b.ReportMetric(inMs, "ms/in-process-op")
	b.ReportMetric(httpMs, "ms/http-op")
	b.ReportMetric(httpMs/inMs, "http/in-process")
	dbtest.Figure(b, "book+cancel, %d each way on the demo data: in process %.2f ms/op, over HTTP %.2f ms/op, HTTP/in-process %.2f", b.N, inMs, httpMs, httpMs/inMs)
	fmt.Printf("\nBook + cancel on the demo data, %d of each way, interleaved\n", b.N)
	fmt.Printf("%-52s %8s\n", "path", "ms/op")
	fmt.Printf("%-52s %8.2f\n", "booking service, in process", inMs)
	fmt.Printf("%-52s %8.2f\n", "gateway, JWT, Lambda adapter, handler, service", httpMs)
	fmt.Printf("%-52s %8.2f\n\n", "ratio, HTTP / in process", httpMs/inMs)
}

// BenchmarkBookingBurst: burstBookings bookings by as many residents, at
// burstClients clients at once (each books, retrying a 503 with its
// Idempotency-Key as the app does, then takes the next resident), through
// the local gateway, on a new table and on one already holding
// ENROL_BENCH_GROWN bookings (default 100,000), loaded as raw items.
func BenchmarkBookingBurst(b *testing.B) {
	grown := 100_000
	if v := os.Getenv("ENROL_BENCH_GROWN"); v != "" {
		var err error
		if grown, err = strconv.Atoi(v); err != nil {
			b.Fatalf("ENROL_BENCH_GROWN: %v", err)
		}
	}
	var rows []burstFigures
	for _, stored := range []int{0, grown} {
		b.Run(fmt.Sprintf("stored=%d", stored), func(b *testing.B) {
			e := start(b)
			row := burstFigures{stored: stored}
			if stored > 0 {
				t0 := time.Now()
				row.items = grow(b, e, stored)
				row.load = time.Since(t0)
				dbtest.Figure(b, "loaded %d bookings (%d items) as raw batch writes in %s", stored, row.items, row.load.Round(time.Millisecond))
			}
			for b.Loop() {
				burst(b, e, &row)
			}
			rows = append(rows, row)
		})
	}
	// One table for both runs, side by side.
	fmt.Printf("\nBurst: %d bookings by as many residents, %d clients at once, through the local gateway (%d CPUs; load: the load average as it began)\n", burstBookings, burstClients, runtime.NumCPU())
	fmt.Printf("%-17s %-22s %11s %8s %8s %8s %8s %9s %6s\n", "stored bookings", "loaded in", "bookings/s", "p50 ms", "p95 ms", "p99 ms", "retries", "burst", "load")
	for _, r := range rows {
		load := "-"
		if r.stored > 0 {
			load = fmt.Sprintf("%s (%d items)", r.load.Round(100*time.Millisecond), r.items)
		}
		fmt.Printf("%-17d %-22s %11.0f %8.0f %8.0f %8.0f %8d %9s %6s\n", r.stored, load, r.rate, r.p50, r.p95, r.p99, r.retries, r.wall.Round(100*time.Millisecond), r.loadAvg)
	}
	fmt.Println()
}

// burstFigures are one burst's measurements.
type burstFigures struct {
	stored, items       int
	load, wall          time.Duration
	rate, p50, p95, p99 float64
	retries             int64
	// loadAvg is the machine's 1-minute load average as the burst began
	// (figures on a busy machine are slower, not wrong).
	loadAvg string
}

const (
	burstBookings = 2000
	burstClients  = 50
	// burstOfferings share the burst: 50 places each, with waitlists.
	burstOfferings = 40
)

// burst runs one burst of bookings on e and prints its figures.
func burst(b *testing.B, e *env, row *burstFigures) {
	run := fmt.Sprintf("b%d", time.Now().UnixNano())
	for i := range burstOfferings {
		e.offering(fmt.Sprintf("%s-o%02d", run, i), 50)
	}
	type resident struct{ token, participant string }
	people := make([]resident, burstBookings)
	var next atomic.Int64
	var failed atomic.Value
	each := func(do func(i int) error) {
		var wg sync.WaitGroup
		next.Store(0)
		for range burstClients {
			wg.Go(func() {
				for i := int(next.Add(1) - 1); i < burstBookings && failed.Load() == nil; i = int(next.Add(1) - 1) {
					if err := do(i); err != nil {
						failed.CompareAndSwap(nil, err)
					}
				}
			})
		}
		wg.Wait()
		if err := failed.Load(); err != nil {
			b.Fatal(err)
		}
	}
	// Each resident registers first, outside the timing.
	each(func(i int) error {
		tok, err := e.st.Token(fmt.Sprintf("%s-acc-%04d", run, i), []string{"residents"})
		if err != nil {
			return err
		}
		birth := time.Date(1980+i%20, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, domain.CityZone)
		status, body, err := post(e, "/v1/me/participants", tok, map[string]any{
			"name": fmt.Sprintf("压测居民%d", i), "birth_date": birth.Format(domain.DateLayout), "id_number": idnumber.Make("320211", birth, i%1000),
		}, "")
		if err != nil || status != 201 {
			return fmt.Errorf("registering: %d %s %v", status, body, err)
		}
		var r struct{ ID string }
		_ = json.Unmarshal(body, &r)
		people[i] = resident{tok, r.ID}
		return nil
	})
	latency := make([]time.Duration, burstBookings)
	var retries atomic.Int64
	row.loadAvg = loadAverage()
	t0 := time.Now()
	each(func(i int) error {
		p := people[i]
		path := fmt.Sprintf("/v1/offerings/%s-o%02d/bookings", run, i%burstOfferings)
		body := map[string]any{"participant_id": p.participant, "join_waitlist": true}
		started := time.Now()
		for try := 0; ; try++ {
			status, got, err := post(e, path, p.token, body, fmt.Sprintf("%s-%d", run, i))
			if err != nil {
				return err
			}
			if status == 201 || status == 200 {
				break
			}
			if !retryable(status) || try == 50 {
				return fmt.Errorf("booking %d: %d %s", i, status, got)
			}
			retries.Add(1)
			time.Sleep(time.Duration(50+i%50) * time.Millisecond)
		}
		latency[i] = time.Since(started)
		return nil
	})
	wall := time.Since(t0)
	slices.Sort(latency)
	at := func(q float64) float64 {
		return float64(latency[min(len(latency)-1, int(q*float64(len(latency))))].Microseconds()) / 1000
	}
	*row = burstFigures{stored: row.stored, items: row.items, load: row.load, wall: wall, loadAvg: row.loadAvg,
		rate: float64(burstBookings) / wall.Seconds(), p50: at(0.50), p95: at(0.95), p99: at(0.99), retries: retries.Load()}
	b.ReportMetric(row.rate, "bookings/s")
	b.ReportMetric(row.p50, "p50-ms")
	b.ReportMetric(row.p95, "p95-ms")
	b.ReportMetric(row.p99, "p99-ms")
	dbtest.Figure(b, "burst of %d bookings, %d clients, %d bookings stored before: %.0f bookings/s, p50 %.0f ms, p95 %.0f ms, p99 %.0f ms, %d retries of a 503, %s in all",
		burstBookings, burstClients, row.stored, row.rate, row.p50, row.p95, row.p99, row.retries, wall.Round(time.Millisecond))
}

// loadAverage is the 1-minute load average ("?" where /proc has none).
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); err == nil && len(f) > 0 {
		return f[0]
	}
	return "?"
}

// post sends one JSON request through the gateway from many goroutines at
// once (env.do is for the test's own goroutine).
func post(e *env, path, token string, body any, idemKey string) (int, []byte, error) {
	raw, _ := json.Marshal(body)
	req, err := http.NewRequest("POST", e.st.URL+path, bytes.NewReader(raw))
	if err != nil {
		return 0, nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	if idemKey != "" {
		req.Header.Set("Idempotency-Key", idemKey)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	return resp.StatusCode, got, err
}

// grow stores n bookings in e's table as raw items, fast (batch writes, not
// the booking path): one real booking is made, and the items it added are
// written again n times, the booking's, account's, identity's,
// participant's and offering's ids made unique in every string attribute
// (spread over growOfferings offerings). Their sealed personal fields do
// not open under the new keys; nothing reads them. What the table's writes
// cost depends on how many items and index entries it holds, which these
// make the size of n bookings. It returns the items written.
func grow(b *testing.B, e *env, n int) int {
	ctx := context.Background()
	db, err := store.NewClient(ctx, config.Config{Region: "us-east-1", DynamoDBEndpoint: e.st.DynamoDBEndpoint(), DynamoDBNoCapacity: true})
	if err != nil {
		b.Fatal(err)
	}
	e.offering("grow-tmpl", 10)
	_, p, _ := e.resident("grow-acc")
	before := keysOf(b, db, e.table)
	r, err := e.st.Booking.Book(ctx, residents.Request{Account: "grow-acc", OfferingID: "grow-tmpl", ParticipantID: p})
	if err != nil {
		b.Fatal(err)
	}
	var added []map[string]types.AttributeValue
	for _, it := range scanTable(b, db, e.table) {
		if !before[itemKey(it)] {
			added = append(added, it)
		}
	}
	// The strings that make a booking's items its own.
	ids := []string{r.Booking.ID, p, "grow-acc", "grow-tmpl"}
	if r.Booking.Identity != "" {
		ids = append(ids, r.Booking.Identity)
	}
	const growOfferings = 200
	// growLoaders write at once: the guard applies one batch at a time,
	// the SDK's encoding and signing of the next overlap it.
	const growLoaders = 4
	var wg sync.WaitGroup
	var failed atomic.Value
	var written atomic.Int64
	var next atomic.Int64
	for range growLoaders {
		wg.Go(func() {
			var batch []types.WriteRequest
			flush := func() {
				for len(batch) > 0 && failed.Load() == nil {
					out, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{e.table: batch}})
					if err != nil {
						failed.CompareAndSwap(nil, err)
						return
					}
					batch = out.UnprocessedItems[e.table]
				}
			}
			for i := int(next.Add(1) - 1); i < n && failed.Load() == nil; i = int(next.Add(1) - 1) {
				repl := make([]string, 0, 2*len(ids))
				for _, id := range ids {
					with := fmt.Sprintf("%s-g%06d", id, i)
					if id == "grow-tmpl" {
						with = fmt.Sprintf("grow-o%03d", i%growOfferings)
					}
					repl = append(repl, id, with)
				}
				rp := strings.NewReplacer(repl...)
				for _, it := range added {
					batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: itemcopy.Rewrite(it, rp)}})
					written.Add(1)
					if len(batch) == 25 {
						flush()
					}
				}
			}
			flush()
		})
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		b.Fatal(err)
	}
	return int(written.Load())
}

func scanTable(b *testing.B, db *dynamodb.Client, table string) []map[string]types.AttributeValue {
	var out []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, page.Items...)
	}
	return out
}

func keysOf(b *testing.B, db *dynamodb.Client, table string) map[string]bool {
	out := map[string]bool{}
	for _, it := range scanTable(b, db, table) {
		out[itemKey(it)] = true
	}
	return out
}

func itemKey(it map[string]types.AttributeValue) string {
	s := func(k string) string {
		v, _ := it[k].(*types.AttributeValueMemberS)
		if v == nil {
			return ""
		}
		return v.Value
	}
	return s("PK") + "\x00" + s("SK")
}
