package localdb

import (
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"slices"
	"strings"

	"github.com/wuxi-enrol/enrol/infra/localdb/capacity"
)

// The guard answers Query itself, from a copy of every table's items that
// it keeps in step with each write (all writes pass through it, under its
// exclusive lock). minidyn evaluates a Query's key condition on every item
// of the table or index, parsing the expression anew for each and copying
// each item: under -race, the end-to-end burst of 300 bookings spent 29% of
// its CPU there, and a Query cost grew with the whole table. Here it costs
// the items of one partition.
//
// What the copy answers: a key condition on the table's or an index's key
// (partition key equality, then optionally =, <, <=, >, >=, BETWEEN or
// begins_with on the sort key), Limit, ExclusiveStartKey, ScanIndexForward,
// Select, the index's projection, and a projection of top-level
// attributes. Anything else (a FilterExpression, the legacy parameters,
// nested paths, a request DynamoDB would refuse) goes to minidyn as
// before, so an error is still minidyn's.

// keyVal is a key attribute's value, decoded for ordering as DynamoDB
// orders it: strings and binary by bytes, numbers by value.
type keyVal struct {
	typ string // S, N or B
	s   string // S, and B's bytes
	n   *big.Float
}

func decodeKey(raw json.RawMessage) (keyVal, bool) {
	var m map[string]string
	if json.Unmarshal(raw, &m) != nil || len(m) != 1 {
		return keyVal{}, false
	}
	for typ, v := range m {
		switch typ {
		case "S":
			return keyVal{typ: typ, s: v}, true
		case "B":
			b, err := base64.StdEncoding.DecodeString(v)
			return keyVal{typ: typ, s: string(b)}, err == nil
		case "N":
			n, _, err := big.ParseFloat(strings.TrimSpace(v), 10, 200, big.ToNearestEven)
			return keyVal{typ: typ, n: n}, err == nil
		}
	}
	return keyVal{}, false
}

func (a keyVal) cmp(b keyVal) int {
	if a.typ == "N" {
		return a.n.Cmp(b.n)
	}
	return strings.Compare(a.s, b.s)
}

// indexEntry is an item's place in an index partition: its sort key (none
// in a table or index without one) and the table's key, the order of
// entries with equal sort keys in an index.
type indexEntry struct {
	id       string // the item's keyID
	sort     *keyVal
	tableKey []keyVal
}

func (e indexEntry) cmp(f indexEntry) int {
	if e.sort != nil && f.sort != nil {
		if c := e.sort.cmp(*f.sort); c != 0 {
			return c
		}
	}
	for i := range e.tableKey {
		if c := e.tableKey[i].cmp(f.tableKey[i]); c != 0 {
			return c
		}
	}
	return 0
}

// tableCopy is the guard's copy of one table.
type tableCopy struct {
	items map[string]item // by keyID
	// parts: index name ("" for the table itself) → partition key value
	// (in keyID form) → the entries of its items, by keyID.
	parts map[string]map[string]map[string]indexEntry
}

func newTableCopy() *tableCopy {
	return &tableCopy{items: map[string]item{}, parts: map[string]map[string]map[string]indexEntry{}}
}

// keysOf names an index's key attributes ("" for the table's).
func (t *tableSchema) keysOf(index string) ([]string, bool) {
	if index == "" {
		return t.key, true
	}
	attrs, ok := t.indexes[index]
	return attrs, ok
}

// set records it as the item stored under id (nil: there is none).
func (c *tableCopy) set(t *tableSchema, id string, it item) {
	if old := c.items[id]; old != nil {
		c.unindex(t, id, old)
	}
	if it == nil {
		delete(c.items, id)
		return
	}
	c.items[id] = it
	c.index(t, id, it)
}

func (c *tableCopy) indexNames(t *tableSchema) []string {
	names := []string{""}
	for name := range t.indexes {
		names = append(names, name)
	}
	return names
}

func (c *tableCopy) index(t *tableSchema, id string, it item) {
	for _, name := range c.indexNames(t) {
		attrs, _ := t.keysOf(name)
		e, part, ok := entryOf(t, attrs, id, it)
		if !ok {
			continue // not in this (sparse) index
		}
		if c.parts[name] == nil {
			c.parts[name] = map[string]map[string]indexEntry{}
		}
		if c.parts[name][part] == nil {
			c.parts[name][part] = map[string]indexEntry{}
		}
		c.parts[name][part][id] = e
	}
}

func (c *tableCopy) unindex(t *tableSchema, id string, it item) {
	for name, parts := range c.parts {
		attrs, ok := t.keysOf(name)
		if !ok || !inIndex(it, attrs) {
			continue
		}
		part := keyID(it, attrs[:1])
		delete(parts[part], id)
		if len(parts[part]) == 0 {
			delete(parts, part)
		}
	}
}

// reindex builds every index's partitions again from the items (an index
// created or dropped).
func (c *tableCopy) reindex(t *tableSchema) {
	c.parts = map[string]map[string]map[string]indexEntry{}
	for id, it := range c.items {
		c.index(t, id, it)
	}
}

// entryOf is it's entry in the index keyed on attrs, and its partition.
func entryOf(t *tableSchema, attrs []string, id string, it item) (indexEntry, string, bool) {
	if !inIndex(it, attrs) {
		return indexEntry{}, "", false
	}
	e := indexEntry{id: id}
	if len(attrs) > 1 {
		v, ok := decodeKey(it[attrs[1]])
		if !ok {
			return indexEntry{}, "", false
		}
		e.sort = &v
	}
	for _, a := range t.key {
		v, ok := decodeKey(it[a])
		if !ok {
			return indexEntry{}, "", false
		}
		e.tableKey = append(e.tableKey, v)
	}
	return e, keyID(it, attrs[:1]), true
}

// refresh reads the items ops name from minidyn, as the write left them,
// into the copy.
func (g *guard) refresh(ops []writeOp) error {
	now, err := g.images(ops)
	if err != nil {
		return err
	}
	for i, w := range ops {
		t, c := g.tables[w.table], g.copies[w.table]
		if t == nil || c == nil || !inIndex(w.key, t.key) {
			continue
		}
		c.set(t, keyID(w.key, t.key), now[i])
	}
	return nil
}

// copyIn adds items, as minidyn holds them, to table's copy.
func (g *guard) copyIn(table string, items []item) {
	g.mu.Lock()
	defer g.mu.Unlock()
	t, c := g.tables[table], g.copies[table]
	if t == nil || c == nil {
		return
	}
	for _, it := range items {
		c.set(t, keyID(it, t.key), it)
	}
}

// writtenBy names the items a PutItem, UpdateItem, DeleteItem or
// BatchWriteItem may change (none for a request it cannot read: minidyn
// refuses those).
func (g *guard) writtenBy(op string, body []byte) []writeOp {
	var out []writeOp
	add := func(table string, it item) {
		t := g.tables[table]
		if t == nil || !inIndex(it, t.key) {
			return
		}
		key := item{}
		for _, a := range t.key {
			key[a] = it[a]
		}
		out = append(out, writeOp{table: table, key: key})
	}
	switch op {
	case "PutItem":
		var p struct {
			TableName string
			Item      item
		}
		if json.Unmarshal(body, &p) == nil {
			add(p.TableName, p.Item)
		}
	case "UpdateItem", "DeleteItem":
		var u struct {
			TableName string
			Key       item
		}
		if json.Unmarshal(body, &u) == nil {
			add(u.TableName, u.Key)
		}
	case "BatchWriteItem":
		var b struct {
			RequestItems map[string][]struct {
				PutRequest    *struct{ Item item }
				DeleteRequest *struct{ Key item }
			}
		}
		if json.Unmarshal(body, &b) != nil {
			return nil
		}
		for table, reqs := range b.RequestItems {
			for _, r := range reqs {
				switch {
				case r.PutRequest != nil:
					add(table, r.PutRequest.Item)
				case r.DeleteRequest != nil:
					add(table, r.DeleteRequest.Key)
				}
			}
		}
	}
	return out
}

// queryReq is a Query as far as the copy answers it; fields it does not
// know send the request to minidyn (queryFields).
type queryReq struct {
	TableName                 string
	IndexName                 string
	KeyConditionExpression    string
	ProjectionExpression      string
	ExpressionAttributeNames  map[string]string
	ExpressionAttributeValues map[string]json.RawMessage
	Limit                     *int
	ExclusiveStartKey         item
	ScanIndexForward          *bool
	Select                    string
	ConsistentRead            *bool
}

var queryFields = map[string]bool{
	"TableName": true, "IndexName": true, "KeyConditionExpression": true, "ProjectionExpression": true,
	"ExpressionAttributeNames": true, "ExpressionAttributeValues": true, "Limit": true, "ExclusiveStartKey": true,
	"ScanIndexForward": true, "Select": true, "ConsistentRead": true, "ReturnConsumedCapacity": true,
}

// keyCond is a key condition: the partition key's value and, optionally,
// a test of the sort key (op: =, <, <=, >, >=, BETWEEN, begins_with).
type keyCond struct {
	part   string // keyID form
	op     string
	values []keyVal
}

func (k keyCond) holds(e indexEntry) bool {
	if k.op == "" {
		return true
	}
	v := *e.sort
	switch c := v.cmp(k.values[0]); k.op {
	case "=":
		return c == 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	case "BETWEEN":
		return c >= 0 && v.cmp(k.values[1]) <= 0
	case "begins_with":
		return strings.HasPrefix(v.s, k.values[0].s)
	}
	return false
}

// query answers a Query from the copy, or hands it to minidyn (under the
// read lock the caller holds).
// m, if not nil, is given the capacity the Query consumes.
func (g *guard) query(r *http.Request, body []byte, m capacity.Meter) *recorder {
	if out, read, ok := g.answerQueryRead(body); ok {
		rec := newRecorder()
		rec.header.Set("Content-Type", "application/x-amz-json-1.0")
		rec.body.Write(out)
		if m != nil {
			var q queryReq
			_ = json.Unmarshal(body, &q) // answerQueryRead read it
			g.meterQuery(m, q.TableName, q.IndexName, read, q.ConsistentRead != nil && *q.ConsistentRead)
		}
		return rec
	}
	rec := g.forward(r, body)
	if m != nil && rec.status == http.StatusOK {
		g.meterRead(m, "Query", body, rec)
	}
	return rec
}

// answerQuery is the answer to a Query the copy can give (false: leave
// it to minidyn).
func (g *guard) answerQuery(body []byte) ([]byte, bool) {
	out, _, ok := g.answerQueryRead(body)
	return out, ok
}

// answerQueryRead is answerQuery with the bytes the Query read: the items'
// sizes in the table or index (their entries), whatever the projection
// expression leaves out, as DynamoDB counts them.
func (g *guard) answerQueryRead(body []byte) ([]byte, int, bool) {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return nil, 0, false
	}
	for f := range fields {
		if !queryFields[f] {
			return nil, 0, false
		}
	}
	var q queryReq
	if json.Unmarshal(body, &q) != nil {
		return nil, 0, false
	}
	t, c := g.tables[q.TableName], g.copies[q.TableName]
	if t == nil || c == nil {
		return nil, 0, false
	}
	attrs, ok := t.keysOf(q.IndexName)
	if !ok || q.Limit != nil && *q.Limit < 1 || q.IndexName != "" && q.ConsistentRead != nil && *q.ConsistentRead {
		return nil, 0, false
	}
	proj := t.projections[q.IndexName]
	switch q.Select {
	case "", "ALL_PROJECTED_ATTRIBUTES", "COUNT":
		if q.Select != "" && q.ProjectionExpression != "" {
			return nil, 0, false
		}
	case "ALL_ATTRIBUTES":
		if q.ProjectionExpression != "" || q.IndexName != "" && proj.typ != "ALL" {
			return nil, 0, false
		}
	case "SPECIFIC_ATTRIBUTES":
		if q.ProjectionExpression == "" {
			return nil, 0, false
		}
	default:
		return nil, 0, false
	}
	// Every placeholder given must be used and every one used given, as
	// DynamoDB requires: otherwise minidyn gives the error.
	used := map[string]bool{}
	for _, p := range placeholder.FindAllString(q.KeyConditionExpression+" "+q.ProjectionExpression, -1) {
		used[p] = true
	}
	for p := range used {
		_, isName := q.ExpressionAttributeNames[p]
		_, isValue := q.ExpressionAttributeValues[p]
		if !isName && !isValue {
			return nil, 0, false
		}
	}
	for p := range q.ExpressionAttributeNames {
		if !used[p] {
			return nil, 0, false
		}
	}
	for p := range q.ExpressionAttributeValues {
		if !used[p] {
			return nil, 0, false
		}
	}
	cond, ok := parseKeyCond(q.KeyConditionExpression, attrs, t.types, q.ExpressionAttributeNames, q.ExpressionAttributeValues)
	if !ok {
		return nil, 0, false
	}
	var projected []string
	if q.ProjectionExpression != "" {
		if projected, ok = topLevelNames(q.ProjectionExpression, q.ExpressionAttributeNames); !ok {
			return nil, 0, false
		}
	}
	var start *indexEntry
	if q.ExclusiveStartKey != nil {
		need := slices.Concat(t.key, attrs)
		if len(q.ExclusiveStartKey) != len(uniq(need)) {
			return nil, 0, false
		}
		e, part, ok := entryOf(t, attrs, "", q.ExclusiveStartKey)
		if !ok || part != cond.part || !inIndex(q.ExclusiveStartKey, need) {
			return nil, 0, false
		}
		start = &e
	}

	entries := make([]indexEntry, 0, len(c.parts[q.IndexName][cond.part]))
	for _, e := range c.parts[q.IndexName][cond.part] {
		if cond.holds(e) {
			entries = append(entries, e)
		}
	}
	forward := q.ScanIndexForward == nil || *q.ScanIndexForward
	slices.SortFunc(entries, func(a, b indexEntry) int {
		if forward {
			return a.cmp(b)
		}
		return b.cmp(a)
	})
	if start != nil {
		from, _ := slices.BinarySearchFunc(entries, *start, func(e, s indexEntry) int {
			if forward {
				return e.cmp(s)
			}
			return s.cmp(e)
		})
		for from < len(entries) && entries[from].cmp(*start) == 0 {
			from++
		}
		entries = entries[from:]
	}
	var last item
	if q.Limit != nil && len(entries) >= *q.Limit {
		entries = entries[:*q.Limit]
		last = item{}
		lastItem := c.items[entries[len(entries)-1].id]
		for _, a := range slices.Concat(t.key, attrs) {
			last[a] = lastItem[a]
		}
	}
	out := struct {
		Items            []item `json:",omitempty"`
		Count            int
		ScannedCount     int
		LastEvaluatedKey item `json:",omitempty"`
	}{Count: len(entries), ScannedCount: len(entries), LastEvaluatedKey: last}
	read := 0
	x := g.indexesOf(q.TableName)[q.IndexName]
	for _, e := range entries {
		if q.IndexName == "" {
			read += capacity.Size(c.items[e.id])
		} else {
			read += capacity.Size(x.Entry(c.items[e.id], t.key))
		}
	}
	if q.Select != "COUNT" {
		out.Items = make([]item, 0, len(entries))
		for _, e := range entries {
			out.Items = append(out.Items, project(c.items[e.id], t, attrs, proj, projected))
		}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, 0, false
	}
	if out.Items != nil && len(out.Items) == 0 {
		b = append([]byte(`{"Items":[],`), b[1:]...) // an empty page still has its Items
	}
	return b, read, true
}

func uniq(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return slices.Compact(s)
}

// project is what a Query answers of it: the attributes its index
// projects, then those the ProjectionExpression names (none: all).
func project(it item, t *tableSchema, attrs []string, p projection, names []string) item {
	keep := func(a string) bool {
		if p.typ == "" || p.typ == "ALL" || slices.Contains(t.key, a) || slices.Contains(attrs, a) {
			return true
		}
		return p.typ == "INCLUDE" && slices.Contains(p.include, a)
	}
	out := item{}
	for a, v := range it {
		if keep(a) && (names == nil || slices.Contains(names, a)) {
			out[a] = v
		}
	}
	return out
}

// topLevelNames reads a projection of top-level attributes (a, #b, c);
// false for anything else (nested paths).
func topLevelNames(expr string, names map[string]string) ([]string, bool) {
	var out []string
	for part := range strings.SplitSeq(expr, ",") {
		p := strings.TrimSpace(part)
		if !topLevel.MatchString(p) || strings.Contains(p, "-") {
			return nil, false
		}
		if strings.HasPrefix(p, "#") {
			a, ok := names[p]
			if !ok {
				return nil, false
			}
			p = a
		}
		out = append(out, p)
	}
	return out, true
}

// parseKeyCond reads a key condition on the key attrs (partition key, and
// sort key if any) of the given types; false for any other.
func parseKeyCond(expr string, attrs []string, types map[string]string, names map[string]string, values map[string]json.RawMessage) (keyCond, bool) {
	toks, ok := tokens(expr)
	if !ok {
		return keyCond{}, false
	}
	var k keyCond
	havePart := false
	i := 0
	value := func() (keyVal, string, bool) {
		if i >= len(toks) || toks[i][0] != ':' {
			return keyVal{}, "", false
		}
		raw, ok := values[toks[i]]
		if !ok {
			return keyVal{}, "", false
		}
		i++
		v, ok := decodeKey(raw)
		return v, keyID(item{"v": raw}, []string{"v"}), ok
	}
	name := func() (string, bool) {
		if i >= len(toks) {
			return "", false
		}
		n := toks[i]
		switch {
		case n[0] == '#':
			a, ok := names[n]
			if !ok {
				return "", false
			}
			n = a
		case !isIdent(n) || isKeyword(n):
			return "", false
		}
		i++
		return n, true
	}
	want := func(tok string) bool {
		if i < len(toks) && strings.EqualFold(toks[i], tok) {
			i++
			return true
		}
		return false
	}
	for term := 0; term < 2; term++ {
		if term == 1 && !want("AND") {
			break
		}
		if i < len(toks) && toks[i] == "begins_with" {
			i++
			if !want("(") {
				return keyCond{}, false
			}
			a, ok := name()
			if !ok || len(attrs) < 2 || a != attrs[1] || k.op != "" || types[a] != "S" && types[a] != "B" || !want(",") {
				return keyCond{}, false
			}
			v, _, ok := value()
			if !ok || v.typ != types[a] || !want(")") {
				return keyCond{}, false
			}
			k.op, k.values = "begins_with", []keyVal{v}
			continue
		}
		a, ok := name()
		if !ok || i >= len(toks) {
			return keyCond{}, false
		}
		op := toks[i]
		i++
		switch {
		case a == attrs[0] && op == "=" && !havePart:
			v, raw, ok := value()
			if !ok || v.typ != types[a] {
				return keyCond{}, false
			}
			k.part, havePart = raw, true
		case len(attrs) > 1 && a == attrs[1] && k.op == "" && strings.EqualFold(op, "BETWEEN"):
			lo, _, ok1 := value()
			ok2 := want("AND")
			hi, _, ok3 := value()
			if !ok1 || !ok2 || !ok3 || lo.typ != types[a] || hi.typ != types[a] || lo.cmp(hi) > 0 {
				return keyCond{}, false
			}
			k.op, k.values = "BETWEEN", []keyVal{lo, hi}
		case len(attrs) > 1 && a == attrs[1] && k.op == "" && slices.Contains([]string{"=", "<", "<=", ">", ">="}, op):
			v, _, ok := value()
			if !ok || v.typ != types[a] {
				return keyCond{}, false
			}
			k.op, k.values = op, []keyVal{v}
		default:
			return keyCond{}, false
		}
	}
	return k, havePart && i == len(toks)
}

func isIdent(s string) bool {
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return s != ""
}

func isKeyword(s string) bool {
	return strings.EqualFold(s, "AND") || strings.EqualFold(s, "BETWEEN") || strings.EqualFold(s, "OR") || strings.EqualFold(s, "NOT")
}

// tokens splits a key condition: names, #names, :values, operators,
// parentheses and commas; false for a character none of them has.
func tokens(expr string) ([]string, bool) {
	var out []string
	b := []byte(expr)
	for i := 0; i < len(b); {
		ch := b[i]
		switch {
		case ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r':
			i++
		case ch == '(' || ch == ')' || ch == ',' || ch == '=':
			out = append(out, string(ch))
			i++
		case ch == '<' || ch == '>':
			j := i + 1
			if j < len(b) && (b[j] == '=' || ch == '<' && b[j] == '>') {
				j++
			}
			out = append(out, string(b[i:j]))
			i = j
		case ch == '#' || ch == ':' || ch == '_' || ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z':
			j := i + 1
			for j < len(b) && (b[j] == '_' || b[j] >= 'a' && b[j] <= 'z' || b[j] >= 'A' && b[j] <= 'Z' || b[j] >= '0' && b[j] <= '9') {
				j++
			}
			if (ch == '#' || ch == ':') && j == i+1 {
				return nil, false
			}
			out = append(out, string(b[i:j]))
			i = j
		default:
			return nil, false
		}
	}
	return out, len(out) > 0
}
