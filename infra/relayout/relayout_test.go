package relayout_test

import (
	"context"
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/relayout"
	"github.com/wuxi-enrol/enrol/infra/tablecheck"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestRelayoutRestoresTheNewLayout: the demo data, as the store writes it
// now, is turned back into the layout before issue 17's reshape (index keys
// on the offering, ACTIVE# markers, BLOCK# items, VERIFIED items and no
// person items); a run moves it to
// exactly what the store writes, item for item, and tablecheck finds
// nothing; a second run moves nothing.
func TestRelayoutRestoresTheNewLayout(t *testing.T) {
	ctx := context.Background()
	opts := local.Options{Addr: "127.0.0.1:0", Seed: true}
	if ext := dbtest.External(); ext != "" {
		opts.DynamoDBEndpoint, opts.TableName = ext, dbtest.TableName()
		dbtest.DropAtCleanup(t, ext, opts.TableName)
	}
	stack, err := local.Start(ctx, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { stack.Close() })
	db, err := store.NewClient(ctx, config.Config{DynamoDBEndpoint: stack.DynamoDBEndpoint(), Region: dbtest.Region})
	if err != nil {
		t.Fatal(err)
	}
	table := opts.TableName
	if table == "" {
		table = "enrol-local"
	}
	// The demo data verifies no one: one verification, as staff write it.
	st := store.New(db, table, nil)
	for _, m := range scan(t, db, table) {
		if strings.HasPrefix(str(m, "SK"), "PARTICIPANT#") && str(m, "identity") != "" {
			account, id, now := strings.TrimPrefix(str(m, "PK"), "ACCOUNT#"), str(m, "id"), stack.Now()
			v := store.Verification{Account: account, ParticipantID: id, CentreID: "c-demo", Staff: "staff-demo", Document: "id_card", VerifiedAt: now}
			if err := st.VerifyIdentity(ctx, str(m, "identity"), v, store.Audit("c-demo", "staff-demo", "verify_identity", id, nil, nil, now)); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	want := scan(t, db, table)

	var listings, markers, blocks, verifications, people int
	for _, m := range want {
		pk, sk := str(m, "PK"), str(m, "SK")
		switch {
		case sk == "LISTING":
			offering := map[string]types.AttributeValue{}
			for _, it := range want {
				if str(it, "PK") == pk && str(it, "SK") == "OFFERING" {
					offering = clone(it)
				}
			}
			for _, k := range []string{"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"} {
				if m[k] != nil {
					offering[k] = m[k]
				}
			}
			put(t, db, table, offering)
			del(t, db, table, m)
			listings++
		case strings.HasPrefix(pk, "IDENTITY#") && strings.HasPrefix(sk, "TERM#"):
			old := clone(m)
			for name, v := range m {
				if o, ok := strings.CutPrefix(name, "held#"); ok {
					account, booking, _ := strings.Cut(v.(*types.AttributeValueMemberS).Value, "|")
					put(t, db, table, map[string]types.AttributeValue{"PK": m["PK"], "SK": s("ACTIVE#" + o),
						"booking_id": s(booking), "account": s(account)})
					delete(old, name)
					markers++
				}
			}
			if m["blocked_until"] != nil {
				put(t, db, table, map[string]types.AttributeValue{"PK": m["PK"], "SK": s("BLOCK#" + strings.TrimPrefix(sk, "TERM#")),
					"blocked_until": m["blocked_until"], "absences": m["block_absences"], "because_of": m["because_of"]})
				delete(old, "blocked_until")
				delete(old, "block_absences")
				delete(old, "because_of")
				blocks++
			}
			if len(old) == 2 { // keys only: the old code had no such item
				del(t, db, table, m)
			} else {
				put(t, db, table, old)
			}
		case strings.HasPrefix(pk, "IDENTITY#") && sk == "PERSON":
			// The old code kept only the verification, on its own item.
			verified := map[string]types.AttributeValue{}
			for name, v := range m {
				if strings.HasPrefix(name, "live#") {
					people++
				} else {
					verified[name] = v
				}
			}
			if verified["account"] != nil {
				verified["SK"], verified["type"] = s("VERIFIED"), s("verification")
				put(t, db, table, verified)
				verifications++
			}
			del(t, db, table, m)
		}
	}
	if listings == 0 || markers == 0 || blocks == 0 || verifications == 0 || people == 0 {
		t.Fatalf("the demo data has %d listings, %d markers, %d blocks, %d verifications, %d people: want some of each",
			listings, markers, blocks, verifications, people)
	}

	r, err := relayout.Run(ctx, db, table)
	if err != nil {
		t.Fatal(err)
	}
	if r.Listings != listings || r.Markers != markers || r.Blocks != blocks || r.Verifications != verifications || r.People != people || len(r.Skipped) > 0 {
		t.Errorf("moved %+v, want %d listings, %d markers, %d blocks, %d verifications, %d people", r, listings, markers, blocks, verifications, people)
	}
	got := scan(t, db, table)
	if a, b := keyed(t, got), keyed(t, want); !maps.Equal(a, b) {
		for k := range b {
			if a[k] != b[k] {
				t.Errorf("after the run %s\n got  %s\n want %s", k, a[k], b[k])
			}
		}
		for k := range a {
			if _, ok := b[k]; !ok {
				t.Errorf("after the run an item the store would not write: %s", a[k])
			}
		}
	}
	report, err := tablecheck.Run(ctx, db, table, tablecheck.Options{Now: stack.Now()})
	if err != nil || !report.OK() {
		var out strings.Builder
		report.Print(&out)
		t.Errorf("tablecheck after the run: %v\n%s", err, out.String())
	}
	if r, err := relayout.Run(ctx, db, table); err != nil || r.Listings+r.Markers+r.Blocks+r.Verifications+r.People != 0 {
		t.Errorf("a second run moved %+v (%v), want nothing", r, err)
	}
}

func scan(t *testing.T, db *dynamodb.Client, table string) []map[string]types.AttributeValue {
	t.Helper()
	items, err := tablecheck.Scan(context.Background(), db, table)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// keyed is each item as JSON by its key, to compare two tables.
func keyed(t *testing.T, items []map[string]types.AttributeValue) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, m := range items {
		var v map[string]any
		if err := attributevalue.UnmarshalMap(m, &v); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(v) // map keys come out sorted
		out[str(m, "PK")+" | "+str(m, "SK")] = string(b)
	}
	return out
}

func put(t *testing.T, db *dynamodb.Client, table string, m map[string]types.AttributeValue) {
	t.Helper()
	if _, err := db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: aws.String(table), Item: m}); err != nil {
		t.Fatal(err)
	}
}

func del(t *testing.T, db *dynamodb.Client, table string, m map[string]types.AttributeValue) {
	t.Helper()
	if _, err := db.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: aws.String(table),
		Key: map[string]types.AttributeValue{"PK": m["PK"], "SK": m["SK"]}}); err != nil {
		t.Fatal(err)
	}
}

func clone(m map[string]types.AttributeValue) map[string]types.AttributeValue {
	return maps.Clone(m)
}

func s(v string) types.AttributeValue { return &types.AttributeValueMemberS{Value: v} }

func str(m map[string]types.AttributeValue, k string) string {
	if v, ok := m[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}
