package store

import (
	"encoding/base64"
	"maps"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// fuzzedLists are lists of every shape: table and index, by prefix, by
// range, from a start, a whole partition.
var fuzzedLists = []partition{
	{pk: accountPK("a1"), prefix: prefixBooking},
	{index: indexGSI1, pk: gsiPublished},
	{index: indexGSI1, pk: gsiPublished, prefix: "childcare#"},
	{index: indexGSI2, pk: prefixRoster + "o1"},
	{pk: pkLedger, from: "0001", to: "0009"},
	{index: indexGSI3, pk: "CITY#childcare", from: "2025-01-01"},
}

// FuzzDecodeCursor: decodeCursor never panics, refuses with
// invalid_request naming cursor, and accepts only a key of the list's own
// shape: exactly its key attributes, each a non-empty string, in the
// partition read and within its sort-key condition; a key that
// encodeCursor gives back as a cursor that decodes to the same key.
func FuzzDecodeCursor(f *testing.F) {
	enc := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for i, seed := range []string{
		enc(`{"PK":"ACCOUNT#a1","SK":"BOOKING#b1"}`),
		enc(`{"PK":"OFFERING#o1","SK":"OFFERING","GSI1PK":"PUB","GSI1SK":"childcare#binhu#2025-09-01#o1"}`),
		enc(`{"PK":"OFFERING#o1","SK":"OFFERING","GSI1PK":"PUB","GSI1SK":"childcare#binhu#2025-09-01#o1"}`),
		enc(`{"PK":"ACCOUNT#a1","SK":"BOOKING#b1","GSI2PK":"ROSTER#o1","GSI2SK":"0001#b1"}`),
		enc(`{"PK":"LEDGER","SK":"0005#x"}`),
		enc(`{"PK":"SNAP#x","SK":"y","GSI3PK":"CITY#childcare","GSI3SK":"2025-02-01"}`),
		enc(`{"PK":"ACCOUNT#a1","SK":"BOOKING#b1","PK":"ACCOUNT#a2"}`),
		enc(`{"PK":"ACCOUNT#a1","SK":5}`),
		enc(`{"PK":"ACCOUNT#a1","SK":"#5"}`),
		enc(`{"pk":"ACCOUNT#a1","SK":"BOOKING#b1"}`),
		enc(` {"PK" : "ACCOUNT#a1" , "SK":"BOOKING#\u00621"} `),
		enc(`null`),
		"!!!",
		"eyJQSyI6IngifQ==",
		"",
	} {
		f.Add(uint8(i), seed)
	}
	f.Fuzz(func(t *testing.T, list uint8, cursor string) {
		p := fuzzedLists[int(list)%len(fuzzedLists)]
		key, err := decodeCursor(cursor, p)
		if err != nil {
			e, ok := err.(*apperr.Error)
			if !ok || e.Code != apperr.InvalidRequest || len(e.Fields) != 1 || e.Fields[0].Field != "cursor" || key != nil {
				t.Fatalf("refused with %v (key %v)", err, key)
			}
			return
		}
		if cursor == "" {
			if key != nil {
				t.Fatalf("no cursor read as %v", key)
			}
			return
		}
		want := p.keyAttrs()
		if len(key) != len(want) {
			t.Fatalf("accepted a key of %d attributes, want %v", len(key), want)
		}
		values := map[string]string{}
		for _, attr := range want {
			v, ok := key[attr].(*types.AttributeValueMemberS)
			if !ok || v.Value == "" {
				t.Fatalf("accepted %s = %#v", attr, key[attr])
			}
			values[attr] = v.Value
		}
		pk, sk := attrPK, attrSK
		if p.index != "" {
			pk, sk = p.index+"PK", p.index+"SK"
		}
		if values[pk] != p.pk || !p.holds(values[sk]) {
			t.Fatalf("accepted a key outside the list %+v: %v", p, values)
		}
		again, err := decodeCursor(encodeCursor(key), p)
		if err != nil {
			t.Fatalf("the key's own cursor is refused: %v", err)
		}
		if !maps.EqualFunc(again, key, func(a, b types.AttributeValue) bool {
			return a.(*types.AttributeValueMemberS).Value == b.(*types.AttributeValueMemberS).Value
		}) {
			t.Fatalf("the key's own cursor reads %v, not %v", again, key)
		}
	})
}
