package local

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wuxi-enrol/enrol/infra/local/gateway"
	"github.com/wuxi-enrol/enrol/infra/local/schedule"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// runJobPattern is the local-only endpoint that runs a scheduled function
// now; like /_local/token it is never in template.yaml.
const runJobPattern = "POST /_local/schedule/{FunctionId}"

// ErrUnknownJob is RunJob's error for a name that is not a scheduled
// function of the template.
var ErrUnknownJob = errors.New("no such scheduled function")

// JobSchedule is one Schedule (or ScheduleV2) event of a scheduled function.
type JobSchedule struct {
	FunctionID, EventName string
	// Enabled is the template's; a disabled schedule runs only on demand.
	Enabled  bool
	Schedule *schedule.Schedule
}

// parseSchedules reads every schedule of the template. An expression the
// local scheduler cannot keep exactly is an error, never a wrong schedule.
func parseSchedules(tmpl *samtemplate.Template) ([]JobSchedule, error) {
	var out []JobSchedule
	for _, s := range tmpl.Schedules() {
		var loc *time.Location
		if s.Timezone != "" {
			var err error
			if loc, err = time.LoadLocation(s.Timezone); err != nil {
				return nil, fmt.Errorf("%s.%s: time zone %q: %w", s.FunctionID, s.EventName, s.Timezone, err)
			}
		}
		sched, err := schedule.Parse(s.Expression, loc)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", s.FunctionID, s.EventName, err)
		}
		out = append(out, JobSchedule{FunctionID: s.FunctionID, EventName: s.EventName, Enabled: s.Enabled, Schedule: sched})
	}
	return out, nil
}

// Schedules lists the template's schedules, by function and event.
func (s *Stack) Schedules() []JobSchedule { return slices.Clone(s.schedules) }

// job is a scheduled function's Lambda handler, invoked as EventBridge would.
type job struct {
	id      string
	handler lambda.Handler
	timeout time.Duration
	// busy holds a token while the job runs: runs of one job never overlap,
	// whether the schedule or a request started them.
	busy chan struct{}
}

func newJob(id string, h lambda.Handler, timeoutSeconds int) *job {
	timeout := time.Duration(timeoutSeconds) * time.Second
	if timeout <= 0 {
		timeout = 3 * time.Second // SAM's default
	}
	return &job{id: id, handler: h, timeout: timeout, busy: make(chan struct{}, 1)}
}

// RunJob runs a scheduled function now, after any run of it in progress,
// and returns the time it gave the job (whole seconds, as EventBridge's
// events have, in Asia/Shanghai). An unknown name is ErrUnknownJob.
func (s *Stack) RunJob(ctx context.Context, functionID string) (time.Time, error) {
	j, ok := s.jobs[functionID]
	if !ok {
		return time.Time{}, fmt.Errorf("%w: %q", ErrUnknownJob, functionID)
	}
	return s.run(ctx, j, time.Time{}, "demand", "")
}

// run invokes j once the job is free; a zero at means "when it starts".
// Every run is logged with its duration and error.
func (s *Stack) run(ctx context.Context, j *job, at time.Time, trigger, event string) (time.Time, error) {
	select {
	case j.busy <- struct{}{}:
	case <-ctx.Done():
		return time.Time{}, ctx.Err()
	}
	defer func() { <-j.busy }()
	start := time.Now() // for the duration; the job's time is the stack's
	if at.IsZero() {
		at = s.now().Truncate(time.Second)
	}
	at = at.In(domain.CityZone)
	id := gateway.RequestID(ctx)
	if id == "" {
		id = fmt.Sprintf("%s-%d", strings.ToLower(j.id), start.UnixNano())
	}
	err := j.invoke(ctx, at, event, id)
	attrs := []any{"function", j.id, "trigger", trigger, "at", at.Format(time.RFC3339),
		"duration_ms", time.Since(start).Milliseconds(), "request_id", id}
	if event != "" {
		attrs = append(attrs, "event", event)
	}
	if err != nil {
		s.log.Error("scheduled function failed", append(attrs, "err", err)...)
	} else {
		s.log.Info("scheduled function", attrs...)
	}
	return at, err
}

// invoke calls the handler with an EventBridge "Scheduled Event" in JSON, as
// the Lambda runtime would: a Lambda context, the function's timeout, and a
// panic as an error.
func (j *job) invoke(ctx context.Context, at time.Time, event, id string) (err error) {
	rule := j.id
	if event != "" {
		rule += "-" + event
	}
	payload, err := json.Marshal(events.CloudWatchEvent{
		Version: "0", ID: id, DetailType: "Scheduled Event", Source: "aws.events",
		AccountID: "000000000000", Time: at.UTC(), Region: "local",
		Resources: []string{"arn:aws:events:local:000000000000:rule/" + rule},
		Detail:    json.RawMessage("{}"),
	})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, j.timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       id,
		InvokedFunctionArn: "arn:aws:lambda:local:000000000000:function:" + j.id,
	})
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("function panicked: %v", p)
		}
	}()
	_, err = j.handler.Invoke(ctx, payload)
	return err
}

// waitClock is the time the scheduler waits on; tests advance a fake one.
type waitClock interface {
	Now() time.Time
	After(time.Duration) <-chan time.Time
}

// stackClock is the stack's clock, which advances in real time (the wall
// clock, or one started at another instant): waits are real ones.
type stackClock struct{ now func() time.Time }

func (c stackClock) Now() time.Time                       { return c.now() }
func (stackClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

// runJobsOnce runs each scheduled function once, so that today's snapshot
// exists before the first 23:55; a failure is reported and the stack
// serves on.
func (s *Stack) runJobsOnce(ctx context.Context, progress func(string, ...any)) {
	seen := map[string]bool{}
	for _, js := range s.schedules {
		if seen[js.FunctionID] {
			continue
		}
		seen[js.FunctionID] = true
		t0 := time.Now()
		at, err := s.RunJob(ctx, js.FunctionID)
		if err != nil {
			progress("定时函数 %s 运行失败 / scheduled function %s failed: %v", js.FunctionID, js.FunctionID, err)
			continue
		}
		progress("定时函数 / scheduled function %s ran for %s (at %s)", js.FunctionID,
			time.Since(t0).Round(time.Millisecond), at.Format(time.RFC3339))
	}
}

// startSchedules runs every enabled schedule in its own goroutine until Close.
func (s *Stack) startSchedules(clk waitClock) {
	ctx, cancel := context.WithCancel(context.Background())
	s.stopSchedules = cancel
	for _, js := range s.schedules {
		if !js.Enabled {
			s.log.Info("schedule disabled in the template; it runs only on demand", "function", js.FunctionID, "event", js.EventName)
			continue
		}
		j := s.jobs[js.FunctionID]
		s.scheduling.Add(1)
		go func() {
			defer s.scheduling.Done()
			s.keep(ctx, clk, j, js)
		}()
	}
}

// keep runs j at each fire time of js until ctx ends. It wakes at least
// once a minute and compares with the stack's clock, so a machine that slept
// or a clock that was set still fires on time.
func (s *Stack) keep(ctx context.Context, clk waitClock, j *job, js JobSchedule) {
	last := clk.Now()
	for {
		next := js.Schedule.Next(last)
		if now := clk.Now(); !next.IsZero() && next.Before(now) {
			// The previous run outlasted a fire time: skip it rather than
			// run twice in a row, as runs may not overlap.
			next = js.Schedule.Next(now)
		}
		if next.IsZero() {
			s.log.Info("schedule fires no more", "function", j.id, "event", js.EventName, "schedule", js.Schedule.String())
			return
		}
		s.log.Info("next scheduled run", "function", j.id, "event", js.EventName, "schedule", js.Schedule.String(),
			"at", next.In(domain.CityZone).Format(time.RFC3339))
		for now := clk.Now(); now.Before(next); now = clk.Now() {
			select {
			case <-ctx.Done():
				return
			case <-clk.After(min(next.Sub(now), time.Minute)):
			}
		}
		if ctx.Err() != nil {
			return
		}
		_, _ = s.run(ctx, j, next, "schedule", js.EventName) // run logs its error
		last = next
	}
}

// serveRunJob is POST /_local/schedule/{FunctionId}: run the job now.
func (s *Stack) serveRunJob(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("FunctionId")
	start := time.Now()
	at, err := s.RunJob(r.Context(), id)
	switch {
	case errors.Is(err, ErrUnknownJob):
		known := strings.Join(slices.Sorted(maps.Keys(s.jobs)), ", ")
		gateway.WriteProblem(w, r, http.StatusNotFound, "not_found",
			fmt.Sprintf("没有名为 %q 的定时函数；定时函数有：%s", id, known),
			fmt.Sprintf("There is no scheduled function %q; the scheduled functions are: %s", id, known))
	case err != nil:
		// run logged the cause under the request id; the client learns only that.
		gateway.WriteProblem(w, r, http.StatusInternalServerError, "internal",
			"服务器内部错误，请稍后再试", "Something went wrong on our side; please try again later")
	default:
		body, _ := json.Marshal(map[string]any{
			"function": id, "at": at.Format(time.RFC3339), "duration_ms": time.Since(start).Milliseconds(),
		})
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	}
}
