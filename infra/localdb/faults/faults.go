// Package faults makes a real DynamoDB client fail the way DynamoDB can, for
// tests: an SDK middleware answers chosen calls with an error instead of
// sending them, as if DynamoDB had answered so and the SDK's own retries
// were spent. Everything else goes to the server as usual.
package faults

import (
	"context"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
)

// Injector holds the faults to inject; the zero value injects none. Safe
// for concurrent use.
type Injector struct {
	mu    sync.Mutex
	rules []*rule
	hits  map[string]int
}

type rule struct {
	op    string
	times int // calls left to fail; < 0: every call
	err   func(input any) error
}

// Fail makes calls of op ("TransactWriteItems", "Query", …) fail with what
// err returns for the call's input (nil lets the call through): the next
// times calls, or every call when times is 0. Rules added first apply first.
func (f *Injector) Fail(op string, times int, err func(input any) error) {
	if times == 0 {
		times = -1
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, &rule{op: op, times: times, err: err})
}

// Clear removes every rule and forgets the hits.
func (f *Injector) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules, f.hits = nil, nil
}

// Hits is how many calls of op failed by injection.
func (f *Injector) Hits(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[op]
}

// Option installs the injector on a client: pass it to dynamodb.New or
// store.NewClient.
func (f *Injector) Option(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		// In the initialize step, before serialising and before the SDK's
		// retries, where the operation's input is still at hand.
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("enrol/faults",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				if err := f.take(middleware.GetOperationName(ctx), in.Parameters); err != nil {
					return middleware.InitializeOutput{}, middleware.Metadata{}, err
				}
				return next.HandleInitialize(ctx, in)
			}), middleware.After)
	})
}

func (f *Injector) take(op string, input any) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.rules {
		if r.op != op || r.times == 0 {
			continue
		}
		if err := r.err(input); err != nil {
			if r.times > 0 {
				r.times--
			}
			if f.hits == nil {
				f.hits = map[string]int{}
			}
			f.hits[op]++
			return err
		}
	}
	return nil
}

// Error is an error with DynamoDB's code (ThrottlingException,
// TransactionConflictException, …), for any call.
func Error(code string) func(any) error {
	return func(any) error {
		return &smithy.GenericAPIError{Code: code, Message: "injected by faults", Fault: smithy.FaultServer}
	}
}

// Reason is a cancellation reason's code for the items Pick chooses.
type Reason struct {
	Code string
	Pick func(types.TransactWriteItem) bool
}

// Cancelled cancels a TransactWriteItems as DynamoDB does: one reason per
// item, the code of the first of reasons that picks it, None for the rest
// (DynamoDB and the embedded server report every item). A call none of
// whose items is picked goes through.
func Cancelled(reasons ...Reason) func(any) error {
	return func(input any) error {
		in, ok := input.(*dynamodb.TransactWriteItemsInput)
		if !ok {
			return nil
		}
		out := make([]types.CancellationReason, len(in.TransactItems))
		picked := false
		for i, it := range in.TransactItems {
			out[i].Code = aws.String("None")
			for _, r := range reasons {
				if r.Pick(it) {
					out[i].Code, out[i].Message = aws.String(r.Code), aws.String("injected by faults")
					picked = true
					break
				}
			}
		}
		if !picked {
			return nil
		}
		return &types.TransactionCanceledException{Message: aws.String("Transaction cancelled (injected)"), CancellationReasons: out}
	}
}

// Any picks every item.
func Any(types.TransactWriteItem) bool { return true }

// Key picks the items on the item with this partition and sort key.
func Key(pk, sk string) func(types.TransactWriteItem) bool {
	return func(it types.TransactWriteItem) bool {
		var k map[string]types.AttributeValue
		switch {
		case it.Put != nil:
			k = it.Put.Item
		case it.Update != nil:
			k = it.Update.Key
		case it.Delete != nil:
			k = it.Delete.Key
		case it.ConditionCheck != nil:
			k = it.ConditionCheck.Key
		}
		return str(k["PK"]) == pk && str(k["SK"]) == sk
	}
}

func str(v types.AttributeValue) string {
	if s, ok := v.(*types.AttributeValueMemberS); ok {
		return s.Value
	}
	return ""
}
