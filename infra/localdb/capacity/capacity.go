// Package capacity holds DynamoDB's rules for the capacity a request
// consumes, from the sizes of the items it reads and writes: the embedded
// server's guard (infra/localdb) answers ReturnConsumedCapacity with them,
// as DynamoDB does, so the app reads the same field locally and on AWS.
//
// The rules, from the DynamoDB Developer Guide ("DynamoDB item sizes and
// formats", "Read/write capacity mode", "Global secondary indexes:
// provisioned throughput considerations", "Transactions: capacity
// management"), read 2026-12:
//
//   - An item's size is the sum, over its attributes, of the name's UTF-8
//     bytes and the value's size: a string its UTF-8 bytes; a number about
//     one byte per two significant digits plus one; binary its raw bytes;
//     a boolean or null one byte; a list or map 3 bytes plus, per element,
//     its size plus one byte (a map's element also its name); a set the sum
//     of its elements.
//   - A write consumes one unit per KB (rounded up) of the larger of the
//     item before and after it (a delete: the item deleted; nothing there:
//     one unit). A transactional write twice that.
//   - A strongly consistent read consumes one unit per 4 KB (rounded up), an
//     eventually consistent one half that, a transactional one twice.
//     Query and Scan add up the sizes of all items read, then round once;
//     BatchGetItem rounds each item.
//   - A global secondary index's write is the entry it holds (keys and
//     projected attributes): one write for an item that enters or leaves
//     it, two (delete and put) for one whose index key changes, one for a
//     change to a projected attribute, none for anything else.
//
// What the guide does not say, and is chosen here: a ConditionCheck in a
// transaction costs like a transactional write of the item checked (as
// the hand count and AWS's forum answers have it); an index
// write caused by a transaction is a standard write (indexes are updated
// after the transaction, outside it).
package capacity

import (
	"encoding/base64"
	"encoding/json"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Item is an item in DynamoDB's JSON wire format, attribute by attribute.
type Item = map[string]json.RawMessage

// Size is an item's size in bytes by DynamoDB's rules (0 for none).
func Size(it Item) int {
	n := 0
	for name, v := range it {
		n += len(name) + ValueSize(v)
	}
	return n
}

// ValueSize is the size of one attribute value in wire format (without its
// name); 0 for one it cannot read.
func ValueSize(raw json.RawMessage) int {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil || len(m) != 1 {
		return 0
	}
	for typ, v := range m {
		switch typ {
		case "S":
			var s string
			_ = json.Unmarshal(v, &s)
			return len(s)
		case "N":
			var s string
			_ = json.Unmarshal(v, &s)
			return NumberSize(s)
		case "B":
			return binarySize(v)
		case "BOOL", "NULL":
			return 1
		case "SS", "NS", "BS":
			var elems []json.RawMessage
			_ = json.Unmarshal(v, &elems)
			n := 0
			for _, e := range elems {
				var s string
				_ = json.Unmarshal(e, &s)
				switch typ {
				case "SS":
					n += len(s)
				case "NS":
					n += NumberSize(s)
				default:
					n += binarySize(e)
				}
			}
			return n
		case "L":
			var elems []json.RawMessage
			_ = json.Unmarshal(v, &elems)
			n := 3
			for _, e := range elems {
				n += ValueSize(e) + 1
			}
			return n
		case "M":
			var elems map[string]json.RawMessage
			_ = json.Unmarshal(v, &elems)
			n := 3
			for name, e := range elems {
				n += len(name) + ValueSize(e) + 1
			}
			return n
		}
	}
	return 0
}

func binarySize(v json.RawMessage) int {
	var s string
	_ = json.Unmarshal(v, &s)
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return utf8.RuneCountInString(s) * 3 / 4
	}
	return len(b)
}

// NumberSize is a number's size: one byte per two significant digits
// (leading and trailing zeros trimmed), rounded up, plus one.
func NumberSize(s string) int {
	mant := strings.TrimLeft(strings.TrimSpace(s), "+-")
	if i := strings.IndexAny(mant, "eE"); i >= 0 {
		mant = mant[:i]
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	digits := strings.Trim(intPart+frac, "0")
	return (len(digits)+1)/2 + 1
}

// WriteUnits is what a standard write of an item of size bytes consumes:
// one unit per KB, rounded up, at least one.
func WriteUnits(size int) float64 { return max(1, math.Ceil(float64(size)/1024)) }

// ReadUnits is what reading size bytes consumes: one unit per 4 KB, rounded
// up, at least one; half that if eventually consistent.
func ReadUnits(size int, strong bool) float64 {
	u := max(1, math.Ceil(float64(size)/4096))
	if !strong {
		u /= 2
	}
	return u
}

// Transactional is the factor a transaction's reads and writes cost.
const Transactional = 2

// Index is a global secondary index as far as its cost goes.
type Index struct {
	Keys       []string // partition key, then sort key if any
	Projection string   // ALL, KEYS_ONLY or INCLUDE
	Include    []string // INCLUDE's attributes
}

// Entry is what the index holds of it (nil: it is not in the index, which
// is sparse: only items with all its key attributes).
func (x Index) Entry(it Item, tableKey []string) Item {
	if it == nil {
		return nil
	}
	for _, a := range x.Keys {
		if _, ok := it[a]; !ok {
			return nil
		}
	}
	if x.Projection == "ALL" || x.Projection == "" {
		return it
	}
	out := Item{}
	for a, v := range it {
		if slices.Contains(x.Keys, a) || slices.Contains(tableKey, a) || x.Projection == "INCLUDE" && slices.Contains(x.Include, a) {
			out[a] = v
		}
	}
	return out
}

// IndexWriteUnits is what a write that changes an item from old to now
// (nil: none) consumes in the index x.
func (x Index) IndexWriteUnits(tableKey []string, old, now Item) float64 {
	before, after := x.Entry(old, tableKey), x.Entry(now, tableKey)
	switch {
	case before == nil && after == nil:
		return 0
	case before == nil:
		return WriteUnits(Size(after))
	case after == nil:
		return WriteUnits(Size(before))
	case !sameValues(before, after, x.Keys):
		return WriteUnits(Size(before)) + WriteUnits(Size(after))
	case sameValues(before, after, nil):
		return 0
	default:
		return WriteUnits(max(Size(before), Size(after)))
	}
}

// sameValues reports whether a and b hold the same values of attrs (nil:
// of all their attributes), comparing the values decoded (the same value
// may be written differently).
func sameValues(a, b Item, attrs []string) bool {
	if attrs == nil {
		if len(a) != len(b) {
			return false
		}
		attrs = slices.Collect(maps.Keys(a))
	}
	for _, k := range attrs {
		if !sameValue(a[k], b[k]) {
			return false
		}
	}
	return true
}

func sameValue(a, b json.RawMessage) bool {
	if string(a) == string(b) {
		return true
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	ra, _ := json.Marshal(x) // maps marshal with sorted keys
	rb, _ := json.Marshal(y)
	return string(ra) == string(rb)
}

// Units are read and write units.
type Units struct{ Read, Write float64 }

// Consumed is one table's capacity consumed by a request, on the table
// itself and on each of its global secondary indexes.
type Consumed struct {
	Table   Units
	Indexes map[string]Units
}

// Meter adds up a request's capacity, by table.
type Meter map[string]*Consumed

func (m Meter) of(table string) *Consumed {
	c := m[table]
	if c == nil {
		c = &Consumed{Indexes: map[string]Units{}}
		m[table] = c
	}
	return c
}

// Table adds units consumed on table itself.
func (m Meter) Table(table string, u Units) {
	c := m.of(table)
	c.Table.Read += u.Read
	c.Table.Write += u.Write
}

// Index adds units consumed on one of table's indexes.
func (m Meter) Index(table, index string, u Units) {
	c := m.of(table)
	x := c.Indexes[index]
	x.Read += u.Read
	x.Write += u.Write
	c.Indexes[index] = x
}

// Write adds a write of one item from old to now (nil: none), times factor
// (Transactional in a transaction), and its index writes (standard).
func (m Meter) Write(table string, tableKey []string, indexes map[string]Index, old, now Item, factor float64) {
	m.Table(table, Units{Write: factor * WriteUnits(max(Size(old), Size(now)))})
	for name, x := range indexes {
		if u := x.IndexWriteUnits(tableKey, old, now); u > 0 {
			m.Index(table, name, Units{Write: u})
		}
	}
}

// wire is a ConsumedCapacity as DynamoDB answers it.
type wire struct {
	TableName              string               `json:"TableName"`
	CapacityUnits          float64              `json:"CapacityUnits"`
	ReadCapacityUnits      float64              `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits     float64              `json:"WriteCapacityUnits,omitempty"`
	Table                  *wireUnits           `json:"Table,omitempty"`
	GlobalSecondaryIndexes map[string]wireUnits `json:"GlobalSecondaryIndexes,omitempty"`
}

type wireUnits struct {
	CapacityUnits      float64 `json:"CapacityUnits"`
	ReadCapacityUnits  float64 `json:"ReadCapacityUnits,omitempty"`
	WriteCapacityUnits float64 `json:"WriteCapacityUnits,omitempty"`
}

func toWire(u Units) wireUnits {
	return wireUnits{CapacityUnits: u.Read + u.Write, ReadCapacityUnits: u.Read, WriteCapacityUnits: u.Write}
}

// Wire is the meter as DynamoDB's ConsumedCapacity list, one per table in
// name order; mode INDEXES adds the table's and each index's part (TOTAL:
// only the totals).
func (m Meter) Wire(mode string) []json.RawMessage {
	names := slices.Collect(maps.Keys(m))
	sort.Strings(names)
	out := make([]json.RawMessage, 0, len(names))
	for _, name := range names {
		c := m[name]
		total := c.Table
		for _, x := range c.Indexes {
			total.Read += x.Read
			total.Write += x.Write
		}
		w := wire{TableName: name, CapacityUnits: total.Read + total.Write, ReadCapacityUnits: total.Read, WriteCapacityUnits: total.Write}
		if mode == "INDEXES" {
			t := toWire(c.Table)
			w.Table = &t
			if len(c.Indexes) > 0 {
				w.GlobalSecondaryIndexes = map[string]wireUnits{}
				for x, u := range c.Indexes {
					w.GlobalSecondaryIndexes[x] = toWire(u)
				}
			}
		}
		raw, _ := json.Marshal(w) // cannot fail: plain fields
		out = append(out, raw)
	}
	return out
}
