package tablecheck_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/tablecheck"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// table is the demo data as `make run` seeds it, read and written through
// the real DynamoDB API.
type table struct {
	t     *testing.T
	db    *dynamodb.Client
	name  string
	now   time.Time
	items []map[string]types.AttributeValue
	undo  []func()
}

func seeded(t *testing.T) *table {
	t.Helper()
	opts := local.Options{Addr: "127.0.0.1:0", Seed: true}
	if db := dbtest.External(); db != "" {
		opts.DynamoDBEndpoint, opts.TableName = db, dbtest.TableName()
		dbtest.DropAtCleanup(t, db, opts.TableName)
	}
	t0 := time.Now()
	st, err := local.Start(context.Background(), opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	t.Logf("demo data seeded in %v", time.Since(t0).Round(time.Millisecond))
	db, err := store.NewClient(context.Background(), config.Config{DynamoDBEndpoint: st.DynamoDBEndpoint(), Region: dbtest.Region})
	if err != nil {
		t.Fatal(err)
	}
	name := opts.TableName
	if name == "" {
		name = "enrol-local" // local.Start's default
	}
	tb := &table{t: t, db: db, name: name, now: st.Now()}
	tb.items, err = tablecheck.Scan(context.Background(), db, name)
	if err != nil {
		t.Fatal(err)
	}
	return tb
}

func (tb *table) check() tablecheck.Report {
	tb.t.Helper()
	r, err := tablecheck.Run(context.Background(), tb.db, tb.name, tablecheck.Options{Now: tb.now})
	if err != nil {
		tb.t.Fatal(err)
	}
	return r
}

func str(m map[string]types.AttributeValue, k string) string {
	if v, ok := m[k].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

func num(m map[string]types.AttributeValue, k string) int {
	var n int
	if v, ok := m[k].(*types.AttributeValueMemberN); ok {
		_, _ = fmt.Sscan(v.Value, &n)
	}
	return n
}

// find is the first item that pick picks; the test fails without one.
func (tb *table) find(what string, pick func(m map[string]types.AttributeValue) bool) map[string]types.AttributeValue {
	tb.t.Helper()
	for _, m := range tb.items {
		if pick(m) {
			return m
		}
	}
	tb.t.Fatalf("the demo data has no %s", what)
	return nil
}

func keyOf(m map[string]types.AttributeValue) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": m["PK"], "SK": m["SK"]}
}

func clone(m map[string]types.AttributeValue) map[string]types.AttributeValue {
	c := make(map[string]types.AttributeValue, len(m))
	for k, v := range m {
		c[k] = v
	}
	return c
}

// put writes m over whatever is at its key; the item there before (or its
// absence) comes back at restore.
func (tb *table) put(m map[string]types.AttributeValue) {
	tb.t.Helper()
	ctx := context.Background()
	out, err := tb.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &tb.name, Key: keyOf(m), ConsistentRead: aws.Bool(true)})
	if err != nil {
		tb.t.Fatal(err)
	}
	if _, err := tb.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &tb.name, Item: m}); err != nil {
		tb.t.Fatal(err)
	}
	old := out.Item
	tb.undo = append(tb.undo, func() {
		var err error
		if old != nil {
			_, err = tb.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &tb.name, Item: old})
		} else {
			_, err = tb.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: &tb.name, Key: keyOf(m)})
		}
		if err != nil {
			tb.t.Fatal(err)
		}
	})
}

func (tb *table) del(m map[string]types.AttributeValue) {
	tb.t.Helper()
	if _, err := tb.db.DeleteItem(context.Background(), &dynamodb.DeleteItemInput{TableName: &tb.name, Key: keyOf(m)}); err != nil {
		tb.t.Fatal(err)
	}
	tb.undo = append(tb.undo, func() {
		if _, err := tb.db.PutItem(context.Background(), &dynamodb.PutItemInput{TableName: &tb.name, Item: m}); err != nil {
			tb.t.Fatal(err)
		}
	})
}

// with is m with attributes set (a nil value removes one).
func with(m map[string]types.AttributeValue, kv ...any) map[string]types.AttributeValue {
	c := clone(m)
	for i := 0; i+1 < len(kv); i += 2 {
		switch v := kv[i+1].(type) {
		case nil:
			delete(c, kv[i].(string))
		case string:
			c[kv[i].(string)] = &types.AttributeValueMemberS{Value: v}
		case int:
			c[kv[i].(string)] = &types.AttributeValueMemberN{Value: fmt.Sprint(v)}
		}
	}
	return c
}

func (tb *table) restore() {
	for i := len(tb.undo) - 1; i >= 0; i-- {
		tb.undo[i]()
	}
	tb.undo = nil
}

func isBooking(status string) func(map[string]types.AttributeValue) bool {
	return func(m map[string]types.AttributeValue) bool {
		return strings.HasPrefix(str(m, "SK"), "BOOKING#") && str(m, "status") == status && str(m, "identity") != ""
	}
}

func prefixed(pk, sk string) func(map[string]types.AttributeValue) bool {
	return func(m map[string]types.AttributeValue) bool {
		return strings.HasPrefix(str(m, "PK"), pk) && strings.HasPrefix(str(m, "SK"), sk)
	}
}

// TestTableCheck: the demo data, written by the application's own code,
// breaks no invariant; each kind of damage, written into it on purpose
// through the DynamoDB API, is caught by its rule and names the item.
func TestTableCheck(t *testing.T) {
	tb := seeded(t)
	r := tb.check()
	var out strings.Builder
	r.Print(&out)
	t.Logf("the demo data:\n%s", out.String())
	if !r.OK() || r.Bookings["confirmed"] == 0 || r.Bookings["waitlisted"] == 0 || r.ByType["ledger"] == 0 {
		t.Fatalf("the demo data: want bookings in both states, a ledger and no violation:\n%s", out.String())
	}

	cases := []struct {
		name string
		rule string
		// damage corrupts the table and returns the key of an item the
		// violation must name.
		damage func() string
	}{
		{"a counter one too high", tablecheck.RuleCounters, func() string {
			o := tb.find("offering", prefixed("OFFERING#", "OFFERING"))
			tb.put(with(o, "waitlisted", num(o, "waitlisted")+1))
			return str(o, "PK")
		}},
		{"oversold: capacity under the places held", tablecheck.RuleCapacity, func() string {
			o := tb.find("offering with two confirmed", func(m map[string]types.AttributeValue) bool {
				return str(m, "SK") == "OFFERING" && num(m, "confirmed") >= 2
			})
			tb.put(with(o, "capacity", num(o, "confirmed")-1))
			return str(o, "PK")
		}},
		{"an offering's listing item lost", tablecheck.RuleListing, func() string {
			l := tb.find("listing", prefixed("OFFERING#", "LISTING"))
			tb.del(l)
			return str(l, "PK")
		}},
		{"a published offering still listed as before (status written alone)", tablecheck.RuleListing, func() string {
			o := tb.find("published offering", func(m map[string]types.AttributeValue) bool {
				return str(m, "SK") == "OFFERING" && str(m, "status") == "published"
			})
			tb.put(with(o, "status", "closed"))
			return str(o, "PK")
		}},
		{"an offering back in an index (its counters would write it)", tablecheck.RuleListing, func() string {
			o := tb.find("offering", prefixed("OFFERING#", "OFFERING"))
			tb.put(with(o, "GSI2PK", "CENTRE#"+str(o, "centre_id"), "GSI2SK", "OFFERING#"+str(o, "starts_on")+"#"+str(o, "id")))
			return str(o, "PK")
		}},
		{"a booking written alone (partial write)", tablecheck.RuleCounters, func() string {
			b := tb.find("confirmed booking", isBooking("confirmed"))
			tb.put(with(b, "SK", "BOOKING#partial", "id", "partial"))
			return "BOOKING#partial"
		}},
		{"a waitlisted booking's place in line lost", tablecheck.RuleWaitlist, func() string {
			w := tb.find("place in line", prefixed("OFFERING#", "WAIT#"))
			tb.del(w)
			return "BOOKING#" + str(w, "booking_id")
		}},
		{"a place in line left behind", tablecheck.RuleWaitlist, func() string {
			b := tb.find("confirmed booking", isBooking("confirmed"))
			tb.put(map[string]types.AttributeValue{
				"PK":         &types.AttributeValueMemberS{Value: "OFFERING#" + str(b, "offering_id")},
				"SK":         &types.AttributeValueMemberS{Value: fmt.Sprintf("WAIT#%019d#%s", num(b, "stamp"), str(b, "id"))},
				"booking_id": b["id"], "account": b["account"], "stamp": b["stamp"],
			})
			return str(b, "SK")
		}},
		{"an active booking's marker (held on its person item) lost, its offering not ended", tablecheck.RuleMarker, func() string {
			var held string
			m := tb.find("person item holding a booking of an offering not ended", func(m map[string]types.AttributeValue) bool {
				for name := range m {
					if strings.HasPrefix(name, "held#") && prefixed("IDENTITY#", "PERSON")(m) && !tb.ended(strings.TrimPrefix(name, "held#")) {
						held = name
						return true
					}
				}
				return false
			})
			_, booking, _ := strings.Cut(str(m, held), "|")
			tb.put(with(m, held, nil))
			return "BOOKING#" + booking
		}},
		{"a marker of a cancelled booking", tablecheck.RuleMarker, func() string {
			b := tb.find("cancelled booking", isBooking("cancelled"))
			person := tb.find("its person item", func(m map[string]types.AttributeValue) bool {
				return str(m, "PK") == "IDENTITY#"+str(b, "identity") && str(m, "SK") == "PERSON"
			})
			tb.put(with(person, "held#"+str(b, "offering_id"), str(b, "account")+"|"+str(b, "id")))
			return str(b, "SK")
		}},
		{"a term counter one too high", tablecheck.RuleTermCounter, func() string {
			var active string
			c := tb.find("person item counting a term", func(m map[string]types.AttributeValue) bool {
				for name := range m {
					if strings.HasPrefix(name, "active#") && prefixed("IDENTITY#", "PERSON")(m) && num(m, name) > 0 {
						active = name
						return true
					}
				}
				return false
			})
			tb.put(with(c, active, num(c, active)+1))
			return str(c, "PK") + " | PERSON"
		}},
		{"a term item of the layout before the person item", tablecheck.RuleTermCounter, func() string {
			b := tb.find("confirmed booking", isBooking("confirmed"))
			sk := "TERM#" + str(b, "kind") + "#" + str(b, "term")
			tb.put(map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "IDENTITY#" + str(b, "identity")},
				"SK": &types.AttributeValueMemberS{Value: sk}, "active": &types.AttributeValueMemberN{Value: "1"}})
			return sk
		}},
		{"a no-show block without its absences", tablecheck.RuleBlock, func() string {
			var absences string
			p := tb.find("person item with a block", func(m map[string]types.AttributeValue) bool {
				for name := range m {
					if strings.HasPrefix(name, "block_absences#") && prefixed("IDENTITY#", "PERSON")(m) {
						absences = name
						return true
					}
				}
				return false
			})
			tb.put(with(p, absences, nil))
			return str(p, "PK") + " | PERSON"
		}},
		{"a block's cause left after the block", tablecheck.RuleBlock, func() string {
			var until string
			p := tb.find("person item with a block", func(m map[string]types.AttributeValue) bool {
				for name := range m {
					if strings.HasPrefix(name, "blocked_until#") && prefixed("IDENTITY#", "PERSON")(m) {
						until = name
						return true
					}
				}
				return false
			})
			tb.put(with(p, until, nil, "block_absences#"+strings.TrimPrefix(until, "blocked_until#"), nil))
			return str(p, "PK") + " | PERSON"
		}},
		{"a term limit exceeded", tablecheck.RuleTermLimit, func() string {
			// A second active booking of one person in one kind and term,
			// in an offering that allows one.
			b := tb.find("confirmed booking", isBooking("confirmed"))
			o := tb.find("another offering of the kind and term", func(m map[string]types.AttributeValue) bool {
				return str(m, "SK") == "OFFERING" && str(m, "kind") == str(b, "kind") && str(m, "term") == str(b, "term") &&
					str(m, "id") != str(b, "offering_id")
			})
			second := with(b, "SK", "BOOKING#second", "id", "second", "offering_id", str(o, "id"),
				"created_at", "9999-12-31T00:00:00Z", "status", "waitlisted")
			tb.put(second)
			tb.put(with(o, "max_per_term", 1))
			return "BOOKING#second"
		}},
		{"an idempotency record of no booking", tablecheck.RuleIdempotency, func() string {
			b := tb.find("confirmed booking", isBooking("confirmed"))
			tb.put(map[string]types.AttributeValue{
				"PK": b["PK"], "SK": &types.AttributeValueMemberS{Value: "IDEMPOTENCY#lost"},
				"booking_id":   &types.AttributeValueMemberS{Value: "never-written"},
				"request_hash": &types.AttributeValueMemberS{Value: "x"},
				"expires_at":   &types.AttributeValueMemberN{Value: fmt.Sprint(tb.now.Add(time.Hour).Unix())},
			})
			return "IDEMPOTENCY#lost"
		}},
		{"a confirmed booking in the offers index", tablecheck.RuleOfferIndex, func() string {
			b := tb.find("confirmed booking", isBooking("confirmed"))
			tb.put(with(b, "GSI1PK", "OFFER_DUE#0", "GSI1SK", "0#"+str(b, "id")))
			return str(b, "SK")
		}},
		{"a ledger entry lost", tablecheck.RuleLedger, func() string {
			e := tb.find("ledger entry of an offering in the table", func(m map[string]types.AttributeValue) bool {
				if str(m, "PK") != "LEDGER" || num(m, "delta") == 0 {
					return false
				}
				for _, o := range tb.items {
					if str(o, "PK") == "OFFERING#"+str(m, "offering_id") && str(o, "SK") == "OFFERING" {
						return true
					}
				}
				return false
			})
			tb.del(e)
			return "OFFERING#" + str(e, "offering_id")
		}},
		{"an offering flagged for its centre's suspension without the ledger entry", tablecheck.RuleLedger, func() string {
			e := tb.find("ledger entry of a published offering in the table", func(m map[string]types.AttributeValue) bool {
				if str(m, "PK") != "LEDGER" || num(m, "delta") <= 0 {
					return false
				}
				for _, o := range tb.items {
					if str(o, "PK") == "OFFERING#"+str(m, "offering_id") && str(o, "SK") == "OFFERING" && str(o, "status") == "published" {
						return true
					}
				}
				return false
			})
			o := tb.find("its offering", func(m map[string]types.AttributeValue) bool {
				return str(m, "PK") == "OFFERING#"+str(e, "offering_id") && str(m, "SK") == "OFFERING"
			})
			flagged := clone(o)
			flagged["centre_suspended"] = &types.AttributeValueMemberBOOL{Value: true}
			tb.put(flagged)
			return "OFFERING#" + str(e, "offering_id")
		}},
		{"a ledger entry whose delta is not after − before", tablecheck.RuleLedger, func() string {
			e := tb.find("ledger entry", prefixed("LEDGER", ""))
			tb.put(with(e, "before", num(e, "before")+1, "delta", num(e, "delta")))
			return str(e, "SK")
		}},
		{"a live participant's name lost from its person item (the booking's check would refuse it)", tablecheck.RulePerson, func() string {
			var live string
			m := tb.find("person item naming a participant", func(m map[string]types.AttributeValue) bool {
				for name := range m {
					if strings.HasPrefix(name, "live#") && prefixed("IDENTITY#", "PERSON")(m) {
						live = name
						return true
					}
				}
				return false
			})
			tb.put(with(m, live, nil))
			return "PARTICIPANT#" + str(m, live)
		}},
		{"a participant marked erasing, still named on its person item (a booking could land)", tablecheck.RulePerson, func() string {
			p := tb.find("participant with an identity", func(m map[string]types.AttributeValue) bool {
				return prefixed("ACCOUNT#", "PARTICIPANT#")(m) && str(m, "identity") != ""
			})
			tb.put(with(p, "erasing_at", "2026-01-01T00:00:00Z"))
			return "IDENTITY#" + str(p, "identity") + " | PERSON"
		}},
		{"a verification of a participant that is not there", tablecheck.RulePerson, func() string {
			m := tb.find("person item", prefixed("IDENTITY#", "PERSON"))
			tb.put(with(m, "account", "nobody", "participant_id", "none"))
			return str(m, "PK")
		}},
		{"a booking cancelled by the centre, its offering not cancelled", tablecheck.RuleAudit, func() string {
			b := tb.find("cancelled booking", isBooking("cancelled"))
			tb.put(with(b, "cancelled_by", "centre"))
			return str(b, "SK")
		}},
		{"a staff change without its audit record", tablecheck.RuleAudit, func() string {
			// The demo's lottery offering is created by staff: its ledger
			// entry and audit record are one write.
			e := tb.find("staff ledger entry", func(m map[string]types.AttributeValue) bool {
				return str(m, "PK") == "LEDGER" && len(str(m, "SK")) > 9 && !strings.HasSuffix(str(m, "SK"), "#"+str(m, "reason"))
			})
			stamp, _, _ := strings.Cut(str(e, "SK"), "#")
			a := tb.find("its audit record", func(m map[string]types.AttributeValue) bool {
				return str(m, "PK") == "CENTRE#"+str(e, "centre_id") && strings.HasPrefix(str(m, "SK"), "AUDIT#"+stamp+"#")
			})
			tb.del(a)
			return str(e, "SK")
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tb.t = t
			defer tb.restore()
			want := c.damage()
			r := tb.check()
			var out strings.Builder
			r.Print(&out)
			if r.Count(c.rule) == 0 || !strings.Contains(out.String(), want) {
				t.Fatalf("want a %s violation naming %s:\n%s", c.rule, want, out.String())
			}
			t.Logf("%d violations, %d of %s", len(r.Violations), r.Count(c.rule), c.rule)
		})
	}
	tb.t = t
	if r := tb.check(); !r.OK() {
		var out strings.Builder
		r.Print(&out)
		t.Fatalf("not restored:\n%s", out.String())
	}

	// Released (shared/holds): an active booking of an ended offering
	// without its hold is no violation once the offering's listing says
	// so, nor, while a pass is under way, once its last day is past.
	t.Run("a hold released", func(t *testing.T) {
		tb.t = t
		defer tb.restore()
		b := tb.find("confirmed booking of an offering not ended", func(m map[string]types.AttributeValue) bool {
			return isBooking("confirmed")(m) && !tb.ended(str(m, "offering_id"))
		})
		person := tb.find("its person item", func(m map[string]types.AttributeValue) bool {
			return str(m, "PK") == "IDENTITY#"+str(b, "identity") && str(m, "SK") == "PERSON"
		})
		tb.put(with(person, "held#"+str(b, "offering_id"), nil))
		listing := tb.find("its listing", func(m map[string]types.AttributeValue) bool {
			return str(m, "PK") == "OFFERING#"+str(b, "offering_id") && str(m, "SK") == "LISTING"
		})
		tb.put(with(listing, "holds_released_on", tb.now.Format(time.DateOnly)))
		if r := tb.check(); !r.OK() {
			var out strings.Builder
			r.Print(&out)
			t.Errorf("a released hold reported:\n%s", out.String())
		}
		tb.put(listing) // its mark not written yet, the offering not ended
		if r := tb.check(); r.Count(tablecheck.RuleMarker) == 0 {
			t.Errorf("a hold lost from an offering neither ended nor released: no %s violation", tablecheck.RuleMarker)
		}
	})
}

// ended reports whether the offering id ended before the table's day (in
// Wuxi, UTC+8).
func (tb *table) ended(id string) bool {
	for _, m := range tb.items {
		if str(m, "PK") == "OFFERING#"+id && str(m, "SK") == "OFFERING" {
			return str(m, "ends_on") < tb.now.UTC().Add(8*time.Hour).Format(time.DateOnly)
		}
	}
	return false
}
