package store_test

import (
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb/capacity"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/holds"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// personItem reads an identity's PERSON item as it stands.
func (w *world) personItem(identity string) map[string]types.AttributeValue {
	w.t.Helper()
	out, err := w.db.GetItem(w.ctx, &dynamodb.GetItemInput{TableName: &w.table, ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "IDENTITY#" + identity},
			"SK": &types.AttributeValueMemberS{Value: "PERSON"}}})
	w.must(err)
	return out.Item
}

// setOnPerson writes attributes straight onto an identity's PERSON item.
func (w *world) setOnPerson(identity string, attrs map[string]string) {
	w.t.Helper()
	names, values, set := map[string]string{}, map[string]types.AttributeValue{}, ""
	for i, name := range slices.Sorted(maps.Keys(attrs)) {
		names[fmt.Sprintf("#a%d", i)], values[fmt.Sprintf(":v%d", i)] = name, &types.AttributeValueMemberS{Value: attrs[name]}
		if i > 0 {
			set += ", "
		}
		set += fmt.Sprintf("#a%d = :v%d", i, i)
	}
	_, err := w.db.UpdateItem(w.ctx, &dynamodb.UpdateItemInput{TableName: &w.table,
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "IDENTITY#" + identity},
			"SK": &types.AttributeValueMemberS{Value: "PERSON"}},
		UpdateExpression: aws.String("SET " + set), ExpressionAttributeNames: names, ExpressionAttributeValues: values})
	w.must(err)
}

// TestReleaseHold: a hold goes only while it is still the booking's read
// (one that became another booking's stays, one already gone is no
// error), and a no-show block goes with it once its last day has passed,
// whatever became of the hold; a block still running stays.
func TestReleaseHold(t *testing.T) {
	const today = "2026-01-10"
	past := map[string]string{"blocked_until#evening_course#2025-autumn": "2026-01-09",
		"block_absences#evening_course#2025-autumn": "2", "because_of#evening_course#2025-autumn": "of-spring"}
	current := map[string]string{"blocked_until#evening_course#2026-spring": today,
		"block_absences#evening_course#2026-spring": "3", "because_of#evening_course#2026-spring": "of-autumn"}
	for _, c := range []struct {
		name     string
		hold     string // what held#o1 is before ("-": absent; "": the booking's own)
		blocks   []map[string]string
		released bool
		lifted   int
		left     []string // the attributes of these names left on the item
	}{
		{name: "its own hold", released: true},
		{name: "another booking's now", hold: "acc|bk_other", left: []string{"held#o1"}},
		{name: "gone already", hold: "-"},
		{name: "with a block past its day", blocks: []map[string]string{past}, released: true, lifted: 1},
		{name: "with a block still running", blocks: []map[string]string{current}, released: true, left: slices.Collect(maps.Keys(current))},
		{name: "another's hold, a block past", hold: "acc|bk_other", blocks: []map[string]string{past, current}, lifted: 1,
			left: append([]string{"held#o1"}, slices.Collect(maps.Keys(current))...)},
	} {
		t.Run(c.name, func(t *testing.T) {
			w := newWorld(t)
			p := w.register("acc", 1)
			w.offering("o1", 10)
			b := w.book(p, "o1")
			switch c.hold {
			case "-":
				w.cancel(b)
			case "":
			default:
				w.setOnPerson(p.Identity, map[string]string{"held#o1": c.hold})
			}
			for _, bl := range c.blocks {
				w.setOnPerson(p.Identity, bl)
			}
			before := w.personItem(p.Identity)
			got, err := w.st.ReleaseHold(w.ctx, "o1", store.HeldBooking{ID: b.ID, Account: b.Account, Identity: p.Identity, Status: "confirmed"}, today)
			w.must(err)
			if got.Hold != c.released || got.Blocks != c.lifted {
				t.Errorf("released %v, blocks lifted %d; want %v, %d", got.Hold, got.Blocks, c.released, c.lifted)
			}
			after := w.personItem(p.Identity)
			for name, v := range before {
				_, there := after[name]
				var want bool
				switch {
				case name == "held#o1" || strings.HasPrefix(name, "blocked_until#") || strings.HasPrefix(name, "block_absences#") || strings.HasPrefix(name, "because_of#"):
					want = slices.Contains(c.left, name)
				default:
					want = true // the rest of the item is left as it was
				}
				if there != want {
					t.Errorf("%s there after: %v, want %v (before: %v)", name, there, want, v)
				}
			}
		})
	}
}

// TestPersonItemBounded: a verified resident books every term for years
// (three courses a term, two terms a year); with the daily pass run, the
// person item a booking writes grows only by the term counts (about 35 B a
// kind and term), not by the holds of everything booked, and stays under
// 1 KB far longer. The figures go to DESIGN.md ("How big the person item
// gets").
func TestPersonItemBounded(t *testing.T) {
	w := newWorld(t)
	account := "3f2b9c1e-5d4a-4e8b-9a6f-0c1d2e3f4a5b" // a Cognito sub's shape
	p := w.register(account, 1)
	v := w.verification(p)
	v.CentreID, v.BookingID, v.Staff = domain.NewID("ct", w.now), domain.NewID("bk", w.now), "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"
	w.must(w.st.VerifyIdentity(w.ctx, p.Identity, v, w.verifyAudit(p)))
	size := func() int {
		n := 0
		for name, v := range w.personItem(p.Identity) {
			n += len(name)
			switch v := v.(type) {
			case *types.AttributeValueMemberS:
				n += len(v.Value)
			case *types.AttributeValueMemberN:
				n += capacity.NumberSize(v.Value)
			}
		}
		return n
	}
	pass := &holds.Service{Store: w.st}
	start := time.Date(2025, 9, 1, 10, 0, 0, 0, domain.CityZone)
	const terms, perTerm = 10, 3
	var largest, released int
	after := size() // after the last pass (verified, nothing booked yet)
	for i := range terms {
		// Term i: autumn or spring; booked a week before it starts, each
		// course ending with the term.
		w.now = start.AddDate(0, 6*i, -7)
		term := domain.TermOf(start.AddDate(0, 6*i, 0))
		ends, _ := domain.TermEnds(term)
		for j := range perTerm {
			o := w.offering(domain.NewID("of", w.now.Add(time.Duration(j)*time.Millisecond)), 10, func(o *domain.Offering) {
				o.Term, o.StartsOn, o.EndsOn = term, start.AddDate(0, 6*i, 0).Format(domain.DateLayout), ends.Format(domain.DateLayout)
			})
			w.book(p, o.ID)
			largest = max(largest, size())
		}
		booked := size()
		// The day after the term: the pass takes its holds off.
		res, err := pass.Release(w.ctx, ends.AddDate(0, 0, 1).Add(3*time.Hour), holds.MaxPerRun, slog.New(slog.DiscardHandler))
		w.must(err)
		released += booked - size() // what the item would still carry without the pass
		if res.Released != perTerm {
			t.Errorf("term %s: %d holds released, want %d", term, res.Released, perTerm)
		}
		if hs, err := w.st.HoldsOf(w.ctx, p.Identity); err != nil || len(hs) != 0 {
			t.Errorf("term %s: after the pass %d holds left (%v)", term, len(hs), err)
		}
		dbtest.Figure(t, "after term %d (%s): person item %d B after the pass; %d B at its largest while booking (%d B if no hold had left)",
			i+1, term, size(), largest, size()+released)
		// Bounded: a term leaves its count behind, not its holds.
		if grew := size() - after; grew >= 100 {
			t.Errorf("term %s: the person item grew %d B over the term, pass run: more than its count", term, grew)
		}
		after = size()
	}
}
