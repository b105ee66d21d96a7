package localdb

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/wuxi-enrol/enrol/infra/localdb/capacity"
)

// The guard answers ReturnConsumedCapacity (TOTAL or INDEXES) as DynamoDB
// does, which minidyn does not: the capacity each request would consume on
// DynamoDB, by the rules in package capacity, from the sizes of the items
// in its copy of the tables (query.go) before and after a write. The app
// reads the same field locally and on AWS (shared/dbcalls). A request that
// fails answers none, as on DynamoDB, where the error carries no
// ConsumedCapacity (a cancelled transaction or a failed condition still
// consumes capacity there: this accounting does not see it).

// capacityMode is a request's ReturnConsumedCapacity: TOTAL, INDEXES or ""
// (NONE, absent, or a request it cannot read).
func capacityMode(body []byte) string {
	if !bytes.Contains(body, []byte(`"ReturnConsumedCapacity"`)) {
		return ""
	}
	var r struct{ ReturnConsumedCapacity string }
	if json.Unmarshal(body, &r) != nil {
		return ""
	}
	switch r.ReturnConsumedCapacity {
	case "TOTAL", "INDEXES":
		return r.ReturnConsumedCapacity
	}
	return ""
}

// indexesOf is table's global secondary indexes, for their cost.
func (g *guard) indexesOf(table string) map[string]capacity.Index {
	t := g.tables[table]
	if t == nil {
		return nil
	}
	out := make(map[string]capacity.Index, len(t.indexes))
	for name, keys := range t.indexes {
		p := t.projections[name]
		out[name] = capacity.Index{Keys: keys, Projection: p.typ, Include: p.include}
	}
	return out
}

// stored is the copy's item under key in table (nil: none), under a lock
// the caller holds.
func (g *guard) stored(table string, key item) item {
	t, c := g.tables[table], g.copies[table]
	if t == nil || c == nil || !inIndex(key, t.key) {
		return nil
	}
	return c.items[keyID(key, t.key)]
}

// storedAll is stored for each of ops.
func (g *guard) storedAll(ops []writeOp) []item {
	out := make([]item, len(ops))
	for i, w := range ops {
		out[i] = g.stored(w.table, w.key)
	}
	return out
}

// meterWrites adds the writes of ops, from pre to post, times factor.
func (g *guard) meterWrites(m capacity.Meter, ops []writeOp, pre, post []item, factor float64) {
	for i, w := range ops {
		t := g.tables[w.table]
		if t == nil {
			continue
		}
		m.Write(w.table, t.key, g.indexesOf(w.table), pre[i], post[i], factor)
	}
}

// meterRead adds what a successful GetItem, BatchGetItem, TransactGetItems
// or Scan read, from the copy (under the read lock the caller holds).
func (g *guard) meterRead(m capacity.Meter, op string, body []byte, rec *recorder) {
	type get struct {
		TableName      string
		Key            item
		ConsistentRead bool
	}
	switch op {
	case "GetItem":
		var r get
		if json.Unmarshal(body, &r) == nil {
			m.Table(r.TableName, capacity.Units{Read: capacity.ReadUnits(capacity.Size(g.stored(r.TableName, r.Key)), r.ConsistentRead)})
		}
	case "BatchGetItem":
		var r struct {
			RequestItems map[string]struct {
				Keys           []item
				ConsistentRead bool
			}
		}
		var out struct {
			UnprocessedKeys map[string]struct{ Keys []item }
		}
		_ = json.Unmarshal(rec.body.Bytes(), &out)
		if json.Unmarshal(body, &r) == nil {
			for table, ka := range r.RequestItems {
				left := map[string]bool{}
				if t := g.tables[table]; t != nil {
					for _, k := range out.UnprocessedKeys[table].Keys {
						left[keyID(k, t.key)] = true
					}
				}
				for _, k := range ka.Keys {
					if t := g.tables[table]; t != nil && left[keyID(k, t.key)] {
						continue // not read: the caller asks again
					}
					m.Table(table, capacity.Units{Read: capacity.ReadUnits(capacity.Size(g.stored(table, k)), ka.ConsistentRead)})
				}
			}
		}
	case "TransactGetItems":
		var r struct{ TransactItems []struct{ Get get } }
		if json.Unmarshal(body, &r) == nil {
			for _, it := range r.TransactItems {
				m.Table(it.Get.TableName, capacity.Units{Read: capacity.Transactional * capacity.ReadUnits(capacity.Size(g.stored(it.Get.TableName, it.Get.Key)), true)})
			}
		}
	case "Scan", "Query":
		// What the answer holds, each item at its size in the table or
		// index (a projection may have left out attributes read; a filter,
		// items read: the app uses neither here, infra/tablecheck's Scan
		// reads whole items).
		var r struct {
			TableName, IndexName string
			ConsistentRead       bool
		}
		var out struct{ Items []item }
		if json.Unmarshal(body, &r) != nil || json.Unmarshal(rec.body.Bytes(), &out) != nil {
			return
		}
		t := g.tables[r.TableName]
		if t == nil {
			return
		}
		x := g.indexesOf(r.TableName)[r.IndexName]
		size := 0
		for _, it := range out.Items {
			full := g.stored(r.TableName, it)
			if full == nil {
				full = it
			}
			if r.IndexName != "" {
				full = x.Entry(full, t.key)
			}
			size += capacity.Size(full)
		}
		g.meterQuery(m, r.TableName, r.IndexName, size, r.ConsistentRead)
	}
}

// meterQuery adds a Query or Scan that read size bytes.
func (g *guard) meterQuery(m capacity.Meter, table, index string, size int, strong bool) {
	u := capacity.Units{Read: capacity.ReadUnits(size, strong)}
	if index == "" {
		m.Table(table, u)
	} else {
		m.Index(table, index, u)
	}
}

// withConsumed adds the ConsumedCapacity to a successful answer: one
// object for a single-table operation, a list by table for the batch and
// transaction operations.
func (r *recorder) withConsumed(op string, m capacity.Meter, mode string) {
	if r.status != http.StatusOK || len(m) == 0 {
		return
	}
	var out map[string]json.RawMessage
	if json.Unmarshal(r.body.Bytes(), &out) != nil || out == nil {
		return
	}
	list := m.Wire(mode)
	switch op {
	case "BatchGetItem", "BatchWriteItem", "TransactGetItems", "TransactWriteItems":
		raw, _ := json.Marshal(list)
		out["ConsumedCapacity"] = raw
	default:
		out["ConsumedCapacity"] = list[0]
	}
	b, err := json.Marshal(out)
	if err != nil {
		return
	}
	r.body.Reset()
	r.body.Write(b)
}
