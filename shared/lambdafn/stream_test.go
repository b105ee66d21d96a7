package lambdafn

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/wuxi-enrol/enrol/shared/clock"
)

// TestJobAndStreamHandler: a function on a schedule and a stream runs its
// job for EventBridge's scheduled event and its stream handler for a
// stream's batch, whose answer (the failed record) goes back to Lambda.
func TestJobAndStreamHandler(t *testing.T) {
	now := time.Date(2027, 1, 1, 0, 30, 0, 0, time.UTC)
	var jobAt time.Time
	var records []string
	h := JobAndStreamHandler(
		func(_ context.Context, at time.Time) error { jobAt = at; return nil },
		func(_ context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			for _, r := range ev.Records {
				records = append(records, r.EventName+" "+r.Change.NewImage["id"].String())
			}
			return events.DynamoDBEventResponse{BatchItemFailures: []events.DynamoDBBatchItemFailure{{ItemIdentifier: ev.Records[0].Change.SequenceNumber}}}, nil
		}, clock.Fixed(now), nil)
	if _, err := h.Invoke(context.Background(), []byte(`{"detail-type":"Scheduled Event","time":"2026-12-31T15:55:00Z","detail":{}}`)); err != nil {
		t.Fatal(err)
	}
	if !jobAt.Equal(time.Date(2026, 12, 31, 15, 55, 0, 0, time.UTC)) || records != nil {
		t.Fatalf("scheduled event: job at %s, stream records %v", jobAt, records)
	}
	jobAt = time.Time{}
	out, err := h.Invoke(context.Background(), []byte(`{"Records":[{"eventName":"INSERT","eventSource":"aws:dynamodb",
		"dynamodb":{"SequenceNumber":"7","NewImage":{"id":{"S":"bk_1"}}}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	var resp events.DynamoDBEventResponse
	if err := json.Unmarshal(out, &resp); err != nil || len(resp.BatchItemFailures) != 1 || resp.BatchItemFailures[0].ItemIdentifier != "7" {
		t.Fatalf("answer %s %v", out, err)
	}
	if !jobAt.IsZero() || len(records) != 1 || records[0] != "INSERT bk_1" {
		t.Fatalf("stream batch: job at %s, records %v", jobAt, records)
	}
}
