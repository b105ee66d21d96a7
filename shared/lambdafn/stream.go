package lambdafn

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/wuxi-enrol/enrol/shared/metrics"
)

// StreamHandler takes a batch of a table's stream records (a DynamoDB event
// source mapping with ReportBatchItemFailures) and answers which record
// failed: Lambda retries the batch from it.
type StreamHandler func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error)

// JobAndStreamHandler is the Lambda handler of a function that runs on a
// schedule and on a table's stream: the event says which (a stream's
// batch has Records, a scheduled event none).
func JobAndStreamHandler(j Job, s StreamHandler, now func() time.Time, m *metrics.Sink) lambda.Handler {
	job := JobHandler(j, now, m)
	return lambda.NewHandler(func(ctx context.Context, raw json.RawMessage) (any, error) {
		var probe struct{ Records []json.RawMessage }
		if json.Unmarshal(raw, &probe) != nil || probe.Records == nil {
			_, err := job.Invoke(ctx, raw)
			return nil, err
		}
		var ev events.DynamoDBEvent
		if err := json.Unmarshal(raw, &ev); err != nil {
			return nil, err
		}
		ctx, rec := metrics.With(ctx)
		defer flush(m, rec)
		return s(ctx, ev)
	})
}

// MainJobAndStream is the whole entry point of a function that runs on a
// schedule and on a table's stream.
func MainJobAndStream(build func(Deps) Job, stream func(Deps) StreamHandler) {
	deps := fromEnv()
	lambda.Start(JobAndStreamHandler(build(deps), stream(deps), deps.Now, deps.Metrics))
}
