package localdb

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	miniserver "github.com/truora/minidyn/server"
)

// scanAll is the table's items, sorted by PK.
func scanAll(t *testing.T, db *dynamodb.Client, name string) []map[string]types.AttributeValue {
	t.Helper()
	out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(name)})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(out.Items, func(a, b map[string]types.AttributeValue) int {
		return cmpS(a["PK"], b["PK"])
	})
	return out.Items
}

func cmpS(a, b types.AttributeValue) int {
	x, _ := a.(*types.AttributeValueMemberS)
	y, _ := b.(*types.AttributeValueMemberS)
	if x == nil || y == nil {
		return 0
	}
	switch {
	case x.Value < y.Value:
		return -1
	case x.Value > y.Value:
		return 1
	}
	return 0
}

// unchanged fails t unless table holds the items it held before, with
// index G in step.
func unchanged(t *testing.T, db *dynamodb.Client, table string, before []map[string]types.AttributeValue) {
	t.Helper()
	if after := scanAll(t, db, table); !reflect.DeepEqual(after, before) {
		t.Errorf("the table changed:\n%v\nwas\n%v", after, before)
	}
	if err := checkIndex(context.Background(), db, table); err != nil {
		t.Error(err)
	}
}

func num(n int) types.AttributeValue { return &types.AttributeValueMemberN{Value: fmt.Sprint(n)} }

// TestTransactReportsEveryFailedCondition: a transaction whose conditions
// fail on several items is cancelled with a reason for every item, in
// order, as DynamoDB does: ConditionalCheckFailed, with the item as it
// stood when the item asked for ALL_OLD, for each failed one, None for the
// others; and nothing is written. minidyn alone reports only the first
// failure (the bare run; when that changes, minidyn has caught up).
func TestTransactReportsEveryFailedCondition(t *testing.T) {
	ctx := context.Background()
	allOld := types.ReturnValuesOnConditionCheckFailureAllOld
	items := func(table string) []types.TransactWriteItem {
		tb := aws.String(table)
		fresh := keyOf("z1")
		return []types.TransactWriteItem{
			{Put: &types.Put{TableName: tb, Item: fresh, ConditionExpression: aws.String("attribute_not_exists(PK)")}},
			{ConditionCheck: &types.ConditionCheck{TableName: tb, Key: keyOf("a1"), ConditionExpression: aws.String("attribute_not_exists(PK)"), ReturnValuesOnConditionCheckFailure: allOld}},
			// :new is used only by the update expression.
			{Update: &types.Update{TableName: tb, Key: keyOf("a2"), UpdateExpression: aws.String("SET #d = :new REMOVE GPK"), ConditionExpression: aws.String("#d = :old"),
				ExpressionAttributeNames: map[string]string{"#d": "data"}, ExpressionAttributeValues: map[string]types.AttributeValue{":new": str("n"), ":old": str("not so")}}},
			{Delete: &types.Delete{TableName: tb, Key: keyOf("c1"), ConditionExpression: aws.String("attribute_exists(PK)")}},
			{Put: &types.Put{TableName: tb, Item: entry{"a3", "", ""}.item(), ConditionExpression: aws.String("attribute_not_exists(PK)"), ReturnValuesOnConditionCheckFailure: allOld}},
			{Delete: &types.Delete{TableName: tb, Key: keyOf("absent"), ConditionExpression: aws.String("attribute_exists(PK)"), ReturnValuesOnConditionCheckFailure: allOld}},
		}
	}
	for _, tc := range []struct {
		name  string
		h     http.Handler
		codes []string
		items []map[string]types.AttributeValue
	}{
		{"guarded", newGuard(miniserver.NewServer()),
			[]string{"None", "ConditionalCheckFailed", "ConditionalCheckFailed", "None", "ConditionalCheckFailed", "ConditionalCheckFailed"},
			[]map[string]types.AttributeValue{nil, entry{"a1", "P", "1"}.item(), nil, nil, entry{"a3", "P", "3"}.item(), nil}},
		{"bare", miniserver.NewServer(),
			[]string{"None", "ConditionalCheckFailed", "None", "None", "None", "None"},
			[]map[string]types.AttributeValue{nil, entry{"a1", "P", "1"}.item(), nil, nil, nil, nil}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			db := serve(t, tc.h)
			indexTable(t, db, "tx")
			before := scanAll(t, db, "tx")
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items("tx")})
			tce, ok := errors.AsType[*types.TransactionCanceledException](err)
			if !ok {
				t.Fatalf("want a TransactionCanceledException, got %v", err)
			}
			var codes []string
			var got []map[string]types.AttributeValue
			for _, r := range tce.CancellationReasons {
				codes = append(codes, aws.ToString(r.Code))
				got = append(got, r.Item)
			}
			if !slices.Equal(codes, tc.codes) {
				t.Errorf("reasons %v, want %v", codes, tc.codes)
			}
			for i := range got {
				if len(got[i]) == 0 {
					got[i] = nil
				}
			}
			if !reflect.DeepEqual(got, tc.items) {
				t.Errorf("items %v, want %v", got, tc.items)
			}
			unchanged(t, db, "tx", before)
		})
	}
}

// TestTransactWritesAllOrNothing: a transaction whose conditions hold
// writes every item (through the single-item path: the index follows an
// item leaving it); one whose last write minidyn refuses leaves every item
// as it was, the ones already written included.
func TestTransactWritesAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := serve(t, newGuard(miniserver.NewServer()))
	indexTable(t, db, "tx")
	tb := aws.String("tx")
	before := scanAll(t, db, "tx")
	_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: tb, Item: keyOf("z1")}},
		{Put: &types.Put{TableName: tb, Item: entry{"a1", "", ""}.item(), ConditionExpression: aws.String("attribute_exists(PK)")}},
		{Delete: &types.Delete{TableName: tb, Key: keyOf("b1")}},
		{Update: &types.Update{TableName: tb, Key: keyOf("c1"), UpdateExpression: aws.String("SET n = #d + :one"),
			ExpressionAttributeNames: map[string]string{"#d": "data"}, ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)}}},
	}})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" {
		t.Fatalf("adding a number to a string: want minidyn's ValidationException, got %v", err)
	}
	unchanged(t, db, "tx", before)

	if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: tb, Item: keyOf("z1"), ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{Put: &types.Put{TableName: tb, Item: entry{"a1", "", ""}.item(), ConditionExpression: aws.String("attribute_exists(PK)")}},
		{Delete: &types.Delete{TableName: tb, Key: keyOf("b1")}},
		{Update: &types.Update{TableName: tb, Key: keyOf("c1"), UpdateExpression: aws.String("SET n = :one, GPK = :q, GSK = :s"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1), ":q": str("Q"), ":s": str("0")}}},
	}}); err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]types.AttributeValue{"z1": keyOf("z1"), "a1": entry{"a1", "", ""}.item(), "b1": nil}
	want["c1"] = entry{"c1", "Q", "0"}.item()
	want["c1"]["n"] = num(1)
	for pk, w := range want {
		got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tb, Key: keyOf(pk)})
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Item) == 0 {
			got.Item = nil
		}
		if !reflect.DeepEqual(got.Item, w) {
			t.Errorf("%s: %v, want %v", pk, got.Item, w)
		}
	}
	if err := checkIndex(ctx, db, "tx"); err != nil {
		t.Error(err)
	}
}

// TestTransactConditionCheckChangesNothing: a ConditionCheck that holds,
// run again and again, leaves its item (and the index) as it was, whether
// the item exists or not.
func TestTransactConditionCheckChangesNothing(t *testing.T) {
	ctx := context.Background()
	db := serve(t, newGuard(miniserver.NewServer()))
	indexTable(t, db, "tx")
	tb := aws.String("tx")
	before := scanAll(t, db, "tx")
	for range 3 {
		if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{ConditionCheck: &types.ConditionCheck{TableName: tb, Key: keyOf("a1"), ConditionExpression: aws.String("GPK = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("P")}}},
			{ConditionCheck: &types.ConditionCheck{TableName: tb, Key: keyOf("c1"), ConditionExpression: aws.String("attribute_not_exists(GPK)")}},
			{ConditionCheck: &types.ConditionCheck{TableName: tb, Key: keyOf("absent"), ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		}}); err != nil {
			t.Fatal(err)
		}
	}
	unchanged(t, db, "tx", before)
}

// TestTransactRefusesAsDynamoDB: requests DynamoDB refuses before running
// anything are refused, and change nothing.
func TestTransactRefusesAsDynamoDB(t *testing.T) {
	ctx := context.Background()
	db := serve(t, newGuard(miniserver.NewServer()))
	indexTable(t, db, "tx")
	tb := aws.String("tx")
	before := scanAll(t, db, "tx")
	for _, tc := range []struct {
		name  string
		items []types.TransactWriteItem
		code  string
	}{
		{"two operations on one item", []types.TransactWriteItem{
			{Put: &types.Put{TableName: tb, Item: keyOf("z1")}},
			{Update: &types.Update{TableName: tb, Key: keyOf("z1"), UpdateExpression: aws.String("SET n = :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)}}},
		}, "ValidationException"},
		{"two operations in one item", []types.TransactWriteItem{
			{Put: &types.Put{TableName: tb, Item: keyOf("z1")}, Delete: &types.Delete{TableName: tb, Key: keyOf("a1")}},
		}, "ValidationException"},
		{"no such table", []types.TransactWriteItem{
			{Put: &types.Put{TableName: tb, Item: keyOf("z1")}},
			{Put: &types.Put{TableName: aws.String("nope"), Item: keyOf("z1")}},
		}, "ResourceNotFoundException"},
		{"a key without its sort key", []types.TransactWriteItem{
			{Put: &types.Put{TableName: tb, Item: keyOf("z1")}},
			{Delete: &types.Delete{TableName: tb, Key: map[string]types.AttributeValue{"PK": str("a1")}}},
		}, "ValidationException"},
	} {
		_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: tc.items})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != tc.code {
			t.Errorf("%s: want %s, got %v", tc.name, tc.code, err)
		}
	}
	unchanged(t, db, "tx", before)
}

// TestTransactNeverSeenHalfApplied: transactions that move a unit between
// two counters and rewrite three index entries as one generation run
// while single writes move other items in and out of the index and
// readers look: a reader always sees the counters' sum unchanged and the
// three entries of one generation, by BatchGetItem and by Query on the
// index. Cancelled transactions, mixed in, change nothing.
func TestTransactNeverSeenHalfApplied(t *testing.T) {
	ctx := context.Background()
	db := serve(t, newGuard(miniserver.NewServer()))
	indexTable(t, db, "tx")
	tb := aws.String("tx")
	gens := []string{"g1", "g2", "g3"}
	genItem := func(pk, gen string) map[string]types.AttributeValue {
		it := entry{pk, "T", pk}.item()
		it["gen"] = str(gen)
		return it
	}
	const total = 100
	for _, it := range []map[string]types.AttributeValue{genItem("t1", "g0"), genItem("t2", "g0"), genItem("t3", "g0")} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tb, Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	for pk, n := range map[string]int{"n1": total, "n2": 0} {
		it := keyOf(pk)
		it["n"] = num(n)
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tb, Item: it}); err != nil {
			t.Fatal(err)
		}
	}
	move := func(from, to string) []types.TransactWriteItem {
		return []types.TransactWriteItem{
			{Update: &types.Update{TableName: tb, Key: keyOf(from), UpdateExpression: aws.String("ADD n :minus"), ConditionExpression: aws.String("n > :zero"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":minus": num(-1), ":zero": num(0)}}},
			{Update: &types.Update{TableName: tb, Key: keyOf(to), UpdateExpression: aws.String("ADD n :one"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":one": num(1)}}},
		}
	}
	var writers []func(stopped func() bool) error
	for w := range 3 {
		writers = append(writers, func(stopped func() bool) error {
			for i := 0; !stopped(); i++ {
				gen := gens[(w+i)%len(gens)]
				items := move("n1", "n2")
				if i%2 == 1 {
					items = move("n2", "n1")
				}
				for _, pk := range []string{"t1", "t2", "t3"} {
					items = append(items, types.TransactWriteItem{Put: &types.Put{TableName: tb, Item: genItem(pk, gen)}})
				}
				if i%3 == 2 { // cancelled: nothing of it may show
					items = append(items, types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: tb, Key: keyOf("c1"), ConditionExpression: aws.String("attribute_not_exists(PK)")}})
				}
				_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: items})
				if _, ok := errors.AsType[*types.TransactionCanceledException](err); err != nil && !ok {
					return err
				}
			}
			return nil
		})
	}
	for i := range 2 { // single writes beside the transactions
		writers = append(writers, toggler(db, "tx", i))
	}
	read := func() error {
		for range 150 {
			got, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{"tx": {Keys: []map[string]types.AttributeValue{keyOf("n1"), keyOf("n2"), keyOf("t1"), keyOf("t2"), keyOf("t3")}}}})
			if err != nil {
				return err
			}
			sum, gen := 0, map[string]bool{}
			for _, it := range got.Responses["tx"] {
				if n, ok := it["n"].(*types.AttributeValueMemberN); ok {
					var v int
					fmt.Sscan(n.Value, &v)
					sum += v
				}
				if g, ok := it["gen"].(*types.AttributeValueMemberS); ok {
					gen[g.Value] = true
				}
			}
			if sum != total || len(gen) != 1 {
				return fmt.Errorf("half a transaction seen by BatchGetItem: sum %d, generations %v", sum, gen)
			}
			q, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tb, IndexName: aws.String("G"),
				KeyConditionExpression:    aws.String("GPK = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("T")}})
			if err != nil {
				return err
			}
			gen = map[string]bool{}
			for _, it := range q.Items {
				gen[it["gen"].(*types.AttributeValueMemberS).Value] = true
			}
			if len(q.Items) != 3 || len(gen) != 1 {
				return fmt.Errorf("half a transaction seen by Query: %d items, generations %v", len(q.Items), gen)
			}
		}
		return nil
	}
	race(t, db, "tx", writers, read)
}
