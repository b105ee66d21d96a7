package store

import (
	"encoding/base64"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/apperr"
)

func TestCursorRoundTrip(t *testing.T) {
	k := map[string]types.AttributeValue{"PK": s("OFFERING#o1"), "SK": s("OFFERING"), "GSI1PK": s("PUB"), "GSI1SK": s("childcare#binhu#2025-09-01#o1")}
	c := encodeCursor(k)
	catalogue := partition{index: indexGSI1, pk: gsiPublished}
	back, err := decodeCursor(c, catalogue)
	if err != nil || len(back) != 4 || back["GSI1SK"].(*types.AttributeValueMemberS).Value != "childcare#binhu#2025-09-01#o1" {
		t.Fatalf("%v %v", back, err)
	}
	if back, err := decodeCursor(c, partition{index: indexGSI1, pk: gsiPublished, prefix: "childcare#"}); err != nil || len(back) != 4 {
		t.Fatalf("the same kind's list: %v %v", back, err)
	}
	if encodeCursor(nil) != "" {
		t.Fatal("no key, no cursor")
	}
	if key, err := decodeCursor("", catalogue); key != nil || err != nil {
		t.Fatalf("no cursor: %v %v", key, err)
	}
}

// TestForgedCursors: only what the Query's own LastEvaluatedKey would be
// passes: exactly the table's key (and the index's, on an index), strings
// as the template declares them, in the queried partition and sort-key
// range. Everything else is invalid_request naming cursor.
func TestForgedCursors(t *testing.T) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	catalogue := partition{index: indexGSI1, pk: gsiPublished}
	childcare := partition{index: indexGSI1, pk: gsiPublished, prefix: "childcare#"}
	bookings := partition{pk: accountPK("a1"), prefix: prefixBooking}
	ledger := partition{pk: pkLedger, from: "0001", to: "0009"}
	sinceFrom := partition{pk: pkLedger, from: "0005"}
	roster := partition{index: indexGSI2, pk: prefixRoster + "o1"}
	tests := []struct {
		name   string
		p      partition
		cursor string
		ok     bool
	}{
		{"an account's booking", bookings, enc(`{"PK":"ACCOUNT#a1","SK":"BOOKING#b1"}`), true},
		{"without a sort key", bookings, enc(`{"PK":"ACCOUNT#a1"}`), false},
		{"only the sort key", bookings, enc(`{"SK":"BOOKING#b1"}`), false},
		{"an empty sort key", bookings, enc(`{"PK":"ACCOUNT#a1","SK":""}`), false},
		{"an extra attribute", bookings, enc(`{"PK":"ACCOUNT#a1","SK":"BOOKING#b1","x":"1"}`), false},
		{"an index key on a table query", bookings, enc(`{"PK":"ACCOUNT#a1","SK":"BOOKING#b1","GSI1PK":"PUB"}`), false},
		{"another account", bookings, enc(`{"PK":"ACCOUNT#a2","SK":"BOOKING#b1"}`), false},
		{"another list of the same account", bookings, enc(`{"PK":"ACCOUNT#a1","SK":"PARTICIPANT#p1"}`), false},
		{"a number for the sort key", bookings, enc(`{"PK":"ACCOUNT#a1","SK":5}`), false},
		{"a number marker for a string key", bookings, enc(`{"PK":"ACCOUNT#a1","SK":"#5"}`), false},
		{"a list", bookings, enc(`["PK","SK"]`), false},
		{"null", bookings, enc(`null`), false},
		{"not JSON", bookings, enc("not json"), false},
		{"not base64", bookings, "!!!", false},
		{"an index query's key", catalogue, enc(`{"PK":"OFFERING#o1","SK":"OFFERING","GSI1PK":"PUB","GSI1SK":"childcare#binhu#2025-09-01#o1"}`), true},
		{"an index query without the index sort key", catalogue, enc(`{"PK":"OFFERING#o1","SK":"OFFERING","GSI1PK":"PUB"}`), false},
		{"an index query without the table key", catalogue, enc(`{"GSI1PK":"PUB","GSI1SK":"childcare#binhu#2025-09-01#o1"}`), false},
		{"an index query without the table sort key", catalogue, enc(`{"PK":"OFFERING#o1","GSI1PK":"PUB","GSI1SK":"x"}`), false},
		{"another index's key", catalogue, enc(`{"PK":"OFFERING#o1","SK":"OFFERING","GSI2PK":"PUB","GSI2SK":"x"}`), false},
		{"five attributes", catalogue, enc(`{"PK":"OFFERING#o1","SK":"OFFERING","GSI1PK":"PUB","GSI1SK":"x","GSI2PK":"y"}`), false},
		{"another partition of the index", catalogue, enc(`{"PK":"CENTRE#c1","SK":"CENTRE","GSI1PK":"CENTRES","GSI1SK":"binhu#c1"}`), false},
		{"another kind's catalogue", childcare, enc(`{"PK":"OFFERING#o1","SK":"OFFERING","GSI1PK":"PUB","GSI1SK":"evening_course#binhu#2025-09-01#o1"}`), false},
		{"a roster's key", roster, enc(`{"PK":"ACCOUNT#a1","SK":"BOOKING#b1","GSI2PK":"ROSTER#o1","GSI2SK":"0001#b1"}`), true},
		{"another offering's roster", roster, enc(`{"PK":"ACCOUNT#a1","SK":"BOOKING#b1","GSI2PK":"ROSTER#o2","GSI2SK":"0001#b1"}`), false},
		{"in the date range", ledger, enc(`{"PK":"LEDGER","SK":"0005#x"}`), true},
		{"at its end", ledger, enc(`{"PK":"LEDGER","SK":"0009"}`), true},
		{"before the date range", ledger, enc(`{"PK":"LEDGER","SK":"0000#x"}`), false},
		{"after the date range", ledger, enc(`{"PK":"LEDGER","SK":"0010#x"}`), false},
		{"from a start on", sinceFrom, enc(`{"PK":"LEDGER","SK":"0007"}`), true},
		{"before the start", sinceFrom, enc(`{"PK":"LEDGER","SK":"0004"}`), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			key, err := decodeCursor(tt.cursor, tt.p)
			if tt.ok {
				if err != nil || len(key) != len(tt.p.keyAttrs()) {
					t.Fatalf("refused: %v %v", key, err)
				}
				return
			}
			e, ok := err.(*apperr.Error)
			if !apperr.Is(err, apperr.InvalidRequest) || !ok || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" || key != nil {
				t.Fatalf("accepted or not named: %v %v", key, err)
			}
		})
	}
}

// TestCursorKeyTypesAreTheTemplates: the key types the cursor holds to are
// the ones template.yaml declares for the table and its indexes.
func TestCursorKeyTypesAreTheTemplates(t *testing.T) {
	tmpl, err := samtemplate.Load(localdb.TemplatePath())
	if err != nil {
		t.Fatal(err)
	}
	table, err := tmpl.Table(localdb.TableLogicalID)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[string]types.ScalarAttributeType{}
	for _, d := range table.AttributeDefinitions {
		declared[*d.AttributeName] = d.AttributeType
	}
	if len(declared) != len(keyTypes) {
		t.Errorf("the template declares %v, the cursor knows %v", declared, keyTypes)
	}
	for attr, typ := range declared {
		if keyTypes[attr] != typ {
			t.Errorf("%s: template %s, cursor %s", attr, typ, keyTypes[attr])
		}
	}
	for _, gsi := range table.GlobalSecondaryIndexes {
		p := partition{index: *gsi.IndexName}
		want := []string{attrPK, attrSK}
		for _, k := range gsi.KeySchema {
			want = append(want, *k.AttributeName)
		}
		if got := p.keyAttrs(); len(got) != 4 || got[2] != want[2] || got[3] != want[3] {
			t.Errorf("%s: cursor key %v, index key %v", *gsi.IndexName, got, want)
		}
	}
}
