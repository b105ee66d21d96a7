package local_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/infra/tablecheck"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// The chaos burst's size: residents booking and cancelling at once, in a
// few small offerings of one kind and term, so places are contended, lines
// form and move, and the term limit (2 by default for evening courses)
// bites; and staff raising and cutting capacities meanwhile.
const (
	chaosClients   = 8
	chaosRequests  = 1000 // bookings and cancellations, over all clients
	chaosOfferings = 4
	chaosRate      = 0.05
	chaosSeed      = 15
	// chaosPatience bounds a client's tries of one request: at 5% faults a
	// request meets several in a row rarely, a hundred never.
	chaosPatience = 100
)

// chaosCounts are the burst's figures, added to from every client.
type chaosCounts struct {
	requests, retries, unavailable, tooMany atomic.Int64
	booked, replayed, refused, cancelled    atomic.Int64
	edits, editsRefused                     atomic.Int64
	mu                                      sync.Mutex
	badAnswers                              []string
	byStatus                                map[int]int
	refusals                                map[string]int // by problem code
}

func (c *chaosCounts) status(s int, what string, body []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.byStatus[s]++
	if s >= 500 && s != 503 { // 500, and the gateway's 502 and 504

		c.badAnswers = append(c.badAnswers, fmt.Sprintf("%s: %d %s", what, s, body))
	}
}

// chaosClient is one resident's app: it books with an Idempotency-Key and
// retries a 503 or 429 with the same key until it gets a final answer, and
// remembers what it was told.
type chaosClient struct {
	e       *env
	counts  *chaosCounts
	token   string
	person  string
	rng     *rand.Rand
	held    map[string]string // booking id → offering, from its 201/200 answers
	ended   map[string]bool   // bookings it cancelled (a final 200)
	keySeq  int
	account string
}

// call sends one request until its answer is final: a 503 with Retry-After
// or a 429 is waited on (Retry-After clamped to 10–50 ms, so the test stays
// short) and sent again as it was; anything else is the answer.
func (c *chaosClient) call(method, path string, body any, headers ...string) (int, map[string]any, error) {
	var raw []byte
	if body != nil {
		raw, _ = json.Marshal(body)
	}
	for try := 0; ; try++ {
		req, err := http.NewRequest(method, c.e.st.URL+path, bytes.NewReader(raw))
		if err != nil {
			return 0, nil, err
		}
		if raw != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		req.Header.Set("Authorization", "Bearer "+c.token)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		c.counts.requests.Add(1)
		if try > 0 {
			c.counts.retries.Add(1)
		}
		resp, err := c.e.client.Do(req)
		if err != nil {
			return 0, nil, err
		}
		out, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		c.counts.status(resp.StatusCode, method+" "+path, out)
		after := resp.Header.Get("Retry-After")
		switch {
		case resp.StatusCode == 503 && after == "":
			c.counts.mu.Lock()
			c.counts.badAnswers = append(c.counts.badAnswers, method+" "+path+": 503 without Retry-After")
			c.counts.mu.Unlock()
			fallthrough
		case resp.StatusCode == 503:
			c.counts.unavailable.Add(1)
		case resp.StatusCode == 429:
			c.counts.tooMany.Add(1)
		default:
			var m map[string]any
			_ = json.Unmarshal(out, &m)
			return resp.StatusCode, m, nil
		}
		if try == chaosPatience {
			return 0, nil, fmt.Errorf("%s %s: still %d after %d tries", method, path, resp.StatusCode, try+1)
		}
		secs, _ := strconv.Atoi(after)
		time.Sleep(min(max(time.Duration(secs)*time.Second/20, 10*time.Millisecond), 50*time.Millisecond))
	}
}

func (c *chaosClient) book(offering string) error {
	c.keySeq++
	key := fmt.Sprintf("%s-%d", c.account, c.keySeq)
	status, m, err := c.call("POST", "/v1/offerings/"+offering+"/bookings",
		map[string]any{"participant_id": c.person, "join_waitlist": true}, "Idempotency-Key", key)
	if err != nil {
		return err
	}
	switch id, _ := m["id"].(string); status {
	case 201, 200:
		if status == 201 {
			c.counts.booked.Add(1)
		} else {
			c.counts.replayed.Add(1)
		}
		if prev, ok := c.held[id]; ok && !c.ended[id] {
			return fmt.Errorf("booking %s answered twice (%s): a retry booked again", id, prev)
		}
		c.held[id] = offering
	case 409, 422:
		c.counts.refused.Add(1)
		c.counts.mu.Lock()
		c.counts.refusals[fmt.Sprint(m["code"])]++
		c.counts.mu.Unlock()
	default:
		return fmt.Errorf("booking %s: %d %v", offering, status, m)
	}
	return nil
}

func (c *chaosClient) cancel(id string) error {
	status, m, err := c.call("POST", "/v1/me/bookings/"+id+"/cancel", nil)
	if err != nil {
		return err
	}
	if status != 200 || m["status"] != "cancelled" {
		return fmt.Errorf("cancelling %s: %d %v", id, status, m)
	}
	c.ended[id] = true
	c.counts.cancelled.Add(1)
	return nil
}

// act does one booking or cancellation: with two active bookings (the
// term's limit) it mostly cancels one, with one now and then, else it
// books; mostly an offering it does not hold, now and then any (already
// booked, or over the term limit: refused).
func (c *chaosClient) act(offerings []string) error {
	var mine []string
	holds := map[string]bool{}
	for id, o := range c.held {
		if !c.ended[id] {
			mine = append(mine, id)
			holds[o] = true
		}
	}
	slices.Sort(mine)
	if len(mine) >= 2 && c.rng.IntN(4) > 0 || len(mine) == 1 && c.rng.IntN(3) == 0 {
		return c.cancel(mine[c.rng.IntN(len(mine))])
	}
	var free []string
	for _, o := range offerings {
		if !holds[o] {
			free = append(free, o)
		}
	}
	if c.rng.IntN(5) == 0 || len(free) == 0 {
		free = offerings
	}
	return c.book(free[c.rng.IntN(len(free))])
}

// TestChaosBurst: 1,000 bookings and cancellations from concurrent clients
// on a few small offerings, with staff raising and cutting capacities,
// while 5% of the stack's DynamoDB calls fail in every way DynamoDB can
// (faults.AllKinds). Then, with faults off: the table breaks no invariant
// (tablecheck: counters equal rows, every booking has its markers, nobody
// oversold, no term limit exceeded, the ledger and audit agree); no
// request answered anything but its answer or a clean 503 with Retry-After
// (or 429); and each client's bookings are exactly those it was answered
// 201 or 200 for, in the state its answers left them.
func TestChaosBurst(t *testing.T) {
	var inj faults.Injector
	inj.SetDelay(20 * time.Millisecond)
	e := start(t, withFaults(&inj))
	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	var offerings []string
	for i := range chaosOfferings {
		body := e.newOfferingBody("published")
		body["capacity"] = 3 + i%3
		r := e.do("POST", "/v1/centres/"+e.centre.ID+"/offerings", staff, body)
		e.expect(r, 201, "")
		offerings = append(offerings, r.str("id"))
	}
	counts := &chaosCounts{byStatus: map[int]int{}, refusals: map[string]int{}}
	clients := make([]*chaosClient, chaosClients)
	for i := range clients {
		account := fmt.Sprintf("chaos-%02d", i)
		tok, p, _ := e.resident(account)
		clients[i] = &chaosClient{e: e, counts: counts, token: tok, person: p, account: account,
			rng: rand.New(rand.NewPCG(chaosSeed, uint64(i))), held: map[string]string{}, ended: map[string]bool{}}
	}

	inj.Random(chaosRate, chaosSeed, faults.AllKinds)
	t0 := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, chaosClients+1)
	var done atomic.Bool
	for _, c := range clients {
		wg.Go(func() {
			for range chaosRequests / chaosClients {
				if err := c.act(offerings); err != nil {
					errs <- fmt.Errorf("%s: %w", c.account, err)
					return
				}
			}
		})
	}
	// Staff move capacities up (promoting the head of the line) and down
	// (refused below the places held) while residents book.
	var staffWG sync.WaitGroup
	staffWG.Go(func() {
		sc := &chaosClient{e: e, counts: counts, token: staff, rng: rand.New(rand.NewPCG(chaosSeed, 99))}
		for !done.Load() {
			id := offerings[sc.rng.IntN(len(offerings))]
			status, m, err := sc.call("PATCH", "/v1/offerings/"+id, map[string]any{"capacity": 2 + sc.rng.IntN(6)})
			switch {
			case err != nil:
				errs <- err
				return
			case status == 200:
				counts.edits.Add(1)
			case status == 409:
				counts.editsRefused.Add(1)
			default:
				errs <- fmt.Errorf("staff edit of %s: %d %v", id, status, m)
				return
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
	wg.Wait()
	done.Store(true)
	staffWG.Wait()
	took := time.Since(t0)
	injected := inj.Injected()
	calls := inj.Calls()
	byOpCalls := map[string]int{}
	for _, op := range append(slices.Clone(faults.Reads), faults.Writes...) {
		byOpCalls[op] = inj.Calls(op)
	}
	inj.Clear()
	close(errs)
	for err := range errs {
		t.Error(err)
	}

	// The faults were on: about the rate asked of the calls made.
	total := 0
	for _, n := range injected {
		total += n
	}
	if float64(total) < chaosRate/2*float64(calls) {
		t.Errorf("%d faults injected in %d calls, at a rate of %v", total, calls, chaosRate)
	}

	// Nothing but answers and clean 503s (or 429s).
	for _, a := range counts.badAnswers {
		t.Errorf("not a clean answer: %s", a)
	}

	// The table keeps every invariant.
	db, err := store.NewClient(context.Background(), config.Config{DynamoDBEndpoint: e.st.DynamoDBEndpoint(), Region: dbtest.Region})
	if err != nil {
		t.Fatal(err)
	}
	report, err := tablecheck.Run(context.Background(), db, e.table, tablecheck.Options{Now: e.st.Now()})
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	report.Print(&out)
	if !report.OK() {
		t.Errorf("the table after the burst:\n%s", out.String())
	}

	// Each client holds exactly what it was told it holds.
	for _, c := range clients {
		listed := map[string]string{} // id → status
		cursor := ""
		for {
			r := e.do("GET", "/v1/me/bookings?limit=100"+cursor, c.token, nil)
			e.expect(r, 200, "")
			for _, it := range r.json["items"].([]any) {
				b := it.(map[string]any)
				id := b["id"].(string)
				if _, dup := listed[id]; dup {
					t.Errorf("%s: booking %s listed twice", c.account, id)
				}
				listed[id] = b["status"].(string)
			}
			next := r.str("next_cursor")
			if next == "" {
				break
			}
			cursor = "&cursor=" + next
		}
		for id, o := range c.held {
			status, ok := listed[id]
			switch {
			case !ok:
				t.Errorf("%s: booking %s (offering %s) answered 201/200 is missing", c.account, id, o)
			case c.ended[id] && status != "cancelled":
				t.Errorf("%s: booking %s cancelled (200) is %s", c.account, id, status)
			case !c.ended[id] && status != "confirmed" && status != "waitlisted":
				t.Errorf("%s: booking %s never cancelled is %s", c.account, id, status)
			}
		}
		for id := range listed {
			if _, ok := c.held[id]; !ok {
				t.Errorf("%s: booking %s it was never answered for (a retry's duplicate)", c.account, id)
			}
		}
	}

	promoted := 0
	for _, n := range dbtest.Told(t, e.st.Store) {
		if strings.HasPrefix(n, "promoted ") {
			promoted++
		}
	}
	var kinds []string
	for _, k := range slices.Sorted(maps.Keys(injected)) {
		kinds = append(kinds, fmt.Sprintf("%s %d", k, injected[k]))
	}
	dbtest.Figure(t, "chaos burst: %d clients, %d bookings and cancellations, %d staff edits (%d refused) in %v, %d%% faults",
		chaosClients, chaosRequests, counts.edits.Load(), counts.editsRefused.Load(), took.Round(time.Millisecond), int(chaosRate*100))
	dbtest.Figure(t, "HTTP requests %d (retries %d); answers by status %v; 503 %d, 429 %d",
		counts.requests.Load(), counts.retries.Load(), counts.byStatus, counts.unavailable.Load(), counts.tooMany.Load())
	var byOp []string
	for _, op := range append(slices.Clone(faults.Reads), faults.Writes...) {
		if n := byOpCalls[op]; n > 0 {
			byOp = append(byOp, fmt.Sprintf("%s %d", op, n))
		}
	}
	dbtest.Figure(t, "DynamoDB calls %d (%s), faults injected %d: %s", calls, strings.Join(byOp, ", "), total, strings.Join(kinds, ", "))
	dbtest.Figure(t, "bookings: %d new (201), %d answered again (200), %d refused %v, %d cancelled; %d promotions",
		counts.booked.Load(), counts.replayed.Load(), counts.refused.Load(), counts.refusals, counts.cancelled.Load(), promoted)
	dbtest.Figure(t, "table: %d items, %d offerings, bookings %v; violations %d (oversold %d, term limit %d)",
		report.Items, report.Offerings, report.Bookings, len(report.Violations), report.Count(tablecheck.RuleCapacity), report.Count(tablecheck.RuleTermLimit))
}
