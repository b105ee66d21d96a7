package localdb

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"reflect"
	"strings"
	"testing"

	miniserver "github.com/truora/minidyn/server"
)

// queryGuard is a guard over a fresh minidyn with table t: key PK, SK
// (strings), index G on GPK, GSK (sparse, all attributes projected) and
// index K on GPK, N (a number; keys only).
func queryGuard(t testing.TB) *guard {
	t.Helper()
	g := newGuard(miniserver.NewServer())
	mustRun(t, g, "CreateTable", map[string]any{
		"TableName": "t", "BillingMode": "PAY_PER_REQUEST",
		"AttributeDefinitions": []map[string]string{{"AttributeName": "PK", "AttributeType": "S"}, {"AttributeName": "SK", "AttributeType": "S"},
			{"AttributeName": "GPK", "AttributeType": "S"}, {"AttributeName": "GSK", "AttributeType": "S"}, {"AttributeName": "N", "AttributeType": "N"}},
		"KeySchema": []map[string]string{{"AttributeName": "PK", "KeyType": "HASH"}, {"AttributeName": "SK", "KeyType": "RANGE"}},
		"GlobalSecondaryIndexes": []map[string]any{
			{"IndexName": "G", "KeySchema": []map[string]string{{"AttributeName": "GPK", "KeyType": "HASH"}, {"AttributeName": "GSK", "KeyType": "RANGE"}}, "Projection": map[string]string{"ProjectionType": "ALL"}},
			{"IndexName": "K", "KeySchema": []map[string]string{{"AttributeName": "GPK", "KeyType": "HASH"}, {"AttributeName": "N", "KeyType": "RANGE"}}, "Projection": map[string]string{"ProjectionType": "KEYS_ONLY"}},
		},
	})
	return g
}

func mustRun(t testing.TB, h http.Handler, op string, req any) *recorder {
	t.Helper()
	b, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	rec := run(h, op, b)
	if rec.status != http.StatusOK {
		t.Fatalf("%s %s: %d %s", op, b, rec.status, rec.body.Bytes())
	}
	return rec
}

func sv(s string) map[string]string { return map[string]string{"S": s} }

// page is a Query's answer, decoded for comparing.
type page struct {
	Items            []map[string]any
	Count            int
	ScannedCount     int
	LastEvaluatedKey map[string]any
}

func decodePage(t testing.TB, b []byte) page {
	t.Helper()
	var p page
	if err := json.Unmarshal(b, &p); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	if len(p.LastEvaluatedKey) == 0 {
		p.LastEvaluatedKey = nil
	}
	if p.Items == nil {
		p.Items = []map[string]any{} // minidyn answers {} for no items
	}
	return p
}

// TestQueryAnswersAsMinidyn: after random puts, updates, deletes, batches
// and transactions through the guard, every Query the copy answers
// (every key condition form, on the table and on an index, in both
// directions, page by page with Limit and ExclusiveStartKey, counted,
// projected) gives what minidyn's own Query gives on the same data.
func TestQueryAnswersAsMinidyn(t *testing.T) {
	g := queryGuard(t)
	rng := rand.New(rand.NewPCG(7, 16))
	letters := []string{"a", "ab", "abc", "b", "ba", "c", "ca", "cab"}
	gsk := 0
	randomItem := func() map[string]any {
		it := map[string]any{"PK": sv(fmt.Sprint("p", rng.IntN(4))), "SK": sv(letters[rng.IntN(len(letters))] + fmt.Sprint(rng.IntN(3))), "data": sv(fmt.Sprint(rng.IntN(100)))}
		if rng.IntN(3) > 0 {
			gsk++ // unique: DynamoDB leaves the order of equal index keys open
			it["GPK"], it["GSK"] = sv(fmt.Sprint("g", rng.IntN(2))), sv(fmt.Sprintf("%s-%04d", letters[rng.IntN(len(letters))], gsk))
		}
		return it
	}
	keyOf := func(it map[string]any) map[string]any { return map[string]any{"PK": it["PK"], "SK": it["SK"]} }
	var written []map[string]any
	write := func() {
		it := randomItem()
		switch k := rng.IntN(6); {
		case k <= 1 || len(written) == 0:
			mustRun(t, g, "PutItem", map[string]any{"TableName": "t", "Item": it})
			written = append(written, it)
		case k == 2: // into, or out of, the index
			old := written[rng.IntN(len(written))]
			expr := "REMOVE GPK, GSK"
			vals := map[string]any{}
			if rng.IntN(2) == 0 {
				gsk++
				expr, vals = "SET GPK = :g, GSK = :s", map[string]any{":g": sv("g1"), ":s": sv(fmt.Sprintf("u-%04d", gsk))}
			}
			req := map[string]any{"TableName": "t", "Key": keyOf(old), "UpdateExpression": expr}
			if len(vals) > 0 {
				req["ExpressionAttributeValues"] = vals
			}
			mustRun(t, g, "UpdateItem", req)
		case k == 3:
			mustRun(t, g, "DeleteItem", map[string]any{"TableName": "t", "Key": keyOf(written[rng.IntN(len(written))])})
		case k == 4:
			other := randomItem()
			if reflect.DeepEqual(keyOf(other), keyOf(it)) {
				return
			}
			mustRun(t, g, "BatchWriteItem", map[string]any{"RequestItems": map[string]any{"t": []any{
				map[string]any{"PutRequest": map[string]any{"Item": it}},
				map[string]any{"DeleteRequest": map[string]any{"Key": keyOf(written[rng.IntN(len(written))])}},
			}}})
			written = append(written, it)
		default:
			other := randomItem()
			if reflect.DeepEqual(keyOf(other), keyOf(it)) {
				return
			}
			mustRun(t, g, "TransactWriteItems", map[string]any{"TransactItems": []any{
				map[string]any{"Put": map[string]any{"TableName": "t", "Item": it}},
				map[string]any{"Put": map[string]any{"TableName": "t", "Item": other}},
			}})
			written = append(written, it, other)
		}
	}
	conds := []struct {
		expr   string
		values func() map[string]any
	}{
		{"PK = :p", func() map[string]any { return nil }},
		{"#pk = :p AND SK = :s", func() map[string]any { return map[string]any{":s": sv(letters[rng.IntN(len(letters))] + "1")} }},
		{"PK = :p AND SK < :s", func() map[string]any { return map[string]any{":s": sv(letters[rng.IntN(len(letters))])} }},
		{"PK = :p AND SK <= :s", func() map[string]any { return map[string]any{":s": sv(letters[rng.IntN(len(letters))] + "1")} }},
		{"PK = :p AND #sk > :s", func() map[string]any { return map[string]any{":s": sv(letters[rng.IntN(len(letters))])} }},
		{"PK = :p and SK >= :s", func() map[string]any { return map[string]any{":s": sv(letters[rng.IntN(len(letters))])} }},
		{"PK = :p AND SK BETWEEN :a AND :b", func() map[string]any { return map[string]any{":a": sv("ab"), ":b": sv("c")} }},
		{"PK = :p AND begins_with(SK, :s)", func() map[string]any { return map[string]any{":s": sv(letters[rng.IntN(len(letters))])} }},
	}
	answered := 0
	for round := range 60 {
		for range 10 {
			write()
		}
		for _, c := range conds {
			for _, index := range []string{"", "G"} {
				expr, part := c.expr, sv(fmt.Sprint("p", rng.IntN(4)))
				names := map[string]string{}
				if index == "G" {
					expr = map[string]string{
						"PK = :p": "GPK = :p", "#pk = :p AND SK = :s": "#pk = :p AND GSK = :s", "PK = :p AND SK < :s": "GPK = :p AND GSK < :s",
						"PK = :p AND SK <= :s": "GPK = :p AND GSK <= :s", "PK = :p AND #sk > :s": "GPK = :p AND #sk > :s", "PK = :p and SK >= :s": "GPK = :p and GSK >= :s",
						"PK = :p AND SK BETWEEN :a AND :b": "GPK = :p AND GSK BETWEEN :a AND :b", "PK = :p AND begins_with(SK, :s)": "GPK = :p AND begins_with(GSK, :s)",
					}[c.expr]
					part = sv(fmt.Sprint("g", rng.IntN(2)))
				}
				for _, n := range []string{"#pk", "#sk"} {
					if strings.Contains(expr, n) {
						names[n] = map[string]string{"#pk": "PK", "#sk": "SK"}[n]
						if index == "G" {
							names[n] = "G" + names[n]
						}
					}
				}
				values := map[string]any{":p": part}
				for k, v := range c.values() {
					values[k] = v
				}
				req := map[string]any{"TableName": "t", "KeyConditionExpression": expr, "ExpressionAttributeValues": values}
				if index != "" {
					req["IndexName"] = index
				}
				if len(names) > 0 {
					req["ExpressionAttributeNames"] = names
				}
				if rng.IntN(2) == 0 {
					req["ScanIndexForward"] = false
				}
				switch rng.IntN(4) {
				case 0:
					req["Select"] = "COUNT"
				case 1:
					req["ProjectionExpression"] = "PK, #d"
					if req["ExpressionAttributeNames"] == nil {
						req["ExpressionAttributeNames"] = map[string]string{}
					}
					req["ExpressionAttributeNames"].(map[string]string)["#d"] = "data"
				}
				limit := rng.IntN(4) // 0: none
				if limit > 0 {
					req["Limit"] = limit
				}
				// Page through both, from the same start each time.
				for pages := 0; ; pages++ {
					body, _ := json.Marshal(req)
					mine, ok := g.answerQuery(body)
					if !ok {
						t.Fatalf("round %d: the copy left %s to minidyn", round, body)
					}
					answered++
					theirs := g.send("Query", body)
					if theirs.status != http.StatusOK {
						t.Fatalf("minidyn: %s: %d %s", body, theirs.status, theirs.body.Bytes())
					}
					got, want := decodePage(t, mine), decodePage(t, theirs.body.Bytes())
					// minidyn answers Items to a COUNT and no ScannedCount;
					// DynamoDB answers no Items, and without a filter
					// ScannedCount is Count.
					if got.ScannedCount != got.Count {
						t.Fatalf("%s: ScannedCount %d, Count %d", body, got.ScannedCount, got.Count)
					}
					if req["Select"] == "COUNT" {
						if len(got.Items) > 0 || bytes.Contains(mine, []byte("Items")) {
							t.Fatalf("%s: items answered to a COUNT: %s", body, mine)
						}
						want.Items = got.Items
					}
					got.ScannedCount, want.ScannedCount = 0, 0
					if !reflect.DeepEqual(got, want) {
						t.Fatalf("round %d, %s:\n copy    %s\n minidyn %s", round, body, mine, theirs.body.Bytes())
					}
					if got.LastEvaluatedKey == nil || pages > 100 {
						break
					}
					req["ExclusiveStartKey"] = got.LastEvaluatedKey
				}
			}
		}
	}
	t.Logf("%d pages answered alike after %d writes", answered, 600)
}

// TestQueryNumbersAndProjections: numbers order by value, as DynamoDB
// orders them, and a keys-only index answers keys only.
func TestQueryNumbersAndProjections(t *testing.T) {
	g := queryGuard(t)
	for i, n := range []string{"10", "9", "100", "-1", "2.5", "1e1"} {
		mustRun(t, g, "PutItem", map[string]any{"TableName": "t", "Item": map[string]any{
			"PK": sv(fmt.Sprint("p", i)), "SK": sv("x"), "GPK": sv("g"), "N": map[string]string{"N": n}, "data": sv("d")}})
	}
	body := []byte(`{"TableName":"t","IndexName":"K","KeyConditionExpression":"GPK = :g AND N >= :min","ExpressionAttributeValues":{":g":{"S":"g"},":min":{"N":"2.5"}}}`)
	out, ok := g.answerQuery(body)
	if !ok {
		t.Fatal("left to minidyn")
	}
	var got []string
	for _, it := range decodePage(t, out).Items {
		if len(it) != 4 || it["data"] != nil {
			t.Errorf("a keys-only index answered %v", it)
		}
		got = append(got, it["N"].(map[string]any)["N"].(string)+"@"+it["PK"].(map[string]any)["S"].(string))
	}
	// 10 and 1e1 are one number: their order is the table key's.
	if want := []string{"2.5@p4", "9@p1", "10@p0", "1e1@p5", "100@p2"}; !reflect.DeepEqual(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

// TestQueryLeavesTheRestToMinidyn: what the copy does not answer goes to
// minidyn, errors included.
func TestQueryLeavesTheRestToMinidyn(t *testing.T) {
	g := queryGuard(t)
	mustRun(t, g, "PutItem", map[string]any{"TableName": "t", "Item": map[string]any{"PK": sv("p"), "SK": sv("x"), "data": sv("d")}})
	for _, body := range []string{
		`{"TableName":"t","KeyConditionExpression":"PK = :p","FilterExpression":"#d = :d","ExpressionAttributeNames":{"#d":"data"},"ExpressionAttributeValues":{":p":{"S":"p"},":d":{"S":"d"}}}`,
		`{"TableName":"t","KeyConditionExpression":"PK = :p","ExpressionAttributeValues":{":p":{"S":"p"},":unused":{"S":"d"}}}`,
		`{"TableName":"t","KeyConditionExpression":"PK = :p","Limit":0,"ExpressionAttributeValues":{":p":{"S":"p"}}}`,
		`{"TableName":"t","IndexName":"G","ConsistentRead":true,"KeyConditionExpression":"GPK = :p","ExpressionAttributeValues":{":p":{"S":"p"}}}`,
		`{"TableName":"t","KeyConditionExpression":"PK = :p","ProjectionExpression":"a.b","ExpressionAttributeValues":{":p":{"S":"p"}}}`,
		`{"TableName":"t","KeyConditionExpression":"SK = :p","ExpressionAttributeValues":{":p":{"S":"x"}}}`,
		`{"TableName":"t","KeyConditionExpression":"PK = :p OR PK = :q","ExpressionAttributeValues":{":p":{"S":"p"},":q":{"S":"q"}}}`,
		`{"TableName":"t","KeyConditionExpression":"PK = :p","ExpressionAttributeValues":{":p":{"N":"1"}}}`,
		`{"TableName":"t","KeyConditions":{"PK":{"ComparisonOperator":"EQ","AttributeValueList":[{"S":"p"}]}}}`,
		`{"TableName":"nope","KeyConditionExpression":"PK = :p","ExpressionAttributeValues":{":p":{"S":"p"}}}`,
	} {
		if out, ok := g.answerQuery([]byte(body)); ok {
			t.Errorf("%s: answered %s", body, out)
		}
	}
	// The first goes to minidyn through the guard and finds the item.
	rec := run(g, "Query", []byte(`{"TableName":"t","KeyConditionExpression":"PK = :p","FilterExpression":"#d = :d","ExpressionAttributeNames":{"#d":"data"},"ExpressionAttributeValues":{":p":{"S":"p"},":d":{"S":"d"}}}`))
	if p := decodePage(t, rec.body.Bytes()); rec.status != http.StatusOK || len(p.Items) != 1 {
		t.Errorf("filtered query: %d %s", rec.status, rec.body.Bytes())
	}
}
