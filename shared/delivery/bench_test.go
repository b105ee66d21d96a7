package delivery_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/channels"
	"github.com/wuxi-enrol/enrol/shared/citybus"
	"github.com/wuxi-enrol/enrol/shared/contacts"
	"github.com/wuxi-enrol/enrol/shared/delivery"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// BenchmarkChangeToSend measures, on the wall clock, the delay from a
// change (its notice written) to its last send when one dispatcher run
// drains a batch of 200 promotions (an SMS and a bus event each) on the
// embedded DynamoDB. On AWS the run starts at the next minute of the
// schedule, which adds up to 60 s (30 s on average) before this.
func BenchmarkChangeToSend(b *testing.B) {
	const batch = 200
	st, _ := dbtest.Store(b)
	ctx := context.Background()
	// One clock for the changes, the sends and the drain: the delays are
	// the service's own (the real clock, as on AWS).
	now := time.Now
	rec, bus := &channels.Recorder{Now: now}, &citybus.Recorder{Now: now}
	dir := book{}
	svc := &delivery.Service{Store: st, Now: now, Channels: []delivery.Channel{rec.Channel("sms")}, Contacts: dir, Bus: bus}
	var delays []time.Duration
	var drain time.Duration
	for i := 0; i < b.N; i++ {
		for j := range batch {
			a := fmt.Sprintf("bench-%d-%d", i, j)
			dir[a] = contacts.Contact{Sub: a, Phone: "+8613800000000"}
			n := notices.New(notices.Promoted, now())
			n.Account, n.OfferingID, n.Title, n.FirstSession = a, "o1", "托班", "2026-09-01"
			if err := st.PutNotice(ctx, n); err != nil {
				b.Fatal(err)
			}
		}
		start := now()
		res, err := svc.Drain(ctx)
		drain += now().Sub(start)
		if err != nil || res.Finished != batch {
			b.Fatalf("%+v %v", res, err)
		}
		delays = append(delays, res.Delays...)
	}
	slices.Sort(delays)
	p50, maxDelay := delays[len(delays)/2], delays[len(delays)-1]
	perNotice := drain / time.Duration(b.N*batch)
	b.ReportMetric(float64(p50.Milliseconds()), "p50-ms")
	b.ReportMetric(float64(maxDelay.Milliseconds()), "max-ms")
	b.ReportMetric(float64(perNotice.Microseconds())/1000, "ms/notice")
	b.Logf("batch of %d: change→send p50 %v, max %v (drain %v a notice); add the schedule's wait, up to 60 s",
		batch, p50.Round(time.Millisecond), maxDelay.Round(time.Millisecond), perNotice.Round(time.Microsecond))
}
