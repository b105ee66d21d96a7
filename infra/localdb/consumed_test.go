package localdb

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	miniserver "github.com/truora/minidyn/server"
)

// units is a ConsumedCapacity's parts: the table's and index G's, read and
// write.
type units struct{ tableR, tableW, gR, gW float64 }

func unitsOf(t *testing.T, cc *types.ConsumedCapacity) units {
	t.Helper()
	if cc == nil {
		t.Fatal("no ConsumedCapacity")
	}
	var u units
	if cc.Table != nil {
		u.tableR, u.tableW = aws.ToFloat64(cc.Table.ReadCapacityUnits), aws.ToFloat64(cc.Table.WriteCapacityUnits)
	}
	if g, ok := cc.GlobalSecondaryIndexes["G"]; ok {
		u.gR, u.gW = aws.ToFloat64(g.ReadCapacityUnits), aws.ToFloat64(g.WriteCapacityUnits)
	}
	if total := u.tableR + u.tableW + u.gR + u.gW; aws.ToFloat64(cc.CapacityUnits) != total {
		t.Errorf("CapacityUnits %v, parts add up to %v", aws.ToFloat64(cc.CapacityUnits), total)
	}
	return u
}

// TestGuardAnswersConsumedCapacity: each operation, asked for INDEXES,
// answers the units DynamoDB's rules give for the items it reads and
// writes, on the table and on index G (projection ALL). indexTable's items
// are 23 bytes (PK 2+2, SK 2+1, data 4+4, GPK 3+1, GSK 3+1) or, outside
// G, 15; big is 4,119 bytes: PK 2+3, SK 2+1, data 4+4,100, GPK 3+1, GSK 3+1.
func TestGuardAnswersConsumedCapacity(t *testing.T) {
	ctx := context.Background()
	db := serve(t, newGuard(miniserver.NewServer()))
	const table = "capacity"
	tb := aws.String(table)
	indexTable(t, db, table)
	idx := types.ReturnConsumedCapacityIndexes
	big := entry{"big", "Q", "9"}.item()
	big["data"] = str(strings.Repeat("x", 4100))

	steps := []struct {
		name string
		run  func() (*types.ConsumedCapacity, error)
		want units
	}{
		{"PutItem of a new item in G: 1 write on each", func() (*types.ConsumedCapacity, error) {
			out, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tb, Item: entry{"n1", "P", "5"}.item(), ReturnConsumedCapacity: idx})
			return consumed(out, err, func() *types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{tableW: 1, gW: 1}},
		{"PutItem of 4,119 bytes: 5 writes on each (1 KB a unit)", func() (*types.ConsumedCapacity, error) {
			out, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tb, Item: big, ReturnConsumedCapacity: idx})
			return consumed(out, err, func() *types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{tableW: 5, gW: 5}},
		{"UpdateItem of G's sort key: the index deletes and puts", func() (*types.ConsumedCapacity, error) {
			out, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tb, Key: keyOf("a1"), UpdateExpression: aws.String("SET GSK = :v"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": str("0")}, ReturnConsumedCapacity: idx})
			return consumed(out, err, func() *types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{tableW: 1, gW: 2}},
		{"UpdateItem of an item outside G: the table only", func() (*types.ConsumedCapacity, error) {
			out, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tb, Key: keyOf("c1"), UpdateExpression: aws.String("SET #d = :v"),
				ExpressionAttributeNames: map[string]string{"#d": "data"}, ExpressionAttributeValues: map[string]types.AttributeValue{":v": str("e")}, ReturnConsumedCapacity: idx})
			return consumed(out, err, func() *types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{tableW: 1}},
		{"UpdateItem that takes an item out of G: the index deletes", func() (*types.ConsumedCapacity, error) {
			out, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: tb, Key: keyOf("b1"), UpdateExpression: aws.String("REMOVE GPK"), ReturnConsumedCapacity: idx})
			return consumed(out, err, func() *types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{tableW: 1, gW: 1}},
		{"DeleteItem of an item in G", func() (*types.ConsumedCapacity, error) {
			out, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tb, Key: keyOf("a2"), ReturnConsumedCapacity: idx})
			return consumed(out, err, func() *types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{tableW: 1, gW: 1}},
		{"DeleteItem of no item: 1 write", func() (*types.ConsumedCapacity, error) {
			out, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: tb, Key: keyOf("none"), ReturnConsumedCapacity: idx})
			return consumed(out, err, func() *types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{tableW: 1}},
		{"GetItem of 4,119 bytes, strongly consistent: 2 reads (4 KB a unit)", func() (*types.ConsumedCapacity, error) {
			out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tb, Key: keyOf("big"), ConsistentRead: aws.Bool(true), ReturnConsumedCapacity: idx})
			return consumed(out, err, func() *types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{tableR: 2}},
		{"GetItem, eventually consistent: half", func() (*types.ConsumedCapacity, error) {
			out, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: tb, Key: keyOf("big"), ReturnConsumedCapacity: idx})
			return consumed(out, err, func() *types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{tableR: 1}},
		{"BatchGetItem: each item rounded, a missing one too", func() (*types.ConsumedCapacity, error) {
			out, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{
				table: {Keys: []map[string]types.AttributeValue{keyOf("a3"), keyOf("big"), keyOf("none")}, ConsistentRead: aws.Bool(true)}}, ReturnConsumedCapacity: idx})
			return only(out, err, func() []types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{tableR: 1 + 2 + 1}},
		{"Query of G's partition Q: 23 + 4,119 bytes read, rounded once, eventually consistent", func() (*types.ConsumedCapacity, error) {
			out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tb, IndexName: aws.String("G"), KeyConditionExpression: aws.String("GPK = :p"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("Q")}, ReturnConsumedCapacity: idx})
			if err == nil && len(out.Items) != 2 {
				t.Errorf("Query: %d items, want 2", len(out.Items))
			}
			return consumed(out, err, func() *types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{gR: 1}},
		{"Query of the table, one small item, strongly consistent", func() (*types.ConsumedCapacity, error) {
			out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: tb, KeyConditionExpression: aws.String("PK = :p"), ConsistentRead: aws.Bool(true),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("a3")}, ReturnConsumedCapacity: idx})
			return consumed(out, err, func() *types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{tableR: 1}},
		{"TransactWriteItems: every item doubled, a ConditionCheck too; index writes standard", func() (*types.ConsumedCapacity, error) {
			out, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{ReturnConsumedCapacity: idx, TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: tb, Item: entry{"z1", "", ""}.item()}},
				{Update: &types.Update{TableName: tb, Key: keyOf("a3"), UpdateExpression: aws.String("SET #d = :v"),
					ExpressionAttributeNames: map[string]string{"#d": "data"}, ExpressionAttributeValues: map[string]types.AttributeValue{":v": str("changed")}}},
				{ConditionCheck: &types.ConditionCheck{TableName: tb, Key: keyOf("big"), ConditionExpression: aws.String("attribute_exists(PK)")}},
				{Delete: &types.Delete{TableName: tb, Key: keyOf("c2")}},
			}})
			return only(out, err, func() []types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{tableW: 2*1 + 2*1 + 2*5 + 2*1, gW: 1}},
		{"TransactGetItems: doubled strongly consistent reads", func() (*types.ConsumedCapacity, error) {
			out, err := db.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{ReturnConsumedCapacity: idx, TransactItems: []types.TransactGetItem{
				{Get: &types.Get{TableName: tb, Key: keyOf("a4")}}, {Get: &types.Get{TableName: tb, Key: keyOf("big")}},
			}})
			return only(out, err, func() []types.ConsumedCapacity { return out.ConsumedCapacity })
		}, units{tableR: 2*1 + 2*2}},
	}
	for _, s := range steps {
		cc, err := s.run()
		if err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		if got := unitsOf(t, cc); got != s.want {
			t.Errorf("%s: %+v, want %+v", s.name, got, s.want)
		}
		if aws.ToString(cc.TableName) != table {
			t.Errorf("%s: table %q", s.name, aws.ToString(cc.TableName))
		}
	}

	// TOTAL: the totals only; not asked: none.
	out, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tb, Item: entry{"n2", "P", "6"}.item(), ReturnConsumedCapacity: types.ReturnConsumedCapacityTotal})
	if err != nil {
		t.Fatal(err)
	}
	if cc := out.ConsumedCapacity; cc == nil || aws.ToFloat64(cc.CapacityUnits) != 2 || cc.Table != nil || cc.GlobalSecondaryIndexes != nil {
		t.Errorf("TOTAL: %+v, want 2 units without parts", cc)
	}
	out, err = db.PutItem(ctx, &dynamodb.PutItemInput{TableName: tb, Item: entry{"n3", "P", "7"}.item()})
	if err != nil {
		t.Fatal(err)
	}
	if out.ConsumedCapacity != nil {
		t.Errorf("not asked: %+v", out.ConsumedCapacity)
	}
	// Still in step: the accounting reads the guard's copy, never changes it.
	if err := checkIndex(ctx, db, table); err != nil {
		t.Error(err)
	}
}

func consumed[T any](out *T, err error, cc func() *types.ConsumedCapacity) (*types.ConsumedCapacity, error) {
	if err != nil {
		return nil, err
	}
	return cc(), nil
}

// only is the one table's ConsumedCapacity of a batch or transaction.
func only[T any](out *T, err error, list func() []types.ConsumedCapacity) (*types.ConsumedCapacity, error) {
	if err != nil {
		return nil, err
	}
	l := list()
	if len(l) != 1 {
		return nil, &types.InternalServerError{Message: aws.String("want one table's ConsumedCapacity")}
	}
	return &l[0], nil
}
