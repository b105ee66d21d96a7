package localdb

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/capacity"
)

// guard stands in front of minidyn (v0.8.2, as forked in ./minidyn: new
// keys merged into its sorted keys once, not the whole slice sorted again
// for each new item) and makes right, through minidyn's own API, what its
// writes get wrong:
//
//   - an item leaving a sparse global secondary index (a Put without the
//     index's key attributes over an item that had them) keeps its entry: a
//     Query on the index then evaluates its key condition on an item without
//     the attribute and fails ("invalid type NULL"), and a later Delete,
//     which computes the entry from the stored item, cannot remove it, after
//     which the index's entries and keys are out of step and items vanish
//     from Queries;
//   - an Update that gives an item the key attributes of an index it was not
//     in overwrites the index's first (smallest) key instead of adding one,
//     so another item drops out of the index;
//   - an Update's REMOVE of a top-level attribute does nothing;
//   - an Update's DELETE from a set the item lacks creates the set, and one
//     that takes a set's last element leaves a string in its place
//     (DynamoDB removes an emptied set).
//
// It runs TransactWriteItems itself (transact.go), never minidyn's: that
// deep-copies every table the transaction names, with all its indexes,
// under minidyn's one mutex, so each transaction cost O(table size): a
// booking's on tables of 100, 2,000 and 10,000 items took 1.4, 5.5 and
// 30 ms, now 0.9, 1.5 and 1.8 ms (BenchmarkTransactWriteItems, 2 cores);
// the end-to-end burst of 300 bookings took 2m13s under -race and its
// clients gave up, now 1m33s; with Query answered from the guard's copy
// of the items (query.go), 14 s. The guard, holding its
// lock exclusively, validates the request as DynamoDB does, evaluates every
// item's condition on the items as they are (a single-item write that
// changes nothing: the item put again, or the absent item deleted, with
// the condition), and if any fails, answers TransactionCanceledException
// with a reason for every item, as DynamoDB does (minidyn reports only the
// first failure); else it applies each write through the single-item path
// below, with its repairs, and if minidyn refuses one, restores the items
// already written from their pre-images. Readers and other writers hold
// the lock shared, so none sees a transaction half-applied. The guard also
// refuses what minidyn would run and DynamoDB would not (more than
// maxTransactItems items, two operations in one item): a write that would
// fail on AWS fails in the tests too.
//
// Before such a write the guard reads the items' pre-images; afterwards it
// reads them again and repairs, all under one exclusive lock so that no other
// request sees a state in between (minidyn already runs every operation under
// one mutex, so this costs little). It learns the tables' key and index
// attributes from the CreateTable and UpdateTable requests that pass through.
// An Update's ReturnValues are minidyn's, as it wrote the item.
type guard struct {
	next http.Handler
	// mu: every request holds it shared; a guarded write, with its reads
	// and repairs, and table changes hold it exclusively.
	mu     sync.RWMutex
	tables map[string]*tableSchema
	// copies are the tables' items, which Query answers from (query.go).
	copies map[string]*tableCopy
	// streams are the tables' streams, by table (streams.go).
	streams map[string]*streamLog
}

func newGuard(next http.Handler) *guard {
	return &guard{next: next, tables: map[string]*tableSchema{}, copies: map[string]*tableCopy{}, streams: map[string]*streamLog{}}
}

type tableSchema struct {
	key         []string          // the table's key attributes
	types       map[string]string // attribute definitions: S, N or B
	indexes     map[string][]string
	projections map[string]projection // by index
}

// projection is what an index holds of its items besides the keys.
type projection struct {
	typ     string // ALL, KEYS_ONLY or INCLUDE
	include []string
}

// item is an item in DynamoDB's JSON wire format, attribute by attribute.
type item = map[string]json.RawMessage

// inIndex reports whether it belongs in an index keyed on attrs (a sparse index
// holds only the items that have all of them).
func inIndex(it item, attrs []string) bool {
	if it == nil {
		return false
	}
	for _, a := range attrs {
		if _, ok := it[a]; !ok {
			return false
		}
	}
	return true
}

const targetPrefix = "DynamoDB_20120810."

func (g *guard) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	op := r.Header.Get("X-Amz-Target")
	op = op[strings.LastIndex(op, ".")+1:]
	var rec *recorder
	// m is given the capacity the request consumes, if it asks (consumed.go).
	mode := capacityMode(body)
	var m capacity.Meter
	if mode != "" {
		m = capacity.Meter{}
	}
	switch op {
	case "CreateTable", "UpdateTable", "DeleteTable":
		g.mu.Lock()
		apply, err := g.schemaChange(op, body)
		if err == nil {
			// minidyn has no streams: the guard keeps them.
			enabled, view, named := streamSpec(body)
			rec = g.forward(r, withoutStreamSpec(body))
			if rec.status == http.StatusOK && apply != nil {
				apply()
			}
			if rec.status == http.StatusOK && (named || op == "DeleteTable") {
				g.setStream(tableNameOf(body), enabled && op != "DeleteTable", view, time.Now())
			}
		}
		g.mu.Unlock()
		if err != nil {
			writeError(w, "ValidationException", err)
			return
		}
	case "TransactWriteItems":
		g.mu.Lock()
		rec = g.transact(body, m)
		g.mu.Unlock()
	case "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem":
		rec, err = g.write(op, body, m)
		if err != nil {
			writeError(w, "GuardFailure", err)
			return
		}
	case "ListStreams", "DescribeStream", "GetShardIterator", "GetRecords":
		g.mu.RLock()
		rec = g.serveStreams(op, body)
		g.mu.RUnlock()
	case "Query":
		g.mu.RLock()
		rec = g.query(r, body, m)
		g.mu.RUnlock()
	default:
		g.mu.RLock()
		rec = g.forward(r, body)
		if m != nil && rec.status == http.StatusOK {
			g.meterRead(m, op, body, rec)
		}
		if op == "DescribeTable" {
			g.describeTableStream(body, rec)
		}
		g.mu.RUnlock()
	}
	if m != nil {
		rec.withConsumed(op, m, mode)
	}
	rec.copyTo(w)
}

// forward hands the request to minidyn and records its answer.
func (g *guard) forward(r *http.Request, body []byte) *recorder {
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := newRecorder()
	g.next.ServeHTTP(rec, r)
	return rec
}

// schemaChange reads a table's key and index attributes from a CreateTable,
// UpdateTable or DeleteTable request; apply records them once minidyn has
// accepted it (nil: nothing to record). Index shapes the guard's repairs do
// not cover are refused before minidyn sees them, rather than left to
// corrupt: local indexes, and global ones keyed on a table key attribute
// or on a partition key that is not a string.
func (g *guard) schemaChange(op string, body []byte) (apply func(), err error) {
	type keyElem struct{ AttributeName, KeyType string }
	type index struct {
		IndexName  string
		KeySchema  []keyElem
		Projection struct {
			ProjectionType   string
			NonKeyAttributes []string
		}
	}
	var in struct {
		TableName                   string
		KeySchema                   []keyElem
		AttributeDefinitions        []struct{ AttributeName, AttributeType string }
		GlobalSecondaryIndexes      []index
		LocalSecondaryIndexes       []json.RawMessage
		GlobalSecondaryIndexUpdates []struct {
			Create *index
			Delete *struct{ IndexName string }
		}
	}
	if json.Unmarshal(body, &in) != nil {
		return nil, nil // minidyn answers it
	}
	if op == "DeleteTable" {
		return func() { delete(g.tables, in.TableName); delete(g.copies, in.TableName) }, nil
	}
	keyAttrs := func(ks []keyElem) []string {
		attrs := make([]string, 0, len(ks))
		for _, want := range []string{"HASH", "RANGE"} {
			for _, k := range ks {
				if k.KeyType == want {
					attrs = append(attrs, k.AttributeName)
				}
			}
		}
		return attrs
	}
	t := &tableSchema{key: keyAttrs(in.KeySchema), types: map[string]string{}, indexes: map[string][]string{}, projections: map[string]projection{}}
	if op == "UpdateTable" {
		old := g.tables[in.TableName]
		if old == nil {
			return nil, nil
		}
		t = &tableSchema{key: old.key, types: maps.Clone(old.types), indexes: maps.Clone(old.indexes), projections: maps.Clone(old.projections)}
	}
	addIndex := func(x index) {
		t.indexes[x.IndexName] = keyAttrs(x.KeySchema)
		t.projections[x.IndexName] = projection{typ: x.Projection.ProjectionType, include: x.Projection.NonKeyAttributes}
	}
	if len(in.LocalSecondaryIndexes) > 0 {
		return nil, fmt.Errorf("localdb: local secondary indexes are not supported by the guard in front of minidyn")
	}
	for _, d := range in.AttributeDefinitions {
		t.types[d.AttributeName] = d.AttributeType
	}
	for _, x := range in.GlobalSecondaryIndexes {
		addIndex(x)
	}
	for _, u := range in.GlobalSecondaryIndexUpdates {
		switch {
		case u.Create != nil:
			addIndex(*u.Create)
		case u.Delete != nil:
			delete(t.indexes, u.Delete.IndexName)
			delete(t.projections, u.Delete.IndexName)
		}
	}
	for name, attrs := range t.indexes {
		if len(attrs) == 0 || t.types[attrs[0]] != "S" || slices.ContainsFunc(attrs, func(a string) bool { return slices.Contains(t.key, a) }) {
			return nil, fmt.Errorf("localdb: index %s of table %s: the guard in front of minidyn needs a string partition key, and key attributes that are not the table's", name, in.TableName)
		}
	}
	return func() {
		g.tables[in.TableName] = t
		c := g.copies[in.TableName]
		if c == nil || op == "CreateTable" {
			c = newTableCopy()
			g.copies[in.TableName] = c
		}
		c.reindex(t)
	}, nil
}

// writeOp is one item a write request puts or updates that the guard may
// have to repair.
type writeOp struct {
	table  string
	key    item
	update bool
	// indexes may gain or lose the item: for an Update, those whose key
	// attributes its expression names; for a Put, those its item is not in.
	indexes []string
	// An Update's top-level attributes that its REMOVE clause names, and
	// those its DELETE clause takes set elements from.
	removed, deleted []string
}

// The wire shapes of the writes, as far as the guard reads them.
type (
	putReq struct {
		TableName                string
		Item                     item
		ConditionExpression      string
		ExpressionAttributeNames map[string]string
	}
	updateReq struct {
		TableName                string
		Key                      item
		UpdateExpression         string
		ExpressionAttributeNames map[string]string
	}
)

var (
	// onlyIfNew matches a condition that the item does not exist yet.
	onlyIfNew = regexp.MustCompile(`^\s*attribute_not_exists\s*\(\s*(#?[\w.\-]+)\s*\)\s*$`)
	// nameToken: the attribute names an expression mentions (with value
	// placeholders and keywords, harmless extras).
	nameToken = regexp.MustCompile(`#?[A-Za-z_][\w\-]*`)
	// clauseWord starts a clause of an update expression (a keyword
	// cannot be a bare attribute name, and no placeholder is taken for one).
	clauseWord = regexp.MustCompile(`(?i)(?:^|[^#:\w])(SET|REMOVE|ADD|DELETE)\b`)
	topLevel   = regexp.MustCompile(`^#?[\w\-]+$`)
)

func resolve(n string, aliases map[string]string) string {
	if a, ok := aliases[n]; ok {
		return a
	}
	return n
}

// clauses splits an update expression by clause: keyword → its text.
func clauses(expr string) map[string]string {
	out := map[string]string{}
	m := clauseWord.FindAllStringSubmatchIndex(expr, -1)
	for i, at := range m {
		end := len(expr)
		if i+1 < len(m) {
			end = m[i+1][2]
		}
		out[strings.ToUpper(expr[at[2]:at[3]])] += expr[at[3]:end] + ","
	}
	return out
}

// topLevelPaths are the attributes a REMOVE or DELETE clause acts on
// whole (not a path inside a map or list), aliases resolved.
func topLevelPaths(clause string, aliases map[string]string) []string {
	var out []string
	for part := range strings.SplitSeq(clause, ",") {
		fields := strings.Fields(part)
		if len(fields) > 0 && topLevel.MatchString(fields[0]) {
			out = append(out, resolve(fields[0], aliases))
		}
	}
	return out
}

// opsOf lists the items of a write that the guard may have to repair.
func (g *guard) opsOf(op string, body []byte) ([]writeOp, error) {
	var out []writeOp
	addPut := func(p putReq) {
		t := g.tables[p.TableName]
		if t == nil {
			return
		}
		if m := onlyIfNew.FindStringSubmatch(p.ConditionExpression); m != nil && slices.Contains(t.key, resolve(m[1], p.ExpressionAttributeNames)) {
			return // it cannot have been in an index before
		}
		w := writeOp{table: p.TableName, key: item{}}
		for _, k := range t.key {
			if p.Item[k] == nil {
				return // minidyn refuses it
			}
			w.key[k] = p.Item[k]
		}
		for name, attrs := range t.indexes {
			if !inIndex(p.Item, attrs) {
				w.indexes = append(w.indexes, name)
			}
		}
		if len(w.indexes) > 0 {
			out = append(out, w)
		}
	}
	addUpdate := func(u updateReq) {
		t := g.tables[u.TableName]
		if t == nil || !inIndex(u.Key, t.key) {
			return
		}
		named := map[string]bool{}
		for _, n := range nameToken.FindAllString(u.UpdateExpression, -1) {
			named[resolve(n, u.ExpressionAttributeNames)] = true
		}
		w := writeOp{table: u.TableName, key: u.Key, update: true}
		for name, attrs := range t.indexes {
			if slices.ContainsFunc(attrs, func(a string) bool { return named[a] }) {
				w.indexes = append(w.indexes, name)
			}
		}
		c := clauses(u.UpdateExpression)
		w.removed = topLevelPaths(c["REMOVE"], u.ExpressionAttributeNames)
		w.deleted = topLevelPaths(c["DELETE"], u.ExpressionAttributeNames)
		if len(w.indexes)+len(w.removed)+len(w.deleted) > 0 {
			out = append(out, w)
		}
	}
	switch op {
	case "PutItem":
		var p putReq
		if err := json.Unmarshal(body, &p); err != nil {
			return nil, err
		}
		addPut(p)
	case "UpdateItem":
		var u updateReq
		if err := json.Unmarshal(body, &u); err != nil {
			return nil, err
		}
		addUpdate(u)
	case "BatchWriteItem":
		var b struct {
			RequestItems map[string][]struct{ PutRequest *struct{ Item item } }
		}
		if err := json.Unmarshal(body, &b); err != nil {
			return nil, err
		}
		for table, reqs := range b.RequestItems {
			for _, r := range reqs {
				if r.PutRequest != nil {
					addPut(putReq{TableName: table, Item: r.PutRequest.Item})
				}
			}
		}
	}
	return out, nil
}

// write runs a write, repairing what minidyn gets wrong in it, and brings
// the copy of the items it names up to date.
// m, if not nil, is given the capacity it consumes.
func (g *guard) write(op string, body []byte, m capacity.Meter) (*recorder, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	ops := g.writtenBy(op, body)
	pre := g.storedAll(ops)
	rec, err := g.writeLocked(op, body)
	if err != nil {
		return nil, err
	}
	// Whatever the answer: a batch can fail half-way.
	if err := g.refresh(ops); err != nil {
		return rec, err
	}
	post := g.storedAll(ops)
	g.record(ops, pre, post)
	if m != nil && rec.status == http.StatusOK {
		g.meterWrites(m, ops, pre, post, 1)
	}
	return rec, nil
}

// writeLocked is write under the exclusive lock.
func (g *guard) writeLocked(op string, body []byte) (*recorder, error) {
	ops, err := g.opsOf(op, body) // the tables may have changed since write read them
	if err != nil || len(ops) == 0 {
		return g.send(op, body), nil
	}
	pre, err := g.images(ops)
	if err != nil {
		return nil, err
	}
	// An Update may bring an item into an index it is not in: give minidyn
	// a placeholder smallest key to overwrite (see addSentinel).
	sentinels := map[[2]string]int{}
	for i, w := range ops {
		if !w.update {
			continue
		}
		for _, x := range w.indexes {
			if !inIndex(pre[i], g.tables[w.table].indexes[x]) {
				if err := g.addSentinel(w.table, x); err != nil {
					return nil, err
				}
				sentinels[[2]string{w.table, x}]++
			}
		}
	}
	rec := g.send(op, body)
	// A Put goes wrong only over an item in an index its item is not in.
	kept := 0
	for i, w := range ops {
		if w.update || slices.ContainsFunc(w.indexes, func(x string) bool { return inIndex(pre[i], g.tables[w.table].indexes[x]) }) {
			ops[kept], pre[kept] = w, pre[i]
			kept++
		}
	}
	ops, pre = ops[:kept], pre[:kept]
	// What the write did, item by item, whether it succeeded or not (a
	// batch can fail half-way; a cancelled transaction changes nothing).
	post, err := g.images(ops)
	if err != nil {
		return nil, err
	}
	for i, w := range ops {
		if rec.status == http.StatusOK {
			if post[i], err = g.mendUpdate(w, pre[i], post[i]); err != nil {
				return nil, err
			}
		}
		indexes := g.tables[w.table].indexes
		left := item{}
		for _, x := range w.indexes {
			attrs := indexes[x]
			switch {
			case inIndex(pre[i], attrs) && post[i] != nil && !inIndex(post[i], attrs):
				for _, a := range attrs {
					left[a] = pre[i][a]
				}
			case w.update && !inIndex(pre[i], attrs) && inIndex(post[i], attrs):
				sentinels[[2]string{w.table, x}]-- // the write took its placeholder
			}
		}
		if len(left) > 0 {
			if err := g.evict(w.table, w.key, post[i], left); err != nil {
				return nil, err
			}
		}
	}
	for tx, n := range sentinels {
		for range n {
			if err := g.dropSentinel(tx[0], tx[1]); err != nil {
				return nil, err
			}
		}
	}
	return rec, nil
}

// mendUpdate writes back, without them, the attributes a successful Update
// should have taken away and minidyn left: those its REMOVE names, a set
// its DELETE created, a set its DELETE emptied (whatever minidyn put in its
// place). It returns the item as it now is.
func (g *guard) mendUpdate(w writeOp, pre, post item) (item, error) {
	if !w.update || post == nil {
		return post, nil
	}
	var drop []string
	for _, a := range w.removed {
		if _, ok := post[a]; ok {
			drop = append(drop, a)
		}
	}
	for _, a := range w.deleted {
		if v, ok := post[a]; ok && !(isSet(v, typeOf(v)) && isSet(pre[a], typeOf(v))) {
			drop = append(drop, a)
		}
	}
	if len(drop) == 0 {
		return post, nil
	}
	now := maps.Clone(post)
	for _, a := range drop {
		delete(now, a)
	}
	return now, g.call("PutItem", map[string]any{"TableName": w.table, "Item": now}, nil)
}

// typeOf is an attribute value's type: S, N, SS, ...
func typeOf(v json.RawMessage) string {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(v, &m)
	for t := range m {
		return t
	}
	return ""
}

// isSet reports whether v is a non-empty set of type typ: what a DELETE
// leaves of a set (or of nothing) is either that, from a set of that type,
// or nothing.
func isSet(v json.RawMessage, typ string) bool {
	var m map[string][]json.RawMessage
	if json.Unmarshal(v, &m) != nil {
		return false
	}
	elems, ok := m[typ]
	return ok && len(elems) > 0 && (typ == "SS" || typ == "NS" || typ == "BS")
}

// evict removes the entries an item that left some indexes still has
// there: written back with the attributes it had in them (so the stored
// item names the entries), deleted (which removes every entry it has) and
// written as it is now (which adds the entries it should have).
func (g *guard) evict(table string, key, now, old item) error {
	was := maps.Clone(now)
	maps.Copy(was, old)
	if err := g.call("PutItem", map[string]any{"TableName": table, "Item": was}, nil); err != nil {
		return err
	}
	if err := g.call("DeleteItem", map[string]any{"TableName": table, "Key": key}, nil); err != nil {
		return err
	}
	return g.call("PutItem", map[string]any{"TableName": table, "Item": now}, nil)
}

// The sentinel is an item of the guard's own, with the smallest key an
// index can hold; it exists only while the guard holds its lock.
const sentinelValue = "\x00"

func (g *guard) sentinel(table, index string, withIndexKey bool) item {
	t := g.tables[table]
	value := func(attr, s, n string) json.RawMessage {
		switch t.types[attr] {
		case "N":
			s = n
		case "B":
			s = base64.StdEncoding.EncodeToString([]byte(s))
		}
		raw, _ := json.Marshal(map[string]string{t.types[attr]: s})
		return raw
	}
	it := item{}
	for _, k := range t.key {
		it[k] = value(k, "\x00localdb guard", "-7.2057594037927936E-129")
	}
	if withIndexKey {
		for _, a := range t.indexes[index] {
			it[a] = value(a, sentinelValue, "0")
		}
	}
	return it
}

// addSentinel adds the smallest key to index's sorted keys without an
// item behind it: the sentinel is put with its index key, put again
// without (minidyn keeps the entry) and deleted (minidyn, computing the
// entry from the stored item, leaves it). An Update that brings an item
// into the index overwrites this key, the smallest, instead of another
// item's.
func (g *guard) addSentinel(table, index string) error {
	if err := g.call("PutItem", map[string]any{"TableName": table, "Item": g.sentinel(table, index, true)}, nil); err != nil {
		return err
	}
	bare := g.sentinel(table, index, false)
	if err := g.call("PutItem", map[string]any{"TableName": table, "Item": bare}, nil); err != nil {
		return err
	}
	return g.call("DeleteItem", map[string]any{"TableName": table, "Key": bare}, nil)
}

// dropSentinel removes a placeholder key no write took: the sentinel is put
// without its index key, an Update gives it one (taking the placeholder,
// the smallest key, as its own entry) and a Delete removes that entry.
func (g *guard) dropSentinel(table, index string) error {
	bare := g.sentinel(table, index, false)
	if err := g.call("PutItem", map[string]any{"TableName": table, "Item": bare}, nil); err != nil {
		return err
	}
	set, names, values := []string{}, map[string]string{}, map[string]json.RawMessage{}
	full := g.sentinel(table, index, true)
	for i, a := range g.tables[table].indexes[index] {
		set = append(set, fmt.Sprintf("#a%d = :v%d", i, i))
		names[fmt.Sprintf("#a%d", i)] = a
		values[fmt.Sprintf(":v%d", i)] = full[a]
	}
	if err := g.call("UpdateItem", map[string]any{"TableName": table, "Key": bare, "UpdateExpression": "SET " + strings.Join(set, ", "),
		"ExpressionAttributeNames": names, "ExpressionAttributeValues": values}, nil); err != nil {
		return err
	}
	return g.call("DeleteItem", map[string]any{"TableName": table, "Key": bare}, nil)
}

// images reads the items ops name as they are now (nil: no such item).
func (g *guard) images(ops []writeOp) ([]item, error) {
	out := make([]item, len(ops))
	if len(ops) == 0 {
		return out, nil
	}
	for start := 0; start < len(ops); start += 100 {
		chunk := ops[start:min(start+100, len(ops))]
		req := map[string]map[string][]item{}
		seen := map[string]bool{}
		for _, w := range chunk {
			id := w.table + "\x00" + keyID(w.key, g.tables[w.table].key)
			if seen[id] {
				continue
			}
			seen[id] = true
			if req[w.table] == nil {
				req[w.table] = map[string][]item{"Keys": nil}
			}
			req[w.table]["Keys"] = append(req[w.table]["Keys"], w.key)
		}
		var resp struct{ Responses map[string][]item }
		if err := g.call("BatchGetItem", map[string]any{"RequestItems": req}, &resp); err != nil {
			return nil, err
		}
		got := map[string]item{}
		for table, items := range resp.Responses {
			for _, it := range items {
				got[table+"\x00"+keyID(it, g.tables[table].key)] = it
			}
		}
		for i, w := range chunk {
			out[start+i] = got[w.table+"\x00"+keyID(w.key, g.tables[w.table].key)]
		}
	}
	return out, nil
}

// keyID is an item's key in a canonical form (clients and minidyn encode
// the same value differently).
func keyID(it item, attrs []string) string {
	var b strings.Builder
	for _, a := range attrs {
		var v any
		_ = json.Unmarshal(it[a], &v)
		raw, _ := json.Marshal(v)
		b.Write(raw)
		b.WriteByte(0)
	}
	return b.String()
}

// send runs one request on minidyn, in process, and records its answer.
func (g *guard) send(op string, body []byte) *recorder { return run(g.next, op, body) }

// run runs one request on h, in process, and records its answer.
func run(h http.Handler, op string, body []byte) *recorder {
	r, _ := http.NewRequest(http.MethodPost, "/", bytes.NewReader(body)) // cannot fail: fixed method and URL
	r.Header.Set("X-Amz-Target", targetPrefix+op)
	r.Header.Set("Content-Type", "application/x-amz-json-1.0")
	rec := newRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// call runs one request on minidyn, in process.
func (g *guard) call(op string, in, out any) error {
	body, err := json.Marshal(in)
	if err != nil {
		return err
	}
	rec := g.send(op, body)
	if rec.status != http.StatusOK {
		return fmt.Errorf("localdb: the guard's %s: %d %s", op, rec.status, rec.body.Bytes())
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(rec.body.Bytes(), out)
}

// writeError answers in DynamoDB's form, with a client error (400), which
// the SDK does not retry: a write the guard could not repair after must
// not be sent again.
func writeError(w http.ResponseWriter, typ string, err error) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": typ, "message": err.Error()})
}

// recorder keeps minidyn's answer until the guard lets go of its lock.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}, status: http.StatusOK} }

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) Write(b []byte) (int, error) { return r.body.Write(b) }
func (r *recorder) WriteHeader(status int)      { r.status = status }

func (r *recorder) copyTo(w http.ResponseWriter) {
	maps.Copy(w.Header(), r.header)
	w.WriteHeader(r.status)
	_, _ = w.Write(r.body.Bytes())
}
