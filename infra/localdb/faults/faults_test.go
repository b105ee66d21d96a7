package faults_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

func centre(id string) domain.Centre {
	return domain.Centre{ID: id, Name: "中心 " + id, District: "liangxi", Kinds: []domain.Kind{domain.Childcare}}
}

// TestKindsThroughTheStore: each kind, hit on a single-item write through
// the store, is the 503 that tells the client to retry, never a 500; Cut
// lands the write all the same, the others do not (Slow is only late).
func TestKindsThroughTheStore(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		kind  faults.Kind
		lands bool // the write is in the table afterwards
		err   bool // the caller gets an error
	}{
		{faults.Throttling, false, true},
		{faults.ThroughputExceeded, false, true},
		{faults.InternalError, false, true},
		{faults.Unavailable, false, true},
		{faults.Conflict, false, true},
		{faults.Timeout, false, true},
		{faults.Cut, true, true},
		{faults.Slow, true, false},
	} {
		t.Run(string(tc.kind), func(t *testing.T) {
			var inj faults.Injector
			inj.SetDelay(20 * time.Millisecond)
			st, _ := dbtest.Store(t, inj.Option)
			inj.At(0, tc.kind, "PutItem")
			err := st.PutCentre(ctx, centre("c1"), false)
			if tc.err != (err != nil) {
				t.Fatalf("error %v, want one: %v", err, tc.err)
			}
			if err != nil && !apperr.Is(err, apperr.Unavailable) {
				t.Fatalf("%s: %v (code %s), want unavailable", tc.kind, err, apperr.As(err).Code)
			}
			if e := apperr.As(err); err != nil && e.RetryAfter == 0 {
				t.Fatalf("%s: no Retry-After", tc.kind)
			}
			_, gerr := st.GetCentre(ctx, "c1")
			if tc.lands != (gerr == nil) {
				t.Fatalf("%s: read back %v, want the write landed: %v", tc.kind, gerr, tc.lands)
			}
			if got := inj.Injected(); got[tc.kind] != 1 || len(got) != 1 {
				t.Fatalf("injected %v", got)
			}
		})
	}
}

// TestConflictInATransaction: a transaction meets DynamoDB's own shape of
// a conflict, one TransactionConflict reason and None on the rest, and
// nothing of it lands.
func TestConflictInATransaction(t *testing.T) {
	var inj faults.Injector
	_, db, table := open(t, &inj)
	inj.At(0, faults.Conflict)
	put := func(sk string) types.TransactWriteItem {
		return types.TransactWriteItem{Put: &types.Put{TableName: &table, Item: item("T", sk)}}
	}
	_, err := db.TransactWriteItems(context.Background(), &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{put("a"), put("b"), put("c")}})
	tce, ok := errors.AsType[*types.TransactionCanceledException](err)
	if !ok {
		t.Fatalf("%v, want TransactionCanceledException", err)
	}
	var codes []string
	for _, r := range tce.CancellationReasons {
		codes = append(codes, aws.ToString(r.Code))
	}
	if strings.Join(codes, " ") != "TransactionConflict None None" {
		t.Fatalf("reasons %v", codes)
	}
	if n := count(t, db, table, "T"); n != 0 {
		t.Fatalf("%d items landed", n)
	}
}

// TestPartialBatches: a partial batch really writes (reads) the first half
// and hands the rest back as unprocessed; a batch of one is all unprocessed.
func TestPartialBatches(t *testing.T) {
	ctx := context.Background()
	var inj faults.Injector
	_, db, table := open(t, &inj)
	for _, n := range []int{1, 2, 5} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			pk := fmt.Sprintf("P%d", n)
			var reqs []types.WriteRequest
			var keys []map[string]types.AttributeValue
			for i := range n {
				it := item(pk, fmt.Sprint(i))
				reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
				keys = append(keys, map[string]types.AttributeValue{"PK": it["PK"], "SK": it["SK"]})
			}
			inj.At(0, faults.Partial, "BatchWriteItem")
			w, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{table: reqs}})
			if err != nil {
				t.Fatal(err)
			}
			if got, want := len(w.UnprocessedItems[table]), n-n/2; got != want {
				t.Fatalf("%d unprocessed of %d, want %d", got, n, want)
			}
			if got := count(t, db, table, pk); got != n/2 {
				t.Fatalf("%d of %d written, want %d", got, n, n/2)
			}
			// The rest, sent again, lands.
			if _, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: w.UnprocessedItems}); err != nil {
				t.Fatal(err)
			}
			inj.At(0, faults.Partial, "BatchGetItem")
			g, err := db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: map[string]types.KeysAndAttributes{table: {Keys: keys, ConsistentRead: aws.Bool(true)}}})
			if err != nil {
				t.Fatal(err)
			}
			if got, left := len(g.Responses[table]), len(g.UnprocessedKeys[table].Keys); got != n/2 || left != n-n/2 || !aws.ToBool(g.UnprocessedKeys[table].ConsistentRead) {
				t.Fatalf("read %d, %d left (consistent %v), of %d", got, left, aws.ToBool(g.UnprocessedKeys[table].ConsistentRead), n)
			}
		})
	}
}

// TestStoreFinishesPartialBatches: the store's batch writes send again
// what a partial batch left, under the retry policy, and lose nothing.
func TestStoreFinishesPartialBatches(t *testing.T) {
	ctx := context.Background()
	var inj faults.Injector
	st, _ := dbtest.Store(t, inj.Option)
	var sns []store.Snapshot
	day := time.Date(2026, 1, 1, 0, 0, 0, 0, domain.CityZone)
	for i := range 30 { // two batches: 25 and 5
		d := day.AddDate(0, 0, i)
		sns = append(sns, store.Snapshot{Date: d.Format(domain.DateLayout), TakenAt: d, Tally: cityfigures.Tally{}})
	}
	for n := range 4 {
		inj.At(n, faults.Partial, "BatchWriteItem")
	}
	if err := st.PutSnapshots(ctx, sns); err != nil {
		t.Fatal(err)
	}
	got, err := st.Snapshots(ctx, sns[0].Date, sns[len(sns)-1].Date)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(sns) {
		t.Fatalf("%d snapshots of %d", len(got), len(sns))
	}
	if inj.Injected()[faults.Partial] != 4 {
		t.Fatalf("injected %v", inj.Injected())
	}
	t.Logf("30 items in %d BatchWriteItem calls with 4 partial", inj.Calls("BatchWriteItem"))
}

// TestAtFiresOnTheNthMatchingCall: an At rule counts only the calls it
// matches, from when it is set, and fires once.
func TestAtFiresOnTheNthMatchingCall(t *testing.T) {
	ctx := context.Background()
	var inj faults.Injector
	st, _ := dbtest.Store(t, inj.Option)
	for i := range 3 {
		if err := st.PutCentre(ctx, centre(fmt.Sprint("before", i)), false); err != nil {
			t.Fatal(err)
		}
	}
	inj.At(2, faults.Throttling, "PutItem")
	var failed []int
	for i := range 6 {
		if _, err := st.GetCentre(ctx, "before0"); err != nil { // not counted
			t.Fatal(err)
		}
		if err := st.PutCentre(ctx, centre(fmt.Sprint(i)), false); err != nil {
			failed = append(failed, i)
		}
	}
	if fmt.Sprint(failed) != "[2]" {
		t.Fatalf("failed puts %v, want [2]", failed)
	}
	if p, g := inj.Calls("PutItem"), inj.Calls("GetItem"); p != 9 || g != 6 || inj.Calls() != 15 {
		t.Fatalf("calls: %d PutItem, %d GetItem, %d in all", p, g, inj.Calls())
	}
	inj.Clear()
	if inj.Calls() != 0 || len(inj.Injected()) != 0 {
		t.Fatal("Clear kept counts")
	}
}

// TestRandomRateAndSeed: a seed gives the same faults to the same calls,
// and about rate of the calls meet one, of the kinds that apply.
func TestRandomRateAndSeed(t *testing.T) {
	ctx := context.Background()
	const rate = 0.05
	kinds := []faults.Kind{faults.Throttling, faults.InternalError, faults.Timeout, faults.Partial}
	// run makes calls GetItem calls and says which failed.
	run := func(seed uint64, calls int) ([]bool, map[faults.Kind]int) {
		var inj faults.Injector
		_, db, table := open(t, &inj)
		inj.Random(rate, seed, kinds, "GetItem")
		hit := make([]bool, calls)
		for i := range hit {
			_, err := db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &table, Key: item("R", "x")})
			hit[i] = err != nil
		}
		return hit, inj.Injected()
	}
	const calls = 2000
	a, got := run(7, calls)
	n := 0
	for _, h := range a {
		if h {
			n++
		}
	}
	dbtest.Figure(t, "%d of %d calls faulted at rate %.2f (%.2f%%): %v", n, calls, rate, 100*float64(n)/calls, got)
	// Binomial(2000, 0.05): mean 100, sd ~9.7; 50..150 is beyond 5 sd.
	if n < 50 || n > 150 {
		t.Fatalf("%d faults in %d calls at rate %v", n, calls, rate)
	}
	if got[faults.Partial] != 0 || got[faults.Throttling] == 0 || got[faults.InternalError] == 0 || got[faults.Timeout] == 0 {
		t.Fatalf("kinds %v: Partial hit a GetItem, or a kind never came", got)
	}
	// Shorter runs for the seed, to keep the test short.
	b, _ := run(7, 400)
	d, _ := run(8, 400)
	if fmt.Sprint(a[:len(b)]) != fmt.Sprint(b) {
		t.Fatal("the same seed gave different faults")
	}
	if fmt.Sprint(b) == fmt.Sprint(d) {
		t.Fatal("another seed gave the same faults")
	}
}

// TestSlowHonoursTheContext: a slow call whose context ends stops waiting
// and is not sent.
func TestSlowHonoursTheContext(t *testing.T) {
	var inj faults.Injector
	st, _ := dbtest.Store(t, inj.Option)
	inj.SetDelay(time.Hour)
	inj.At(0, faults.Slow)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := st.PutCentre(ctx, centre("s"), false)
	if !apperr.Is(err, apperr.Unavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("%v", err)
	}
	if _, err := st.GetCentre(context.Background(), "s"); !apperr.Is(err, apperr.NotFound) {
		t.Fatalf("the slow write was sent after its context ended: %v", err)
	}
}

// TestConcurrentUse: rules and counts hold under concurrent calls (-race).
func TestConcurrentUse(t *testing.T) {
	var inj faults.Injector
	st, _ := dbtest.Store(t, inj.Option)
	inj.Random(0.5, 1, []faults.Kind{faults.Throttling})
	inj.At(3, faults.Unavailable)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 10 {
				_ = st.PutCentre(context.Background(), centre(fmt.Sprint(i, "-", j)), false)
			}
		})
	}
	wg.Wait()
	got := inj.Injected()
	if inj.Calls() != 80 || got[faults.Unavailable] != 1 || got[faults.Throttling] == 0 {
		t.Fatalf("%d calls, injected %v", inj.Calls(), got)
	}
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		spec, want string // want: the injector's description, or the error's bad part
		ok         bool
	}{
		{"5%", "5% of calls to all operations, kinds " + strings.Join(kindNames(), " ") + ", seed 1", true},
		{"rate=0.05,seed=7,kinds=all,ops=writes,delay=200ms", "5% of calls to PutItem UpdateItem DeleteItem TransactWriteItems BatchWriteItem, kinds " + strings.Join(kindNames(), " ") + ", seed 7", true},
		{"rate=0.1,kinds=throttling,conflict", "10% of calls to all operations, kinds throttling conflict, seed 1", true},
		{"rate=50%,ops=Query,GetItem,kinds=slow", "50% of calls to Query GetItem, kinds slow, seed 1", true},
		{"", `""`, false},
		{"rate=2", `"rate=2"`, false},
		{"150%", `"150%"`, false},
		{"rate=0.1,kinds=throttle", `"kinds=throttle"`, false},
		{"rate=0.1,ops=Pet", `"ops=Pet"`, false},
		{"rate=0.1,seed=-1", `"seed=-1"`, false},
		{"rate=0.1,delay=soon", `"delay=soon"`, false},
		{"rate=0.1,colour=red", `"colour=red"`, false},
		{"seed=3", `"seed=3"`, false},
		{"5%,10%", `"10%"`, false},
	} {
		t.Run(tc.spec, func(t *testing.T) {
			apply, err := faults.Parse(tc.spec)
			if !tc.ok {
				if err == nil {
					t.Fatal("accepted")
				}
				if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "有误") || !strings.Contains(err.Error(), "bad part") {
					t.Fatalf("%v: does not name %s in Chinese and English", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var inj faults.Injector
			apply(&inj)
			if got := inj.String(); got != tc.want {
				t.Fatalf("%q\nwant %q", got, tc.want)
			}
		})
	}
}

func kindNames() []string {
	var s []string
	for _, k := range faults.AllKinds {
		s = append(s, string(k))
	}
	return s
}

func item(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}}
}

// open is a store and its client through inj, on a fresh table, and the
// table's name.
func open(t *testing.T, inj *faults.Injector) (*store.Store, *dynamodb.Client, string) {
	t.Helper()
	cfg := dbtest.Config(t)
	st, _, db := dbtest.CustodyOn(t, cfg, inj.Option)
	return st, db, cfg.TableName
}

func count(t *testing.T, db *dynamodb.Client, table, pk string) int {
	t.Helper()
	out, err := db.Query(context.Background(), &dynamodb.QueryInput{TableName: &table, ConsistentRead: aws.Bool(true),
		KeyConditionExpression: aws.String("PK = :pk"), ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pk}}})
	if err != nil {
		t.Fatal(err)
	}
	return int(out.Count)
}
