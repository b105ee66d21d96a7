package eventsource_test

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/wuxi-enrol/enrol/infra/eventsource"
	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

// TestMappingRetriesThenGivesUp: the mapping hands the records its filter
// passes to the handler in one batch; a record reported failed is retried
// with those after it (not those before), up to MaximumRetryAttempts
// times, then that range goes to the on-failure destination, and the
// mapping goes on with the next records.
func TestMappingRetriesThenGivesUp(t *testing.T) {
	ctx := context.Background()
	srv, err := localdb.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	db := dynamodb.New(dynamodb.Options{Region: "cn-north-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds, DisableValidateResponseChecksum: true})
	if _, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{TableName: aws.String("t"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}},
		StreamSpecification:  &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: types.StreamViewTypeNewImage}}); err != nil {
		t.Fatal(err)
	}
	put := func(pk, kind string) {
		t.Helper()
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: pk}, "kind": &types.AttributeValueMemberS{Value: kind}}}); err != nil {
			t.Fatal(err)
		}
	}
	put("before", "x") // before the mapping: LATEST starts after it
	filter := `{"eventName": ["INSERT"], "dynamodb": {"NewImage": {"kind": {"S": ["x"]}}}}`
	r, err := eventsource.Open(ctx, db, dynamodbstreams.New(dynamodbstreams.Options{Region: "cn-north-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds}),
		"t", "LATEST", []string{filter})
	if err != nil {
		t.Fatal(err)
	}
	for _, pk := range []string{"a", "b", "c"} {
		put(pk, "x")
	}
	put("skipped", "y")
	var mu sync.Mutex
	var batches [][]string
	var failures []eventsource.Failure
	done := make(chan struct{})
	m := &eventsource.Mapping{
		Event:  samtemplate.StreamEvent{FunctionID: "F", EventName: "E", BatchSize: 10, MaximumRetryAttempts: 2, ReportBatchItemFailures: true},
		Reader: r, Timeout: time.Second, Log: slog.New(slog.DiscardHandler), Backoff: time.Millisecond,
		Handler: func(_ context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
			mu.Lock()
			defer mu.Unlock()
			var pks []string
			var resp events.DynamoDBEventResponse
			for _, rec := range ev.Records {
				pk := rec.Change.Keys["PK"].String()
				pks = append(pks, pk)
				if pk == "b" && resp.BatchItemFailures == nil {
					resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: rec.Change.SequenceNumber}}
				}
			}
			batches = append(batches, pks)
			if slices.Contains(pks, "d") {
				close(done)
			}
			return resp, nil
		},
		Failed: func(f eventsource.Failure) { mu.Lock(); failures = append(failures, f); mu.Unlock() },
	}
	runCtx, cancel := context.WithCancel(ctx)
	var wg sync.WaitGroup
	wg.Go(func() { m.Run(runCtx) })
	deadline := time.After(10 * time.Second)
	for {
		mu.Lock()
		n := len(failures)
		mu.Unlock()
		if n > 0 {
			break
		}
		select {
		case <-deadline:
			t.Fatal("no failure after 10 s")
		case <-time.After(20 * time.Millisecond):
		}
	}
	put("d", "x") // after the give-up: the mapping goes on
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("the record after the give-up never came")
	}
	cancel()
	wg.Wait()
	if got := fmt.Sprint(batches); got != "[[a b c] [b c] [b c] [d]]" {
		t.Fatalf("batches %s", got)
	}
	if len(failures) != 1 || failures[0].Records != 2 || failures[0].FirstSequence >= failures[0].LastSequence || failures[0].FunctionID != "F" {
		t.Fatalf("failures %+v", failures)
	}
}
