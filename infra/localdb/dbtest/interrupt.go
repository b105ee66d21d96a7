package dbtest

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Copy is a fresh table (deleted when t ends) holding exactly the items of
// the table cfg names: each interrupted run starts from the same world, ids
// and all, so its end can be compared item by item with an uninterrupted
// run's.
func Copy(t testing.TB, cfg config.Config) config.Config {
	t.Helper()
	ctx := context.Background()
	db, err := store.NewClient(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	items := world(t, db, cfg.TableName)
	out := cfg
	out.TableName = TableName()
	if err := localdb.CreateTable(ctx, db, tmpl, out.TableName); err != nil {
		t.Fatal(err)
	}
	DropAtCleanup(t, out.DynamoDBEndpoint, out.TableName)
	// Four batches at a time: the copy is most of a run's time.
	var (
		wg   sync.WaitGroup
		errs = make(chan error, len(items)/25+1)
		slot = make(chan struct{}, 4)
	)
	for chunk := range slices.Chunk(items, 25) {
		reqs := make([]types.WriteRequest, len(chunk))
		for i, it := range chunk {
			reqs[i] = types.WriteRequest{PutRequest: &types.PutRequest{Item: it}}
		}
		slot <- struct{}{}
		wg.Go(func() {
			defer func() { <-slot }()
			pending := map[string][]types.WriteRequest{out.TableName: reqs}
			for len(pending[out.TableName]) > 0 {
				res, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: pending})
				if err != nil {
					errs <- err
					return
				}
				pending = res.UnprocessedItems
			}
		})
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	return out
}

// worlds are the items of the tables Copy has copied, by name.
var worlds sync.Map

// world is the items of table, read once: operations never write a world,
// only its copies.
func world(t testing.TB, db *dynamodb.Client, table string) []map[string]types.AttributeValue {
	t.Helper()
	v, ok := worlds.Load(table)
	if !ok {
		v, _ = worlds.LoadOrStore(table, scan(t, db, table))
	}
	return v.([]map[string]types.AttributeValue)
}

func scan(t testing.TB, db *dynamodb.Client, table string) []map[string]types.AttributeValue {
	t.Helper()
	var items []map[string]types.AttributeValue
	in := &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)}
	for {
		out, err := db.Scan(context.Background(), in)
		if err != nil {
			t.Fatal(err)
		}
		items = append(items, out.Items...)
		if len(out.LastEvaluatedKey) == 0 {
			return items
		}
		in.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// What the normalised view leaves out or blurs: what an operation draws at
// random each time it runs (ids it makes and the shards they hash to, audit
// and ledger keys' random tails, the nonce of a sealed value), never a counter, status,
// marker or line entry.
var (
	anyID      = regexp.MustCompile(`[a-z]{2,4}_[0-9a-hjkmnp-tv-z]{26}`)
	outboxPK   = regexp.MustCompile(`^OUTBOX#\d+$`)
	randomTail = regexp.MustCompile(`#[0-9a-f]{8}$`)
)

// View is the table cfg names as sorted lines, one an item, normalised so
// that two runs of one operation from the same world compare equal exactly
// when they left the same state: counters, statuses, markers, line entries,
// the ledger, audit records and notices, with every id blurred to its
// prefix. drop names attributes left out besides (a dispatcher's attempts,
// say).
func View(t testing.TB, cfg config.Config, drop ...string) []string {
	t.Helper()
	return normalised(t, cfg, nil, drop)
}

// normalised is View blurring only the ids not in known (those a run made).
func normalised(t testing.TB, cfg config.Config, known map[string]bool, drop []string) []string {
	t.Helper()
	db, err := store.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, it := range scan(t, db, cfg.TableName) {
		var m map[string]any
		if err := attributevalue.UnmarshalMap(it, &m); err != nil {
			t.Fatal(err)
		}
		pk, _ := m["PK"].(string)
		sk, _ := m["SK"].(string)
		switch {
		case outboxPK.MatchString(pk):
			m["PK"] = "OUTBOX#*"
		case strings.HasPrefix(sk, "AUDIT#"), pk == "LEDGER":
			m["SK"] = randomTail.ReplaceAllString(sk, "#*")
		}
		if _, ok := m["personal"]; ok {
			m["personal"] = "sealed" // under a fresh nonce each time
		}
		if g, _ := m["GSI1PK"].(string); strings.HasPrefix(g, "OFFER_DUE#") {
			m["GSI1PK"] = "OFFER_DUE#*" // a hash of the booking id
		}
		for _, a := range drop {
			delete(m, a)
		}
		b, err := json.Marshal(m) // maps marshal with sorted keys
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, anyID.ReplaceAllStringFunc(string(b), func(id string) string {
			if known[id] {
				return id
			}
			return id[:strings.IndexByte(id, '_')] + "_*"
		}))
	}
	slices.Sort(out)
	return out
}

// ids are the ids the items of the table cfg names hold.
func ids(t testing.TB, cfg config.Config) map[string]bool {
	t.Helper()
	db, err := store.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, it := range world(t, db, cfg.TableName) {
		var m map[string]any
		if err := attributevalue.UnmarshalMap(it, &m); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(m)
		for _, id := range anyID.FindAllString(string(b), -1) {
			out[id] = true
		}
	}
	return out
}

// Diff is what differs between two sorted views, for a failure message:
// lines missing (-) or extra (+), with how many times, at most ten each way.
func Diff(want, got []string) string {
	var b strings.Builder
	count := map[string]int{}
	for _, l := range want {
		count[l]++
	}
	for _, l := range got {
		count[l]--
	}
	lines := func(sign string, a []string, more bool) {
		n := 0
		for _, l := range slices.Compact(slices.Clone(a)) {
			if c := count[l]; (more && c > 0) || (!more && c < 0) {
				if n++; n <= 10 {
					fmt.Fprintf(&b, "%s %s (×%d)\n", sign, l, max(c, -c))
				}
			}
		}
		if n > 10 {
			fmt.Fprintf(&b, "%s … %d more\n", sign, n-10)
		}
	}
	lines("-", want, true)
	lines("+", got, false)
	return b.String()
}

// Operation is a multi-step operation under test, and how the system goes
// on after it was interrupted.
type Operation struct {
	Name string
	// World is the table the operation starts from (each run has its copy).
	World config.Config
	// Start readies the operation on the table cfg names, through a client
	// with inj installed: run is the operation, resume what follows an
	// interruption (the staff member sends the same request again, the
	// job's next run); resume is called until it succeeds.
	Start func(t testing.TB, cfg config.Config, inj *faults.Injector) (run, resume func(context.Context) error)
	// Also are more ways to interrupt each step beside Interruptions
	// (faults.Conflict where a lost race takes a path of its own).
	Also []faults.Kind
	// Scheduled: resume comes whether or not run failed (a job's next
	// run on its schedule), not only after an error (a request sent again).
	Scheduled bool
	// View is the state compared (nil: the whole table, as View renders
	// it, the ids the world held kept and those the run made blurred).
	View func(t testing.TB, cfg config.Config) []string
}

// Again is Operation.Start for an operation resumed by doing it again as
// it is (a request sent again, a job's failed event invoked again): do
// runs it on a store of the run's table.
func Again(do func(context.Context, *store.Store) error) func(testing.TB, config.Config, *faults.Injector) (run, resume func(context.Context) error) {
	return func(t testing.TB, cfg config.Config, inj *faults.Injector) (func(context.Context) error, func(context.Context) error) {
		st, _, _ := CustodyOn(t, cfg, inj.Option)
		again := func(ctx context.Context) error { return do(ctx, st) }
		return again, again
	}
}

// Interrupted counts what EveryStep did.
type Interrupted struct {
	Steps, Runs, Resumes int
}

// Interruptions are the two ways a write call is interrupted: it fails
// before it is sent, or it lands and its answer is lost (the function cut
// at its deadline).
var Interruptions = []faults.Kind{faults.InternalError, faults.Cut}

// EveryStep runs op once without faults, counting its write calls, then
// for every step k and each interruption once more from the same world,
// interrupted at its k-th write call, and resumed; each must end in the
// state the uninterrupted run left.
func EveryStep(t *testing.T, op Operation) Interrupted {
	t.Helper()
	view := op.View
	if view == nil {
		known := ids(t, op.World)
		view = func(t testing.TB, cfg config.Config) []string { return normalised(t, cfg, known, nil) }
	}
	ctx := context.Background()
	var fig Interrupted
	started := time.Now()
	cfg, inj := Copy(t, op.World), &faults.Injector{}
	run, _ := op.Start(t, cfg, inj)
	inj.Clear()
	if err := run(ctx); err != nil {
		t.Fatalf("%s without faults: %v", op.Name, err)
	}
	fig.Steps = inj.Calls(faults.Writes...)
	want := view(t, cfg)
	if fig.Steps < 2 {
		t.Fatalf("%s made %d write calls: not a multi-step operation as set up", op.Name, fig.Steps)
	}
	kinds := append(slices.Clone(Interruptions), op.Also...)
	for k := range fig.Steps {
		for _, kind := range kinds {
			cfg, inj := Copy(t, op.World), &faults.Injector{}
			run, resume := op.Start(t, cfg, inj)
			inj.Clear()
			inj.At(k, kind, faults.Writes...)
			err := run(ctx)
			fig.Runs++
			if inj.Injected()[kind] != 1 {
				t.Errorf("%s, %s at write %d: the fault was not injected", op.Name, kind, k)
				continue
			}
			inj.Clear()
			// A request that met the fault and went on by itself has
			// nothing to resume.
			if op.Scheduled {
				err = resume(ctx)
				fig.Resumes++
			}
			for i := 0; err != nil; i++ {
				if i == 5 {
					t.Fatalf("%s, %s at write %d: resumed %d times, still %v", op.Name, kind, k, i, err)
				}
				err = resume(ctx)
				fig.Resumes++
			}
			if got := view(t, cfg); !slices.Equal(got, want) {
				t.Errorf("%s, %s at write %d of %d, resumed: not as if never interrupted:\n%s", op.Name, kind, k, fig.Steps, Diff(want, got))
			}
		}
	}
	Figure(t, "%s: %d write calls, each interrupted %d ways: %d interrupted runs, %d resumes, %.1fs",
		op.Name, fig.Steps, len(kinds), fig.Runs, fig.Resumes, time.Since(started).Seconds())
	return fig
}
