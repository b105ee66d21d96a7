package lambdafn

import (
	"context"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/wuxi-enrol/enrol/shared/metrics"
)

// Job is a scheduled function: at is when the schedule fired. AWS invokes it
// from an EventBridge schedule; the local stack on the same schedule, or on
// demand.
type Job func(ctx context.Context, at time.Time) error

// JobHandler is the Lambda handler for a Job: the EventBridge scheduled
// event's time is the job's, or now's for an event without one. Each run
// counts into a fresh recorder, flushed to m when it ends.
func JobHandler(j Job, now func() time.Time, m *metrics.Sink) lambda.Handler {
	return lambda.NewHandler(func(ctx context.Context, ev events.CloudWatchEvent) error {
		at := ev.Time
		if at.IsZero() {
			at = now()
		}
		ctx, rec := metrics.With(ctx)
		defer flush(m, rec)
		return j(ctx, at)
	})
}

// MainJob is a scheduled function's whole entry point.
func MainJob(build func(Deps) Job) {
	deps := fromEnv()
	lambda.Start(JobHandler(build(deps), deps.Now, deps.Metrics))
}

// MainTrigger is the whole entry point of a function that takes events of
// its own shape (the user pool's triggers): h answers each event's JSON.
func MainTrigger(build func(Deps) lambda.Handler) {
	lambda.Start(build(fromEnv()))
}
