// Package eventsource stands in for Lambda's event source mapping of a
// DynamoDB stream, on one machine: it reads the table's stream through the
// SDK's DynamoDB Streams client (from the embedded DynamoDB's guard,
// infra/localdb/streams.go, or from moto alike), keeps the records the
// event's FilterCriteria match, and hands them to the function in batches
// of BatchSize as the same JSON event Lambda sends. A batch whose handler
// fails is tried again (from the first record it reports failed, with
// ReportBatchItemFailures), up to MaximumRetryAttempts times, then goes to
// the on-failure destination (a callback). It polls four times a second,
// as Lambda polls a shard. Not copied: BisectBatchOnFunctionError (a
// function error retries the whole batch), the batching window, more than
// one shard (the guard's stream has one; moto's too).
package eventsource

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// PollInterval is how often a mapping asks for records when it found none.
const PollInterval = 250 * time.Millisecond

// Reader reads a table's stream as an event source mapping does: records
// after the last one read, those the filters pass, as Lambda's event.
type Reader struct {
	client  *dynamodbstreams.Client
	filters []samtemplate.Filter
	// The stream, its open shard, and the last record read ("": none).
	arn, shard *string
	last       string
}

// Open finds table's stream (DescribeTable's LatestStreamArn) and its open
// shard; reading starts after the last record there now (LATEST), or at the
// start (TRIM_HORIZON). filters are FilterCriteria's patterns.
func Open(ctx context.Context, db *dynamodb.Client, client *dynamodbstreams.Client, table, startingPosition string, filters []string) (*Reader, error) {
	r := &Reader{client: client}
	for _, text := range filters {
		f, err := samtemplate.ParseFilter(text)
		if err != nil {
			return nil, err
		}
		r.filters = append(r.filters, f)
	}
	t, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: &table})
	if err != nil {
		return nil, err
	}
	if r.arn = t.Table.LatestStreamArn; r.arn == nil {
		return nil, errors.New("the table has no stream (template.yaml: StreamSpecification)")
	}
	d, err := client.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: r.arn})
	if err != nil {
		return nil, err
	}
	for _, sh := range d.StreamDescription.Shards {
		if sh.SequenceNumberRange == nil || sh.SequenceNumberRange.EndingSequenceNumber == nil {
			r.shard = sh.ShardId // the open one
		}
	}
	if r.shard == nil {
		return nil, errors.New("the stream has no open shard")
	}
	if startingPosition == "TRIM_HORIZON" {
		return r, nil
	}
	for {
		out, err := r.read(ctx, 1000)
		if err != nil {
			return nil, err
		}
		if len(out) == 0 {
			return r, nil
		}
	}
}

// read reads up to limit records after the last one read, and moves past
// them. A fresh iterator each time, from the position: moto's iterators
// keep reading the copy of a table that a cancelled transaction replaced
// (it restores its tables from copies).
func (r *Reader) read(ctx context.Context, limit int) ([]types.Record, error) {
	in := &dynamodbstreams.GetShardIteratorInput{StreamArn: r.arn, ShardId: r.shard, ShardIteratorType: types.ShardIteratorTypeTrimHorizon}
	if r.last != "" {
		in.ShardIteratorType, in.SequenceNumber = types.ShardIteratorTypeAfterSequenceNumber, aws.String(r.last)
	}
	it, err := r.client.GetShardIterator(ctx, in)
	if err != nil {
		return nil, err
	}
	out, err := r.client.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator, Limit: aws.Int32(int32(limit))})
	if err != nil {
		return nil, err
	}
	if n := len(out.Records); n > 0 {
		r.last = aws.ToString(out.Records[n-1].Dynamodb.SequenceNumber)
	}
	return out.Records, nil
}

// Read reads up to limit records and returns those the filters pass, as
// Lambda's event would carry them (JSON objects), and how many it read.
func (r *Reader) Read(ctx context.Context, limit int) ([]map[string]any, int, error) {
	records, err := r.read(ctx, limit)
	if err != nil {
		return nil, 0, err
	}
	var batch []map[string]any
	for _, rec := range records {
		if m := lambdaRecord(rec); len(r.filters) == 0 || slices.ContainsFunc(r.filters, func(f samtemplate.Filter) bool { return f.Matches(m) }) {
			batch = append(batch, m)
		}
	}
	return batch, len(records), nil
}

// Event is batch as Lambda's DynamoDB event.
func Event(batch []map[string]any) (events.DynamoDBEvent, error) {
	var ev events.DynamoDBEvent
	raw, err := json.Marshal(map[string]any{"Records": batch})
	if err == nil {
		err = json.Unmarshal(raw, &ev)
	}
	return ev, err
}

// Failure is a batch a function could not take: what Lambda sends the
// on-failure destination (the batch's first and last sequence numbers).
type Failure struct {
	FunctionID, EventName string
	FirstSequence         string
	LastSequence          string
	Records               int
	Error                 string
}

// Mapping is one event source mapping: the template's event, the reader
// of its stream, the function's handler.
type Mapping struct {
	Event   samtemplate.StreamEvent
	Reader  *Reader
	Handler lambdafn.StreamHandler
	Timeout time.Duration
	Log     *slog.Logger
	// Failed is the on-failure destination.
	Failed func(Failure)
	// Backoff is the wait before a batch's second try, doubled for each
	// further one up to 5 s.
	Backoff time.Duration
}

// Run polls until ctx ends.
func (m *Mapping) Run(ctx context.Context) {
	size := m.Event.BatchSize
	if size <= 0 {
		size = 100
	}
	for ctx.Err() == nil {
		batch, read, err := m.Reader.Read(ctx, size)
		if err != nil {
			if ctx.Err() == nil {
				m.Log.Warn("reading the stream", "err", err)
			}
			sleep(ctx, PollInterval)
			continue
		}
		if len(batch) > 0 {
			m.deliver(ctx, batch)
		}
		if read == 0 {
			sleep(ctx, PollInterval)
		}
	}
}

// deliver hands batch to the function until it takes every record, or its
// tries run out and the rest goes to the on-failure destination.
func (m *Mapping) deliver(ctx context.Context, batch []map[string]any) {
	wait := m.Backoff
	for try := 0; ; try++ {
		resp, err := m.invoke(ctx, batch)
		if ctx.Err() != nil {
			return
		}
		from := 0
		switch {
		case err != nil:
			m.Log.Error("stream batch failed", "records", len(batch), "try", try+1, "err", err)
		case len(resp.BatchItemFailures) == 0:
			return
		default:
			if !m.Event.ReportBatchItemFailures {
				return // Lambda reads the answer only when told to
			}
			// From the first record reported failed; an identifier that is
			// no record's fails the whole batch, as on Lambda.
			from = len(batch)
			for _, f := range resp.BatchItemFailures {
				if i := slices.IndexFunc(batch, func(r map[string]any) bool { return sequenceOf(r) == f.ItemIdentifier }); i >= 0 {
					from = min(from, i)
				}
			}
			if from == len(batch) {
				from = 0
			}
			err = fmt.Errorf("%d of %d records reported failed", len(resp.BatchItemFailures), len(batch))
		}
		batch = batch[from:]
		if m.Event.MaximumRetryAttempts >= 0 && try >= m.Event.MaximumRetryAttempts {
			m.Failed(Failure{FunctionID: m.Event.FunctionID, EventName: m.Event.EventName, FirstSequence: sequenceOf(batch[0]),
				LastSequence: sequenceOf(batch[len(batch)-1]), Records: len(batch), Error: err.Error()})
			return
		}
		sleep(ctx, wait)
		wait = min(2*wait, 5*time.Second)
	}
}

// invoke calls the function with the batch as Lambda's JSON event, with a
// Lambda context and the function's timeout; a panic is an error.
func (m *Mapping) invoke(ctx context.Context, batch []map[string]any) (resp events.DynamoDBEventResponse, err error) {
	ev, err := Event(batch)
	if err != nil {
		return resp, err
	}
	timeout := m.Timeout
	if timeout <= 0 {
		timeout = 3 * time.Second // SAM's default
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       fmt.Sprintf("%s-%s-%s", m.Event.FunctionID, m.Event.EventName, sequenceOf(batch[0])),
		InvokedFunctionArn: "arn:aws:lambda:local:000000000000:function:" + m.Event.FunctionID,
	})
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("function panicked: %v", p)
		}
	}()
	return m.Handler(ctx, ev)
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}

func sequenceOf(rec map[string]any) string {
	d, _ := rec["dynamodb"].(map[string]any)
	s, _ := d["SequenceNumber"].(string)
	return s
}

// lambdaRecord is a stream record as Lambda's event (and its filter) shows
// it: the Streams API's record in JSON, its attribute values in DynamoDB's
// JSON form.
func lambdaRecord(r types.Record) map[string]any {
	d := map[string]any{}
	if c := r.Dynamodb; c != nil {
		if c.ApproximateCreationDateTime != nil {
			d["ApproximateCreationDateTime"] = float64(c.ApproximateCreationDateTime.Unix())
		}
		d["Keys"], d["SequenceNumber"], d["StreamViewType"] = imageJSON(c.Keys), aws.ToString(c.SequenceNumber), string(c.StreamViewType)
		if c.SizeBytes != nil {
			d["SizeBytes"] = *c.SizeBytes
		}
		if c.NewImage != nil {
			d["NewImage"] = imageJSON(c.NewImage)
		}
		if c.OldImage != nil {
			d["OldImage"] = imageJSON(c.OldImage)
		}
	}
	return map[string]any{"eventID": aws.ToString(r.EventID), "eventName": string(r.EventName), "eventVersion": aws.ToString(r.EventVersion),
		"eventSource": aws.ToString(r.EventSource), "awsRegion": aws.ToString(r.AwsRegion), "dynamodb": d}
}

func imageJSON(m map[string]types.AttributeValue) map[string]any {
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = valueJSON(v)
	}
	return out
}

// valueJSON is one attribute value in DynamoDB's JSON form ({"S": "x"}).
func valueJSON(v types.AttributeValue) map[string]any {
	switch v := v.(type) {
	case *types.AttributeValueMemberS:
		return map[string]any{"S": v.Value}
	case *types.AttributeValueMemberN:
		return map[string]any{"N": v.Value}
	case *types.AttributeValueMemberB:
		return map[string]any{"B": v.Value} // base64 in JSON
	case *types.AttributeValueMemberBOOL:
		return map[string]any{"BOOL": v.Value}
	case *types.AttributeValueMemberNULL:
		return map[string]any{"NULL": v.Value}
	case *types.AttributeValueMemberSS:
		return map[string]any{"SS": v.Value}
	case *types.AttributeValueMemberNS:
		return map[string]any{"NS": v.Value}
	case *types.AttributeValueMemberBS:
		return map[string]any{"BS": v.Value}
	case *types.AttributeValueMemberL:
		l := make([]any, len(v.Value))
		for i, e := range v.Value {
			l[i] = valueJSON(e)
		}
		return map[string]any{"L": l}
	case *types.AttributeValueMemberM:
		return map[string]any{"M": imageJSON(v.Value)}
	}
	return map[string]any{"NULL": true}
}
