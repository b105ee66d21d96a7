// Package dbcalls counts DynamoDB calls per API request: an SDK middleware
// adds each call to the tally carried by the request's context, so the
// request log and the cost tests see exactly what a request cost.
package dbcalls

import (
	"context"
	"maps"
	"sync"

	awsretry "github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go/middleware"
	"github.com/wuxi-enrol/enrol/shared/metrics"
)

// Tally is one request's DynamoDB calls by operation name (GetItem, Query, …).
type Tally struct {
	mu sync.Mutex
	m  map[string]int
}

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
