package delivery_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/channels"
	"github.com/wuxi-enrol/enrol/shared/citybus"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/delivery"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// TestDispatcherInterruptedAtEveryStep: a run of the dispatcher over five
// notices (one to three channels and the bus, one to SMS and the bus, one
// for the bus only, one to a resident with no address, a dead letter),
// interrupted at each of its write calls (taking a notice, recording a
// send, deleting the last, the dead letter), before the call is sent and
// after it landed with its answer lost, then run again every minute, as
// its schedule does, until the outbox is empty: the residents' messages,
// the dead letters and what was sent are those of an uninterrupted run.
// Sends are at least once: a send whose record was lost goes again after
// the lease, with the same key (the provider's idempotency key), so each
// key is sent at most twice; the figures count those repeats.
func TestDispatcherInterruptedAtEveryStep(t *testing.T) {
	w := newWorld(t)
	w.prefer("none", "email")
	w.notice(notices.Promoted, "all")
	w.notice(notices.OfferingCancelled, "phone")
	w.notice(notices.Reminder, "phone")
	w.notice(notices.BookingConfirmed, "phone") // the bus's only
	w.notice(notices.Reminder, "none")

	var (
		mu   sync.Mutex
		sent = map[string]*sends{} // by table
	)
	repeats := 0
	op := dbtest.Operation{
		Name: "dispatcher over 5 notices", World: w.cfg, Scheduled: true,
		Start: func(t testing.TB, cfg config.Config, inj *faults.Injector) (func(context.Context) error, func(context.Context) error) {
			st, _, _ := dbtest.CustodyOn(t, cfg, inj.Option)
			now := w.now
			clk := func() time.Time { return now }
			s := &sends{rec: &channels.Recorder{Now: clk}, bus: &citybus.Recorder{Now: clk}}
			mu.Lock()
			sent[cfg.TableName] = s
			mu.Unlock()
			// One worker: the same write calls in the same order each run.
			svc := &delivery.Service{Store: st, Now: clk, Bus: s.bus, Workers: 1, Contacts: w.svc.Contacts,
				Channels: []delivery.Channel{s.rec.Channel("sms"), s.rec.Channel("email"), s.rec.Channel("wechat")}}
			run := func(ctx context.Context) error {
				_, err := svc.Drain(ctx)
				return err
			}
			// The schedule's next runs, a minute apart, until nothing is
			// left (a notice taken by the interrupted run waits out its
			// lease); an error is the next minute's to mend.
			resume := func(ctx context.Context) error {
				for range 20 {
					now = now.Add(time.Minute)
					_, _ = svc.Drain(ctx)
					left, err := st.OutboxEntries(ctx)
					if err != nil {
						return err
					}
					if len(left) == 0 {
						return nil
					}
				}
				return fmt.Errorf("the outbox still holds notices after 20 runs")
			}
			return run, resume
		},
		View: func(t testing.TB, cfg config.Config) []string {
			st, _, _ := dbtest.CustodyOn(t, cfg)
			ctx := context.Background()
			var out []string
			left, err := st.OutboxEntries(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range left {
				out = append(out, fmt.Sprintf("outbox %s %s %s", e.ID, e.Event, e.Account))
			}
			for _, account := range []string{"all", "phone", "none"} {
				ms, err := st.ListMessages(ctx, account)
				if err != nil {
					t.Fatal(err)
				}
				for _, m := range ms {
					out = append(out, fmt.Sprintf("message %s %s %s %s", account, m.Event, m.Channel, m.Status))
				}
			}
			dead, _, err := st.DeadLetters(ctx, paging.Page{Limit: 100})
			if err != nil {
				t.Fatal(err)
			}
			for _, d := range dead {
				out = append(out, fmt.Sprintf("dead %s %s %s", d.ID, d.Event, d.Reason))
			}
			mu.Lock()
			s := sent[cfg.TableName]
			mu.Unlock()
			keys, twice := s.keys()
			for _, k := range keys {
				out = append(out, "sent "+k)
			}
			if len(twice) > 0 {
				mu.Lock()
				repeats += len(twice)
				mu.Unlock()
			}
			slices.Sort(out)
			return out
		},
	}
	fig := dbtest.EveryStep(t, op)
	t.Logf("dispatcher: %d sends repeated (at least once, same key) over %d interrupted runs", repeats, fig.Runs)
}

// sends is what one run's channels and bus were given.
type sends struct {
	rec *channels.Recorder
	bus *citybus.Recorder
}

// keys are the distinct keys sent (channel sends by their idempotency key,
// bus events by notice), and those sent more than once; a key sent more
// than twice is more than the lease's one window allows, and shows as a
// key of its own so the views differ.
func (s *sends) keys() (distinct, twice []string) {
	count := map[string]int{}
	for _, m := range s.rec.Sent() {
		count[m.Key]++
	}
	for _, e := range s.bus.Events() {
		count[e.Detail.ID+"#bus"]++
	}
	for k, n := range count {
		distinct = append(distinct, k)
		if n == 2 {
			twice = append(twice, k)
		}
		if n > 2 {
			distinct = append(distinct, fmt.Sprintf("%s sent %d times", k, n))
		}
	}
	slices.Sort(distinct)
	return distinct, twice
}
