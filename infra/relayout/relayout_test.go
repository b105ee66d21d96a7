package relayout_test

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
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
// now, is turned back into each older layout (the person's TERM# items;
// before issue 17's reshape: index keys on the offering, ACTIVE# markers,
// BLOCK# items, VERIFIED items and no person items); a run moves it to
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

	// Two layouts before this one: the person's term items of their own
	// (TERM#<kind>#<term> with the count, holds and block, as main wrote
	// them until the person item took them in), and before issue 17's
	// reshape (index keys on the offering, ACTIVE# markers, BLOCK# items,
	// TERM# counters, VERIFIED items and no person items).
	for _, layout := range []string{"term items", "before issue 17"} {
		moves := older(t, db, table, want, layout == "before issue 17")
		if moves.Terms == 0 || (layout == "before issue 17" &&
			(moves.Listings == 0 || moves.Markers == 0 || moves.Blocks == 0 || moves.Verifications == 0 || moves.People == 0)) {
			t.Fatalf("%s: the demo data gives %+v: want some of each", layout, moves)
		}
		r, err := relayout.Run(ctx, db, table)
		if err != nil {
			t.Fatalf("%s: %v", layout, err)
		}
		if r.Listings != moves.Listings || r.Markers != moves.Markers || r.Blocks != moves.Blocks || r.Terms != moves.Terms ||
			r.Verifications != moves.Verifications || r.People != moves.People || len(r.Skipped) > 0 {
			t.Errorf("%s: moved %+v, want %+v", layout, r, moves)
		}
		got := scan(t, db, table)
		if a, b := keyed(t, got), keyed(t, want); !maps.Equal(a, b) {
			for k := range b {
				if a[k] != b[k] {
					t.Errorf("%s: after the run %s\n got  %s\n want %s", layout, k, a[k], b[k])
				}
			}
			for k := range a {
				if _, ok := b[k]; !ok {
					t.Errorf("%s: after the run an item the store would not write: %s", layout, a[k])
				}
			}
		}
	}
	report, err := tablecheck.Run(ctx, db, table, tablecheck.Options{Now: stack.Now()})
	if err != nil || !report.OK() {
		var out strings.Builder
		report.Print(&out)
		t.Errorf("tablecheck after the run: %v\n%s", err, out.String())
	}
	if r, err := relayout.Run(ctx, db, table); err != nil || r.Listings+r.Markers+r.Blocks+r.Terms+r.Verifications+r.People != 0 {
		t.Errorf("a second run moved %+v (%v), want nothing", r, err)
	}
}

// older writes the table's items (want, as the store writes them now) back
// in an older layout: the person item's term attributes on TERM# items of
// their own, and, pre17, the layout before issue 17. It returns what a run
// must move.
func older(t *testing.T, db *dynamodb.Client, table string, want []map[string]types.AttributeValue, pre17 bool) relayout.Report {
	t.Helper()
	var r relayout.Report
	bookings := map[string]map[string]types.AttributeValue{} // account|booking
	for _, m := range want {
		if strings.HasPrefix(str(m, "SK"), "BOOKING#") {
			bookings[strings.TrimPrefix(str(m, "PK"), "ACCOUNT#")+"|"+str(m, "id")] = m
		}
	}
	for _, m := range want {
		pk, sk := str(m, "PK"), str(m, "SK")
		switch {
		case sk == "LISTING" && pre17:
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
			r.Listings++
		case strings.HasPrefix(pk, "IDENTITY#") && sk == "PERSON":
			person := map[string]types.AttributeValue{}
			terms := map[string]map[string]types.AttributeValue{} // by kind#term
			term := func(kt string) map[string]types.AttributeValue {
				if terms[kt] == nil {
					terms[kt] = map[string]types.AttributeValue{"PK": m["PK"], "SK": s("TERM#" + kt)}
				}
				return terms[kt]
			}
			for name, v := range m {
				if o, ok := strings.CutPrefix(name, "held#"); ok {
					b := bookings[v.(*types.AttributeValueMemberS).Value]
					if b == nil {
						t.Fatalf("%s holds %s of no booking", pk, name)
					}
					if pre17 {
						account, booking, _ := strings.Cut(v.(*types.AttributeValueMemberS).Value, "|")
						put(t, db, table, map[string]types.AttributeValue{"PK": m["PK"], "SK": s("ACTIVE#" + o),
							"booking_id": s(booking), "account": s(account)})
						r.Markers++
					} else {
						term(str(b, "kind") + "#" + str(b, "term"))[name] = v
					}
					continue
				}
				moved := false
				for _, attr := range []string{"active", "blocked_until", "block_absences", "because_of"} {
					if kt, ok := strings.CutPrefix(name, attr+"#"); ok {
						term(kt)[attr], moved = v, true
					}
				}
				if !moved {
					person[name] = v
				}
			}
			for _, kt := range slices.Sorted(maps.Keys(terms)) {
				it := terms[kt]
				if pre17 && it["blocked_until"] != nil {
					put(t, db, table, map[string]types.AttributeValue{"PK": m["PK"], "SK": s("BLOCK#" + kt),
						"blocked_until": it["blocked_until"], "absences": it["block_absences"], "because_of": it["because_of"]})
					delete(it, "blocked_until")
					delete(it, "block_absences")
					delete(it, "because_of")
					r.Blocks++
				}
				if len(it) > 2 { // keys only: the old code had no such item
					put(t, db, table, it)
					r.Terms++
				}
			}
			if !pre17 {
				put(t, db, table, person)
				continue
			}
			// Before issue 17 the store kept only the verification, on its own item.
			verified := map[string]types.AttributeValue{}
			for name, v := range person {
				if strings.HasPrefix(name, "live#") {
					r.People++
				} else {
					verified[name] = v
				}
			}
			if verified["account"] != nil {
				verified["SK"], verified["type"] = s("VERIFIED"), s("verification")
				put(t, db, table, verified)
				r.Verifications++
			}
			del(t, db, table, m)
		}
	}
	return r
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
