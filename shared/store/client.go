// Package store is enrol's only access to DynamoDB: one table, its items and
// keys described in DESIGN.md next to this file.
package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/dbcalls"
	"github.com/wuxi-enrol/enrol/shared/retry"
)

// Store reads and writes the enrol table.
type Store struct {
	db    *dynamodb.Client
	table string
	// sealer seals personal fields; nil in a function given no
	// personal-data key, which then cannot read or write them.
	sealer Sealer
	// Retry is the policy of the store's own loops (keys a batch left
	// unprocessed); the zero value is retry.Default.
	Retry retry.Policy
}

// New wraps a client, a table name and the sealer of personal fields (nil
// for a function that handles none).
func New(db *dynamodb.Client, table string, sealer Sealer) *Store {
	return &Store{db: db, table: table, sealer: sealer}
}

// Table is the table's name (a test reads its stream).
func (st *Store) Table() string { return st.table }

// NewClient builds the DynamoDB client for cfg: AWS as usual, or the
// endpoint in cfg.DynamoDBEndpoint (the local stack) with dummy credentials
// and without response CRC checks, which the embedded server does not send.
// extra options come last (tests add fault injection there).
func NewClient(ctx context.Context, cfg config.Config, extra ...func(*dynamodb.Options)) (*dynamodb.Client, error) {
	awsCfg, err := config.AWS(ctx, cfg.Region, cfg.DynamoDBEndpoint, func(c *aws.Config) {
		c.Retryer = func() aws.Retryer {
			return awsretry.NewStandard(func(o *awsretry.StandardOptions) { o.MaxAttempts = 4 })
		}
	})
	if err != nil {
		return nil, err
	}
	return dynamodb.NewFromConfig(awsCfg, append([]func(*dynamodb.Options){func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, dbcalls.Middleware, dbcalls.Retries)
		if !cfg.DynamoDBNoCapacity {
			o.APIOptions = append(o.APIOptions, dbcalls.Capacity)
		}
		if cfg.DynamoDBEndpoint != "" {
			o.DisableValidateResponseChecksum = true // the embedded server sends no CRC header
		}
	}}, extra...)...), nil
}

// unavailable is what a throttled or unreachable store answers: the one
// 503, safe to retry.
func unavailable(err error) error { return retry.Busy(err) }

// internal is a 500 that reveals nothing; the cause goes to the log.
func internal(err error) error { return apperr.Unexpected(err) }

// classify turns an SDK error into the contract's: throttling, DynamoDB's
// own trouble, conflicts and network trouble are 503 (retry), anything else
// a 500. Codes mean what the table in transactions.go says.
func classify(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*apperr.Error](err); ok {
		return err
	}
	if _, ok := errors.AsType[net.Error](err); ok || errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return unavailable(err)
	}
	if f := errorFault(err); f == faultUnavailable || f == faultConflict {
		return unavailable(err)
	}
	return internal(err)
}

// utc renders a time for storage; stored times sort as strings.
func utc(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// utcOrEmpty is utc(*t), or "" (left out) for no time.
func utcOrEmpty(t *time.Time) string {
	if t == nil {
		return ""
	}
	return utc(*t)
}

// timeOrNil reads what utcOrEmpty wrote.
func timeOrNil(s string) *time.Time {
	if s == "" {
		return nil
	}
	t := parseTime(s)
	return &t
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

// batchPut writes items 25 to a BatchWriteItem; see batchWrite.
func (st *Store) batchPut(ctx context.Context, items []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(items))
	for i, it := range items {
		reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
	}
	return st.batchWrite(ctx, reqs)
}

// batchDelete deletes the items of keys 25 to a BatchWriteItem; see batchWrite.
func (st *Store) batchDelete(ctx context.Context, keys []map[string]types.AttributeValue) error {
	reqs := make([]types.WriteRequest, len(keys))
	for i, k := range keys {
		reqs[i] = types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: k}}
	}
	return st.batchWrite(ctx, reqs)
}

// batchWrite sends reqs 25 to a BatchWriteItem, sending again whatever
// DynamoDB leaves unprocessed (under the retry policy), so nothing is
// silently dropped.
func (st *Store) batchWrite(ctx context.Context, reqs []types.WriteRequest) error {
	for len(reqs) > 0 {
		n := min(len(reqs), 25)
		pending := map[string][]types.WriteRequest{st.table: reqs[:n]}
		reqs = reqs[n:]
		err := st.Retry.Do(ctx, func(int) error {
			out, err := st.db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
			if err != nil {
				return classify(err)
			}
			if pending = out.UnprocessedItems; len(pending[st.table]) > 0 {
				return errUnprocessed
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// errUnprocessed: a batch call left some of its keys or items for later.
var errUnprocessed = fmt.Errorf("store: unprocessed batch entries: %w", retry.ErrAgain)
