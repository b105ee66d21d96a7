package draws_test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/beacon"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/draws"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/keycustody"
	"github.com/wuxi-enrol/enrol/shared/lottery"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// world is one lottery offering with its draw, applicants and clock.
type world struct {
	t   testing.TB
	ctx context.Context
	st  *store.Store
	db  *dynamodb.Client
	tbl string
	cfg config.Config
	ids *keycustody.Identities
	now time.Time
	o   domain.Offering
	svc *draws.Service
	// written counts the items the store writes.
	written *items
	apps    []domain.Application
}

func newWorld(t testing.TB, capacity int, edit ...func(*domain.Offering)) *world {
	t.Helper()
	written := &items{}
	cfg := dbtest.Config(t)
	st, ids, db := dbtest.CustodyOn(t, cfg, written.option)
	w := &world{t: t, ctx: context.Background(), st: st, db: db, tbl: cfg.TableName, cfg: cfg, ids: ids, written: written,
		now: time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)}
	c := dbtest.Centre("c1", "binhu")
	w.must(st.PutCentre(w.ctx, c, false))
	open, closeAt, drawAt := w.now, w.now.Add(24*time.Hour), w.now.Add(25*time.Hour)
	w.o = dbtest.Offering("o1", c, capacity, w.now, append([]func(*domain.Offering){func(o *domain.Offering) {
		o.Allocation, o.OfferHours, o.MaxPerParticipantPerTerm = domain.Lottery, 48, 3
		o.ApplicationsOpenAt, o.ApplicationsCloseAt, o.DrawAt = &open, &closeAt, &drawAt
		o.BookingOpensAt = drawAt.Add(24 * time.Hour)
	}}, edit...)...)
	w.must(st.PutOffering(w.ctx, w.o, true))
	bc := beacon.Local{Schedule: beacon.Quicknet, Key: []byte("test beacon"), Now: func() time.Time { return w.now }, URL: "http://127.0.0.1/_local/beacon/public/"}
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	sh := hex.EncodeToString(secret)
	w.must(st.PutDraw(w.ctx, store.DrawRecord{OfferingID: w.o.ID, DrawAt: drawAt.UTC().Format(time.RFC3339Nano), Secret: sh,
		Commitment: lottery.Commitment(sh), BeaconSource: bc.Source(), BeaconRound: bc.RoundAfter(closeAt)}))
	w.svc = &draws.Service{Store: st, Beacon: bc, Now: func() time.Time { return w.now }}
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

// apply registers person seq under their own account and applies them.
func (w *world) apply(seq int, claims ...domain.Claim) domain.Application {
	w.t.Helper()
	a := w.applicant(seq, claims...)
	w.apps = append(w.apps, a)
	return a
}

// applyMany applies persons 1..n, four at a time.
func (w *world) applyMany(n int) {
	w.t.Helper()
	w.apps = make([]domain.Application, n)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := g; i < n; i += 4 {
				w.apps[i] = w.applicant(i + 1)
			}
		})
	}
	wg.Wait()
}

// applicant registers person seq and applies them, with claims when given
// (as decided already).
func (w *world) applicant(seq int, claims ...domain.Claim) domain.Application {
	account := fmt.Sprintf("acct-%d", seq)
	// A thousand people a birthday (an ID number's sequence is 0..999).
	born := 1990
	if w.o.Kind == domain.SeniorCourse {
		born = 1960 // 65 on the course's start: 锡银学堂 is for 55 and over
	}
	birth := time.Date(born, 1, 1+seq/1000, 0, 0, 0, 0, domain.CityZone)
	p, err := domain.Register(w.ctx, domain.NewParticipant{Name: fmt.Sprintf("居民%d", seq), BirthDate: birth.Format(domain.DateLayout),
		IDNumber: idnumber.Make("320213", birth, seq%1000)}, account, w.ids, w.now)
	w.must(err)
	w.must(w.st.CreateParticipant(w.ctx, p))
	a := domain.Application{
		ID: domain.NewID("app", w.now), OfferingID: w.o.ID,
		Offering:      domain.BookedOffering{Title: w.o.Title, Kind: w.o.Kind, Centre: w.o.Centre, StartsOn: w.o.StartsOn},
		ParticipantID: p.ID, Participant: domain.BookedParticipant{Name: p.Name}, Status: domain.ApplicationApplied,
		Tier: 1, CreatedAt: w.now, Account: account, Identity: p.Identity, Term: w.o.Term,
		BirthDate: p.BirthDate, IDNumberLast4: p.IDNumberLast4,
	}
	a.Ticket, a.Claims = lottery.Ticket(w.o.ID, a.ID), claims
	w.must(w.st.SeedApplication(w.ctx, a))
	return a
}

// withdraw does what withdrawing does to the draw: the entry goes (in
// whichever shard it is), the record says withdrawn.
func (w *world) withdraw(a domain.Application) {
	for shard := range store.ApplicantShards {
		_, err := w.db.DeleteItem(w.ctx, &dynamodb.DeleteItemInput{TableName: &w.tbl, Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: fmt.Sprintf("APPLICANTS#%s#%d", w.o.ID, shard)},
			"SK": &types.AttributeValueMemberS{Value: a.ID}}})
		w.must(err)
	}
	_, err := w.db.UpdateItem(w.ctx, &dynamodb.UpdateItemInput{TableName: &w.tbl,
		Key:                       map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "ACCOUNT#" + a.Account}, "SK": &types.AttributeValueMemberS{Value: "APPLICATION#" + a.ID}},
		UpdateExpression:          aws("SET #s = :w"),
		ExpressionAttributeNames:  map[string]string{"#s": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":w": &types.AttributeValueMemberS{Value: "withdrawn"}}})
	w.must(err)
}

func aws(s string) *string { return &s }

// record is an application's record as the resident reads it.
type record struct {
	Status    string `dynamodbav:"status"`
	Rank      int    `dynamodbav:"rank"`
	Number    string `dynamodbav:"number"`
	BookingID string `dynamodbav:"booking_id"`
	Reason    string `dynamodbav:"not_drawn_reason"`
}

func (w *world) record(a domain.Application) record {
	w.t.Helper()
	out, err := w.db.GetItem(w.ctx, &dynamodb.GetItemInput{TableName: &w.tbl, ConsistentRead: new(true),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "ACCOUNT#" + a.Account}, "SK": &types.AttributeValueMemberS{Value: "APPLICATION#" + a.ID}}})
	w.must(err)
	var r record
	w.must(attributevalue.UnmarshalMap(out.Item, &r))
	return r
}

// bookings are every booking in the table, by account.
func (w *world) bookings() map[string][]domain.Booking {
	w.t.Helper()
	out := map[string][]domain.Booking{}
	for _, a := range w.apps {
		bs, _, err := w.st.ListBookings(w.ctx, a.Account, "", pageAll)
		w.must(err)
		out[a.Account] = append(out[a.Account], bs...)
	}
	return out
}

// toDrawTime moves the clock past draw_at and the beacon's round.
func (w *world) toDrawTime() { w.now = w.o.DrawAt.Add(time.Minute) }

// check states what a finished draw must have written: each ranked
// application's record and its one booking (offers exactly for the first
// places, the line in rank order), the offering's counters, and one
// draw_result notice each with one draw_published.
func (w *world) check(doc lottery.Document, places int, notDrawn map[string]string) {
	w.t.Helper()
	t := w.t
	if doc.Status != lottery.StatusDrawn {
		t.Fatalf("status %q", doc.Status)
	}
	if err := lottery.Verify(doc, doc.Results); err != nil {
		t.Fatalf("the document does not verify: %v", err)
	}
	byTicket := map[string]domain.Application{}
	for _, a := range w.apps {
		byTicket[a.Ticket] = a
	}
	bookings := w.bookings()
	offered, waiting := 0, 0
	var line []int
	for _, res := range doc.Results {
		a := byTicket[res.Ticket]
		rec, bs := w.record(a), bookings[a.Account]
		if rec.Rank != res.Rank || rec.Number != res.Number {
			t.Errorf("rank %d: the record says rank %d number %s", res.Rank, rec.Rank, rec.Number)
		}
		want := "waitlisted"
		switch {
		case notDrawn[a.ID] != "":
			want = "not_drawn"
		case offered < places:
			want = "offered"
		}
		if rec.Status != want || want == "not_drawn" && rec.Reason != notDrawn[a.ID] {
			t.Errorf("rank %d: %s (%q), want %s (%q)", res.Rank, rec.Status, rec.Reason, want, notDrawn[a.ID])
		}
		if want == "not_drawn" {
			if len(bs) != 0 || rec.BookingID != "" {
				t.Errorf("rank %d not drawn has bookings %v", res.Rank, bs)
			}
			continue
		}
		if len(bs) != 1 || bs[0].ID != rec.BookingID || string(bs[0].Status) != want {
			t.Errorf("rank %d (%s): bookings %+v, record's booking %s", res.Rank, want, bs, rec.BookingID)
			continue
		}
		if want == "offered" {
			offered++
			if bs[0].OfferExpiresAt == nil || !bs[0].OfferExpiresAt.After(w.o.DrawAt.Add(47*time.Hour)) {
				t.Errorf("rank %d: offer until %v", res.Rank, bs[0].OfferExpiresAt)
			}
		} else {
			waiting++
			line = append(line, res.Rank)
		}
	}
	if offered != min(places, len(doc.Results)-len(notDrawn)) {
		t.Errorf("%d offers, want %d", offered, places)
	}
	o, err := w.st.GetOffering(w.ctx, w.o.ID)
	w.must(err)
	if o.Offered != offered || o.Waitlisted != waiting || o.DrawnAt == nil {
		t.Errorf("offering counters offered %d waitlisted %d drawn_at %v, want %d %d set", o.Offered, o.Waitlisted, o.DrawnAt, offered, waiting)
	}
	// The line is in rank order.
	ws, err := w.st.Waiters(w.ctx, w.o.ID, 1000)
	w.must(err)
	var stamps []int
	for _, x := range ws {
		stamps = append(stamps, int(x.Stamp))
	}
	if !slices.Equal(stamps, line) {
		t.Errorf("the line's stamps %v, want the ranks %v", stamps, line)
	}
	told := dbtest.Told(t, w.st)
	results, published := 0, 0
	for _, l := range told {
		switch {
		case strings.HasPrefix(l, "draw_result "):
			results++
		case strings.HasPrefix(l, "draw_published "):
			published++
		}
	}
	if results != len(doc.Results) || published != 1 {
		t.Errorf("%d draw_result and %d draw_published notices, want %d and 1", results, published, len(doc.Results))
	}
	due, err := w.st.DueDraws(w.ctx, w.now.Add(1000*time.Hour))
	w.must(err)
	if len(due) != 0 {
		t.Errorf("still due after the draw: %v", due)
	}
}

var pageAll = paging.Page{Limit: 100}

func TestTicketsExcludeWithdrawn(t *testing.T) {
	w := newWorld(t, 2)
	for i := range 5 {
		w.apply(i + 1)
	}
	gone := w.apps[2]
	w.withdraw(gone)
	w.toDrawTime()
	if _, err := w.svc.Run(w.ctx, w.o.ID); err != nil {
		t.Fatal(err)
	}
	doc, err := w.svc.Document(w.ctx, w.o.ID)
	w.must(err)
	if len(doc.Tickets) != 4 || slices.Contains(doc.Tickets, gone.Ticket) {
		t.Fatalf("tickets %v: want the 4 not withdrawn, not %s", doc.Tickets, gone.Ticket)
	}
	if r := w.record(gone); r.Status != "withdrawn" || r.Rank != 0 {
		t.Errorf("the withdrawn application became %+v", r)
	}
	w.apps = slices.Delete(w.apps, 2, 3)
	w.check(doc, 2, nil)
}

// TestAdultKindsDrawn: a 锡银学堂 lottery is drawn as an evening course's
// is: offers for the first places, the rest in line by rank. (The
// children's kinds are drawn by the rounds' tests.)
func TestAdultKindsDrawn(t *testing.T) {
	ages := map[domain.Kind][2]int{domain.EveningCourse: {216, 551}, domain.SeniorCourse: {660, 1200}}
	for _, k := range []domain.Kind{domain.EveningCourse, domain.SeniorCourse} {
		t.Run(string(k), func(t *testing.T) {
			w := newWorld(t, 2, func(o *domain.Offering) { o.Kind, o.MinAgeMonths, o.MaxAgeMonths = k, ages[k][0], ages[k][1] })
			for i := range 5 {
				w.apply(i + 1)
			}
			for _, a := range w.apps {
				p, err := w.st.GetParticipant(w.ctx, a.Account, a.ParticipantID)
				w.must(err)
				if err := domain.CheckAge(w.o, p); err != nil {
					t.Fatalf("applicant %s is not of age for %s: %v", a.ID, k, err)
				}
			}
			w.toDrawTime()
			if _, err := w.svc.Run(w.ctx, w.o.ID); err != nil {
				t.Fatal(err)
			}
			doc, err := w.svc.Document(w.ctx, w.o.ID)
			w.must(err)
			w.check(doc, 2, nil)
			for _, bs := range w.bookings() {
				for _, b := range bs {
					if b.Offering.Kind != k {
						t.Errorf("booking %s is of kind %s, want %s", b.ID, b.Offering.Kind, k)
					}
				}
			}
		})
	}
}

// members is which members a document shows, as JSON.
func members(t *testing.T, doc lottery.Document) []string {
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	var out []string
	for k := range m {
		out = append(out, k)
	}
	if bc, ok := m["beacon"].(map[string]any); ok {
		for k := range bc {
			out = append(out, "beacon."+k)
		}
	}
	slices.Sort(out)
	return out
}

// TestDrawNotReadyThenDrawnOnce: before the close, and after it before the
// beacon's round is out, the draw is 409 draw_not_ready (the close done in
// between, the tickets then public, nothing secret); then it is drawn, and
// again gives the same. The document shows each stage's members only.
func TestDrawNotReadyThenDrawnOnce(t *testing.T) {
	w := newWorld(t, 1)
	for i := range 3 {
		w.apply(i + 1)
	}
	committed := []string{"algorithm", "beacon", "beacon.round", "beacon.source", "commitment", "status"}
	closed := append(slices.Clone(committed), "applicants_digest", "tickets")
	slices.Sort(closed)
	drawn := append(slices.Clone(closed), "beacon.randomness", "results", "secret", "seed")
	slices.Sort(drawn)

	steps := []struct {
		name    string
		at      time.Time
		status  string
		members []string
		ready   bool
	}{
		{"before the close", w.o.ApplicationsCloseAt.Add(-time.Second), store.DrawCommitted, committed, false},
		{"closed, round not out", w.o.ApplicationsCloseAt.Add(time.Second), store.DrawClosed, closed, false},
		{"round out", beacon.Quicknet.PublishedAt(beacon.Quicknet.RoundAfter(*w.o.ApplicationsCloseAt)), store.DrawDone, drawn, true},
	}
	var first store.DrawRecord
	for _, s := range steps {
		w.now = s.at
		r, err := w.svc.Run(w.ctx, w.o.ID)
		if s.ready != (err == nil) || !s.ready && !apperr.Is(err, apperr.DrawNotReady) {
			t.Fatalf("%s: %v", s.name, err)
		}
		if r, _ = w.st.GetDraw(w.ctx, w.o.ID); r.Status != s.status {
			t.Fatalf("%s: status %s, want %s", s.name, r.Status, s.status)
		}
		doc, err := w.svc.Document(w.ctx, w.o.ID)
		w.must(err)
		if got := members(t, doc); !slices.Equal(got, s.members) {
			t.Errorf("%s: members %v, want %v", s.name, got, s.members)
		}
		first = r
	}
	w.now = w.now.Add(time.Hour)
	again, err := w.svc.Run(w.ctx, w.o.ID)
	if err != nil || !reflect.DeepEqual(again, first) {
		t.Fatalf("run again: %+v, %v; want %+v", again, err, first)
	}
	doc, _ := w.svc.Document(w.ctx, w.o.ID)
	w.check(doc, 1, nil)
}

// TestRuleBrokenByTheDraw: rank 1 reached the term limit after applying,
// or holds a booking of the offering already, so it is not drawn, says why,
// and the next ranks take the places.
func TestRuleBrokenByTheDraw(t *testing.T) {
	for _, tc := range []struct {
		name   string
		held   func(o domain.Offering) string // the offering rank 1 booked meanwhile
		reason string
	}{
		{"term limit", func(o domain.Offering) string { return "another" }, store.ReasonTermLimit},
		{"already booked", func(o domain.Offering) string { return o.ID }, store.ReasonAlreadyBooked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t, 2, func(o *domain.Offering) { o.MaxPerParticipantPerTerm = 1 })
			for i := range 5 {
				w.apply(i + 1)
			}
			// Close first, then find rank 1 as the draw will rank it.
			w.now = w.o.ApplicationsCloseAt.Add(time.Second)
			if _, err := w.svc.Run(w.ctx, w.o.ID); !apperr.Is(err, apperr.DrawNotReady) {
				t.Fatal(err)
			}
			r, _ := w.st.GetDraw(w.ctx, w.o.ID)
			doc, err := w.svc.Document(w.ctx, w.o.ID)
			w.must(err)
			w.toDrawTime()
			doc.Secret = r.Secret
			doc.Beacon.Randomness, _ = w.svc.Beacon.Randomness(w.ctx, r.BeaconRound)
			results, err := lottery.Draw(doc)
			w.must(err)
			var first domain.Application
			for _, a := range w.apps {
				if a.Ticket == results[0].Ticket {
					first = a
				}
			}
			// Meanwhile rank 1 booked: another course of the kind this
			// term, or this one (its person item, as a booking writes it).
			_, err = w.db.UpdateItem(w.ctx, &dynamodb.UpdateItemInput{TableName: &w.tbl,
				Key:                      map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "IDENTITY#" + first.Identity}, "SK": &types.AttributeValueMemberS{Value: "PERSON"}},
				UpdateExpression:         aws("SET #held = :hold ADD #active :one"),
				ExpressionAttributeNames: map[string]string{"#held": "held#" + tc.held(w.o), "#active": "active#" + string(w.o.Kind) + "#" + w.o.Term},
				ExpressionAttributeValues: map[string]types.AttributeValue{":hold": &types.AttributeValueMemberS{Value: "elsewhere|bk-elsewhere"},
					":one": &types.AttributeValueMemberN{Value: "1"}}})
			w.must(err)
			if _, err := w.svc.Run(w.ctx, w.o.ID); err != nil {
				t.Fatal(err)
			}
			doc, err = w.svc.Document(w.ctx, w.o.ID)
			w.must(err)
			w.check(doc, 2, map[string]string{first.ID: tc.reason})
		})
	}
}

// TestTwoRunsAtOnceDrawOnce: the schedule and staff running the same draw at
// once write each batch once between them.
func TestTwoRunsAtOnceDrawOnce(t *testing.T) {
	w := newWorld(t, 10)
	for i := range 40 {
		w.apply(i + 1)
	}
	w.toDrawTime()
	errs := make(chan error, 2)
	for range 2 {
		go func() { _, err := w.svc.Run(w.ctx, w.o.ID); errs <- err }()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	doc, err := w.svc.Document(w.ctx, w.o.ID)
	w.must(err)
	w.check(doc, 10, nil)
}

// TestCancelledOfferingIsNotDrawn: a lottery offering cancelled before its
// draw gets no bookings, and leaves the draws due.
func TestCancelledOfferingIsNotDrawn(t *testing.T) {
	w := newWorld(t, 2)
	for i := range 3 {
		w.apply(i + 1)
	}
	w.o.Status = domain.OfferingCancelled
	w.must(w.st.PutOffering(w.ctx, w.o, false))
	w.toDrawTime()
	res, err := w.svc.RunDue(w.ctx, w.now)
	if err != nil || res.Due != 1 || res.Drawn != 0 {
		t.Fatalf("%+v, %v", res, err)
	}
	for account, bs := range w.bookings() {
		if len(bs) > 0 {
			t.Errorf("%s has bookings %v", account, bs)
		}
	}
	if due, err := w.st.DueDraws(w.ctx, w.now); err != nil || len(due) != 0 {
		t.Errorf("still due: %v, %v", due, err)
	}
}
