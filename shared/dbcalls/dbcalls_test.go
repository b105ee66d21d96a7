package dbcalls_test

import (
	"context"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/dbcalls"
	"github.com/wuxi-enrol/enrol/shared/metrics"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestRetriesCounted: the attempts the SDK's retryer makes beyond a call's
// first are counted as StoreRetries in the context's metrics; a call that
// went through at once counts none. The first attempts are throttled inside
// the SDK's retry loop (after its Retry step), as DynamoDB would.
func TestRetriesCounted(t *testing.T) {
	var throttle atomic.Int32
	cfg := dbtest.Config(t)
	db, err := store.NewClient(context.Background(), cfg, func(o *dynamodb.Options) {
		o.Retryer = awsretry.NewStandard(func(so *awsretry.StandardOptions) {
			so.MaxAttempts = 4
			so.Backoff = awsretry.BackoffDelayerFunc(func(int, error) (time.Duration, error) { return 0, nil })
		})
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			return s.Finalize.Insert(middleware.FinalizeMiddlewareFunc("test/throttle",
				func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					if throttle.Add(-1) >= 0 {
						return middleware.FinalizeOutput{}, middleware.Metadata{}, &smithy.GenericAPIError{Code: "ThrottlingException", Message: "test", Fault: smithy.FaultServer}
					}
					return next.HandleFinalize(ctx, in)
				}), "Retry", middleware.After)
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	get := func(throttled int32) float64 {
		throttle.Store(throttled)
		ctx, rec := metrics.With(context.Background())
		_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(cfg.TableName),
			Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "X"}, "SK": &types.AttributeValueMemberS{Value: "X"}}})
		if err != nil {
			t.Fatal(err)
		}
		return rec.Get(metrics.StoreRetries)
	}
	for _, tc := range []struct {
		throttled int32
		want      float64
	}{{0, 0}, {1, 1}, {2, 2}} {
		if got := get(tc.throttled); got != tc.want {
			t.Errorf("%d attempts throttled: StoreRetries %v, want %v", tc.throttled, got, tc.want)
		}
	}
}

// TestCapacityTallied: every call is asked for its consumed capacity and
// the units land in the context's tally, by table and index, without
// changing the caller's input; a caller that asks for TOTAL itself still
// gets its answer. The items are small: a write of one item in no index is
// 1 unit, an item entering GSI1 (projection ALL) one more there; a
// strongly consistent read 1.
func TestCapacityTallied(t *testing.T) {
	cfg := dbtest.Config(t)
	db, err := store.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, tally := dbcalls.With(context.Background())
	s := func(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }
	put := &dynamodb.PutItemInput{TableName: aws.String(cfg.TableName),
		Item: map[string]types.AttributeValue{"PK": s("X"), "SK": s("X"), "GSI1PK": s("P"), "GSI1SK": s("1")}}
	if _, err := db.PutItem(ctx, put); err != nil {
		t.Fatal(err)
	}
	if put.ReturnConsumedCapacity != "" {
		t.Errorf("the caller's input was changed: %q", put.ReturnConsumedCapacity)
	}
	out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(cfg.TableName), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"PK": s("X"), "SK": s("X")}, ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	if err != nil {
		t.Fatal(err)
	}
	if out.ConsumedCapacity == nil || aws.ToFloat64(out.ConsumedCapacity.CapacityUnits) != 1 {
		t.Errorf("the caller's TOTAL: %+v", out.ConsumedCapacity)
	}
	want := map[string]dbcalls.Units{dbcalls.TablePart: {Read: 1, Write: 1}, "GSI1": {Write: 1}}
	if got := tally.Units(); !reflect.DeepEqual(got, want) {
		t.Errorf("units %v, want %v", got, want)
	}
	if got := tally.TotalUnits(); got != (dbcalls.Units{Read: 1, Write: 2}) {
		t.Errorf("total %v", got)
	}
	// Without a tally nothing is asked.
	if _, err := db.PutItem(context.Background(), put); err != nil {
		t.Fatal(err)
	}
}
