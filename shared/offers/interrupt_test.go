package offers_test

import (
	"context"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/offers"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestOffersJobInterruptedAtEveryStep: a run of the offers job that
// expires two offers (each handing its place to the next in line) and
// warns a third, interrupted at each of its write calls, before the call
// is sent, by a lost race (a conflict: the job reads again and writes
// again) and after it landed with its answer lost; the job reports the
// failure, Lambda invokes the same scheduled event again, and the run ends
// as an uninterrupted one: the same bookings, offers, line and notices.
func TestOffersJobInterruptedAtEveryStep(t *testing.T) {
	w := newWorld(t)
	w.offering("o1", 3, 24)
	var held []string
	for _, a := range []string{"a1", "a2", "a3"} {
		held = append(held, w.book(a, "o1").ID)
	}
	for _, a := range []string{"w1", "w2", "w3", "w4", "w5", "w6"} {
		w.book(a, "o1")
	}
	// Three places freed: w1 and w2 offered them first, w3 four hours on.
	for i, a := range []string{"a1", "a2", "a3"} {
		if i == 2 {
			w.now = w.now.Add(4 * time.Hour)
		}
		_, err := w.res.Cancel(w.ctx, a, held[i])
		w.must(err)
	}
	at := w.now.Add(20*time.Hour + 5*time.Minute) // w1's and w2's passed, w3's within 6 h
	dbtest.EveryStep(t, dbtest.Operation{
		Name: "offers job expiring 2 and warning 1", World: w.cfg, Also: []faults.Kind{faults.Conflict},
		Start: dbtest.Again(func(ctx context.Context, st *store.Store) error {
			_, err := (&offers.Service{Store: st}).Keep(ctx, at)
			return err
		}),
	})
}
