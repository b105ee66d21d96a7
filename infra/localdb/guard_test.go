package localdb

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/smithy-go"
	miniserver "github.com/truora/minidyn/server"
)

// serve runs h on a free loopback port for the test; a client for it.
func serve(t testing.TB, h http.Handler) *dynamodb.Client {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return dynamodb.New(dynamodb.Options{
		Region: "cn-north-1", BaseEndpoint: aws.String("http://" + ln.Addr().String()),
		Credentials:                     credentials.NewStaticCredentialsProvider("local", "local", ""),
		DisableValidateResponseChecksum: true,
	})
}

func str(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func keyOf(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": str(pk), "SK": str("x")}
}

// entry is an item: its PK and, when it is in index G, its G key.
type entry struct{ pk, gpk, gsk string }

func (e entry) item() map[string]types.AttributeValue {
	it := keyOf(e.pk)
	it["data"] = str("d-" + e.pk)
	if e.gpk != "" {
		it["GPK"], it["GSK"] = str(e.gpk), str(e.gsk)
	}
	return it
}

// indexTable is a table with one sparse index, G, and items a1–a4 in G
// (partition P), b1 and b2 in G's partition Q, and c1 and c2 outside it.
func indexTable(t testing.TB, db *dynamodb.Client, name string) {
	t.Helper()
	ctx := context.Background()
	s := types.ScalarAttributeTypeS
	_, err := db.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName: aws.String(name), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{
			{AttributeName: aws.String("PK"), AttributeType: s}, {AttributeName: aws.String("SK"), AttributeType: s},
			{AttributeName: aws.String("GPK"), AttributeType: s}, {AttributeName: aws.String("GSK"), AttributeType: s},
		},
		KeySchema: []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("SK"), KeyType: types.KeyTypeRange}},
		GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{
			IndexName:  aws.String("G"),
			KeySchema:  []types.KeySchemaElement{{AttributeName: aws.String("GPK"), KeyType: types.KeyTypeHash}, {AttributeName: aws.String("GSK"), KeyType: types.KeyTypeRange}},
			Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range []entry{{"a1", "P", "1"}, {"a2", "P", "2"}, {"a3", "P", "3"}, {"a4", "P", "4"}, {"b1", "Q", "1"}, {"b2", "Q", "2"}, {"c1", "", ""}, {"c2", "", ""}} {
		if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(name), Item: e.item()}); err != nil {
			t.Fatal(err)
		}
	}
}

// checkIndex compares index G, read by Query on each partition and by a
// Scan of the index, with the table's items that have G's key attributes.
func checkIndex(ctx context.Context, db *dynamodb.Client, name string) error {
	table, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(name)})
	if err != nil {
		return err
	}
	want := map[string][]string{}
	var all []string
	for _, it := range table.Items {
		gpk, ok1 := it["GPK"].(*types.AttributeValueMemberS)
		gsk, ok2 := it["GSK"].(*types.AttributeValueMemberS)
		if ok1 && ok2 {
			pk := it["PK"].(*types.AttributeValueMemberS).Value
			want[gpk.Value] = append(want[gpk.Value], gsk.Value+"="+pk)
			all = append(all, pk)
		}
	}
	for _, p := range []string{"P", "Q"} {
		for _, limit := range []int32{0, 1, 2, 10} {
			var got []string
			in := &dynamodb.QueryInput{TableName: aws.String(name), IndexName: aws.String("G"),
				KeyConditionExpression:    aws.String("GPK = :p AND begins_with(GSK, :s)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": str(p), ":s": str("")}}
			if limit > 0 {
				in.Limit = aws.Int32(limit)
			}
			for {
				out, err := db.Query(ctx, in)
				if err != nil {
					return fmt.Errorf("query %s limit %d: %w", p, limit, err)
				}
				for _, it := range out.Items {
					got = append(got, it["GSK"].(*types.AttributeValueMemberS).Value+"="+it["PK"].(*types.AttributeValueMemberS).Value)
				}
				if len(out.LastEvaluatedKey) == 0 || limit == 0 {
					break
				}
				in.ExclusiveStartKey = out.LastEvaluatedKey
			}
			slices.Sort(want[p])
			if !slices.Equal(got, want[p]) {
				return fmt.Errorf("query %s limit %d: %v, want %v", p, limit, got, want[p])
			}
		}
	}
	scan, err := db.Scan(ctx, &dynamodb.ScanInput{TableName: aws.String(name), IndexName: aws.String("G")})
	if err != nil {
		return fmt.Errorf("scan of the index: %w", err)
	}
	var got []string
	for _, it := range scan.Items {
		got = append(got, it["PK"].(*types.AttributeValueMemberS).Value)
	}
	slices.Sort(got)
	slices.Sort(all)
	if !slices.Equal(got, all) {
		return fmt.Errorf("scan of the index: %v, want %v", got, all)
	}
	return nil
}

// TestGuardKeepsIndexes: every write that moves items in or out of a sparse index
// leaves the index as DynamoDB would, checked by Query at several limits
// and by a Scan of the index. The same writes on minidyn without the guard
// go wrong (the scenarios marked bare): when that stops, minidyn has been
// fixed and the guard can go.
func TestGuardKeepsIndexes(t *testing.T) {
	ctx := context.Background()
	guarded := serve(t, newGuard(miniserver.NewServer()))
	bare := serve(t, miniserver.NewServer())
	name := func(t *testing.T) string { return strings.ReplaceAll(t.Name(), "/", "-") }
	put := func(e entry) func(*dynamodb.Client, string) error {
		return func(db *dynamodb.Client, table string) error {
			_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: e.item()})
			return err
		}
	}
	update := func(pk, expr string, cond string) func(*dynamodb.Client, string) error {
		return func(db *dynamodb.Client, table string) error {
			in := &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: keyOf(pk), UpdateExpression: aws.String(expr)}
			if strings.Contains(expr, "#k") {
				in.ExpressionAttributeNames = map[string]string{"#k": "GSK"}
			}
			if strings.Contains(expr, ":") || strings.Contains(cond, ":") {
				in.ExpressionAttributeValues = map[string]types.AttributeValue{":p": str("P"), ":s": str("5")}
			}
			if cond != "" {
				in.ConditionExpression = aws.String(cond)
			}
			_, err := db.UpdateItem(ctx, in)
			return err
		}
	}
	del := func(pk string) func(*dynamodb.Client, string) error {
		return func(db *dynamodb.Client, table string) error {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(table), Key: keyOf(pk)})
			return err
		}
	}
	tx := func(items ...func(string) types.TransactWriteItem) func(*dynamodb.Client, string) error {
		return func(db *dynamodb.Client, table string) error {
			in := &dynamodb.TransactWriteItemsInput{}
			for _, it := range items {
				in.TransactItems = append(in.TransactItems, it(table))
			}
			_, err := db.TransactWriteItems(ctx, in)
			return err
		}
	}
	txPut := func(e entry) func(string) types.TransactWriteItem {
		return func(table string) types.TransactWriteItem {
			return types.TransactWriteItem{Put: &types.Put{TableName: aws.String(table), Item: e.item()}}
		}
	}
	txUpdate := func(pk, expr string) func(string) types.TransactWriteItem {
		return func(table string) types.TransactWriteItem {
			u := &types.Update{TableName: aws.String(table), Key: keyOf(pk), UpdateExpression: aws.String(expr)}
			if strings.Contains(expr, ":") {
				u.ExpressionAttributeValues = map[string]types.AttributeValue{":p": str("P"), ":s": str("5")}
			}
			return types.TransactWriteItem{Update: u}
		}
	}
	txFail := func(table string) types.TransactWriteItem {
		return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: aws.String(table), Key: keyOf("a2"),
			ConditionExpression: aws.String("attribute_not_exists(PK)")}}
	}
	batch := func(table string) []types.WriteRequest {
		return []types.WriteRequest{
			{PutRequest: &types.PutRequest{Item: entry{"a1", "", ""}.item()}},
			{PutRequest: &types.PutRequest{Item: entry{"a2", "P", "7"}.item()}},
			{DeleteRequest: &types.DeleteRequest{Key: keyOf("a3")}},
		}
	}
	tests := []struct {
		name    string
		writes  []func(*dynamodb.Client, string) error
		failing bool // the last write is refused
		bare    bool // minidyn alone gets this wrong
	}{
		{"put leaves the index", []func(*dynamodb.Client, string) error{put(entry{"a2", "", ""})}, false, true},
		{"put leaves the first entry", []func(*dynamodb.Client, string) error{put(entry{"a1", "", ""})}, false, true},
		{"put leaves, then delete", []func(*dynamodb.Client, string) error{put(entry{"a2", "", ""}), del("a2")}, false, true},
		// minidyn mends a stale entry when the item comes back.
		{"put leaves, then comes back", []func(*dynamodb.Client, string) error{put(entry{"a2", "", ""}), put(entry{"a2", "Q", "0"})}, false, false},
		// minidyn ignores REMOVE of a top-level attribute (the item keeps
		// it and stays in the index); the guard removes it, and the entry.
		{"update removes a key attribute", []func(*dynamodb.Client, string) error{update("a3", "REMOVE #k", "")}, false, false},
		{"update adds the key attributes", []func(*dynamodb.Client, string) error{update("c1", "SET GPK = :p, GSK = :s", "")}, false, true},
		{"update creates an item in the index", []func(*dynamodb.Client, string) error{update("new", "SET GPK = :p, #k = :s", "")}, false, true},
		{"update adds, condition fails", []func(*dynamodb.Client, string) error{update("c1", "SET GPK = :p, GSK = :s", "attribute_not_exists(PK)")}, true, false},
		{"update changes the index key", []func(*dynamodb.Client, string) error{update("a1", "SET GSK = :s, GPK = :p", "")}, false, false},
		{"put moves an item in", []func(*dynamodb.Client, string) error{put(entry{"c2", "Q", "9"})}, false, false},
		{"transaction", []func(*dynamodb.Client, string) error{tx(txPut(entry{"a1", "", ""}), txUpdate("c1", "SET GPK = :p, GSK = :s"), txUpdate("a3", "REMOVE GPK"))}, false, true},
		{"cancelled transaction", []func(*dynamodb.Client, string) error{tx(txUpdate("c1", "SET GPK = :p, GSK = :s"), txPut(entry{"a4", "", ""}), txFail)}, true, false},
		{"batch", []func(*dynamodb.Client, string) error{func(db *dynamodb.Client, table string) error {
			_, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: batch(table)}})
			return err
		}}, false, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := func(db *dynamodb.Client) error {
				table := name(t)
				indexTable(t, db, table)
				for i, w := range tc.writes {
					err := w(db, table)
					if failing := tc.failing && i == len(tc.writes)-1; (err != nil) != failing {
						t.Fatalf("write %d: %v (a refusal expected: %v)", i, err, failing)
					}
				}
				return checkIndex(ctx, db, table)
			}
			if err := run(guarded); err != nil {
				t.Error(err)
			}
			if err := run(bare); (err != nil) != tc.bare {
				t.Errorf("minidyn without the guard: %v (wrong expected: %v)", err, tc.bare)
			}
		})
	}
}

// TestGuardRefusesWhatItCannotRepair: index shapes the guard's repairs do
// not cover are refused when the table is created.
func TestGuardRefusesWhatItCannotRepair(t *testing.T) {
	db := serve(t, newGuard(miniserver.NewServer()))
	s, n := types.ScalarAttributeTypeS, types.ScalarAttributeTypeN
	hash := func(a string) []types.KeySchemaElement {
		return []types.KeySchemaElement{{AttributeName: aws.String(a), KeyType: types.KeyTypeHash}}
	}
	for name, gsiKey := range map[string]string{"on the table key": "PK", "numeric partition key": "NUM"} {
		_, err := db.CreateTable(context.Background(), &dynamodb.CreateTableInput{
			TableName: aws.String(strings.ReplaceAll(name, " ", "-")), BillingMode: types.BillingModePayPerRequest,
			AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: s}, {AttributeName: aws.String("NUM"), AttributeType: n}},
			KeySchema:            hash("PK"),
			GlobalSecondaryIndexes: []types.GlobalSecondaryIndex{{IndexName: aws.String("G"), KeySchema: hash(gsiKey),
				Projection: &types.Projection{ProjectionType: types.ProjectionTypeAll}}},
		})
		var apiErr smithy.APIError
		if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" || !strings.Contains(apiErr.ErrorMessage(), "guard in front of minidyn") {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestGuardRefusesOversizedTransactions: a transaction of 101 items is a
// ValidationException, as on DynamoDB; one of 100 is written.
func TestGuardRefusesOversizedTransactions(t *testing.T) {
	ctx := context.Background()
	db := serve(t, newGuard(miniserver.NewServer()))
	indexTable(t, db, "tx")
	puts := func(n int) []types.TransactWriteItem {
		out := make([]types.TransactWriteItem, n)
		for i := range out {
			out[i] = types.TransactWriteItem{Put: &types.Put{TableName: aws.String("tx"), Item: keyOf(fmt.Sprintf("t%03d-%d", i, n))}}
		}
		return out
	}
	_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: puts(101)})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "ValidationException" || !strings.Contains(apiErr.ErrorMessage(), "less than or equal to 100") {
		t.Fatalf("101 items: %v", err)
	}
	if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: puts(100)}); err != nil {
		t.Fatalf("100 items: %v", err)
	}
}

// TestGuardHidesItsRepairs: readers never see a repair half-done, while
// items leave and rejoin the index from many goroutines.
func TestGuardHidesItsRepairs(t *testing.T) {
	ctx := context.Background()
	db := serve(t, newGuard(miniserver.NewServer()))
	indexTable(t, db, "race")
	var writers []func(stopped func() bool) error
	for i := range 4 {
		writers = append(writers, toggler(db, "race", i))
	}
	read := func() error {
		for range 200 {
			out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String("race"), IndexName: aws.String("G"),
				KeyConditionExpression:    aws.String("GPK = :p AND begins_with(GSK, :s)"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("P"), ":s": str("")}})
			if err != nil {
				return err
			}
			for _, it := range out.Items {
				if it["GPK"] == nil {
					return fmt.Errorf("an item outside the index in a Query of it: %v", it["PK"])
				}
			}
		}
		return nil
	}
	race(t, db, "race", writers, read)
}

// toggler is a writer for race: it puts item a<i+1> alternately out of and
// into index G.
func toggler(db *dynamodb.Client, table string, i int) func(stopped func() bool) error {
	return func(stopped func() bool) error {
		e := entry{fmt.Sprintf("a%d", i+1), "P", fmt.Sprint(i + 1)}
		for n := 0; !stopped(); n++ {
			w := e
			if n%2 == 0 {
				w.gpk = ""
			}
			if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: w.item()}); err != nil {
				return err
			}
		}
		return nil
	}
}

// race runs read while the writers write, each on its own goroutine until
// read returns, then checks index G of table.
func race(t *testing.T, db *dynamodb.Client, table string, writers []func(stopped func() bool) error, read func() error) {
	t.Helper()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	stopped := func() bool {
		select {
		case <-stop:
			return true
		default:
			return false
		}
	}
	for _, w := range writers {
		wg.Go(func() {
			if err := w(stopped); err != nil {
				t.Error(err)
			}
		})
	}
	err := read()
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if err := checkIndex(context.Background(), db, table); err != nil {
		t.Error(err)
	}
}

// TestGuardMendsUpdates: REMOVE and DELETE do what DynamoDB does, which
// minidyn alone does not in the cases marked bare.
func TestGuardMendsUpdates(t *testing.T) {
	ctx := context.Background()
	guarded := serve(t, newGuard(miniserver.NewServer()))
	bare := serve(t, miniserver.NewServer())
	set := func(v ...string) types.AttributeValue { return &types.AttributeValueMemberSS{Value: v} }
	type update struct {
		expr, cond string
		set        []string // the value of :v, a string set
	}
	tests := []struct {
		name    string
		start   map[string]types.AttributeValue // attributes besides the key and data
		updates []update
		want    map[string]types.AttributeValue // attributes besides the key and data
		bare    bool                            // minidyn alone gets this wrong
	}{
		{"remove an attribute", map[string]types.AttributeValue{"x": str("1"), "y": str("2")}, []update{{expr: "REMOVE x"}},
			map[string]types.AttributeValue{"y": str("2")}, true},
		{"remove through an alias", map[string]types.AttributeValue{"x": str("1")}, []update{{expr: "SET y = :v REMOVE #x", set: []string{"a"}}},
			map[string]types.AttributeValue{"y": set("a")}, true},
		{"remove inside a map", map[string]types.AttributeValue{"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"x": str("1"), "y": str("2")}}},
			[]update{{expr: "REMOVE m.x"}}, map[string]types.AttributeValue{"m": &types.AttributeValueMemberM{Value: map[string]types.AttributeValue{"y": str("2")}}}, false},
		{"remove, condition fails", map[string]types.AttributeValue{"x": str("1")}, []update{{expr: "REMOVE x", cond: "attribute_not_exists(x)"}},
			map[string]types.AttributeValue{"x": str("1")}, false},
		{"delete from a set", map[string]types.AttributeValue{"s": set("a", "b")}, []update{{expr: "DELETE s :v", set: []string{"a"}}},
			map[string]types.AttributeValue{"s": set("b")}, false},
		{"delete from no set", nil, []update{{expr: "DELETE s :v", set: []string{"a"}}}, nil, true},
		{"delete the last element", map[string]types.AttributeValue{"s": set("a")}, []update{{expr: "DELETE s :v", set: []string{"a"}}}, nil, true},
		{"delete the last, add another", nil, []update{{expr: "ADD s :v", set: []string{"a"}}, {expr: "DELETE s :v", set: []string{"a"}}, {expr: "ADD s :v", set: []string{"b"}}},
			map[string]types.AttributeValue{"s": set("b")}, false}, // minidyn's ADD replaces what its DELETE left
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			run := func(db *dynamodb.Client) error {
				table := strings.ReplaceAll(t.Name(), "/", "-")
				indexTable(t, db, table)
				it := entry{"c1", "", ""}.item()
				maps.Copy(it, tc.start)
				if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String(table), Item: it}); err != nil {
					t.Fatal(err)
				}
				for _, u := range tc.updates {
					in := &dynamodb.UpdateItemInput{TableName: aws.String(table), Key: keyOf("c1"), UpdateExpression: aws.String(u.expr)}
					if strings.Contains(u.expr, "#x") {
						in.ExpressionAttributeNames = map[string]string{"#x": "x"}
					}
					if u.set != nil {
						in.ExpressionAttributeValues = map[string]types.AttributeValue{":v": set(u.set...)}
					}
					if u.cond != "" {
						in.ConditionExpression = aws.String(u.cond)
					}
					if _, err := db.UpdateItem(ctx, in); err != nil && u.cond == "" {
						t.Fatalf("%s: %v", u.expr, err)
					}
				}
				got, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(table), Key: keyOf("c1")})
				if err != nil {
					t.Fatal(err)
				}
				want := entry{"c1", "", ""}.item()
				maps.Copy(want, tc.want)
				if !reflect.DeepEqual(got.Item, want) {
					return fmt.Errorf("item %v, want %v", got.Item, want)
				}
				return checkIndex(ctx, db, table)
			}
			if err := run(guarded); err != nil {
				t.Error(err)
			}
			if err := run(bare); (err != nil) != tc.bare {
				t.Errorf("minidyn without the guard: %v (wrong expected: %v)", err, tc.bare)
			}
		})
	}
}

// BenchmarkGuard: what the guard costs, through the SDK over loopback, on
// a table of a thousand items: a catalogue Query, a booking's transaction
// (two of its puts read first), and a put that takes an item out of an
// index (read, write, read, repair), on minidyn with and without it (the
// Query first: without the guard, the puts leave the index broken).
func BenchmarkGuard(b *testing.B) {
	ctx := context.Background()
	for _, server := range []struct {
		name string
		h    http.Handler
	}{{"minidyn", miniserver.NewServer()}, {"guarded", newGuard(miniserver.NewServer())}} {
		db := benchTable(b, server.h, 1000)
		table := aws.String("bench")
		b.Run(server.name+"/query", func(b *testing.B) {
			for b.Loop() {
				if _, err := db.Query(ctx, &dynamodb.QueryInput{TableName: table, IndexName: aws.String("G"), Limit: aws.Int32(20),
					KeyConditionExpression:    aws.String("GPK = :p AND begins_with(GSK, :s)"),
					ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("R"), ":s": str("1")}}); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(server.name+"/booking transaction", func(b *testing.B) { benchBooking(b, db, "bench") })
		b.Run(server.name+"/put leaving an index", func(b *testing.B) {
			n := 0
			for b.Loop() {
				n++
				e := entry{"x0000", "R", "0"}
				if n%2 == 1 {
					e.gpk = ""
				}
				if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: table, Item: e.item()}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// benchBooking times a booking's transaction (six items: two conditional
// puts read first, a condition check, an update) on table, whose size it
// keeps: the items it adds are deleted again outside the timing.
func benchBooking(b *testing.B, db *dynamodb.Client, name string) {
	ctx := context.Background()
	table := aws.String(name)
	n := 0
	for b.Loop() {
		n++
		id := func(p string) map[string]types.AttributeValue { return keyOf(fmt.Sprintf("%s-%d", p, n)) }
		idem := id("idem")
		idem["expires_at"] = &types.AttributeValueMemberN{Value: "2000000000"}
		_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			{Put: &types.Put{TableName: table, Item: idem, ConditionExpression: aws.String("attribute_not_exists(PK) OR expires_at < :now"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":now": &types.AttributeValueMemberN{Value: "1"}}}},
			{ConditionCheck: &types.ConditionCheck{TableName: table, Key: id("block"), ConditionExpression: aws.String("attribute_not_exists(PK)")}},
			{Put: &types.Put{TableName: table, Item: id("active"), ConditionExpression: aws.String("attribute_not_exists(PK)")}},
			{Update: &types.Update{TableName: table, Key: keyOf("x0001"), UpdateExpression: aws.String("ADD n :one"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}}},
			{Put: &types.Put{TableName: table, Item: id("booking"), ConditionExpression: aws.String("attribute_not_exists(PK)")}},
			{Put: &types.Put{TableName: table, Item: id("wait")}},
		}})
		if err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		var del []types.WriteRequest
		for _, p := range []string{"idem", "active", "booking", "wait"} {
			del = append(del, types.WriteRequest{DeleteRequest: &types.DeleteRequest{Key: id(p)}})
		}
		if _, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{name: del}}); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
	}
}

// BenchmarkTransactWriteItems: a booking's transaction on tables of 100,
// 2,000 and 10,000 items (half of them in index G), through the guard and
// on minidyn alone, which copies the whole table and its indexes for every
// transaction: its time grows with the table, the guard's should not.
func BenchmarkTransactWriteItems(b *testing.B) {
	for _, size := range []int{100, 2000, 10000} {
		for _, server := range []struct {
			name string
			h    http.Handler
		}{{"minidyn", miniserver.NewServer()}, {"guarded", newGuard(miniserver.NewServer())}} {
			db := benchTable(b, server.h, size)
			b.Run(fmt.Sprintf("%s/items=%d", server.name, size), func(b *testing.B) { benchBooking(b, db, "bench") })
		}
	}
}

// benchTable serves h with table "bench" of index table's shape and size
// more items x0000…, every other one in index G (partition R).
func benchTable(b *testing.B, h http.Handler, size int) *dynamodb.Client {
	db := serve(b, h)
	indexTable(b, db, "bench")
	var batch []types.WriteRequest
	for i := range size {
		e := entry{fmt.Sprintf("x%04d", i), "", ""}
		if i%2 == 0 {
			e.gpk, e.gsk = "R", fmt.Sprint(i)
		}
		batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: e.item()}})
		if len(batch) == 25 || i == size-1 {
			if _, err := db.BatchWriteItem(context.Background(), &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"bench": batch}}); err != nil {
				b.Fatal(err)
			}
			batch = nil
		}
	}
	return db
}
