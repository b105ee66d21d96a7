package openingnight

import (
	"container/heap"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"

	"github.com/wuxi-enrol/enrol/infra/throttle"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/retry"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Scenario is one opening night: who comes when, for what, and what the
// deployment admits.
type Scenario struct {
	Name string
	// Residents arrive uniformly over Arrivals for Courses courses of
	// SeatsMin–SeatsMax places each; each tries up to Choices courses
	// (distinct, uniformly drawn), the next one Think after a refusal
	// (full).
	Residents, Courses, SeatsMin, SeatsMax, Choices int
	Arrivals                                        time.Duration
	ThinkMin, ThinkMax                              time.Duration
	// Throttle is the booking route's token bucket (BookingThrottleRate,
	// BookingThrottleBurst); AccountRate and AccountBurst API Gateway's
	// account-wide one (10,000 and 5,000).
	ThrottleRate  float64
	ThrottleBurst int
	AccountRate   float64
	AccountBurst  int
	// Concurrency is the booking function's concurrent executions: its
	// reserved concurrency, or what the account's 1,000 leaves it.
	Concurrency int
	// ColdStart is a new execution environment's start; Overhead API
	// Gateway's and Lambda's time per request; RTT the client's round trip
	// to API Gateway; Timeout the function's.
	ColdStart, Overhead, RTT, Timeout time.Duration
	// Patience is how long the web client keeps a request in its queue
	// (web/src/queue.jsx PATIENCE_MS).
	Patience time.Duration
	DB       Limits
	Seed     uint64
}

// Opening is the scenario at the template's defaults: 100,000
// residents in the first minute for 300 courses of 20–40 places.
func Opening(residents int) Scenario {
	return Scenario{Name: fmt.Sprintf("%dk residents", residents/1000), Residents: residents, Courses: 300, SeatsMin: 20, SeatsMax: 40,
		Choices: 3, Arrivals: time.Minute, ThinkMin: 2 * time.Second, ThinkMax: 8 * time.Second,
		ThrottleRate: 200, ThrottleBurst: 400, AccountRate: 10000, AccountBurst: 5000, Concurrency: 1000,
		ColdStart: 150 * time.Millisecond, Overhead: 5 * time.Millisecond, RTT: 60 * time.Millisecond, Timeout: 10 * time.Second,
		Patience: 150 * time.Second, DB: AWSLimits, Seed: 17}
}

// Outcomes of a resident's night.
const (
	pending uint8 = iota
	booked
	refused // every course tried was full
	gaveUp  // the queue's patience ran out
	errored // an answer the client does not retry (a defect)
)

type resident struct {
	arrive  time.Time
	courses []int32
	try     int // index into courses
	attempt int // sends of the current course
	since   time.Time
	outcome uint8
	done    time.Time
	saw429  bool
	saw5xx  bool
}

// event is a resident sending (status 0) or hearing an answer.
type event struct {
	at         tick
	who        int32
	status     int
	code       apperr.Code
	retryAfter int
}

type events []event

func (h events) Len() int           { return len(h) }
func (h events) Less(i, j int) bool { return h[i].at < h[j].at }

// tick is a time since the night's start in whole milliseconds: the
// clients and API Gateway act on a millisecond's events together, which
// keeps a 900,000-resident night to one wake-up a millisecond at most
// (the functions and DynamoDB keep exact time).
type tick int64

func (m *sim) tickOf(t time.Time) tick {
	return tick((t.Sub(m.start) + time.Millisecond - 1) / time.Millisecond)
}

func (m *sim) timeOf(k tick) time.Time { return m.start.Add(time.Duration(k) * time.Millisecond) }
func (h events) Swap(i, j int)         { h[i], h[j] = h[j], h[i] }
func (h *events) Push(x any)           { *h = append(*h, x.(event)) }
func (h *events) Pop() any {
	old := *h
	e := old[len(old)-1]
	*h = old[:len(old)-1]
	return e
}

// container is one warm execution environment: its own SDK client (and so
// its own retry quota), store and service, as a Lambda's would be.
type container struct {
	svc     *residents.Service
	retries int // the service's and the store's waits before trying again
}

// sim is a scenario running: the event loop is the clients and API
// Gateway; each admitted request runs the real booking in a goroutine.
type sim struct {
	s       Scenario
	table   *Table
	cfg     config.Config
	start   time.Time
	rnd     *rand.Rand
	courses []course
	people  []resident

	wake chan struct{}
	// Guarded by mu: the events, Lambda's slots and the figures the
	// invocations add to.
	mu         sync.Mutex
	queue      events
	running    int
	idle       []*container
	containers int
	account    *throttle.Bucket
	route      *throttle.Bucket
	f          figures
}

type course struct {
	id       string
	capacity int
	sold     int
	first    time.Time // first place taken
	last     time.Time // last place taken
	winners  []time.Time
	losers   []time.Time
}

type figures struct {
	requests, throttled, lambdaThrottled, busy, invoked int
	coldStarts, maxRunning                              int
	serviceRetries, sdkRetries, dbCalls                 int
	reqLatency, fnLatency                               []time.Duration
	// refusedFast are the requests API Gateway answered itself, in one
	// round trip (kept as a count: there are millions).
	refusedFast int
	errors      map[string]int
}

func (s *sim) lock()   { s.mu.Lock() }
func (s *sim) unlock() { s.mu.Unlock() }

// later queues an event from the loop itself (no wake-up needed).
func (s *sim) later(e event) {
	s.lock()
	heap.Push(&s.queue, e)
	s.unlock()
}

// Run plays s and reports it. Inside a synctest bubble (as the tests and
// the benchmark run it) its minutes pass in virtual time.
func Run(ctx context.Context, s Scenario) (Result, error) {
	m := newSim(s)
	if err := m.seed(ctx); err != nil {
		return Result{}, err
	}
	m.arrive()
	m.loop(ctx)
	return m.result(), nil
}

func newSim(s Scenario) *sim {
	m := &sim{s: s, table: NewTable(s.DB), rnd: rand.New(rand.NewPCG(s.Seed, 1)), wake: make(chan struct{}, 1),
		account: throttle.New(s.AccountRate, s.AccountBurst), route: throttle.New(s.ThrottleRate, s.ThrottleBurst),
		f: figures{errors: map[string]int{}}}
	m.cfg = config.Config{Region: "cn-north-1", TableName: "enrol", DynamoDBEndpoint: "http://openingnight.invalid", DynamoDBNoCapacity: true}
	m.start = time.Now()
	return m
}

// arrive draws each resident's arrival and courses.
func (m *sim) arrive() {
	m.people = make([]resident, m.s.Residents)
	m.queue = make(events, 0, m.s.Residents)
	for i := range m.people {
		p := &m.people[i]
		p.arrive = m.start.Add(time.Duration(m.rnd.Int64N(int64(m.s.Arrivals))))
		p.courses = make([]int32, 0, m.s.Choices)
		for len(p.courses) < min(m.s.Choices, m.s.Courses) {
			c := int32(m.rnd.IntN(m.s.Courses))
			dup := false
			for _, x := range p.courses {
				dup = dup || x == c
			}
			if !dup {
				p.courses = append(p.courses, c)
			}
		}
		p.since = p.arrive
		m.queue = append(m.queue, event{at: m.tickOf(p.arrive), who: int32(i)})
	}
	heap.Init(&m.queue)
}

// loop runs events in time order until every resident is done and no
// request is in flight.
func (m *sim) loop(ctx context.Context) {
	left := len(m.people)
	for {
		now := time.Now()
		m.lock()
		var due []event
		for len(m.queue) > 0 && !m.timeOf(m.queue[0].at).After(now) {
			due = append(due, heap.Pop(&m.queue).(event))
		}
		var next time.Time
		if len(m.queue) > 0 {
			next = m.timeOf(m.queue[0].at)
		}
		running := m.running
		m.unlock()
		for _, e := range due {
			if e.status == 0 {
				m.send(ctx, e.who, now)
			} else if m.answer(e, now) {
				left--
			}
		}
		if len(due) > 0 {
			continue
		}
		if left == 0 && running == 0 && next.IsZero() {
			return
		}
		if next.IsZero() {
			<-m.wake
			continue
		}
		t := time.NewTimer(next.Sub(now))
		select {
		case <-t.C:
		case <-m.wake:
			t.Stop()
		}
	}
}

// send is a resident's request reaching API Gateway: its throttles, then
// Lambda's concurrency, then the function.
func (m *sim) send(ctx context.Context, who int32, now time.Time) {
	p := &m.people[who]
	p.attempt++
	m.lock()
	defer m.unlock()
	m.f.requests++
	refuse := func(status int) {
		m.f.refusedFast++ // answered in one round trip
		heap.Push(&m.queue, event{at: m.tickOf(now.Add(m.s.RTT)), who: who, status: status})
	}
	if !m.account.Take(now) || !m.route.Take(now) {
		m.f.throttled++
		refuse(http.StatusTooManyRequests)
		return
	}
	if m.running >= m.s.Concurrency {
		m.f.lambdaThrottled++
		refuse(http.StatusInternalServerError) // API Gateway's bare 500
		return
	}
	m.running++
	m.f.invoked++
	m.f.maxRunning = max(m.f.maxRunning, m.running)
	var c *container
	cold := len(m.idle) == 0
	if cold {
		m.f.coldStarts++
		m.containers++
		c = m.newContainer(ctx, m.containers)
	} else {
		c = m.idle[len(m.idle)-1]
		m.idle = m.idle[:len(m.idle)-1]
	}
	course := m.courses[p.courses[p.try]]
	req := residents.Request{Account: accountOf(int(who)), OfferingID: course.id, ParticipantID: participantOf(int(who)),
		IdempotencyKey: fmt.Sprintf("k-%d-%d", who, p.try)}
	go m.invoke(ctx, c, cold, who, req, now)
}

// invoke runs one request in a Lambda execution environment.
func (m *sim) invoke(ctx context.Context, c *container, cold bool, who int32, req residents.Request, sent time.Time) {
	if cold {
		time.Sleep(m.s.ColdStart)
	}
	time.Sleep(m.s.Overhead)
	var calls Calls
	ctx, cancel := context.WithTimeout(WithCalls(ctx, &calls), m.s.Timeout)
	before := c.retries
	_, err := c.svc.Book(ctx, req)
	cancel()
	status, code, after := http.StatusCreated, apperr.Code(""), 0
	if err != nil {
		e := apperr.As(err)
		status, code, after = e.Code.Status(), e.Code, e.RetryAfter
	}
	done := time.Now()
	m.lock()
	m.running--
	m.idle = append(m.idle, c)
	m.f.serviceRetries += c.retries - before
	m.f.dbCalls += calls.Attempts
	m.f.sdkRetries += calls.Attempts - calls.Operations
	lat := done.Sub(sent) + m.s.RTT
	m.f.reqLatency = append(m.f.reqLatency, lat)
	m.f.fnLatency = append(m.f.fnLatency, done.Sub(sent))
	if status == http.StatusServiceUnavailable {
		m.f.busy++
	}
	heap.Push(&m.queue, event{at: m.tickOf(done.Add(m.s.RTT)), who: who, status: status, code: code, retryAfter: after})
	m.unlock()
	select {
	case m.wake <- struct{}{}:
	default:
	}
}

// answer is a resident hearing an answer and deciding what next, as the
// web client does; true when the resident is done.
func (m *sim) answer(e event, now time.Time) bool {
	p := &m.people[e.who]
	c := &m.courses[p.courses[p.try]]
	switch {
	case e.status == http.StatusCreated || e.status == http.StatusOK:
		c.sold++
		if c.first.IsZero() {
			c.first = now
		}
		c.last = now
		c.winners = append(c.winners, p.since)
		p.outcome, p.done = booked, now
		return true
	case e.code == apperr.OfferingFull:
		c.losers = append(c.losers, p.since)
		if p.try+1 < len(p.courses) {
			p.try++
			p.attempt = 0
			think := m.s.ThinkMin + time.Duration(m.rnd.Int64N(int64(m.s.ThinkMax-m.s.ThinkMin)+1))
			p.since = now.Add(think)
			m.later(event{at: m.tickOf(p.since), who: e.who})
			return false
		}
		p.outcome, p.done = refused, now
		return true
	case e.status == http.StatusTooManyRequests || e.status == http.StatusServiceUnavailable ||
		e.status == http.StatusInternalServerError && e.code == "":
		if e.status == http.StatusTooManyRequests {
			p.saw429 = true
		} else {
			p.saw5xx = true
		}
		wait := backoff(p.attempt, e.retryAfter, m.rnd)
		if now.Sub(p.since)+wait > m.s.Patience {
			c.losers = append(c.losers, p.since)
			p.outcome, p.done = gaveUp, now
			return true
		}
		m.later(event{at: m.tickOf(now.Add(wait)), who: e.who})
		return false
	}
	m.lock()
	m.f.errors[fmt.Sprintf("%d %s", e.status, e.code)]++
	m.unlock()
	p.outcome, p.done = errored, now
	return true
}

// backoff is web/src/queue.jsx's wait before try attempt+1: doubling from
// 1 s to 20 s, drawn between half and all of its step, never shorter than
// a Retry-After (and up to half as long again).
func backoff(attempt, retryAfter int, r *rand.Rand) time.Duration {
	step := min(20000.0, 1000*float64(int(1)<<min(attempt-1, 16)))
	wait := step/2 + r.Float64()*step/2
	if retryAfter > 0 {
		wait = max(wait, float64(retryAfter)*1000*(1+r.Float64()/2))
	}
	return time.Duration(wait * float64(time.Millisecond))
}

// newContainer builds execution environment n: a client of its own on the
// table, the store and the booking service, as the function's main does.
func (m *sim) newContainer(ctx context.Context, n int) *container {
	c := &container{}
	db, err := store.NewClient(ctx, m.cfg, m.table.Option())
	if err != nil {
		panic(err) // NewClient fails only on a bad configuration, which this is not
	}
	st := store.New(db, m.cfg.TableName, plainSealer{})
	r := rand.New(rand.NewPCG(m.s.Seed, uint64(n)+2))
	sleep := retry.Default.Sleep
	p := retry.Policy{Rand: r.Int64N, Sleep: func(ctx context.Context, d time.Duration) error {
		c.retries++
		return sleep(ctx, d)
	}}
	st.Retry = p
	c.svc = &residents.Service{Store: st, Now: time.Now, Retry: p}
	return c
}
