// Package dbcalls counts DynamoDB calls per API request: an SDK middleware
// adds each call to the tally carried by the request's context, so the
// request log and the cost tests see exactly what a request cost; another
// asks every call for its consumed capacity (ReturnConsumedCapacity
// INDEXES, which DynamoDB answers, and so does the embedded server) and
// adds the read and write units to the tally.
package dbcalls

import (
	"context"
	"maps"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/wuxi-enrol/enrol/shared/metrics"
)

// Tally is one request's DynamoDB calls by operation name (GetItem, Query, …),
// and the capacity units they consumed.
type Tally struct {
	mu    sync.Mutex
	m     map[string]int
	units map[string]Units // by Part
}

// Units are read and write capacity units.
type Units struct {
	Read  float64 `json:"r,omitempty"`
	Write float64 `json:"w,omitempty"`
}

// TablePart is the Part of the units consumed on a table itself; an
// index's is its name.
const TablePart = "table"

// Add counts one call of op.
func (t *Tally) Add(op string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.m == nil {
		t.m = map[string]int{}
	}
	t.m[op]++
}

// Snapshot copies the counts.
func (t *Tally) Snapshot() map[string]int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.m)
}

// AddUnits adds units consumed on part (TablePart or an index's name).
func (t *Tally) AddUnits(part string, u Units) {
	if u == (Units{}) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.units == nil {
		t.units = map[string]Units{}
	}
	v := t.units[part]
	v.Read += u.Read
	v.Write += u.Write
	t.units[part] = v
}

// Units copies the units consumed, by part.
func (t *Tally) Units() map[string]Units {
	t.mu.Lock()
	defer t.mu.Unlock()
	return maps.Clone(t.units)
}

// TotalUnits is the units consumed on the table and all its indexes.
func (t *Tally) TotalUnits() Units {
	var sum Units
	for _, u := range t.Units() {
		sum.Read += u.Read
		sum.Write += u.Write
	}
	return sum
}

// Total is the number of calls of any kind.
func (t *Tally) Total() int {
	n := 0
	for _, v := range t.Snapshot() {
		n += v
	}
	return n
}

type key struct{}

// With returns ctx carrying a fresh tally.
func With(ctx context.Context) (context.Context, *Tally) {
	t := &Tally{}
	return context.WithValue(ctx, key{}, t), t
}

// From is the tally ctx carries, or nil.
func From(ctx context.Context) *Tally {
	t, _ := ctx.Value(key{}).(*Tally)
	return t
}

// Middleware counts every call, including each retry the SDK makes.
func Middleware(stack *middleware.Stack) error {
	return stack.Finalize.Add(middleware.FinalizeMiddlewareFunc("enrol/dbcalls",
		func(ctx context.Context, in middleware.FinalizeInput, next middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
			if t := From(ctx); t != nil {
				t.Add(middleware.GetOperationName(ctx))
			}
			return next.HandleFinalize(ctx, in)
		}), middleware.After)
}

// Capacity asks every call that can say it for its consumed capacity, by
// table and index, and adds it to the context's tally (a call whose
// input already asks keeps its choice, and its caller gets the answer).
// On DynamoDB the answer costs nothing; the embedded server computes it
// (infra/localdb/capacity). A call that fails answers none: a cancelled
// transaction or a failed condition consumes capacity on DynamoDB that no
// tally sees.
func Capacity(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("enrol/capacity",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			t := From(ctx)
			if t != nil {
				in.Parameters = askCapacity(in.Parameters)
			}
			out, md, err := next.HandleInitialize(ctx, in)
			if t != nil && err == nil {
				for _, cc := range consumedOf(out.Result) {
					addConsumed(t, cc)
				}
			}
			return out, md, err
		}), middleware.After)
}

// askCapacity is a copy of the input asking for INDEXES, unless it asks
// for something already (the caller's input is left as it is).
func askCapacity(p any) any {
	const want = types.ReturnConsumedCapacityIndexes
	switch in := p.(type) {
	case *dynamodb.GetItemInput:
		if in.ReturnConsumedCapacity == "" {
			c := *in
			c.ReturnConsumedCapacity = want
			return &c
		}
	case *dynamodb.PutItemInput:
		if in.ReturnConsumedCapacity == "" {
			c := *in
			c.ReturnConsumedCapacity = want
			return &c
		}
	case *dynamodb.UpdateItemInput:
		if in.ReturnConsumedCapacity == "" {
			c := *in
			c.ReturnConsumedCapacity = want
			return &c
		}
	case *dynamodb.DeleteItemInput:
		if in.ReturnConsumedCapacity == "" {
			c := *in
			c.ReturnConsumedCapacity = want
			return &c
		}
	case *dynamodb.QueryInput:
		if in.ReturnConsumedCapacity == "" {
			c := *in
			c.ReturnConsumedCapacity = want
			return &c
		}
	case *dynamodb.ScanInput:
		if in.ReturnConsumedCapacity == "" {
			c := *in
			c.ReturnConsumedCapacity = want
			return &c
		}
	case *dynamodb.BatchGetItemInput:
		if in.ReturnConsumedCapacity == "" {
			c := *in
			c.ReturnConsumedCapacity = want
			return &c
		}
	case *dynamodb.BatchWriteItemInput:
		if in.ReturnConsumedCapacity == "" {
			c := *in
			c.ReturnConsumedCapacity = want
			return &c
		}
	case *dynamodb.TransactGetItemsInput:
		if in.ReturnConsumedCapacity == "" {
			c := *in
			c.ReturnConsumedCapacity = want
			return &c
		}
	case *dynamodb.TransactWriteItemsInput:
		if in.ReturnConsumedCapacity == "" {
			c := *in
			c.ReturnConsumedCapacity = want
			return &c
		}
	}
	return p
}

// consumedOf is the ConsumedCapacity of an operation's output.
func consumedOf(result any) []types.ConsumedCapacity {
	one := func(cc *types.ConsumedCapacity) []types.ConsumedCapacity {
		if cc == nil {
			return nil
		}
		return []types.ConsumedCapacity{*cc}
	}
	switch out := result.(type) {
	case *dynamodb.GetItemOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.PutItemOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.UpdateItemOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.DeleteItemOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.QueryOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.ScanOutput:
		return one(out.ConsumedCapacity)
	case *dynamodb.BatchGetItemOutput:
		return out.ConsumedCapacity
	case *dynamodb.BatchWriteItemOutput:
		return out.ConsumedCapacity
	case *dynamodb.TransactGetItemsOutput:
		return out.ConsumedCapacity
	case *dynamodb.TransactWriteItemsOutput:
		return out.ConsumedCapacity
	}
	return nil
}

// addConsumed adds one table's consumed capacity to t, by part; an answer
// to TOTAL (no parts) counts as the table's.
func addConsumed(t *Tally, cc types.ConsumedCapacity) {
	if cc.Table == nil && cc.GlobalSecondaryIndexes == nil && cc.LocalSecondaryIndexes == nil {
		t.AddUnits(TablePart, Units{Read: aws.ToFloat64(cc.ReadCapacityUnits), Write: aws.ToFloat64(cc.WriteCapacityUnits)})
		return
	}
	if cc.Table != nil {
		t.AddUnits(TablePart, Units{Read: aws.ToFloat64(cc.Table.ReadCapacityUnits), Write: aws.ToFloat64(cc.Table.WriteCapacityUnits)})
	}
	for name, c := range cc.GlobalSecondaryIndexes {
		t.AddUnits(name, Units{Read: aws.ToFloat64(c.ReadCapacityUnits), Write: aws.ToFloat64(c.WriteCapacityUnits)})
	}
	for name, c := range cc.LocalSecondaryIndexes {
		t.AddUnits(name, Units{Read: aws.ToFloat64(c.ReadCapacityUnits), Write: aws.ToFloat64(c.WriteCapacityUnits)})
	}
}

// Retries counts, into the request's or run's metrics (shared/metrics),
// the attempts each call made beyond its first: the SDK's retry middleware
// leaves every attempt's result in the call's metadata, read here, outside
// it, once the call is done.
func Retries(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("enrol/retries",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			out, md, err := next.HandleInitialize(ctx, in)
			if ar, ok := awsretry.GetAttemptResults(md); ok && len(ar.Results) > 1 {
				metrics.Add(ctx, metrics.StoreRetries, float64(len(ar.Results)-1))
			}
			return out, md, err
		}), middleware.Before)
}
