package localdb

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"strings"

	"github.com/wuxi-enrol/enrol/infra/localdb/capacity"
)

// maxTransactItems is the most items DynamoDB takes in one transaction.
const maxTransactItems = 100

// txItem is one item of a TransactWriteItems as the guard runs it.
type txItem struct {
	kind  string          // Put, Update, Delete or ConditionCheck
	body  json.RawMessage // its operation, also the body of the single-item request
	table string
	key   item
	cond  string // its ConditionExpression, if any
	// The placeholders the condition uses, taken from the item's own
	// (an Update's may name values only its update expression uses).
	names  map[string]string
	values map[string]json.RawMessage
	allOld bool // ReturnValuesOnConditionCheckFailure ALL_OLD
}

// singleOp is the single-item operation that applies an item.
var singleOp = map[string]string{"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}

// placeholder: an expression attribute name or value placeholder.
var placeholder = regexp.MustCompile(`[#:][A-Za-z0-9_]+`)

// txError is a refusal of the whole request, answered before anything is
// written.
type txError struct{ typ, msg string }

func (e *txError) Error() string { return e.msg }

// parseTransact reads and validates a TransactWriteItems as DynamoDB does:
// 1 to maxTransactItems items, one operation each, on tables that exist,
// with the table's key, no item twice.
func (g *guard) parseTransact(body []byte) ([]txItem, *txError) {
	var tx struct{ TransactItems []map[string]json.RawMessage }
	if err := json.Unmarshal(body, &tx); err != nil {
		return nil, &txError{"SerializationException", err.Error()}
	}
	switch n := len(tx.TransactItems); {
	case n == 0:
		return nil, &txError{"ValidationException", "1 validation error detected: Value '[]' at 'transactItems' failed to satisfy constraint: Member must have length greater than or equal to 1"}
	case n > maxTransactItems:
		return nil, &txError{"ValidationException", fmt.Sprintf("1 validation error detected: Value at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to %d", maxTransactItems)}
	}
	items := make([]txItem, len(tx.TransactItems))
	seen := map[string]bool{}
	for i, raw := range tx.TransactItems {
		it := &items[i]
		for kind, b := range raw {
			if kind == "Put" || kind == "Update" || kind == "Delete" || kind == "ConditionCheck" {
				if it.kind != "" {
					it.kind = "" // two operations: refused below
					break
				}
				it.kind, it.body = kind, b
			}
		}
		if it.kind == "" || len(raw) != 1 {
			return nil, &txError{"ValidationException", "TransactItems can only contain one of Check, Put, Update or Delete"}
		}
		var o struct {
			TableName                           string
			Item, Key                           item
			ConditionExpression                 string
			ExpressionAttributeNames            map[string]string
			ExpressionAttributeValues           map[string]json.RawMessage
			ReturnValuesOnConditionCheckFailure string
		}
		if err := json.Unmarshal(it.body, &o); err != nil {
			return nil, &txError{"SerializationException", err.Error()}
		}
		t := g.tables[o.TableName]
		if t == nil {
			return nil, &txError{"ResourceNotFoundException", "Requested resource not found"}
		}
		it.table, it.cond, it.allOld = o.TableName, o.ConditionExpression, o.ReturnValuesOnConditionCheckFailure == "ALL_OLD"
		if it.kind == "ConditionCheck" && it.cond == "" {
			return nil, &txError{"ValidationException", fmt.Sprintf("1 validation error detected: Value null at 'transactItems.%d.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null", i+1)}
		}
		src := o.Key
		if it.kind == "Put" {
			src = o.Item
		} else if len(o.Key) != len(t.key) {
			return nil, &txError{"ValidationException", "The provided key element does not match the schema"}
		}
		it.key = item{}
		for _, a := range t.key {
			if v, ok := src[a]; !ok || typeOf(v) != t.types[a] {
				return nil, &txError{"ValidationException", "The provided key element does not match the schema"}
			}
			it.key[a] = src[a]
		}
		id := it.table + "\x00" + keyID(it.key, t.key)
		if seen[id] {
			return nil, &txError{"ValidationException", "Transaction request cannot include multiple operations on one item"}
		}
		seen[id] = true
		used := map[string]bool{}
		for _, p := range placeholder.FindAllString(it.cond, -1) {
			used[p] = true
		}
		it.names, it.values = usedOnly(o.ExpressionAttributeNames, used), usedOnly(o.ExpressionAttributeValues, used)
	}
	return items, nil
}

// usedOnly is m without the placeholders a condition does not use (minidyn,
// like DynamoDB, refuses unused ones).
func usedOnly[V any](m map[string]V, used map[string]bool) map[string]V {
	m = maps.Clone(m)
	maps.DeleteFunc(m, func(k string, _ V) bool { return !used[k] })
	return m
}

// cancellationReason is one item's part of a TransactionCanceledException,
// as DynamoDB and the SDK's deserializer spell it.
type cancellationReason struct {
	Code    string `json:"Code"`
	Message string `json:"Message,omitempty"`
	Item    item   `json:"Item,omitempty"`
}

// transact runs a TransactWriteItems, under the exclusive lock, without
// minidyn's (see the guard's comment): every condition is evaluated on the
// items as they are, and only if all hold is each write applied, as a
// single-item write with the guard's repairs, undone from the pre-images if
// one fails.
//
// m, if not nil, is given the capacity a transaction that succeeds consumes:
// every item's write, a ConditionCheck's like a write of the item checked,
// all transactional; its index writes standard (package capacity).
func (g *guard) transact(body []byte, m capacity.Meter) *recorder {
	items, txErr := g.parseTransact(body)
	if txErr != nil {
		return errorRecorder(txErr.typ, txErr)
	}
	ops := make([]writeOp, len(items))
	for i, it := range items {
		ops[i] = writeOp{table: it.table, key: it.key}
	}
	pre := g.storedAll(ops)
	rec := g.transactItems(items)
	if rec.status != http.StatusOK && errorType(rec) == "TransactionCanceledException" {
		return rec // nothing was written
	}
	if err := g.refresh(ops); err != nil {
		return errorRecorder("GuardFailure", err)
	}
	post := g.storedAll(ops)
	for i, it := range items {
		if it.kind == "ConditionCheck" {
			post[i] = pre[i] // read, not changed
		}
	}
	g.record(ops, pre, post)
	if m != nil && rec.status == http.StatusOK {
		g.meterWrites(m, ops, pre, post, capacity.Transactional)
	}
	return rec
}

// transactItems runs a transaction's items (transact).
func (g *guard) transactItems(items []txItem) *recorder {
	ops := make([]writeOp, len(items))
	for i, it := range items {
		ops[i] = writeOp{table: it.table, key: it.key}
	}
	pre, err := g.images(ops)
	if err != nil {
		return errorRecorder("GuardFailure", err)
	}
	// The conditions, each on the item as it stands, by a single-item
	// write that would change nothing: the item put again, or the absent
	// item deleted.
	reasons := make([]cancellationReason, len(items))
	failed := false
	for i, it := range items {
		reasons[i].Code = "None"
		if it.cond == "" {
			continue
		}
		op, probe := "DeleteItem", map[string]any{"TableName": it.table, "Key": it.key}
		if pre[i] != nil {
			op, probe = "PutItem", map[string]any{"TableName": it.table, "Item": pre[i]}
		}
		probe["ConditionExpression"] = it.cond
		if len(it.names) > 0 {
			probe["ExpressionAttributeNames"] = it.names
		}
		if len(it.values) > 0 {
			probe["ExpressionAttributeValues"] = it.values
		}
		b, err := json.Marshal(probe)
		if err != nil {
			return errorRecorder("GuardFailure", err)
		}
		rec := g.send(op, b)
		switch {
		case rec.status == http.StatusOK:
		case errorType(rec) == "ConditionalCheckFailedException":
			failed = true
			reasons[i] = cancellationReason{Code: "ConditionalCheckFailed", Message: "The conditional request failed"}
			if it.allOld {
				reasons[i].Item = pre[i]
			}
		default:
			return rec // a validation error: nothing is written
		}
	}
	if failed {
		return cancelled(reasons)
	}
	for i, it := range items {
		op := singleOp[it.kind]
		if op == "" {
			continue // a ConditionCheck, already done
		}
		rec, err := g.writeLocked(op, it.body)
		if err == nil && rec.status == http.StatusOK {
			continue
		}
		// The state the conditions saw is what the transaction may change,
		// so this is minidyn refusing the write itself (an update
		// expression it rejects): put back what was written.
		if undoErr := g.undo(items[:i+1], pre); undoErr != nil {
			if err == nil {
				err = fmt.Errorf("%d %s", rec.status, rec.body.Bytes())
			}
			return errorRecorder("GuardFailure", fmt.Errorf("localdb: transaction item %d failed (%v) and undoing it failed: %w", i, err, undoErr))
		}
		if err != nil {
			return errorRecorder("GuardFailure", err)
		}
		return rec
	}
	ok := newRecorder()
	ok.header.Set("Content-Type", "application/x-amz-json-1.0")
	ok.body.WriteString("{}")
	return ok
}

// undo restores the items a transaction may have written to their
// pre-images: put back, or deleted where there was none.
func (g *guard) undo(items []txItem, pre []item) error {
	for i := len(items) - 1; i >= 0; i-- {
		it := items[i]
		if it.kind == "ConditionCheck" {
			continue
		}
		if pre[i] == nil {
			if err := g.call("DeleteItem", map[string]any{"TableName": it.table, "Key": it.key}, nil); err != nil {
				return err
			}
			continue
		}
		b, err := json.Marshal(map[string]any{"TableName": it.table, "Item": pre[i]})
		if err != nil {
			return err
		}
		rec, err := g.writeLocked("PutItem", b)
		if err != nil {
			return err
		}
		if rec.status != http.StatusOK {
			return fmt.Errorf("localdb: restoring an item: %d %s", rec.status, rec.body.Bytes())
		}
	}
	return nil
}

// cancelled is DynamoDB's answer to a transaction whose conditions failed:
// a reason for every item, in order.
func cancelled(reasons []cancellationReason) *recorder {
	codes := make([]string, len(reasons))
	for i, r := range reasons {
		codes[i] = r.Code
	}
	rec := newRecorder()
	rec.header.Set("Content-Type", "application/x-amz-json-1.0")
	rec.status = http.StatusBadRequest
	_ = json.NewEncoder(&rec.body).Encode(struct {
		Type                string               `json:"__type"`
		Message             string               `json:"message"`
		CancellationReasons []cancellationReason `json:"CancellationReasons"`
	}{"TransactionCanceledException", "Transaction cancelled, please refer cancellation reasons for specific reasons [" + strings.Join(codes, ", ") + "]", reasons})
	return rec
}

// errorType is the __type of an error minidyn answered, without a
// namespace.
func errorType(rec *recorder) string {
	var e struct {
		Type string `json:"__type"`
	}
	_ = json.Unmarshal(rec.body.Bytes(), &e)
	return e.Type[strings.LastIndex(e.Type, "#")+1:]
}

// errorRecorder is an error answer in DynamoDB's form (see writeError).
func errorRecorder(typ string, err error) *recorder {
	rec := newRecorder()
	writeError(rec, typ, err)
	return rec
}
