package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wuxi-enrol/enrol/infra/local/schedule"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// fakeClock jumps forward by whatever the scheduler waits for, so days of
// schedule pass in milliseconds.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) After(d time.Duration) <-chan time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	ch := make(chan time.Time, 1)
	ch <- c.now
	return ch
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// SyncBuffer is a log sink for concurrent writers (the functions' and the
// stack's logs in tests of this package and of local_test).
type SyncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *SyncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *SyncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// Reset forgets what was written, to look at one request's lines.
func (b *SyncBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Reset()
}

// jobNow is the stack's clock in the job tests: RunJob gives the job this
// time, to the second.
var jobNow = time.Date(2027, 1, 1, 0, 30, 15, 500_000_000, domain.CityZone)

func jobStack(t *testing.T, id, expr string, enabled bool, j lambdafn.Job) (*Stack, *SyncBuffer) {
	t.Helper()
	sched, err := schedule.Parse(expr, nil)
	if err != nil {
		t.Fatal(err)
	}
	logs := &SyncBuffer{}
	st := &Stack{
		log:       slog.New(slog.NewJSONHandler(logs, nil)),
		now:       clock.Fixed(jobNow),
		jobs:      map[string]*job{id: newJob(id, lambdafn.JobHandler(j, clock.Fixed(jobNow), nil), 120)},
		schedules: []JobSchedule{{FunctionID: id, EventName: "Daily", Enabled: enabled, Schedule: sched}},
	}
	t.Cleanup(func() { st.Close() })
	return st, logs
}

// TestScheduleLoopFiresOnTime: the template's cron(55 15 * * ? *) runs the
// job at 23:55 Asia/Shanghai day after day, handing it the fire time
// through the EventBridge event, until Close.
func TestScheduleLoopFiresOnTime(t *testing.T) {
	ats := make(chan time.Time, 100)
	fake := func(ctx context.Context, at time.Time) error {
		select {
		case ats <- at:
		case <-ctx.Done():
		}
		return nil
	}
	st, logs := jobStack(t, "SnapshotFunction", "cron(55 15 * * ? *)", true, fake)
	clk := &fakeClock{now: time.Date(2026, 3, 1, 12, 0, 0, 0, domain.CityZone)}
	st.startSchedules(clk)
	want := []time.Time{
		time.Date(2026, 3, 1, 23, 55, 0, 0, domain.CityZone),
		time.Date(2026, 3, 2, 23, 55, 0, 0, domain.CityZone),
		time.Date(2026, 3, 3, 23, 55, 0, 0, domain.CityZone),
	}
	for i, w := range want {
		select {
		case got := <-ats:
			if !got.Equal(w) {
				t.Fatalf("run %d at %v, want %v", i+1, got, w)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("run %d never came", i+1)
		}
	}
	done := make(chan struct{})
	go func() { st.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Close did not stop the schedule")
	}
	n := len(ats)
	time.Sleep(20 * time.Millisecond)
	if len(ats) != n {
		t.Error("the job ran after Close")
	}
	for _, want := range []string{`"msg":"next scheduled run"`, `"at":"2026-03-01T23:55:00+08:00"`, `"trigger":"schedule"`, `"duration_ms"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log lacks %s:\n%s", want, logs)
		}
	}
}

// TestScheduleLoopSkipsWhatALongRunMissed: an hourly job that runs for 90
// minutes does not overlap itself nor run twice back to back; it picks up
// at the next fire time after it ends.
func TestScheduleLoopSkipsWhatALongRunMissed(t *testing.T) {
	clk := &fakeClock{now: time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)}
	ats := make(chan time.Time, 100)
	slow := func(ctx context.Context, at time.Time) error {
		clk.advance(90 * time.Minute)
		select {
		case ats <- at:
		case <-ctx.Done():
		}
		return nil
	}
	st, _ := jobStack(t, "SlowFunction", "cron(0 * * * ? *)", true, slow)
	st.startSchedules(clk)
	var got []string
	for range 3 {
		select {
		case at := <-ats:
			got = append(got, at.UTC().Format("15:04"))
		case <-time.After(10 * time.Second):
			t.Fatal("no run")
		}
	}
	st.Close()
	// 11:00 runs until 12:30, so 12:00 is skipped and 13:00 is next, and so on.
	if want := "11:00 13:00 15:00"; strings.Join(got, " ") != want {
		t.Errorf("runs at %v, want %s", got, want)
	}
}

func TestScheduleDisabledDoesNotRun(t *testing.T) {
	var runs atomic.Int32
	st, logs := jobStack(t, "SnapshotFunction", "rate(1 minute)", false, func(context.Context, time.Time) error {
		runs.Add(1)
		return nil
	})
	st.startSchedules(&fakeClock{now: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)})
	time.Sleep(50 * time.Millisecond)
	st.Close()
	if n := runs.Load(); n != 0 {
		t.Errorf("a disabled schedule ran %d times", n)
	}
	if !strings.Contains(logs.String(), "disabled") {
		t.Errorf("log does not say the schedule is disabled:\n%s", logs)
	}
	// It still runs on demand.
	if _, err := st.RunJob(context.Background(), "SnapshotFunction"); err != nil || runs.Load() != 1 {
		t.Errorf("RunJob: %v, %d runs", err, runs.Load())
	}
}

// TestRunJobDoesNotOverlap: concurrent runs of one job take turns.
func TestRunJobDoesNotOverlap(t *testing.T) {
	var running, most, total atomic.Int32
	st, _ := jobStack(t, "SnapshotFunction", "rate(1 day)", true, func(context.Context, time.Time) error {
		n := running.Add(1)
		for {
			m := most.Load()
			if n <= m || most.CompareAndSwap(m, n) {
				break
			}
		}
		time.Sleep(5 * time.Millisecond)
		running.Add(-1)
		total.Add(1)
		return nil
	})
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			if _, err := st.RunJob(context.Background(), "SnapshotFunction"); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if most.Load() != 1 || total.Load() != 8 {
		t.Errorf("at most %d runs at once (want 1), %d runs (want 8)", most.Load(), total.Load())
	}
}

// TestRunJobInvocation: the job is invoked as Lambda would invoke it — a
// Lambda context, the template's timeout — and its failures, panics and a
// cancelled wait come back as errors, each logged.
func TestRunJobInvocation(t *testing.T) {
	tests := []struct {
		name    string
		job     lambdafn.Job
		wantErr string
	}{
		{"ok", func(ctx context.Context, at time.Time) error {
			lc, ok := lambdacontext.FromContext(ctx)
			if !ok || lc.AwsRequestID == "" || !strings.HasSuffix(lc.InvokedFunctionArn, ":function:SnapshotFunction") {
				return errors.New("no Lambda context")
			}
			if dl, ok := ctx.Deadline(); !ok || time.Until(dl) < 110*time.Second || time.Until(dl) > 120*time.Second {
				return errors.New("deadline is not the function's 120 s timeout")
			}
			if !at.Equal(jobNow.Truncate(time.Second)) {
				return fmt.Errorf("at is %s, not the stack's now in whole seconds", at)
			}
			return nil
		}, ""},
		{"error", func(context.Context, time.Time) error { return errors.New("table gone") }, "table gone"},
		{"panic", func(context.Context, time.Time) error { panic("boom") }, "panicked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, logs := jobStack(t, "SnapshotFunction", "rate(1 day)", true, tt.job)
			at, err := st.RunJob(context.Background(), "SnapshotFunction")
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if _, off := at.Zone(); off != 8*3600 {
					t.Errorf("at %v is not in Asia/Shanghai", at)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if !strings.Contains(logs.String(), `"level":"ERROR"`) || !strings.Contains(logs.String(), tt.wantErr) {
				t.Errorf("the failure is not logged:\n%s", logs)
			}
		})
	}

	t.Run("unknown", func(t *testing.T) {
		st, _ := jobStack(t, "SnapshotFunction", "rate(1 day)", true, func(context.Context, time.Time) error { return nil })
		if _, err := st.RunJob(context.Background(), "CatalogueFunction"); !errors.Is(err, ErrUnknownJob) {
			t.Errorf("err = %v, want ErrUnknownJob", err)
		}
	})

	t.Run("cancelled while another run holds the job", func(t *testing.T) {
		release := make(chan struct{})
		started := make(chan struct{})
		st, _ := jobStack(t, "SnapshotFunction", "rate(1 day)", true, func(context.Context, time.Time) error {
			close(started)
			<-release
			return nil
		})
		go func() { _, _ = st.RunJob(context.Background(), "SnapshotFunction") }()
		<-started
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := st.RunJob(ctx, "SnapshotFunction")
		close(release)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err = %v, want the context's", err)
		}
	})
}
