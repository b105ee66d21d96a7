package local_test

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// fakeSnapshot stands in for SnapshotFunction's job: it reads the test
// centre through its own Deps (so it reaches the stack's table) and fails
// when told to.
type fakeSnapshot struct {
	mu   sync.Mutex
	ats  []time.Time
	fail error
}

func (f *fakeSnapshot) build(d lambdafn.Deps) lambdafn.Job {
	return func(ctx context.Context, at time.Time) error {
		if _, err := d.Store.GetCentre(ctx, "c-binhu-1"); err != nil {
			return err
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		f.ats = append(f.ats, at)
		return f.fail
	}
}

func (f *fakeSnapshot) runs() []time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Time(nil), f.ats...)
}

func withJob(f *fakeSnapshot, log *local.SyncBuffer) func(*local.Options) {
	return func(o *local.Options) {
		// The fake snapshot beside the real other jobs.
		o.Jobs = maps.Clone(local.Jobs)
		o.Jobs["SnapshotFunction"] = f.build
		o.Log = slog.New(slog.NewJSONHandler(log, nil))
	}
}

// TestScheduleRoute: POST /_local/schedule/{FunctionId} runs the job now
// with the stack's Deps; an unknown name is 404, a failure a bare 500.
func TestScheduleRoute(t *testing.T) {
	f := &fakeSnapshot{}
	stackLog := &local.SyncBuffer{}
	e := start(t, withJob(f, stackLog))

	r := e.do("POST", "/_local/schedule/SnapshotFunction", "", nil)
	e.expect(r, 200, "")
	at, err := time.Parse(time.RFC3339, r.str("at"))
	if r.str("function") != "SnapshotFunction" || err != nil || !strings.HasSuffix(r.str("at"), "+08:00") {
		t.Fatalf("answer %s", r.body)
	}
	if d, ok := r.json["duration_ms"].(float64); !ok || d < 0 {
		t.Fatalf("duration_ms in %s", r.body)
	}
	runs := f.runs()
	if len(runs) != 1 || !runs[0].Equal(at) || e.st.Now().Sub(at) > time.Minute {
		t.Fatalf("job ran at %v; the answer says %v", runs, at)
	}

	for _, tt := range []struct{ method, path string }{
		{"POST", "/_local/schedule/NoSuchFunction"},
		{"POST", "/_local/schedule/CatalogueFunction"}, // an HTTP function is no job
		{"GET", "/_local/schedule/SnapshotFunction"},
	} {
		r := e.do(tt.method, tt.path, "", nil, "Accept-Language", "en")
		e.expect(r, 404, "not_found")
		if tt.method == "POST" && !strings.Contains(r.str("detail"), "SnapshotFunction") {
			t.Errorf("%s %s: the 404 does not name the scheduled functions: %s", tt.method, tt.path, r.body)
		}
	}

	f.mu.Lock()
	f.fail = errors.New("snapshot of c-binhu-1 failed: ConditionalCheckFailed in enrol-local")
	f.mu.Unlock()
	r = e.do("POST", "/_local/schedule/SnapshotFunction", "", nil)
	e.expect(r, 500, "internal")
	for _, leak := range []string{"c-binhu-1", "Conditional", "enrol-local", "snapshot"} {
		if strings.Contains(string(r.body), leak) {
			t.Errorf("the 500 reveals %q: %s", leak, r.body)
		}
	}
	id := r.str("request_id")
	if id == "" || id != r.header.Get("Apigw-Requestid") {
		t.Fatalf("request id %q, header %q", id, r.header.Get("Apigw-Requestid"))
	}
	var logged bool
	for _, l := range strings.Split(stackLog.String(), "\n") {
		logged = logged || strings.Contains(l, `"level":"ERROR"`) && strings.Contains(l, id) && strings.Contains(l, "ConditionalCheckFailed")
	}
	if !logged {
		t.Errorf("no error line with request id %s and the cause:\n%s", id, stackLog)
	}
}

// TestScheduleRunsWithTheStack: with RunSchedules the stack keeps the
// template's schedules, the snapshot's next run at 23:55 in Wuxi, the
// retention job's at 03:30, the reminders' at 18:00, the dispatcher's and
// the offers' within the minute.
func TestScheduleRunsWithTheStack(t *testing.T) {
	stackLog := &local.SyncBuffer{}
	e := start(t, withJob(&fakeSnapshot{}, stackLog), func(o *local.Options) { o.RunSchedules = true })
	ss := e.st.Schedules()
	byFunction := map[string]local.JobSchedule{}
	for _, js := range ss {
		byFunction[js.FunctionID] = js
	}
	snap, retention, reminders, dispatch := byFunction["SnapshotFunction"], byFunction["RetentionFunction"], byFunction["RemindersFunction"], byFunction["DispatcherFunction"]
	if len(byFunction) != len(ss) || snap.EventName != "Daily" || !snap.Enabled || retention.EventName != "Daily" || !retention.Enabled ||
		reminders.EventName != "Daily" || !reminders.Enabled || !dispatch.Enabled {
		t.Fatalf("schedules %+v", ss)
	}
	if at := dispatch.Schedule.Next(e.st.Now()); at.Sub(e.st.Now()) > time.Minute {
		t.Errorf("dispatcher's next run %v, want within the minute", at)
	}
	if offers := byFunction["OffersFunction"]; !offers.Enabled || offers.Schedule.Next(e.st.Now()).Sub(e.st.Now()) > time.Minute {
		t.Errorf("offers' schedule %+v, want enabled and its next run within the minute", offers)
	}
	if at := retention.Schedule.Next(e.st.Now()).In(domain.CityZone); at.Hour() != 3 || at.Minute() != 30 {
		t.Errorf("retention's next run %v, want the coming 03:30 in Wuxi", at)
	}
	if at := reminders.Schedule.Next(e.st.Now()).In(domain.CityZone); at.Hour() != 18 || at.Minute() != 0 {
		t.Errorf("reminders' next run %v, want the coming 18:00 in Wuxi", at)
	}
	next := snap.Schedule.Next(e.st.Now()).In(domain.CityZone)
	if next.Hour() != 23 || next.Minute() != 55 || next.Sub(e.st.Now()) > 24*time.Hour {
		t.Fatalf("next run %v, want the coming 23:55 in Wuxi", next)
	}
	want := `"at":"` + next.Format(time.RFC3339) + `"`
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(stackLog.String(), want) {
		if time.Now().After(deadline) {
			t.Fatalf("the stack did not log its next run %s:\n%s", want, stackLog)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestScheduleStartErrors: what the local stack cannot run as the template
// says stops it at Start, naming the function.
func TestScheduleStartErrors(t *testing.T) {
	tmpl, err := os.ReadFile(localdb.TemplatePath())
	if err != nil {
		t.Fatal(err)
	}
	const expr = "cron(55 15 * * ? *)"
	if !strings.Contains(string(tmpl), expr) {
		t.Fatalf("template.yaml no longer has %s; update this test", expr)
	}
	withTemplate := func(from, to string) func(*local.Options) {
		return func(o *local.Options) {
			path := filepath.Join(t.TempDir(), "template.yaml")
			if err := os.WriteFile(path, []byte(strings.Replace(string(tmpl), from, to, 1)), 0o600); err != nil {
				t.Fatal(err)
			}
			o.TemplatePath = path
		}
	}
	tests := []struct {
		name string
		mod  func(*local.Options)
		want []string
	}{
		{"no job constructor", func(o *local.Options) {
			o.Jobs = maps.Clone(local.Jobs)
			delete(o.Jobs, "SnapshotFunction")
		},
			[]string{"SnapshotFunction", "Jobs"}},
		{"last day of the month", withTemplate(expr, "cron(55 15 L * ? *)"),
			[]string{"SnapshotFunction.Daily", "not supported"}},
		{"nth weekday", withTemplate(expr, "cron(55 15 ? * 2#1 *)"),
			[]string{"SnapshotFunction.Daily", "not supported"}},
		{"not an expression", withTemplate(expr, "every day at 23:55"),
			[]string{"SnapshotFunction.Daily", "want cron"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := local.Options{Addr: "127.0.0.1:0"}
			tt.mod(&o)
			st, err := local.Start(context.Background(), o)
			if err == nil {
				st.Close()
				t.Fatal("Start succeeded")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

// TestClockRouteMovesTheStackOn: POST /_local/clock moves the stack's clock
// by the seconds asked (every reader of it with it), back as far as the
// clock it started with and no further, and refuses no move, more than a
// year, or a body that is not exactly the one field.
func TestClockRouteMovesTheStackOn(t *testing.T) {
	clk := newMovableClock(time.Date(2026, 9, 1, 10, 0, 0, 0, domain.CityZone))
	e := start(t, clk.option())
	before := e.st.Now()
	r := e.do("POST", "/_local/clock", "", map[string]any{"advance_seconds": 3600})
	if r.status != 200 {
		t.Fatalf("moving on an hour: %d %s", r.status, r.body)
	}
	moved, err := time.Parse(time.RFC3339Nano, r.str("now"))
	if err != nil || moved.Sub(before) < time.Hour || moved.Sub(before) > time.Hour+time.Minute || e.st.Now().Before(moved) {
		t.Fatalf("after moving an hour from %v: answered %s, the stack says %v", before, r.body, e.st.Now())
	}
	for _, body := range []any{
		map[string]any{"advance_seconds": 0}, map[string]any{"advance_seconds": 400 * 24 * 3600},
		map[string]any{"advance_seconds": 60, "to": "2030-01-01"},
	} {
		if r := e.do("POST", "/_local/clock", "", body); r.status != 400 {
			t.Errorf("%v: %d, want 400", body, r.status)
		}
	}
	if r := e.do("POST", "/_local/clock", "", map[string]any{"advance_seconds": -3660}); r.status != 409 {
		t.Errorf("back past the clock the stack started with: %d, want 409", r.status)
	}
	if e.st.Now().Sub(moved) > time.Minute {
		t.Errorf("a refused move moved the clock: %v after %v", e.st.Now(), moved)
	}
	if r := e.do("POST", "/_local/clock", "", map[string]any{"advance_seconds": -3600}); r.status != 200 || e.st.Now().Sub(before) > time.Minute {
		t.Errorf("back the hour: %d %s, the stack says %v (started %v)", r.status, r.body, e.st.Now(), before)
	}
}
