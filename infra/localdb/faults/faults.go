// Package faults makes a real DynamoDB client fail the way DynamoDB can:
// an SDK middleware answers chosen calls with an error instead of sending
// them, as if DynamoDB had answered so and the SDK's own retries were
// spent; or delays them, sends only part of a batch, or sends a call and
// then loses its answer. Everything else goes to the server as usual.
//
// Tests choose the calls by hand (Fail), by a schedule (At) or at random
// (Random); make run takes a spec (Parse, ENROL_FAULTS).
package faults

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// Kind is a way a DynamoDB call can go wrong.
type Kind string

const (
	Throttling         Kind = "throttling"  // ThrottlingException (HTTP 400, retryable)
	ThroughputExceeded Kind = "throughput"  // ProvisionedThroughputExceededException
	InternalError      Kind = "internal"    // InternalServerError (500)
	Unavailable        Kind = "unavailable" // ServiceUnavailable (503)
	// Conflict: a TransactWriteItems is cancelled with a TransactionConflict
	// reason on one item (None on the rest); another write gets
	// TransactionConflictException. Writes only.
	Conflict Kind = "conflict"
	// Partial: a BatchWriteItem or BatchGetItem sends only the first half
	// of its entries; the rest come back as UnprocessedItems or
	// UnprocessedKeys (a batch of one: all of it, nothing sent). Batches only.
	Partial Kind = "partial"
	// Slow: the call waits Delay (SetDelay; default 200ms), or until its
	// context is done, before it is sent.
	Slow Kind = "slow"
	// Cut: the call is sent and lands, then the caller gets an error as if
	// the function's deadline had cut the response (context.DeadlineExceeded
	// wrapped as the SDK does): the ambiguous outcome, where the caller
	// cannot tell whether its write happened.
	Cut Kind = "cut"
	// Timeout: the call is not sent; the caller gets a network timeout.
	Timeout Kind = "timeout"
)

// AllKinds is every kind.
var AllKinds = []Kind{Throttling, ThroughputExceeded, InternalError, Unavailable, Conflict, Partial, Slow, Cut, Timeout}

// Writes are the operations that write.
var Writes = []string{"PutItem", "UpdateItem", "DeleteItem", "TransactWriteItems", "BatchWriteItem"}

// Reads are the operations that only read.
var Reads = []string{"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"}

// DefaultDelay is Slow's wait until SetDelay changes it.
const DefaultDelay = 200 * time.Millisecond

// Applies says whether kind k can happen to a call of op: Partial only to
// batches, Conflict only to writes, the others to every call.
func Applies(k Kind, op string) bool {
	switch k {
	case Partial:
		return op == "BatchWriteItem" || op == "BatchGetItem"
	case Conflict:
		return slices.Contains(Writes, op)
	}
	return slices.Contains(AllKinds, k)
}

// Injector holds the faults to inject; the zero value injects none. Safe
// for concurrent use.
type Injector struct {
	mu       sync.Mutex
	rules    []*rule
	hits     map[string]int
	calls    map[string]int
	at       []*atRule
	random   []*randomRule
	injected map[Kind]int
	delay    time.Duration // 0: DefaultDelay
}

type rule struct {
	op    string
	times int // calls left to fail; < 0: every call
	err   func(input any) error
}

type atRule struct {
	n    int
	kind Kind
	ops  []string // empty: every operation
	seen int      // matching calls since the rule was set
}

type randomRule struct {
	rate  float64
	kinds []Kind
	ops   []string
	rng   *rand.Rand
	seed  uint64
}

// Fail makes calls of op ("TransactWriteItems", "Query", …) fail with what
// err returns for the call's input (nil lets the call through): the next
// times calls, or every call when times is 0. Rules added first apply first,
// and before At and Random rules.
func (f *Injector) Fail(op string, times int, err func(input any) error) {
	if times == 0 {
		times = -1
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = append(f.rules, &rule{op: op, times: times, err: err})
}

// Random: from now on, each call whose operation is in ops (every operation
// when ops is empty) is hit with probability rate (0..1), by one of kinds
// (every kind when empty) chosen uniformly among those that apply to its
// operation (Applies), drawn from a source seeded with seed: the same
// sequence of calls meets the same faults. A call no kind applies to goes
// through. Several Random rules may be set; the first that hits applies.
func (f *Injector) Random(rate float64, seed uint64, kinds []Kind, ops ...string) {
	if len(kinds) == 0 {
		kinds = AllKinds
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.random = append(f.random, &randomRule{rate: rate, kinds: slices.Clone(kinds), ops: slices.Clone(ops),
		rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), seed: seed})
}

// At: the n-th call (0-based, counted from now) whose operation is in ops
// (every operation when empty) and to which k applies (Applies: Partial
// counts batches only, Conflict writes only) is hit by k. Several At rules
// may be set; each fires once. When two fall on one call (or a Fail rule
// takes it), the later one fires on the next call it matches.
func (f *Injector) At(n int, k Kind, ops ...string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.at = append(f.at, &atRule{n: n, kind: k, ops: slices.Clone(ops)})
}

// Calls is how many calls whose operation is in ops (every operation when
// empty) the injector has seen since the last Clear, faulted or not.
func (f *Injector) Calls(ops ...string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for op, c := range f.calls {
		if matches(ops, op) {
			n += c
		}
	}
	return n
}

// Injected counts the faults At and Random injected since the last Clear,
// by kind (Fail's are counted by Hits).
func (f *Injector) Injected() map[Kind]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[Kind]int, len(f.injected))
	for k, n := range f.injected {
		out[k] = n
	}
	return out
}

// SetDelay sets Slow's wait (d <= 0: DefaultDelay).
func (f *Injector) SetDelay(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.delay = d
}

// Clear removes every rule (Fail, At, Random) and forgets the hits, calls
// and injected counts; the delay stays.
func (f *Injector) Clear() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules, f.hits, f.calls, f.at, f.random, f.injected = nil, nil, nil, nil, nil, nil
}

// Hits is how many calls of op failed by a Fail rule.
func (f *Injector) Hits(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.hits[op]
}

// String describes the Random rules, for make run's banner.
func (f *Injector) String() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.random) == 0 {
		return "off"
	}
	var parts []string
	for _, r := range f.random {
		ops := "all operations"
		if len(r.ops) > 0 {
			ops = strings.Join(r.ops, " ")
		}
		kinds := make([]string, len(r.kinds))
		for i, k := range r.kinds {
			kinds[i] = string(k)
		}
		parts = append(parts, fmt.Sprintf("%g%% of calls to %s, kinds %s, seed %d",
			r.rate*100, ops, strings.Join(kinds, " "), r.seed))
	}
	return strings.Join(parts, "; ")
}

// Option installs the injector on a client: pass it to dynamodb.New or
// store.NewClient.
func (f *Injector) Option(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(stack *middleware.Stack) error {
		// In the initialize step, before serialising and before the SDK's
		// retries, where the operation's input is still at hand.
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("enrol/faults",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				op := middleware.GetOperationName(ctx)
				kind, pick, err := f.take(op, in.Parameters)
				if err != nil {
					return middleware.InitializeOutput{}, middleware.Metadata{}, err
				}
				return f.inject(ctx, kind, pick, op, in, next)
			}), middleware.After)
	})
}

// take counts the call and decides its fate: a Fail rule's error, or a
// kind from an At or Random rule ("" for none), with the item a Conflict
// names in a transaction.
func (f *Injector) take(op string, input any) (Kind, int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.calls == nil {
		f.calls = map[string]int{}
	}
	f.calls[op]++
	var failed error
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
			failed = err
			break
		}
	}
	var kind Kind
	pick := 0
	for i, r := range f.at {
		if r == nil || !matches(r.ops, op) || !Applies(r.kind, op) {
			continue
		}
		r.seen++
		if kind == "" && failed == nil && r.seen > r.n {
			kind, f.at[i] = r.kind, nil
		}
	}
	f.at = slices.DeleteFunc(f.at, func(r *atRule) bool { return r == nil })
	if failed != nil {
		return "", 0, failed
	}
	for _, r := range f.random {
		if kind != "" {
			break
		}
		if !matches(r.ops, op) || r.rng.Float64() >= r.rate {
			continue
		}
		var can []Kind
		for _, k := range r.kinds {
			if Applies(k, op) {
				can = append(can, k)
			}
		}
		if len(can) > 0 {
			kind = can[r.rng.IntN(len(can))]
			if in, ok := input.(*dynamodb.TransactWriteItemsInput); ok && len(in.TransactItems) > 0 {
				pick = r.rng.IntN(len(in.TransactItems))
			}
		}
	}
	if kind != "" {
		if f.injected == nil {
			f.injected = map[Kind]int{}
		}
		f.injected[kind]++
	}
	return kind, pick, nil
}

func matches(ops []string, op string) bool { return len(ops) == 0 || slices.Contains(ops, op) }

func (f *Injector) inject(ctx context.Context, kind Kind, pick int, op string, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	none := middleware.InitializeOutput{}
	msg := aws.String("injected by faults")
	switch kind {
	case "":
		return next.HandleInitialize(ctx, in)
	case Throttling:
		return none, middleware.Metadata{}, &types.ThrottlingException{Message: msg}
	case ThroughputExceeded:
		return none, middleware.Metadata{}, &types.ProvisionedThroughputExceededException{Message: msg}
	case InternalError:
		return none, middleware.Metadata{}, &types.InternalServerError{Message: msg}
	case Unavailable:
		return none, middleware.Metadata{}, &smithy.GenericAPIError{Code: "ServiceUnavailable", Message: *msg, Fault: smithy.FaultServer}
	case Conflict:
		if t, ok := in.Parameters.(*dynamodb.TransactWriteItemsInput); ok {
			reasons := make([]types.CancellationReason, len(t.TransactItems))
			for i := range reasons {
				reasons[i].Code = aws.String("None")
			}
			if pick < len(reasons) {
				reasons[pick] = types.CancellationReason{Code: aws.String("TransactionConflict"), Message: msg}
			}
			return none, middleware.Metadata{}, &types.TransactionCanceledException{
				Message: aws.String("Transaction cancelled (injected)"), CancellationReasons: reasons}
		}
		return none, middleware.Metadata{}, &types.TransactionConflictException{Message: msg}
	case Partial:
		return partial(ctx, in, next)
	case Slow:
		f.mu.Lock()
		d := f.delay
		f.mu.Unlock()
		if d <= 0 {
			d = DefaultDelay
		}
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return none, middleware.Metadata{}, &aws.RequestCanceledError{Err: ctx.Err()}
		case <-t.C:
		}
		return next.HandleInitialize(ctx, in)
	case Cut:
		if _, md, err := next.HandleInitialize(ctx, in); err != nil {
			return none, md, err // it failed on its own: nothing landed to be ambiguous about
		}
		return none, middleware.Metadata{}, &aws.RequestCanceledError{
			Err: fmt.Errorf("%s: the response was cut at the function's deadline, after the call was sent (injected): %w", op, context.DeadlineExceeded)}
	case Timeout:
		return none, middleware.Metadata{}, &smithyhttp.RequestSendError{
			Err: &net.OpError{Op: "read", Net: "tcp", Err: fmt.Errorf("%w (injected)", os.ErrDeadlineExceeded)}}
	}
	return none, middleware.Metadata{}, fmt.Errorf("faults: unknown kind %q", kind)
}

// partial sends the first half of a batch's entries and returns the rest as
// unprocessed beside what DynamoDB itself left.
func partial(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
	var send any // the smaller input, nil when there is nothing to send
	var merge func(result any) any
	switch b := in.Parameters.(type) {
	case *dynamodb.BatchWriteItemInput:
		first, rest := halves(b.RequestItems, func(r []types.WriteRequest) int { return len(r) },
			func(r []types.WriteRequest, i, j int) []types.WriteRequest { return r[i:j] })
		if len(first) > 0 {
			c := *b
			c.RequestItems = first
			send = &c
		}
		merge = func(result any) any {
			out, _ := result.(*dynamodb.BatchWriteItemOutput)
			if out == nil {
				out = &dynamodb.BatchWriteItemOutput{}
			}
			if out.UnprocessedItems == nil {
				out.UnprocessedItems = map[string][]types.WriteRequest{}
			}
			for table, reqs := range rest {
				out.UnprocessedItems[table] = append(out.UnprocessedItems[table], reqs...)
			}
			return out
		}
	case *dynamodb.BatchGetItemInput:
		first, rest := halves(b.RequestItems, func(k types.KeysAndAttributes) int { return len(k.Keys) },
			func(k types.KeysAndAttributes, i, j int) types.KeysAndAttributes { k.Keys = k.Keys[i:j]; return k })
		if len(first) > 0 {
			c := *b
			c.RequestItems = first
			send = &c
		}
		merge = func(result any) any {
			out, _ := result.(*dynamodb.BatchGetItemOutput)
			if out == nil {
				out = &dynamodb.BatchGetItemOutput{}
			}
			if out.UnprocessedKeys == nil {
				out.UnprocessedKeys = map[string]types.KeysAndAttributes{}
			}
			for table, r := range rest {
				if u, ok := out.UnprocessedKeys[table]; ok {
					r.Keys = append(u.Keys, r.Keys...)
				}
				out.UnprocessedKeys[table] = r
			}
			return out
		}
	default:
		return next.HandleInitialize(ctx, in)
	}
	var res middleware.InitializeOutput
	var md middleware.Metadata
	if send != nil {
		in.Parameters = send
		var err error
		if res, md, err = next.HandleInitialize(ctx, in); err != nil {
			return res, md, err
		}
	}
	return middleware.InitializeOutput{Result: merge(res.Result)}, md, nil
}

// halves splits each table's entries of a batch: the first half (none for a
// table of one) and the rest.
func halves[E any](m map[string]E, size func(E) int, slice func(e E, i, j int) E) (first, rest map[string]E) {
	first, rest = map[string]E{}, map[string]E{}
	for table, e := range m {
		n := size(e)
		if n/2 > 0 {
			first[table] = slice(e, 0, n/2)
		}
		rest[table] = slice(e, n/2, n)
	}
	return first, rest
}

// Error is an error with DynamoDB's code (ThrottlingException,
// TransactionConflictException, …), for any call.
func Error(code string) func(any) error {
	return func(any) error {
		return &smithy.GenericAPIError{Code: code, Message: "injected by faults", Fault: smithy.FaultServer}
	}
}

// Reason is a cancellation reason's code for the items Pick chooses, and
// optionally the item as it stood (what DynamoDB returns for a failed
// condition asked for ALL_OLD: one item's condition can check several rules).
type Reason struct {
	Code string
	Pick func(types.TransactWriteItem) bool
	Item map[string]types.AttributeValue
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
					out[i].Code, out[i].Message, out[i].Item = aws.String(r.Code), aws.String("injected by faults"), r.Item
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
