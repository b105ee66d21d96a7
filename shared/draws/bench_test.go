package draws_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
	"github.com/wuxi-enrol/enrol/shared/dbcalls"
)

// items counts the items a client writes: each of a transaction's, and one
// a PutItem, UpdateItem or DeleteItem.
type items struct{ n atomic.Int64 }

func (c *items) option(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("items", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			switch p := in.Parameters.(type) {
			case *dynamodb.TransactWriteItemsInput:
				c.n.Add(int64(len(p.TransactItems)))
			case *dynamodb.PutItemInput, *dynamodb.UpdateItemInput, *dynamodb.DeleteItemInput:
				c.n.Add(1)
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
	})
}

// BenchmarkDraw draws ENROL_DRAW_APPLICANTS applications (50,000 unless
// set) for 1,000 places on the embedded DynamoDB, and prints the draw's
// time, memory, DynamoDB calls and items written per application. Run it
// once (it makes its own applicants, which takes longer than the draw):
//
//	go test ./shared/draws/ -run '^$' -bench Draw -benchtime 1x -timeout 30m
func BenchmarkDraw(b *testing.B) {
	n := 50000
	if v, err := strconv.Atoi(os.Getenv("ENROL_DRAW_APPLICANTS")); err == nil && v > 0 {
		n = v
	}
	for b.Loop() {
		b.StopTimer()
		w := newWorld(b, 1000)
		w.applyMany(n)
		w.toDrawTime()
		counted := w.written
		counted.n.Store(0)
		ctx, tally := dbcalls.With(w.ctx)
		var peak atomic.Uint64
		stop := sampleHeap(&peak)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		// The benchmark's own timer, running only around the draw, times it.
		start := b.Elapsed()
		b.StartTimer()
		if _, err := w.svc.Run(ctx, w.o.ID); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		took := b.Elapsed() - start
		runtime.ReadMemStats(&after)
		stop()
		calls := tally.Snapshot()
		doc, err := w.svc.Document(w.ctx, w.o.ID)
		if err != nil || len(doc.Results) != n {
			b.Fatalf("%d results, %v", len(doc.Results), err)
		}
		per := func(v int64) string { return fmt.Sprintf("%.2f", float64(v)/float64(n)) }
		b.Logf("draw of %d applications (1,000 places): %s; allocated %d MB in all, peak heap %d MB; "+
			"DynamoDB calls %d (%s an application: %v); items written %d (%s an application)",
			n, took.Round(time.Millisecond), (after.TotalAlloc-before.TotalAlloc)>>20, peak.Load()>>20,
			tally.Total(), per(int64(tally.Total())), calls, counted.n.Load(), per(counted.n.Load()))
		b.ReportMetric(float64(tally.Total())/float64(n), "calls/application")
		b.ReportMetric(float64(counted.n.Load())/float64(n), "items/application")
		b.ReportMetric(float64(peak.Load()>>20), "peak-heap-MB")
		b.StartTimer() // b.Loop times the loop; it wants the timer running
	}
}

// sampleHeap records the largest heap in use until stopped.
func sampleHeap(peak *atomic.Uint64) (stop func()) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
