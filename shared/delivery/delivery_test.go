package delivery_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/channels"
	"github.com/wuxi-enrol/enrol/shared/citybus"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/contacts"
	"github.com/wuxi-enrol/enrol/shared/delivery"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// book is a directory of residents' verified addresses (Cognito's part).
type book map[string]contacts.Contact

func (b book) Contact(_ context.Context, sub string) (contacts.Contact, error) {
	return b[sub], nil
}

type world struct {
	t     *testing.T
	ctx   context.Context
	st    *store.Store
	db    *dynamodb.Client
	table string
	cfg   config.Config
	now   time.Time
	rec   *channels.Recorder
	bus   *citybus.Recorder
	svc   *delivery.Service
}

func newWorld(t *testing.T) *world {
	cfg := dbtest.Config(t)
	st, _, db := dbtest.CustodyOn(t, cfg)
	w := &world{t: t, ctx: context.Background(), st: st, db: db, table: cfg.TableName, cfg: cfg,
		now: time.Date(2026, 3, 2, 9, 0, 0, 0, domain.CityZone)}
	clk := func() time.Time { return w.now }
	w.rec, w.bus = &channels.Recorder{Now: clk}, &citybus.Recorder{Now: clk}
	w.svc = &delivery.Service{Store: st, Now: clk, Bus: w.bus,
		Channels: []delivery.Channel{w.rec.Channel("sms"), w.rec.Channel("email"), w.rec.Channel("wechat")},
		Contacts: book{
			"all":   {Sub: "all", Phone: "+8613800000001", Email: "a@example.cn", WeChatOpenID: "oA"},
			"phone": {Sub: "phone", Phone: "+8613800000002", Email: ""},
			"none":  {Sub: "none"},
		}}
	w.prefer("all", "sms", "email", "wechat")
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// prefer sets an account's channels as the preferences item holds them.
func (w *world) prefer(account string, chans ...string) {
	_, err := w.db.PutItem(w.ctx, &dynamodb.PutItemInput{TableName: &w.table, Item: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "ACCOUNT#" + account}, "SK": &types.AttributeValueMemberS{Value: "MESSAGE_PREFERENCES"},
		"channels": &types.AttributeValueMemberL{Value: func() []types.AttributeValue {
			var l []types.AttributeValue
			for _, c := range chans {
				l = append(l, &types.AttributeValueMemberS{Value: c})
			}
			return l
		}()},
	}})
	w.must(err)
}

func (w *world) notice(ev notices.Event, account string) notices.Notice {
	n := notices.New(ev, w.now)
	n.Account, n.OfferingID, n.BookingID, n.CentreID, n.Kind = account, "o1", "b-"+account, "c1", domain.Childcare
	n.Title, n.FirstSession, n.Term = "阳光托班", "2026-03-09", "2026-spring"
	w.must(w.st.PutNotice(w.ctx, n))
	return n
}

func (w *world) drain() delivery.Result {
	w.t.Helper()
	res, err := w.svc.Drain(w.ctx)
	w.must(err)
	return res
}

// count is how many calls each "account/channel" got.
func (w *world) count() map[string]int {
	out := map[string]int{}
	for _, s := range w.rec.Sent() {
		out[s.Account+"/"+s.Channel]++
	}
	for _, e := range w.bus.Events() {
		out[e.Detail.ID+"/bus"]++
	}
	return out
}

func (w *world) outbox() []store.OutboxEntry {
	left, err := w.st.OutboxEntries(w.ctx)
	w.must(err)
	return left
}

// TestDrain: each resident gets one message on each chosen channel where
// they have a verified address (SMS by default), each recorded in their
// messages; the bus gets the event; a resident with no verified address is
// a dead letter with a failed message; a bus-only event is published only;
// a second drain sends nothing more. One drain reads batch after batch.
func TestDrain(t *testing.T) {
	w := newWorld(t)
	all := w.notice(notices.Promoted, "all")
	cancelled := w.notice(notices.OfferingCancelled, "phone")
	w.prefer("none", "email")
	w.notice(notices.Reminder, "none")
	confirmed := w.notice(notices.BookingConfirmed, "phone") // the bus's only
	w.svc.Batch = 3                                          // one drain reads batch after batch
	res := w.drain()
	if res.Due != 4 || res.Finished != 3 || res.Dead != 1 || res.Sent != 7 {
		t.Fatalf("result %+v", res)
	}
	want := map[string]int{"all/sms": 1, "all/email": 1, "all/wechat": 1, "phone/sms": 1,
		all.ID + "/bus": 1, cancelled.ID + "/bus": 1, confirmed.ID + "/bus": 1}
	if got := w.count(); !sameCounts(got, want) {
		t.Fatalf("sent %v, want %v", got, want)
	}
	for _, s := range w.rec.Sent() {
		if s.Account == "all" && (s.Key != all.ID+"#"+s.Channel || s.Text == "" || s.To == "") {
			t.Fatalf("send %+v", s)
		}
	}
	msgs, _ := w.st.ListMessages(w.ctx, "all")
	if len(msgs) != 3 || msgs[0].Status != "sent" || msgs[0].Event != "promoted" {
		t.Fatalf("all's messages %+v", msgs)
	}
	if msgs, _ := w.st.ListMessages(w.ctx, "none"); len(msgs) != 1 || msgs[0].Status != "failed" || msgs[0].Channel != "email" {
		t.Fatalf("none's messages %+v", msgs)
	}
	dl, _, _ := w.st.DeadLetters(w.ctx, paging.Page{Limit: 10})
	if len(dl) != 1 || dl[0].Account != "none" || dl[0].Reason != "no verified contact" {
		t.Fatalf("dead letters %+v", dl)
	}
	if left := w.outbox(); len(left) != 0 {
		t.Fatalf("outbox after the drain: %+v", left)
	}
	w.now = w.now.Add(time.Hour)
	if res := w.drain(); res.Due != 0 || !sameCounts(w.count(), want) {
		t.Fatalf("second drain %+v sent %v", res, w.count())
	}
}

func sameCounts(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// flaky fails its first fails calls, transiently or for good.
type flaky struct {
	delivery.Channel
	fails     int
	permanent bool
	calls     int
}

func (f *flaky) Send(ctx context.Context, to contacts.Contact, n notices.Notice, key string) error {
	f.calls++
	if f.calls <= f.fails {
		return &channels.Error{Channel: f.Name(), Err: errors.New("provider says no"), IsPermanent: f.permanent}
	}
	return f.Channel.Send(ctx, to, n, key)
}

// TestBackoff: a transient failure puts the notice back a minute later,
// then 2, 4, 8 … minutes, at most an hour; what was sent is not sent again;
// the eighth failed attempt is a dead letter. A permanent failure is a
// dead letter at once.
func TestBackoff(t *testing.T) {
	for i, want := range []time.Duration{time.Minute, 2 * time.Minute, 4 * time.Minute, 8 * time.Minute, 16 * time.Minute, 32 * time.Minute, time.Hour, time.Hour} {
		if got := delivery.Backoff(i + 1); got != want {
			t.Errorf("Backoff(%d) = %v, want %v", i+1, got, want)
		}
	}
	w := newWorld(t)
	wechat := &flaky{Channel: w.rec.Channel("wechat"), fails: 100}
	w.svc.Channels[2] = wechat
	n := w.notice(notices.Promoted, "all")
	for attempt := 1; attempt <= delivery.MaxAttempts; attempt++ {
		res := w.drain()
		left := w.outbox()
		if attempt == delivery.MaxAttempts {
			if res.Dead != 1 || len(left) != 0 {
				t.Fatalf("attempt %d: %+v, outbox %+v", attempt, res, left)
			}
			break
		}
		if res.Retried != 1 || len(left) != 1 || left[0].Attempts != attempt || !left[0].Due.Equal(w.now.Add(delivery.Backoff(attempt))) ||
			left[0].LastError != "wechat: wechat: provider says no" {
			t.Fatalf("attempt %d: %+v, outbox %+v", attempt, res, left)
		}
		w.now = w.now.Add(delivery.Backoff(attempt) - time.Second)
		if res := w.drain(); res.Due != 0 {
			t.Fatalf("due before its backoff: %+v", res)
		}
		w.now = w.now.Add(time.Second)
	}
	if c := w.count(); c["all/sms"] != 1 || c["all/email"] != 1 || c["all/wechat"] != 0 || c[n.ID+"/bus"] != 1 || wechat.calls != delivery.MaxAttempts {
		t.Fatalf("sent %v, wechat tried %d times", c, wechat.calls)
	}
	if dl, _, _ := w.st.DeadLetters(w.ctx, paging.Page{Limit: 5}); len(dl) != 1 || dl[0].Attempts != delivery.MaxAttempts {
		t.Fatalf("dead letters %+v", dl)
	}

	w2 := newWorld(t)
	w2.svc.Channels[0] = &flaky{Channel: w2.rec.Channel("sms"), fails: 2, permanent: true}
	w2.notice(notices.Promoted, "phone")
	if res := w2.drain(); res.Dead != 1 || len(w2.outbox()) != 0 {
		t.Fatalf("a permanent failure: %+v", res)
	}
	if msgs, _ := w2.st.ListMessages(w2.ctx, "phone"); len(msgs) != 1 || msgs[0].Status != "failed" || msgs[0].Channel != "sms" {
		t.Fatalf("messages %+v", msgs)
	}
	// The other channels still carry it.
	w2.notice(notices.Promoted, "all")
	if res := w2.drain(); res.Dead != 1 || res.Sent != 3 {
		t.Fatalf("a permanent failure beside good channels: %+v", res)
	}
	status := map[string]string{}
	msgs, _ := w2.st.ListMessages(w2.ctx, "all")
	for _, m := range msgs {
		status[m.Channel] = m.Status
	}
	if len(msgs) != 3 || status["sms"] != "failed" || status["email"] != "sent" || status["wechat"] != "sent" {
		t.Fatalf("messages %+v", msgs)
	}
}

// partial carries only the promotions (WeChat with one template).
type partial struct{ delivery.Channel }

func (partial) Carries(ev notices.Event) bool { return ev == notices.Promoted }

// TestChannelCarriesSomeEvents: a channel without a template for an event
// is not used for it; the resident's other channels carry it.
func TestChannelCarriesSomeEvents(t *testing.T) {
	w := newWorld(t)
	w.svc.Channels[2] = partial{w.rec.Channel("wechat")}
	w.notice(notices.Promoted, "all")
	w.notice(notices.Reminder, "all")
	if res := w.drain(); res.Finished != 2 || res.Dead != 0 {
		t.Fatalf("%+v", res)
	}
	if c := w.count(); c["all/wechat"] != 1 || c["all/sms"] != 2 || c["all/email"] != 2 {
		t.Fatalf("sent %v", c)
	}
}

// crashing is a channel whose process dies (panics) at its crash-th call,
// before or after the provider accepted the message.
type crashing struct {
	delivery.Channel
	crash     int
	afterSend bool
	mu        sync.Mutex
	calls     int
	crashed   string // the account whose send crashed
}

func (c *crashing) Send(ctx context.Context, to contacts.Contact, n notices.Notice, key string) error {
	c.mu.Lock()
	c.calls++
	crash := c.calls == c.crash
	if crash {
		c.crashed = n.Account
	}
	c.mu.Unlock()
	if crash {
		if c.afterSend {
			_ = c.Channel.Send(ctx, to, n, key)
		}
		panic("dispatcher crashed")
	}
	return c.Channel.Send(ctx, to, n, key)
}

// TestCrashAndRestart: the dispatcher dies mid-batch (one notice at a
// time, and four at once) and runs again. Until the lease ends the crashed
// notice is not sent again; after it, every person gets exactly one message
// per channel, except the documented window: a crash after the provider
// accepted a message but before it was recorded sends that one message
// once more (and only that one).
func TestCrashAndRestart(t *testing.T) {
	for _, tc := range []struct {
		name      string
		afterSend bool
		workers   int
		// wantSMS is what the crashed resident's SMS count ends at.
		wantSMS int
	}{
		{"between take and send", false, 1, 1},
		{"between send and record", true, 1, 2},
		{"between take and send, four at once", false, 4, 1},
		{"between send and record, four at once", true, 4, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			w.svc.Workers = tc.workers
			sms := &crashing{Channel: w.rec.Channel("sms"), crash: 3, afterSend: tc.afterSend}
			w.svc.Channels[0] = sms
			const n = 8
			var accounts []string
			for i := range n {
				a := fmt.Sprintf("p%d", i)
				accounts = append(accounts, a)
				w.svc.Contacts.(book)[a] = contacts.Contact{Sub: a, Phone: fmt.Sprintf("+861380000010%d", i), Email: a + "@example.cn"}
				w.prefer(a, "sms", "email")
				w.notice(notices.Promoted, a)
				w.now = w.now.Add(time.Second)
			}
			func() {
				defer func() {
					if recover() == nil {
						t.Fatal("the dispatcher did not crash")
					}
				}()
				_, _ = w.svc.Drain(w.ctx)
			}()
			crashedSMS := w.count()[sms.crashed+"/sms"]
			// Restarted at once: the crashed notice is leased, the rest go.
			w.now = w.now.Add(time.Minute)
			res := w.drain()
			if c := w.count(); c[sms.crashed+"/sms"] != crashedSMS || len(w.outbox()) != 1 {
				t.Fatalf("restart within the lease: %+v; the crashed notice's SMS %d → %d, outbox %+v", res, crashedSMS, c[sms.crashed+"/sms"], w.outbox())
			}
			if tc.workers == 1 && res.Finished != n-3 {
				t.Fatalf("restart within the lease, one at a time: %+v", res)
			}
			w.now = w.now.Add(delivery.DefaultLease)
			res = w.drain()
			if res.Finished != 1 || len(w.outbox()) != 0 {
				t.Fatalf("after the lease: %+v, outbox %+v", res, w.outbox())
			}
			c := w.count()
			for _, a := range accounts {
				wantSMS := 1
				if a == sms.crashed {
					wantSMS = tc.wantSMS
				}
				if c[a+"/sms"] != wantSMS || c[a+"/email"] != 1 {
					t.Errorf("%s got sms %d email %d, want sms %d email 1", a, c[a+"/sms"], c[a+"/email"], wantSMS)
				}
				if msgs, _ := w.st.ListMessages(w.ctx, a); len(msgs) != 2 {
					t.Errorf("%s has %d message records, want 2 (one per channel)", a, len(msgs))
				}
			}
			if len(w.bus.Events()) != n {
				t.Errorf("%d bus events, want %d", len(w.bus.Events()), n)
			}
		})
	}
}

// TestLostRecord: the send is accepted, then the store is lost for the
// record (the context ends, as when Lambda's time runs out): the notice
// waits out its lease and is sent once more, the documented window.
func TestLostRecord(t *testing.T) {
	w := newWorld(t)
	ctx, cancel := context.WithCancel(w.ctx)
	w.svc.Channels = []delivery.Channel{cancelling{w.rec.Channel("sms"), cancel}}
	w.notice(notices.Promoted, "phone")
	if _, err := w.svc.Drain(ctx); err == nil {
		t.Fatal("a drain whose record was lost reported no error")
	}
	w.svc.Channels = []delivery.Channel{w.rec.Channel("sms")}
	w.now = w.now.Add(delivery.DefaultLease)
	if res := w.drain(); res.Finished != 1 {
		t.Fatalf("after the lease: %+v", res)
	}
	if c := w.count(); c["phone/sms"] != 2 {
		t.Fatalf("sent %v: want the one documented duplicate", c)
	}
	if msgs, _ := w.st.ListMessages(w.ctx, "phone"); len(msgs) != 1 {
		t.Fatalf("%d message records, want 1", len(msgs))
	}
}

type cancelling struct {
	delivery.Channel
	cancel context.CancelFunc
}

func (c cancelling) Send(ctx context.Context, to contacts.Contact, n notices.Notice, key string) error {
	err := c.Channel.Send(ctx, to, n, key)
	c.cancel()
	return err
}

// TestReachedBeforeAddressGone: an attempt sent the SMS and failed on the
// bus; before the retry the resident's user is gone. The retry sends the
// bus event and finishes: the resident was told, so no dead letter.
func TestReachedBeforeAddressGone(t *testing.T) {
	w := newWorld(t)
	bus := &flakyBus{Bus: w.bus, fails: 1}
	w.svc.Bus = bus
	w.notice(notices.Promoted, "phone")
	if res := w.drain(); res.Retried != 1 || res.Sent != 1 {
		t.Fatalf("first attempt %+v", res)
	}
	delete(w.svc.Contacts.(book), "phone")
	w.now = w.now.Add(delivery.Backoff(1))
	if res := w.drain(); res.Finished != 1 || res.Dead != 0 {
		t.Fatalf("retry %+v", res)
	}
	if c := w.count(); c["phone/sms"] != 1 || len(w.bus.Events()) != 1 {
		t.Fatalf("sent %v", c)
	}
}

type flakyBus struct {
	delivery.Bus
	fails int
}

func (b *flakyBus) Publish(ctx context.Context, detailType string, d notices.Detail) error {
	if b.fails > 0 {
		b.fails--
		return errors.New("bus busy")
	}
	return b.Bus.Publish(ctx, detailType, d)
}

// TestOverlappingRuns: two dispatcher runs at once (a run that outlasts its
// minute overlaps the next) drain the same outbox: each notice is taken by
// one of them, so each person gets exactly one message per channel.
func TestOverlappingRuns(t *testing.T) {
	w := newWorld(t)
	const n = 24
	for i := range n {
		a := fmt.Sprintf("o%d", i)
		w.svc.Contacts.(book)[a] = contacts.Contact{Sub: a, Phone: "+8613800000100"}
		w.notice(notices.Promoted, a)
	}
	other := *w.svc
	var wg sync.WaitGroup
	results := make([]delivery.Result, 2)
	for i, svc := range []*delivery.Service{w.svc, &other} {
		wg.Go(func() {
			res, err := svc.Drain(w.ctx)
			if err != nil {
				t.Error(err)
			}
			results[i] = res
		})
	}
	wg.Wait()
	if got := results[0].Finished + results[1].Finished; got != n || len(w.outbox()) != 0 {
		t.Fatalf("finished %d, want %d: %+v", got, n, results)
	}
	for a, c := range w.count() {
		if c != 1 {
			t.Errorf("%s: %d", a, c)
		}
	}
	t.Logf("runs finished %d and %d, lost %d and %d races", results[0].Finished, results[1].Finished, results[0].Lost, results[1].Lost)
}

// TestInAppOnly: without a directory of addresses (AuthMode oidc) a
// resident's notice is one message in the app, whatever channels exist and
// the resident chose, and the bus still gets the event; a second drain
// sends nothing more.
func TestInAppOnly(t *testing.T) {
	w := newWorld(t)
	w.svc.Contacts = nil
	w.notice(notices.Promoted, "all")
	w.notice(notices.Promoted, "none")
	if res := w.drain(); res.Finished != 2 || res.Dead != 0 || res.Sent != 4 {
		t.Fatalf("%+v", res)
	}
	if res := w.drain(); res.Due != 0 {
		t.Fatalf("second drain %+v", res)
	}
	if sent := w.rec.Sent(); len(sent) != 0 {
		t.Errorf("sent on channels without addresses: %+v", sent)
	}
	if n := len(w.bus.Events()); n != 2 {
		t.Errorf("%d bus events, want 2", n)
	}
	for _, acct := range []string{"all", "none"} {
		msgs, err := w.st.ListMessages(w.ctx, acct)
		if err != nil || len(msgs) != 1 || msgs[0].Channel != delivery.InApp || msgs[0].Status != "sent" {
			t.Errorf("%s: messages %+v %v, want one in the app", acct, msgs, err)
		}
	}
}

// TestBySMSAlways: the counter's notice reaches a resident who chose
// e-mail alone by SMS as well (it is about their number); one who chose
// SMS gets it once; other notices keep to the chosen channels.
func TestBySMSAlways(t *testing.T) {
	w := newWorld(t)
	w.prefer("all", "email")
	w.prefer("phone", "sms")
	counter := func(account string) {
		n := notices.New(notices.AssistedAtCounter, w.now).AtCounter(domain.Centre{ID: "c1", Name: "阳光托育", Phone: "0510-82345678"})
		n.Account = account
		w.must(w.st.PutNotice(w.ctx, n))
	}
	counter("all")
	counter("phone")
	w.notice(notices.Promoted, "all")
	if res := w.drain(); res.Finished != 3 || res.Dead != 0 {
		t.Fatalf("%+v", res)
	}
	if c := w.count(); c["all/sms"] != 1 || c["all/email"] != 2 || c["phone/sms"] != 1 || c["all/wechat"] != 0 {
		t.Fatalf("sent %v, want all/sms 1 (the counter's), all/email 2, phone/sms 1", c)
	}
	for _, s := range w.rec.Sent() {
		if s.Channel == "sms" && (s.Event != string(notices.AssistedAtCounter) || !strings.Contains(s.Text, "0510-82345678")) {
			t.Errorf("SMS %+v, want the counter's notice with the centre's number", s)
		}
	}
}
