package capacity_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/localdb/capacity"
)

func item(t *testing.T, js string) capacity.Item {
	t.Helper()
	var it capacity.Item
	if err := json.Unmarshal([]byte(js), &it); err != nil {
		t.Fatal(err)
	}
	return it
}

func TestSize(t *testing.T) {
	for _, tc := range []struct {
		name, item string
		want       int
	}{
		{"empty", `{}`, 0},
		{"string: name and value bytes", `{"PK":{"S":"OFFERING#o1"}}`, 2 + 11},
		{"string in UTF-8", `{"名":{"S":"无锡"}}`, 3 + 6},
		{"number: a byte per two digits, plus one", `{"n":{"N":"12345"}}`, 1 + 3 + 1},
		{"number: trailing zeros trimmed", `{"n":{"N":"1200"}}`, 1 + 1 + 1},
		{"number: leading zeros and sign", `{"n":{"N":"-0.0050"}}`, 1 + 1 + 1},
		{"number: zero", `{"n":{"N":"0"}}`, 1 + 1},
		{"binary: raw bytes", `{"b":{"B":"AAECAw=="}}`, 1 + 4},
		{"bool and null", `{"t":{"BOOL":true},"z":{"NULL":true}}`, 1 + 1 + 1 + 1},
		{"empty list or map: 3 bytes", `{"l":{"L":[]},"m":{"M":{}}}`, 1 + 3 + 1 + 3},
		{"list: 3 bytes and a byte per element", `{"l":{"L":[{"S":"ab"},{"N":"7"}]}}`, 1 + 3 + (2 + 1) + (2 + 1)},
		{"map: elements' names count", `{"m":{"M":{"ab":{"S":"xyz"}}}}`, 1 + 3 + (2 + 3 + 1)},
		{"string set: its elements", `{"ss":{"SS":["a","bc"]}}`, 2 + 3},
		{"number set", `{"ns":{"NS":["1","12345"]}}`, 2 + 2 + 4},
	} {
		if got := capacity.Size(item(t, tc.item)); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
}

func TestUnits(t *testing.T) {
	for _, tc := range []struct {
		size             int
		write            float64
		strong, eventual float64
	}{
		{0, 1, 1, 0.5},
		{1, 1, 1, 0.5},
		{1024, 1, 1, 0.5},
		{1025, 2, 1, 0.5},
		{3500, 4, 1, 0.5}, // the guide's example: a 3.5 KB item, 4 write units
		{4096, 4, 1, 0.5},
		{4097, 5, 2, 1},
		{8192, 8, 2, 1}, // an 8 KB item: 2 strongly consistent, 1 eventually
	} {
		if got := capacity.WriteUnits(tc.size); got != tc.write {
			t.Errorf("write %d B: %v, want %v", tc.size, got, tc.write)
		}
		if got := capacity.ReadUnits(tc.size, true); got != tc.strong {
			t.Errorf("strong read %d B: %v, want %v", tc.size, got, tc.strong)
		}
		if got := capacity.ReadUnits(tc.size, false); got != tc.eventual {
			t.Errorf("eventual read %d B: %v, want %v", tc.size, got, tc.eventual)
		}
	}
}

func TestIndexWriteUnits(t *testing.T) {
	key := []string{"PK", "SK"}
	big := strings.Repeat("x", 1500)
	all := capacity.Index{Keys: []string{"G"}, Projection: "ALL"}
	keysOnly := capacity.Index{Keys: []string{"G"}, Projection: "KEYS_ONLY"}
	include := capacity.Index{Keys: []string{"G"}, Projection: "INCLUDE", Include: []string{"a"}}
	base := `"PK":{"S":"p"},"SK":{"S":"s"}`
	for _, tc := range []struct {
		name     string
		x        capacity.Index
		old, now string // "" for no item
		want     float64
	}{
		{"not in the index before or after", all, `{` + base + `}`, `{` + base + `,"a":{"S":"1"}}`, 0},
		{"enters: one write", all, ``, `{` + base + `,"G":{"S":"g"}}`, 1},
		{"enters a big entry: by its size", all, ``, `{` + base + `,"G":{"S":"g"},"b":{"S":"` + big + `"}}`, 2},
		{"keys only: the entry is small", keysOnly, ``, `{` + base + `,"G":{"S":"g"},"b":{"S":"` + big + `"}}`, 1},
		{"leaves: one write", all, `{` + base + `,"G":{"S":"g"}}`, `{` + base + `}`, 1},
		{"deleted: one write", all, `{` + base + `,"G":{"S":"g"}}`, ``, 1},
		{"key changes: delete and put", all, `{` + base + `,"G":{"S":"g"}}`, `{` + base + `,"G":{"S":"h"}}`, 2},
		{"projected attribute changes: one write", all, `{` + base + `,"G":{"S":"g"},"a":{"N":"1"}}`, `{` + base + `,"G":{"S":"g"},"a":{"N":"2"}}`, 1},
		{"included attribute changes", include, `{` + base + `,"G":{"S":"g"},"a":{"N":"1"}}`, `{` + base + `,"G":{"S":"g"},"a":{"N":"2"}}`, 1},
		{"attribute not projected changes: none", include, `{` + base + `,"G":{"S":"g"},"b":{"N":"1"}}`, `{` + base + `,"G":{"S":"g"},"b":{"N":"2"}}`, 0},
		{"keys only, other attribute changes: none", keysOnly, `{` + base + `,"G":{"S":"g"},"a":{"N":"1"}}`, `{` + base + `,"G":{"S":"g"},"a":{"N":"2"}}`, 0},
		{"nothing changes: none", all, `{` + base + `,"G":{"S":"g"}}`, `{"G":{"S":"g"},` + base + `}`, 0},
		{"same number written differently: none", all, `{` + base + `,"G":{"S":"g"},"n":{"N":"1"}}`, `{` + base + `,"G":{"S":"g"},"n":{"N":"1"}}`, 0},
	} {
		var old, now capacity.Item
		if tc.old != "" {
			old = item(t, tc.old)
		}
		if tc.now != "" {
			now = item(t, tc.now)
		}
		if got := tc.x.IndexWriteUnits(key, old, now); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestMeterWire: the meter answers DynamoDB's ConsumedCapacity shape, by
// table, with the table's and indexes' parts only for INDEXES.
func TestMeterWire(t *testing.T) {
	key := []string{"PK", "SK"}
	m := capacity.Meter{}
	now := item(t, `{"PK":{"S":"p"},"SK":{"S":"s"},"G":{"S":"g"}}`)
	m.Write("T", key, map[string]capacity.Index{"GSI1": {Keys: []string{"G"}, Projection: "ALL"}}, nil, now, capacity.Transactional)
	m.Table("T", capacity.Units{Read: 0.5})
	for _, tc := range []struct{ mode, want string }{
		{"TOTAL", `{"TableName":"T","CapacityUnits":3.5,"ReadCapacityUnits":0.5,"WriteCapacityUnits":3}`},
		{"INDEXES", `{"TableName":"T","CapacityUnits":3.5,"ReadCapacityUnits":0.5,"WriteCapacityUnits":3,"Table":{"CapacityUnits":2.5,"ReadCapacityUnits":0.5,"WriteCapacityUnits":2},"GlobalSecondaryIndexes":{"GSI1":{"CapacityUnits":1,"WriteCapacityUnits":1}}}`},
	} {
		got := m.Wire(tc.mode)
		if len(got) != 1 || string(got[0]) != tc.want {
			t.Errorf("%s: %s\nwant %s", tc.mode, got, tc.want)
		}
	}
}
