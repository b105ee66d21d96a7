// Package openingnight models a city's opening night: the real booking code
// (residents.Service.Book, allocation, store.CreateBooking) against a
// DynamoDB stand-in that enforces what AWS enforces (per-item and
// per-partition write and read rates, transaction conflicts), behind a model
// of API Gateway's throttles and Lambda's concurrency, with clients that
// retry as the web client does. It runs in virtual time (testing/synctest),
// so a minute of load takes seconds.
package openingnight

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go/middleware"
	"github.com/truora/minidyn/interpreter"
)

// Limits are what the stand-in enforces and how long it takes.
type Limits struct {
	// Partitions is how many partitions the table's keys hash to: a new
	// on-demand table serves 4,000 WCU and 12,000 RCU at once, which is
	// four partitions' worth (warm throughput raises it beforehand).
	Partitions int
	// PartitionWCU and PartitionRCU are each partition's capacity a second
	// (1,000 and 3,000 on DynamoDB).
	PartitionWCU, PartitionRCU float64
	// ItemWCU is one item's write capacity a second: an item lives in one
	// partition and is never split, so 1,000 WCU, which is 500
	// transactional writes a second of an item up to 1 KB.
	ItemWCU float64
	// CallLatency is a single-item or batch call's time, TxnLatency a
	// TransactWriteItems'. A transaction holds its items for TxnLatency:
	// another write touching one meanwhile conflicts.
	CallLatency, TxnLatency time.Duration
}

// AWSLimits are DynamoDB's, for a new on-demand table.
var AWSLimits = Limits{Partitions: 4, PartitionWCU: 1000, PartitionRCU: 3000, ItemWCU: 1000,
	CallLatency: 5 * time.Millisecond, TxnLatency: 15 * time.Millisecond}

// Table is the in-memory stand-in: one table of items keyed by the
// attributes PK and SK, generic over what the items hold. Only the
// operations the booking path uses are served (GetItem, BatchGetItem,
// PutItem, UpdateItem, DeleteItem, TransactWriteItems); any other is an
// error, so a path that starts using one shows up at once.
type Table struct {
	lim Limits

	mu    sync.Mutex
	items map[string]*entry
	parts []partition
	// unlimited turns limits and latency off (seeding).
	unlimited bool
	stats     TableStats
	lang      interpreter.Language
	// kin are items stored once for many: see Kin.
	kin []kin
}

// TableStats counts what the stand-in answered.
type TableStats struct {
	Calls, Transactions            int
	ItemThrottles, PartThrottles   int // writes refused for the item's or the partition's rate
	ReadThrottles                  int // reads refused for the partition's rate
	Conflicts                      int // transactions or writes cancelled by a transaction in progress
	ConditionFailures              int
	MaxItemWritesPerSecond         int // the most writes one item took in one second
	hotItem                        string
	itemSecond                     map[string]int
	WCU, RCU                       float64
	WrittenItems, TransactionItems int
}

type entry struct {
	item map[string]types.AttributeValue
	// held: a transaction in progress holds the item, from its checks to
	// its commit.
	held   bool
	writes bucket
}

type partition struct{ wcu, rcu bucket }

// bucket is a token bucket holding one second of its rate.
type bucket struct {
	tokens float64
	at     time.Time
}

// take takes n of rate's tokens at now, or reports false and takes none.
func (b *bucket) take(now time.Time, rate, n float64) bool {
	if b.at.IsZero() {
		b.tokens = rate
	} else {
		b.tokens = min(rate, b.tokens+now.Sub(b.at).Seconds()*rate)
	}
	b.at = now
	if b.tokens < n {
		return false
	}
	b.tokens -= n
	return true
}

// NewTable is an empty table with limits lim.
func NewTable(lim Limits) *Table {
	return &Table{lim: lim, items: map[string]*entry{}, parts: make([]partition, max(1, lim.Partitions))}
}

// Stats are the counts so far.
func (t *Table) Stats() TableStats {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := t.stats
	s.itemSecond = nil
	return s
}

// HotItem is the key of the item that took the most writes in one second.
func (t *Table) HotItem() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.stats.hotItem
}

// Unlimited runs f with limits and latency off (seeding through the store).
func (t *Table) Unlimited(f func() error) error {
	t.mu.Lock()
	t.unlimited = true
	t.mu.Unlock()
	defer func() { t.mu.Lock(); t.unlimited = false; t.mu.Unlock() }()
	return f()
}

// Put stores item as it is, with no limit or latency (seeding).
func (t *Table) Put(item map[string]types.AttributeValue) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.entry(item).item = item
}

// Get is the item at pk, sk, or nil (for checks).
func (t *Table) Get(pk, sk string) map[string]types.AttributeValue {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.lookup(map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}})
}

// Each calls f on every item, in no order, under the table's lock.
func (t *Table) Each(f func(map[string]types.AttributeValue)) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, e := range t.items {
		if e.item != nil {
			f(e.item)
		}
	}
}

// Option makes a DynamoDB client answer from t in-process: the request
// goes through the SDK's stack up to and including its retryer (each
// attempt is answered here), leaving out signing and the transport.
func (t *Table) Option() func(*dynamodb.Options) {
	return func(o *dynamodb.Options) {
		o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
			if err := s.Initialize.Add(middleware.InitializeMiddlewareFunc("openingnight/input",
				func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
					if c, ok := ctx.Value(callsKey{}).(*Calls); ok {
						c.Operations++
					}
					return next.HandleInitialize(middleware.WithStackValue(ctx, inputKey{}, in.Parameters), in)
				}), middleware.Before); err != nil {
				return err
			}
			return s.Finalize.Insert(middleware.FinalizeMiddlewareFunc("openingnight/table",
				func(ctx context.Context, _ middleware.FinalizeInput, _ middleware.FinalizeHandler) (middleware.FinalizeOutput, middleware.Metadata, error) {
					if c, ok := ctx.Value(callsKey{}).(*Calls); ok {
						c.Attempts++
					}
					out, err := t.serve(ctx, middleware.GetStackValue(ctx, inputKey{}))
					return middleware.FinalizeOutput{Result: out}, middleware.Metadata{}, err
				}), "Retry", middleware.After)
		})
	}
}

// Calls counts a request's DynamoDB operations and their attempts (an SDK
// retry is one more attempt of the same operation).
type Calls struct{ Operations, Attempts int }

type callsKey struct{}

// WithCalls counts the calls made with ctx into c.
func WithCalls(ctx context.Context, c *Calls) context.Context {
	return context.WithValue(ctx, callsKey{}, c)
}

type inputKey struct{}

// serve answers one attempt of an operation, after its latency.
func (t *Table) serve(ctx context.Context, in any) (any, error) {
	var out any
	var err error
	latency := t.lim.CallLatency
	switch in := in.(type) {
	case *dynamodb.GetItemInput:
		out, err = t.getItem(in)
	case *dynamodb.BatchGetItemInput:
		out, err = t.batchGet(in)
	case *dynamodb.PutItemInput:
		out, err = t.write(types.TransactWriteItem{Put: &types.Put{Item: in.Item, ConditionExpression: in.ConditionExpression,
			ExpressionAttributeNames: in.ExpressionAttributeNames, ExpressionAttributeValues: in.ExpressionAttributeValues}}, &dynamodb.PutItemOutput{})
	case *dynamodb.UpdateItemInput:
		out, err = t.write(types.TransactWriteItem{Update: &types.Update{Key: in.Key, UpdateExpression: in.UpdateExpression,
			ConditionExpression: in.ConditionExpression, ExpressionAttributeNames: in.ExpressionAttributeNames,
			ExpressionAttributeValues: in.ExpressionAttributeValues}}, &dynamodb.UpdateItemOutput{})
	case *dynamodb.DeleteItemInput:
		out, err = t.write(types.TransactWriteItem{Delete: &types.Delete{Key: in.Key, ConditionExpression: in.ConditionExpression,
			ExpressionAttributeNames: in.ExpressionAttributeNames, ExpressionAttributeValues: in.ExpressionAttributeValues}}, &dynamodb.DeleteItemOutput{})
	case *dynamodb.TransactWriteItemsInput:
		latency = t.lim.TxnLatency
		var commit func()
		commit, err = t.prepare(in.TransactItems)
		if err == nil {
			// DynamoDB commits what it prepared whether or not the caller
			// is still waiting.
			_ = sleep(context.WithoutCancel(ctx), t.delay(latency))
			t.mu.Lock()
			commit()
			t.mu.Unlock()
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			return &dynamodb.TransactWriteItemsOutput{}, nil
		}
	default:
		err = fmt.Errorf("openingnight: the stand-in does not serve %T", in)
	}
	if e := sleep(ctx, t.delay(latency)); e != nil {
		return nil, e
	}
	return out, err
}

func (t *Table) delay(d time.Duration) time.Duration {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.unlimited {
		return 0
	}
	return d
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return nil
	}
	tm := time.NewTimer(d)
	defer tm.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-tm.C:
		return nil
	}
}

func keyOf(m map[string]types.AttributeValue) (pk, sk string) {
	if v, ok := m["PK"].(*types.AttributeValueMemberS); ok {
		pk = v.Value
	}
	if v, ok := m["SK"].(*types.AttributeValueMemberS); ok {
		sk = v.Value
	}
	return pk, sk
}

// entry is the item at m's key, made (without an item) when absent.
func (t *Table) entry(m map[string]types.AttributeValue) *entry {
	pk, sk := keyOf(m)
	k := pk + "\x00" + sk
	e := t.items[k]
	if e == nil {
		e = &entry{item: t.kinOf(pk, sk)}
		t.items[k] = e
	}
	return e
}

// lookup is the item at key's, or nil, without making an entry.
func (t *Table) lookup(key map[string]types.AttributeValue) map[string]types.AttributeValue {
	pk, sk := keyOf(key)
	if e := t.items[pk+"\x00"+sk]; e != nil {
		return e.item
	}
	if item := t.kinOf(pk, sk); item != nil {
		return t.entry(key).item
	}
	return nil
}

func (t *Table) partition(m map[string]types.AttributeValue) *partition {
	pk, _ := keyOf(m)
	h := fnv.New32a()
	_, _ = h.Write([]byte(pk))
	return &t.parts[h.Sum32()%uint32(len(t.parts))]
}

// units is DynamoDB's capacity for an item of size bytes: per started KB
// (writes) or 4 KB (reads).
func units(size, per int) float64 { return float64(max(1, (size+per-1)/per)) }

func (t *Table) read(now time.Time, key map[string]types.AttributeValue, rcu float64) (map[string]types.AttributeValue, bool) {
	item := t.lookup(key)
	size := sizeOf(item)
	n := rcu * units(size, 4096)
	if !t.unlimited && !t.partition(key).rcu.take(now, t.lim.PartitionRCU, n) {
		t.stats.ReadThrottles++
		return nil, false
	}
	t.stats.RCU += n
	return item, true
}

func ks(key map[string]types.AttributeValue) string {
	pk, sk := keyOf(key)
	return pk + "\x00" + sk
}

func (t *Table) getItem(in *dynamodb.GetItemInput) (any, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.Calls++
	rcu := 0.5
	if aws.ToBool(in.ConsistentRead) {
		rcu = 1
	}
	item, ok := t.read(time.Now(), in.Key, rcu)
	if !ok {
		return nil, &types.ProvisionedThroughputExceededException{Message: aws.String("partition read rate exceeded")}
	}
	return &dynamodb.GetItemOutput{Item: clone(item)}, nil
}

// batchGet reads what the partitions' rates allow and leaves the rest
// unprocessed, as DynamoDB does; none read is a throttling error.
func (t *Table) batchGet(in *dynamodb.BatchGetItemInput) (any, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.Calls++
	now := time.Now()
	out := &dynamodb.BatchGetItemOutput{Responses: map[string][]map[string]types.AttributeValue{}, UnprocessedKeys: map[string]types.KeysAndAttributes{}}
	read, asked := 0, 0
	for table, ka := range in.RequestItems {
		rcu := 0.5
		if aws.ToBool(ka.ConsistentRead) {
			rcu = 1
		}
		for _, k := range ka.Keys {
			asked++
			item, ok := t.read(now, k, rcu)
			if !ok {
				left := out.UnprocessedKeys[table]
				left.Keys, left.ConsistentRead = append(left.Keys, k), ka.ConsistentRead
				out.UnprocessedKeys[table] = left
				continue
			}
			read++
			if item != nil {
				out.Responses[table] = append(out.Responses[table], clone(item))
			}
		}
	}
	if read == 0 && asked > 0 {
		return nil, &types.ProvisionedThroughputExceededException{Message: aws.String("partition read rate exceeded")}
	}
	return out, nil
}

// write is a single-item write: it conflicts with a transaction holding
// the item, is throttled past the item's or partition's rate, and applies
// at once when its condition holds.
func (t *Table) write(w types.TransactWriteItem, out any) (any, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.Calls++
	now := time.Now()
	op, err := t.op(w)
	if err != nil {
		return nil, err
	}
	e := t.entry(op.key)
	if e.held {
		t.stats.Conflicts++
		return nil, &types.TransactionConflictException{Message: aws.String("a transaction is in progress on the item")}
	}
	if code, _ := t.charge(now, e, op.key, 1); code != "" {
		return nil, &types.ThrottlingException{Message: aws.String(code)}
	}
	ok, err := t.holds(op, e.item)
	if err != nil {
		return nil, err
	}
	if !ok {
		t.stats.ConditionFailures++
		return nil, &types.ConditionalCheckFailedException{Message: aws.String("The conditional request failed")}
	}
	next, err := t.apply(op, e.item)
	if err != nil {
		return nil, err
	}
	e.item = next
	return out, nil
}

// charge takes a write of e's current size (times factor: 2 in a
// transaction) from the item's and its partition's rates, and returns how
// to give it back; or it names the limit that refused it.
func (t *Table) charge(now time.Time, e *entry, key map[string]types.AttributeValue, factor float64) (string, func()) {
	n := factor * units(sizeOf(e.item), 1024)
	if t.unlimited {
		return "", nil
	}
	if !e.writes.take(now, t.lim.ItemWCU, n) {
		t.stats.ItemThrottles++
		return "item write rate exceeded", nil
	}
	p := t.partition(key)
	if !p.wcu.take(now, t.lim.PartitionWCU, n) {
		e.writes.tokens += n // the item's share is given back
		t.stats.PartThrottles++
		return "partition write rate exceeded", nil
	}
	t.stats.WCU += n
	t.second(key, now, 1)
	return "", func() {
		e.writes.tokens += n
		p.wcu.tokens += n
		t.stats.WCU -= n
		t.second(key, now, -1)
	}
}

// second counts a write of key in now's second, keeping the most.
func (t *Table) second(key map[string]types.AttributeValue, now time.Time, d int) {
	k := ks(key) + "@" + now.Truncate(time.Second).Format(time.TimeOnly)
	if t.stats.itemSecond == nil {
		t.stats.itemSecond = map[string]int{}
	}
	t.stats.itemSecond[k] += d
	if c := t.stats.itemSecond[k]; c > t.stats.MaxItemWritesPerSecond {
		t.stats.MaxItemWritesPerSecond, t.stats.hotItem = c, ks(key)
	}
}

// prepare checks a transaction as DynamoDB does before committing it: no
// item held by another transaction in progress (else TransactionConflict),
// none over its rate (ThrottlingError), every condition holding
// (ConditionalCheckFailed). It then holds the items for the transaction's
// latency and returns the commit, to run under t.mu when that is over.
func (t *Table) prepare(items []types.TransactWriteItem) (func(), error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.stats.Calls++
	t.stats.Transactions++
	now := time.Now()
	ops := make([]op, len(items))
	es := make([]*entry, len(items))
	for i, w := range items {
		var err error
		if ops[i], err = t.op(w); err != nil {
			return nil, err
		}
		es[i] = t.entry(ops[i].key)
	}
	reasons := make([]types.CancellationReason, len(items))
	cancelled := false
	for i, e := range es {
		reasons[i].Code = aws.String("None")
		if e.held {
			reasons[i].Code, cancelled = aws.String("TransactionConflict"), true
			t.stats.Conflicts++
		}
	}
	if !cancelled {
		// A throttled request consumes no capacity: what its other items
		// took is given back.
		var refunds []func()
		for i, e := range es {
			// A ConditionCheck costs as a transactional write of the item
			// checked (present or not), as infra/localdb/capacity counts it.
			code, refund := t.charge(now, e, ops[i].key, 2)
			if code != "" {
				reasons[i].Code, reasons[i].Message, cancelled = aws.String("ThrottlingError"), aws.String(code), true
			} else if refund != nil {
				refunds = append(refunds, refund)
			}
		}
		if cancelled {
			for _, r := range refunds {
				r()
			}
		}
	}
	next := make([]map[string]types.AttributeValue, len(items))
	if !cancelled {
		for i, e := range es {
			ok, err := t.holds(ops[i], e.item)
			if err != nil {
				return nil, err
			}
			if !ok {
				t.stats.ConditionFailures++
				reasons[i].Code, cancelled = aws.String("ConditionalCheckFailed"), true
				if ops[i].returnOld && e.item != nil {
					reasons[i].Item = clone(e.item)
				}
				continue
			}
			// Worked out now, while the items are the transaction's: a
			// faulty update is the caller's error, not a late surprise.
			if next[i], err = t.apply(ops[i], e.item); err != nil {
				return nil, err
			}
		}
	}
	if cancelled {
		return nil, &types.TransactionCanceledException{Message: aws.String("Transaction cancelled"), CancellationReasons: reasons}
	}
	for _, e := range es {
		e.held = true
	}
	t.stats.TransactionItems += len(items)
	return func() {
		for i, e := range es {
			if !ops[i].check {
				e.item = next[i]
			}
			e.held = false
		}
	}, nil
}

// op is one write (or condition check) of a transaction or a single call.
type op struct {
	key        map[string]types.AttributeValue
	put        map[string]types.AttributeValue
	update     string
	del, check bool
	cond       string
	names      map[string]string
	values     map[string]types.AttributeValue
	returnOld  bool
}

func (t *Table) op(w types.TransactWriteItem) (op, error) {
	switch {
	case w.Put != nil:
		p := w.Put
		return op{key: p.Item, put: p.Item, cond: aws.ToString(p.ConditionExpression), names: p.ExpressionAttributeNames,
			values: p.ExpressionAttributeValues, returnOld: p.ReturnValuesOnConditionCheckFailure == types.ReturnValuesOnConditionCheckFailureAllOld}, nil
	case w.Update != nil:
		u := w.Update
		return op{key: u.Key, update: aws.ToString(u.UpdateExpression), cond: aws.ToString(u.ConditionExpression), names: u.ExpressionAttributeNames,
			values: u.ExpressionAttributeValues, returnOld: u.ReturnValuesOnConditionCheckFailure == types.ReturnValuesOnConditionCheckFailureAllOld}, nil
	case w.Delete != nil:
		d := w.Delete
		return op{key: d.Key, del: true, cond: aws.ToString(d.ConditionExpression), names: d.ExpressionAttributeNames,
			values: d.ExpressionAttributeValues, returnOld: d.ReturnValuesOnConditionCheckFailure == types.ReturnValuesOnConditionCheckFailureAllOld}, nil
	case w.ConditionCheck != nil:
		c := w.ConditionCheck
		return op{key: c.Key, check: true, cond: aws.ToString(c.ConditionExpression), names: c.ExpressionAttributeNames,
			values: c.ExpressionAttributeValues, returnOld: c.ReturnValuesOnConditionCheckFailure == types.ReturnValuesOnConditionCheckFailureAllOld}, nil
	}
	return op{}, errors.New("openingnight: a transaction item with no operation")
}

// holds evaluates o's condition on item (nil: absent).
func (t *Table) holds(o op, item map[string]types.AttributeValue) (bool, error) {
	if o.cond == "" {
		return true, nil
	}
	ok, err := t.lang.Match(interpreter.MatchInput{Expression: o.cond, ExpressionType: interpreter.ExpressionTypeConditional,
		Item: toMini(item), Attributes: toMini(o.values), Aliases: o.names})
	if err != nil {
		return false, fmt.Errorf("openingnight: condition %q: %w", o.cond, err)
	}
	return ok, nil
}

// apply is item (nil: absent) after o.
func (t *Table) apply(o op, item map[string]types.AttributeValue) (map[string]types.AttributeValue, error) {
	t.stats.WrittenItems++
	switch {
	case o.check:
		return item, nil
	case o.del:
		return nil, nil
	case o.put != nil:
		return clone(o.put), nil
	}
	m := toMini(item)
	if m == nil {
		m = toMini(o.key)
	}
	if err := t.lang.Update(interpreter.UpdateInput{Expression: o.update, Item: m, Attributes: toMini(o.values), Aliases: o.names}); err != nil {
		return nil, fmt.Errorf("openingnight: update %q: %w", o.update, err)
	}
	return fromMini(m), nil
}

func clone(m map[string]types.AttributeValue) map[string]types.AttributeValue {
	if m == nil {
		return nil
	}
	out := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		out[k] = v // values are never changed in place: updates make new ones
	}
	return out
}
