package local_test

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/seed"
	"github.com/wuxi-enrol/enrol/infra/seed/seedtest"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// TestAnyDay starts a seeded stack today and at each of seedtest.Days, its
// clock starting there, and checks what a newcomer depends on: the demo
// `make run` prints, last term's no-show block, and the city's seeded year
// with the day's snapshot. Today's stack also shows /_local/health answer
// 503 while it seeds.
func TestAnyDay(t *testing.T) {
	for i, d := range seedtest.WithToday() {
		t.Run(d.Name, func(t *testing.T) {
			t.Parallel()
			mods := []func(*local.Options){withSeed, func(o *local.Options) { o.Now = clock.From(d.At) }}
			var health *healthWhileSeeding
			if i == 0 {
				health = &healthWhileSeeding{}
				mods = append(mods, health.watch)
			}
			e := start(t, mods...)
			t.Logf("%s: the stack's clock read %s after seeding", d.Name, e.st.Now().Format(time.RFC3339))
			if health != nil {
				health.check(t, e)
			}
			t.Run("demo", func(t *testing.T) { checkDemoStack(t, e.on(t)) })
			t.Run("city year", func(t *testing.T) { checkSeededYear(t, e.on(t)) })
		})
	}
}

// on is e reporting to t: each check is a subtest of its own.
func (e *env) on(t *testing.T) *env {
	c := *e
	c.t = t
	return &c
}

// checkDemoStack: `make run` as a resident meets it — a seeded catalogue of
// every kind and district, the demo resident's participants, a confirmed
// booking of the printed offering; last term's attendance and the block it
// caused, until the end of the term on offer; the centre's audit.
func checkDemoStack(t *testing.T, e *env) {
	s := e.st.Seeded
	if s.Centres < 30 || s.Offerings < 30 || s.Bookings == 0 || s.Waitlisted == 0 {
		t.Fatalf("seed summary %+v", s)
	}
	r := e.do("GET", "/v1/centres?limit=200", "", nil)
	e.expect(r, 200, "")
	districts := map[string]int{}
	for _, it := range r.json["items"].([]any) {
		districts[it.(map[string]any)["district"].(string)]++
	}
	if len(districts) != len(domain.Districts) {
		t.Fatalf("districts %v", districts)
	}
	kinds := map[string]bool{}
	r = e.do("GET", "/v1/offerings?limit=200", "", nil)
	e.expect(r, 200, "")
	for _, it := range r.json["items"].([]any) {
		kinds[it.(map[string]any)["kind"].(string)] = true
	}
	if len(kinds) != len(domain.Kinds) {
		t.Fatalf("kinds %v", kinds)
	}
	tok := e.token(seed.DemoResident, "residents")
	r = e.do("GET", "/v1/me/participants", tok, nil)
	e.expect(r, 200, "")
	if n := len(r.json["items"].([]any)); n != len(seed.DemoParticipantIDs()) {
		t.Fatalf("demo participants: %s", r.body)
	}
	ids := seed.DemoParticipantIDs()
	b := e.book(tok, seed.DemoOpenOffering, ids[len(ids)-1], true, "Idempotency-Key", "demo-1")
	e.expect(b, 201, "")
	if b.str("status") != "confirmed" {
		t.Fatalf("%s", b.body)
	}

	// Last term: attendance recorded, and the no-show block it caused,
	// which lasts to the end of the term on offer.
	staff := e.tokenFor(seed.DemoStaff, []string{"centre-staff"}, seed.DemoStaffCentre)
	roster := e.do("GET", "/v1/offerings/"+seed.PastCourse+"/roster", staff, nil)
	e.expect(roster, 200, "")
	absent := 0
	for _, it := range roster.json["items"].([]any) {
		absent += int(it.(map[string]any)["attendance"].(map[string]any)["absent"].(float64))
	}
	if absent != 3 {
		t.Fatalf("last term's absences %d: %s", absent, roster.body)
	}
	open := e.do("GET", "/v1/offerings/"+seed.DemoOpenOffering, "", nil)
	e.expect(open, 200, "")
	until, _ := domain.TermEnds(open.str("term"))
	blocked := e.token(s.BlockedAccount, "residents")
	r = e.book(blocked, seed.DemoOpenOffering, s.BlockedParticipant, true)
	e.expect(r, 409, "no_show_blocked")
	if r.str("blocked_until") != until.Format(domain.DateLayout) {
		t.Fatalf("blocked until %q, want the end of %s, %s: %s", r.str("blocked_until"), open.str("term"), until.Format(domain.DateLayout), r.body)
	}
	officer := e.token(seed.DemoOfficer, "city-officers")
	e.expect(e.do("GET", "/v1/centres/"+seed.DemoStaffCentre+"/audit", officer, nil), 200, "")
}

// checkSeededYear: on a fresh demo stack, history and targets answer from
// the seeded year, history, ledger and today's figures agree, and the day's
// snapshot, taken now, is today's point.
func checkSeededYear(t *testing.T, e *env) {
	tok := e.officerToken()
	now := e.st.Now().In(domain.CityZone)
	today := cityfigures.Date(now)

	// The whole ledger, page by page, from its first day.
	var changes []cityfigures.Change
	cursor := ""
	for {
		page := decode[struct {
			Items      []cityfigures.Change `json:"items"`
			NextCursor string               `json:"next_cursor"`
		}](t, e.do("GET", "/v1/city/capacity/changes?limit=200&from="+e.st.Seeded.LedgerFrom+"&to="+today+"&cursor="+url.QueryEscape(cursor), tok, nil))
		changes = append(changes, page.Items...)
		if cursor = page.NextCursor; cursor == "" {
			break
		}
	}
	if len(changes) < 100 || len(changes) != e.st.Seeded.Changes {
		t.Fatalf("%d seeded changes, the seed wrote %d", len(changes), e.st.Seeded.Changes)
	}
	upTo := func(date string, s cityfigures.Scope) int {
		sum := 0
		for _, c := range changes {
			if c.Date <= date && (s.Kind == "" || c.Kind == s.Kind) && (s.District == "" || c.District == s.District) {
				sum += c.Delta
			}
		}
		return sum
	}

	// A point a day for the last year, each day's places the ledger's sum.
	for _, s := range []cityfigures.Scope{{}, {Kind: domain.Childcare}, {Kind: domain.CareClass, District: "liangxi"}} {
		h := decode[struct {
			From  string `json:"from"`
			Items []struct {
				Date string `json:"date"`
				cityFigures
			} `json:"items"`
		}](t, e.do("GET", fmt.Sprintf("/v1/city/capacity/history?kind=%s&district=%s", s.Kind, s.District), tok, nil))
		// The seed's year runs to yesterday; today's point is the job's.
		yesterday := now.AddDate(0, 0, -1).Format(time.DateOnly)
		if n := len(h.Items); n < 364 || h.Items[0].Date != h.From || h.Items[n-1].Date != yesterday {
			t.Fatalf("%+v: %d points from %s", s, n, h.From)
		}
		for i, p := range h.Items {
			if i > 0 {
				prev, _ := time.Parse(time.DateOnly, h.Items[i-1].Date)
				if p.Date != prev.AddDate(0, 0, 1).Format(time.DateOnly) {
					t.Fatalf("%+v: a gap before %s", s, p.Date)
				}
			}
			if want := upTo(p.Date, s); p.Capacity != want {
				t.Errorf("%+v %s: %d places, ledger %d", s, p.Date, p.Capacity, want)
			}
		}
	}

	// Today's figures are the ledger's sum too, slice by slice.
	current := decode[capacityReply](t, e.do("GET", "/v1/city/capacity", tok, nil))
	if current.Date != today {
		t.Errorf("capacity of %s, want today, %s", current.Date, today)
	}
	if len(current.ByDistrictKind) != len(domain.Kinds)*len(domain.Districts) {
		t.Fatalf("%d district × kind rows", len(current.ByDistrictKind))
	}
	for _, rw := range current.ByDistrictKind {
		if want := upTo(today, cityfigures.Scope{Kind: rw.Kind, District: rw.District}); rw.Capacity != want {
			t.Errorf("%s/%s now %d, ledger %d", rw.Kind, rw.District, rw.Capacity, want)
		}
	}

	// Last year's childcare target is measured from the same ledger.
	targets := decode[struct {
		Items []struct {
			Kind     domain.Kind `json:"kind"`
			Year     int         `json:"year"`
			Target   int         `json:"target"`
			Achieved int         `json:"achieved"`
			Progress float64     `json:"progress"`
		} `json:"items"`
	}](t, e.do("GET", "/v1/city/targets", tok, nil))
	if len(targets.Items) == 0 {
		t.Fatal("no targets seeded")
	}
	tg, seeded := targets.Items[0], e.st.Seeded.Target
	want := 0
	for _, c := range changes {
		if c.Kind == domain.Childcare && strings.HasPrefix(c.Date, fmt.Sprint(seeded.Year)+"-") {
			want += c.Delta
		}
	}
	if tg.Kind != domain.Childcare || tg.Year != now.Year()-1 || tg.Year != seeded.Year || tg.Target != 2500 || tg.Achieved != want || want <= 0 || tg.Progress != cityfigures.Ratio(want, 2500) {
		t.Errorf("target %+v, seeded %+v, ledger says %d", tg, seeded, want)
	}
	t.Logf("seeded: %d changes from %s; %d childcare: %d of 2,500 (%.1f%%); places now %d",
		len(changes), e.st.Seeded.LedgerFrom, tg.Year, want, 100*tg.Progress, current.Total.Capacity)

	// The day's snapshot, taken now, is today's point and equals "now".
	r := e.do("POST", "/_local/schedule/SnapshotFunction", "", nil)
	e.expect(r, 200, "")
	if !strings.HasPrefix(r.str("at"), today+"T") {
		t.Errorf("the snapshot ran at %s, not today, %s", r.str("at"), today)
	}
	h := decode[struct {
		Items []struct {
			Date string `json:"date"`
			cityFigures
		} `json:"items"`
	}](t, e.do("GET", "/v1/city/capacity/history?from="+today+"&to="+today, tok, nil))
	if len(h.Items) != 1 || h.Items[0].figures() != current.Total.figures() {
		t.Errorf("today's snapshot %+v, now %+v", h.Items, current.Total)
	}
}

// healthWhileSeeding asks /_local/health while the stack seeds, from its
// progress lines: the gateway's names its URL, the seed's come after.
type healthWhileSeeding struct {
	mu       sync.Mutex
	url      string
	answers  []string // status and body, while seeding
	askError error
}

func (h *healthWhileSeeding) watch(o *local.Options) {
	o.Progress = func(format string, args ...any) {
		h.mu.Lock()
		defer h.mu.Unlock()
		switch {
		case strings.HasPrefix(format, "网关 / gateway") && len(args) > 0:
			h.url, _ = args[0].(string)
		case strings.HasPrefix(format, "写入项目 / offerings") && h.url != "":
			// The seed is half way: the stack answers, but is not up.
			resp, err := http.Get(h.url + "/_local/health")
			if err != nil {
				h.askError = err
				return
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			h.answers = append(h.answers, fmt.Sprint(resp.StatusCode, " ", string(body)))
		}
	}
}

// check: 503 starting while seeding, 200 ok once Start has returned.
func (h *healthWhileSeeding) check(t *testing.T, e *env) {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.askError != nil || len(h.answers) != 1 || h.answers[0] != `503 {"status":"starting"}` {
		t.Errorf("/_local/health while seeding: %q (%v), want 503 {\"status\":\"starting\"}", h.answers, h.askError)
	}
	r := e.do("GET", "/_local/health", "", nil)
	if r.status != 200 || string(r.body) != `{"status":"ok"}` {
		t.Errorf("/_local/health once up: %d %s", r.status, r.body)
	}
}
