package rounds_test

import (
	"os"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/dbcalls"
)

// BenchmarkRoundDraw draws a round of ENROL_ROUND_APPLICANTS single
// applicants (600 unless set; each ranking 1–3 of three offerings with
// 100, 100 and 50 places) on the embedded DynamoDB and prints the draw's
// time and DynamoDB calls. Run it once:
//
//	go test ./shared/rounds/ -run '^$' -bench RoundDraw -benchtime 1x
func BenchmarkRoundDraw(b *testing.B) {
	n := 600
	if v, err := strconv.Atoi(os.Getenv("ENROL_ROUND_APPLICANTS")); err == nil && v > 0 {
		n = v
	}
	for b.Loop() {
		b.StopTimer()
		w := newWorld(b, 100, 100, 50)
		w.create()
		ids := w.ids3()
		orders := [][]string{{ids[0], ids[1], ids[2]}, {ids[0], ids[2]}, {ids[1], ids[0]}, {ids[2], ids[1], ids[0]}, {ids[0]}}
		var wg sync.WaitGroup
		var mu sync.Mutex
		for g := range 4 {
			wg.Go(func() {
				for i := g; i < n; i += 4 {
					mu.Lock() // the world's helpers are not safe at once; applying is not what is measured
					w.apply(i+1, 0, orders[i%len(orders)]...)
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		w.toDrawTime()
		ctx, tally := dbcalls.With(w.ctx)
		start := b.Elapsed()
		b.StartTimer()
		if _, err := w.svc.Run(ctx, w.round.ID); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		took := b.Elapsed() - start
		doc, err := w.svc.Document(w.ctx, w.round.ID)
		if err != nil || len(doc.Results) != n {
			b.Fatalf("%d results, %v", len(doc.Results), err)
		}
		b.Logf("round draw of %d applications (3 offerings, 250 places): %s; DynamoDB calls %d (%.2f an application: %v)",
			n, took.Round(time.Millisecond), tally.Total(), float64(tally.Total())/float64(n), tally.Snapshot())
		b.StartTimer() // b.Loop wants it running
	}
}
