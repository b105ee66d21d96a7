// Package store is enrol's only access to DynamoDB: one table, its items and
// keys described in DESIGN.md next to this file.
package store

import (
	"context"
	"errors"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/dbcalls"
)

// Store reads and writes the enrol table.
type Store struct {
	db    *dynamodb.Client
	table string
}

// New wraps a client and a table name.
func New(db *dynamodb.Client, table string) *Store { return &Store{db: db, table: table} }

// NewClient builds the DynamoDB client for cfg: AWS as usual, or the
// endpoint in cfg.DynamoDBEndpoint (the local stack) with dummy credentials
// and without response CRC checks, which the embedded server does not send.
func NewClient(ctx context.Context, cfg config.Config) (*dynamodb.Client, error) {
	opts := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRegion(cfg.Region),
		awsconfig.WithRetryer(func() aws.Retryer {
			return retry.NewStandard(func(o *retry.StandardOptions) { o.MaxAttempts = 4 })
		}),
	}
	if cfg.DynamoDBEndpoint != "" {
		opts = append(opts, awsconfig.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("local", "local", "")))
	}
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return dynamodb.NewFromConfig(awsCfg, func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, dbcalls.Middleware)
		if cfg.DynamoDBEndpoint != "" {
			o.BaseEndpoint = aws.String(cfg.DynamoDBEndpoint)
			o.DisableValidateResponseChecksum = true
		}
	}), nil
}

// unavailable is what a throttled or unreachable store answers: safe to retry.
func unavailable(err error) error {
	e := apperr.Wrap(apperr.Unavailable, err, "服务繁忙，请稍后重试", "The service is busy; please retry shortly")
	e.RetryAfter = 1
	return e
}

// classify turns an SDK error into the contract's: throttling and network
// trouble are 503 (retry), anything else a 500 that reveals nothing.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*apperr.Error](err); ok {
		return err
	}
	var pte *types.ProvisionedThroughputExceededException
	var rle *types.RequestLimitExceeded
	var netErr net.Error
	var apiErr smithy.APIError
	switch {
	case errors.As(err, &pte), errors.As(err, &rle), errors.As(err, &netErr),
		errors.Is(err, context.DeadlineExceeded):
		return unavailable(err)
	case errors.As(err, &apiErr) && (apiErr.ErrorCode() == "ThrottlingException" || apiErr.ErrorCode() == "InternalServerError"):
		return unavailable(err)
	}
	return apperr.Wrap(apperr.Internal, err, "服务器内部错误，请稍后再试", "Something went wrong on our side; please try again later")
}

// utc renders a time for storage; stored times sort as strings.
func utc(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// put writes one item; with onlyIfNew an existing item is left as it is, so
// that the seed can run again without harm.
func (st *Store) put(ctx context.Context, item any, onlyIfNew bool) error {
	m, err := attributevalue.MarshalMap(item)
	if err != nil {
		return classify(err)
	}
	in := &dynamodb.PutItemInput{TableName: &st.table, Item: m}
	if onlyIfNew {
		in.ConditionExpression = aws.String("attribute_not_exists(PK)")
	}
	_, err = st.db.PutItem(ctx, in)
	if onlyIfNew && isConditionFailed(err) {
		return nil
	}
	return classify(err)
}

// get reads one item strongly consistently and decodes it; a missing item is
// not_found, named as what.
func get[T any](ctx context.Context, st *Store, k map[string]types.AttributeValue, what string, decode func(map[string]types.AttributeValue) (T, error)) (T, error) {
	var zero T
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: k, ConsistentRead: aws.Bool(true)})
	if err != nil {
		return zero, classify(err)
	}
	if out.Item == nil {
		return zero, notFound(what)
	}
	return decode(out.Item)
}

// batchPut writes items 25 to a BatchWriteItem, sending again whatever
// DynamoDB leaves unprocessed (with backoff), so nothing is silently dropped.
func (st *Store) batchPut(ctx context.Context, items []map[string]types.AttributeValue) error {
	for len(items) > 0 {
		n := min(len(items), 25)
		reqs := make([]types.WriteRequest, n)
		for i, it := range items[:n] {
			reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
		}
		items = items[n:]
		pending := map[string][]types.WriteRequest{st.table: reqs}
		for attempt := 0; len(pending[st.table]) > 0; attempt++ {
			if attempt > 0 {
				if attempt > 8 {
					return unavailable(errors.New("unprocessed writes"))
				}
				time.Sleep(time.Duration(attempt*attempt) * 10 * time.Millisecond)
			}
			out, err := st.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return classify(err)
			}
			pending = out.UnprocessedItems
		}
	}
	return nil
}
