package rounds_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
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
	"github.com/wuxi-enrol/enrol/shared/placement"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/rounds"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// world is three lottery offerings (capacities 2, 2, 1) not yet open, and
// the services that make them a round and apply to it.
type world struct {
	t       testing.TB
	ctx     context.Context
	st      *store.Store
	db      *dynamodb.Client
	tbl     string
	cfg     config.Config
	ids     *keycustody.Identities
	now     time.Time
	offs    []domain.Offering
	svc     *rounds.Service
	res     *residents.Service
	round   domain.Round
	applied []applied
}

// applied is one application as the test made it.
type applied struct {
	account  string
	app      domain.Application
	choices  []string
	children []string // participant ids
}

func newWorld(t testing.TB, capacities ...int) *world {
	t.Helper()
	cfg := dbtest.Config(t)
	st, ids, db := dbtest.CustodyOn(t, cfg)
	w := &world{t: t, ctx: context.Background(), st: st, ids: ids, db: db, tbl: cfg.TableName, cfg: cfg, now: time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)}
	c := dbtest.Centre("c1", "binhu")
	w.must(st.PutCentre(w.ctx, c, false))
	open, closeAt, drawAt := w.now.Add(time.Hour), w.now.Add(25*time.Hour), w.now.Add(26*time.Hour)
	bc := beacon.Local{Schedule: beacon.Quicknet, Key: []byte("test beacon"), Now: func() time.Time { return w.now }, URL: "http://127.0.0.1/_local/beacon/public/"}
	w.svc = &rounds.Service{Store: st, Beacon: bc, Now: func() time.Time { return w.now }}
	w.res = &residents.Service{Store: st, Now: func() time.Time { return w.now }}
	for i, capacity := range capacities {
		o := dbtest.Offering(fmt.Sprintf("o%d", i+1), c, capacity, w.now, func(o *domain.Offering) {
			o.Allocation, o.OfferHours, o.MaxPerParticipantPerTerm = domain.Lottery, 48, 0
			o.ApplicationsOpenAt, o.ApplicationsCloseAt, o.DrawAt = &open, &closeAt, &drawAt
			o.BookingOpensAt = drawAt.Add(24 * time.Hour)
		})
		w.must(st.PutOffering(w.ctx, o, true))
		secret := fmt.Sprintf("%064x", i+1)
		w.must(st.PutDraw(w.ctx, store.DrawRecord{OfferingID: o.ID, DrawAt: drawAt.UTC().Format(time.RFC3339Nano), Secret: secret,
			Commitment: lottery.Commitment(secret), BeaconSource: bc.Source(), BeaconRound: bc.RoundAfter(closeAt)}))
		w.offs = append(w.offs, o)
	}
	return w
}

func (w *world) must(err error) {
	w.t.Helper()
	if err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) ids3() []string {
	var out []string
	for _, o := range w.offs {
		out = append(out, o.ID)
	}
	return out
}

// create makes the round of every offering and opens applications.
func (w *world) create() {
	w.t.Helper()
	r, err := w.svc.Create(w.ctx, "officer-1", domain.NewRound{TitleZH: "测试轮", TitleEN: "Test round", Kind: w.offs[0].Kind, Term: w.offs[0].Term, OfferingIDs: w.ids3()})
	w.must(err)
	w.round = r
	w.now = w.now.Add(2 * time.Hour)
}

// person registers an adult under account.
func (w *world) person(account string, seq int) domain.Participant {
	w.t.Helper()
	birth := time.Date(1990, 1, 1, 0, 0, 0, 0, domain.CityZone)
	p, err := domain.Register(w.ctx, domain.NewParticipant{Name: fmt.Sprintf("居民%d", seq), BirthDate: birth.Format(domain.DateLayout),
		IDNumber: idnumber.Make("320213", birth, seq%1000)}, account, w.ids, w.now)
	w.must(err)
	w.must(w.st.CreateParticipant(w.ctx, p))
	return p
}

// apply registers person seq (and siblings more under the same account)
// and applies with choices.
func (w *world) apply(seq, siblings int, choices ...string) applied {
	w.t.Helper()
	account := fmt.Sprintf("acct-%d", seq)
	p := w.person(account, seq)
	a := applied{account: account, choices: choices, children: []string{p.ID}}
	var sibs []string
	for i := range siblings {
		s := w.person(account, 500+seq*10+i)
		sibs = append(sibs, s.ID)
		a.children = append(a.children, s.ID)
	}
	res, err := w.res.ApplyRound(w.ctx, residents.RoundApplyRequest{Account: account, RoundID: w.round.ID, ParticipantID: p.ID, Siblings: sibs, Choices: choices})
	w.must(err)
	a.app = res.Application
	w.applied = append(w.applied, a)
	return a
}

// applyMany applies n single persons with choices rotating over the
// offerings (first choices weighted to the first offering).
func (w *world) applyMany(n int) {
	ids := w.ids3()
	orders := [][]string{{ids[0], ids[1], ids[2]}, {ids[0], ids[2]}, {ids[1], ids[0]}, {ids[2], ids[1], ids[0]}, {ids[0]}}
	for i := range n {
		w.apply(i+1, 0, orders[i%len(orders)]...)
	}
}

func (w *world) toDrawTime() { w.now = w.round.DrawAt.Add(time.Minute) }

// check recomputes the placement from the PUBLISHED documents (numbers and
// tiers) and the choices the test made, and states that the draw wrote
// exactly it: an offer to each child of a unit at the choice it holds, a
// waitlisted booking at each choice above, nothing below; the records;
// the counters within capacity; and every document verifies.
func (w *world) check() {
	w.t.Helper()
	t := w.t
	roundDoc, err := w.svc.Document(w.ctx, w.round.ID)
	w.must(err)
	if roundDoc.Status != lottery.StatusDrawn {
		t.Fatalf("round document %s", roundDoc.Status)
	}
	if err := lottery.Verify(roundDoc, roundDoc.Results); err != nil {
		t.Fatalf("the round's document does not verify: %v", err)
	}
	numbers := map[string]string{}
	for _, r := range roundDoc.Results {
		numbers[r.Ticket] = r.Number
		if r.Tier != 1 {
			t.Errorf("round document: tier %d", r.Tier)
		}
	}
	in := placement.Instance{Rank: map[string]map[string]int{}}
	byTicket := map[string]applied{}
	for _, a := range w.applied {
		byTicket[lottery.Ticket(w.round.ID, a.app.ID)] = a
		in.Units = append(in.Units, placement.Unit{ID: a.app.ID, Size: len(a.children), Choices: a.choices})
	}
	for _, o := range w.offs {
		doc, err := w.svc.OfferingDocument(w.ctx, w.round.ID, o.ID)
		w.must(err)
		if err := lottery.Verify(doc, doc.Results); err != nil {
			t.Fatalf("%s's document does not verify: %v", o.ID, err)
		}
		if doc.RoundID != w.round.ID || doc.Seed != roundDoc.Seed || doc.ApplicantsDigest != roundDoc.ApplicantsDigest || doc.NotChosenTier < 2 {
			t.Errorf("%s's document is not the round's: %+v", o.ID, doc)
		}
		in.Offerings = append(in.Offerings, placement.Offering{ID: o.ID, Capacity: o.Capacity})
		in.Rank[o.ID] = map[string]int{}
		rank := 0
		for _, r := range doc.Results {
			if r.Number != numbers[r.Ticket] {
				t.Errorf("%s: ticket %s has number %s, the round's is %s", o.ID, r.Ticket, r.Number, numbers[r.Ticket])
			}
			chose := slices.Contains(byTicket[r.Ticket].choices, o.ID)
			if chose != (r.Tier < doc.NotChosenTier) {
				t.Errorf("%s: ticket %s tier %d, chose it %v", o.ID, r.Ticket, r.Tier, chose)
			}
			if chose {
				rank++
				in.Rank[o.ID][byTicket[r.Ticket].app.ID] = rank
			}
		}
	}
	want, err := placement.DeferredAcceptance(in)
	w.must(err)
	offered := map[string]int{}
	waiting := map[string]int{}
	for _, a := range w.applied {
		held := want.Placed[a.app.ID]
		rec, err := w.st.GetApplication(w.ctx, a.account, a.app.ID)
		w.must(err)
		bs, _, err := w.st.ListBookings(w.ctx, a.account, "", paging.Page{Limit: 100})
		w.must(err)
		wantStatus := domain.ApplicationNotDrawn
		switch {
		case held != "":
			wantStatus = domain.ApplicationOffered
		case len(a.choices) > 0:
			wantStatus = domain.ApplicationWaitlisted
		}
		if rec.Status != wantStatus || rec.Number != numbers[lottery.Ticket(w.round.ID, a.app.ID)] {
			t.Errorf("%s: status %s number %s, want %s", a.app.ID, rec.Status, rec.Number, wantStatus)
		}
		for _, child := range a.children {
			got := map[string]domain.BookingStatus{}
			for _, b := range bs {
				if b.ParticipantID == child {
					if _, twice := got[b.OfferingID]; twice {
						t.Errorf("%s: two bookings at %s", child, b.OfferingID)
					}
					got[b.OfferingID] = b.Status
				}
			}
			expect := map[string]domain.BookingStatus{}
			for k, c := range a.choices {
				if c == held {
					expect[c] = domain.BookingOffered
					offered[c]++
					break
				}
				expect[c] = domain.BookingWaitlisted
				waiting[c]++
				_ = k
			}
			if fmt.Sprint(got) != fmt.Sprint(expect) {
				t.Errorf("%s (%s, choices %v, held %q): bookings %v, want %v", a.app.ID, child, a.choices, held, got, expect)
			}
		}
		for k, c := range rec.Choices {
			if c.Preference != k+1 || c.OfferingID != a.choices[k] || c.Rank != in.Rank[c.OfferingID][a.app.ID] || c.Result == "" {
				t.Errorf("%s: choice %d recorded %+v", a.app.ID, k+1, c)
			}
		}
	}
	for _, o := range w.offs {
		got, err := w.st.GetOffering(w.ctx, o.ID)
		w.must(err)
		if got.Offered != offered[o.ID] || got.Waitlisted != waiting[o.ID] || got.Offered > o.Capacity || got.DrawnAt == nil {
			t.Errorf("%s: offered %d waitlisted %d drawn_at %v, want %d %d (capacity %d)", o.ID, got.Offered, got.Waitlisted, got.DrawnAt, offered[o.ID], waiting[o.ID], o.Capacity)
		}
	}
	due, err := w.st.DueRounds(w.ctx, w.now.Add(1000*time.Hour))
	w.must(err)
	if len(due) != 0 {
		t.Errorf("still due: %v", due)
	}
}

func TestRoundDrawPlacesByDeferredAcceptance(t *testing.T) {
	w := newWorld(t, 2, 2, 1)
	w.create()
	ids := w.ids3()
	w.applyMany(9)
	w.apply(100, 1, ids[1], ids[0]) // a sibling pair
	// One withdrawn before the close is not in the draw.
	p := w.person("acct-withdrawn", 300)
	gone, err := w.res.ApplyRound(w.ctx, residents.RoundApplyRequest{Account: "acct-withdrawn", RoundID: w.round.ID, ParticipantID: p.ID, Choices: []string{ids[0]}})
	w.must(err)
	if _, err := w.res.Withdraw(w.ctx, "acct-withdrawn", gone.Application.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := w.svc.Run(w.ctx, w.round.ID); !apperr.Is(err, apperr.DrawNotReady) {
		t.Fatalf("before the close: %v, want draw_not_ready", err)
	}
	w.toDrawTime()
	res, err := w.svc.RunDue(w.ctx, w.now)
	if err != nil || res.Drawn != 1 {
		t.Fatalf("run due: %+v %v", res, err)
	}
	w.check()
	if doc, err := w.svc.Document(w.ctx, w.round.ID); err != nil || len(doc.Tickets) != len(w.applied) {
		t.Errorf("%d tickets, want %d (the withdrawn one out): %v", len(doc.Tickets), len(w.applied), err)
	}
	// Each member's record has its choosers by tier, as the city's demand reads them.
	tiers, err := w.st.DrawTierCounts(w.ctx, ids)
	w.must(err)
	for _, id := range ids {
		n := 0
		for _, a := range w.applied {
			if slices.Contains(a.choices, id) {
				n++
			}
		}
		if tiers[id]["1"] != n {
			t.Errorf("%s: tier counts %v, want %d at tier 1", id, tiers[id], n)
		}
	}
	r, err := w.svc.Round(w.ctx, w.round.ID)
	w.must(err)
	if r.Status != domain.RoundDrawn || r.DrawnAt == nil {
		t.Errorf("round %s drawn_at %v", r.Status, r.DrawnAt)
	}
	// Run again: the same.
	if _, err := w.svc.Run(w.ctx, w.round.ID); err != nil {
		t.Fatal(err)
	}
	w.check()
}

func TestCreateRoundChecks(t *testing.T) {
	w := newWorld(t, 1, 1, 1)
	three := 3
	four := 4
	cases := []struct {
		name  string
		edit  func(*domain.NewRound)
		field string
	}{
		{"one offering", func(r *domain.NewRound) { r.OfferingIDs = r.OfferingIDs[:1] }, "offering_ids"},
		{"max choices", func(r *domain.NewRound) { r.MaxChoices = &four }, "max_choices"},
		{"unknown", func(r *domain.NewRound) { r.OfferingIDs[1] = "nope" }, "offering_ids[1]"},
		{"term", func(r *domain.NewRound) { r.Term = "2026-spring"; r.MaxChoices = &three }, "offering_ids[0]"},
		{"no title", func(r *domain.NewRound) { r.TitleEN = "" }, "title_en"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := domain.NewRound{TitleZH: "轮", TitleEN: "Round", Kind: w.offs[0].Kind, Term: w.offs[0].Term, OfferingIDs: w.ids3()}
			c.edit(&req)
			_, err := w.svc.Create(w.ctx, "officer", req)
			e := apperr.As(err)
			if e.Code != apperr.ValidationFailed || len(e.Fields) == 0 || e.Fields[0].Field != c.field {
				t.Fatalf("%v, want validation_failed on %s", err, c.field)
			}
		})
	}
	w.create()
	// A member is in a round now: another round, and applying straight to
	// it, are refused.
	if _, err := w.svc.Create(w.ctx, "officer", domain.NewRound{TitleZH: "轮", TitleEN: "Round", Kind: w.offs[0].Kind, Term: w.offs[0].Term, OfferingIDs: w.ids3()}); !apperr.Is(err, apperr.ValidationFailed) {
		t.Errorf("a second round of the same offerings: %v", err)
	}
	p := w.person("acct-x", 900)
	if _, err := w.res.Apply(w.ctx, residents.ApplyRequest{Account: "acct-x", OfferingID: w.offs[0].ID, ParticipantID: p.ID}); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("applying straight to a member: %v, want conflict", err)
	}
	// Its own draw never runs: it is not due, and running it is refused.
	due, err := w.st.DueDraws(w.ctx, w.now.Add(1000*time.Hour))
	w.must(err)
	if len(due) != 0 {
		t.Errorf("members still due on their own: %v", due)
	}
	if _, err := (&draws.Service{Store: w.st, Beacon: w.svc.Beacon, Now: w.svc.Now}).Run(w.ctx, w.offs[0].ID); !apperr.Is(err, apperr.Conflict) {
		t.Errorf("drawing a member on its own: %v, want conflict", err)
	}
	list, err := w.svc.Rounds(w.ctx, w.offs[0].Kind, w.offs[0].Term)
	w.must(err)
	if len(list) != 1 || list[0].ID != w.round.ID || len(list[0].Offerings) != 3 {
		t.Errorf("rounds listed %+v", list)
	}
	// Choices are checked.
	if _, err := w.res.ApplyRound(w.ctx, residents.RoundApplyRequest{Account: "acct-x", RoundID: w.round.ID, ParticipantID: p.ID, Choices: []string{w.offs[0].ID, w.offs[0].ID}}); !apperr.Is(err, apperr.ValidationFailed) {
		t.Errorf("a choice twice: %v", err)
	}
	w.apply(901, 0, w.offs[2].ID)
	a := w.applied[0]
	if _, err := w.res.ApplyRound(w.ctx, residents.RoundApplyRequest{Account: a.account, RoundID: w.round.ID, ParticipantID: a.children[0], Choices: []string{w.offs[1].ID}}); !apperr.Is(err, apperr.AlreadyApplied) {
		t.Errorf("a second application to the round: %v, want already_applied", err)
	}
}

// TestRefusedPlaceGoesDownTheLine: a participant removed before the draw
// gets nothing (each choice not drawn, with the reason), and the place the
// placement gave it is offered to the head of that offering's line, so no
// place stays free while someone waits for it.
func TestRefusedPlaceGoesDownTheLine(t *testing.T) {
	w := newWorld(t, 1, 1)
	w.must(w.st.PutPolicy(w.ctx, domain.PriorityPolicy{Kind: w.offs[0].Kind, Version: 1, EffectiveFrom: w.now.Add(-time.Hour), CreatedAt: w.now,
		Tiers: []domain.PolicyTier{{Tier: 1, Code: "hardship", ZH: "困难", EN: "Hardship", Evidence: "证明"}, {Tier: 2, Code: "general", ZH: "其他", EN: "Everyone else"}}}))
	w.create()
	ids := w.ids3()
	// The first applicant claims hardship, confirmed at the first offering:
	// it is first there, so the placement gives it that place.
	p := w.person("acct-gone", 77)
	res, err := w.res.ApplyRound(w.ctx, residents.RoundApplyRequest{Account: "acct-gone", RoundID: w.round.ID, ParticipantID: p.ID, Choices: []string{ids[0]}, Claims: []string{"hardship"}})
	w.must(err)
	gone := applied{account: "acct-gone", app: res.Application, choices: []string{ids[0]}, children: []string{p.ID}}
	entry, err := w.st.GetEntry(w.ctx, ids[0], gone.app.ID)
	w.must(err)
	w.must(w.st.DecideClaim(w.ctx, store.ClaimDecision{Application: entry, OfferingID: ids[0],
		Claim: domain.Claim{Code: "hardship", OfferingID: ids[0], Status: domain.ClaimConfirmed, DecidedAt: &w.now, DecidedBy: "staff"},
		Audit: store.Audit("c1", "staff", "claim.confirm", gone.app.ID, nil, nil, w.now)}))
	for i := range 3 {
		w.apply(i+1, 0, ids[0], ids[1])
	}
	_, err = w.db.DeleteItem(w.ctx, &dynamodb.DeleteItemInput{TableName: aws.String(w.tbl), Key: map[string]types.AttributeValue{
		"PK": &types.AttributeValueMemberS{Value: "ACCOUNT#" + gone.account}, "SK": &types.AttributeValueMemberS{Value: "PARTICIPANT#" + gone.children[0]}}})
	w.must(err)
	w.toDrawTime()
	if _, err := w.svc.Run(w.ctx, w.round.ID); err != nil {
		t.Fatal(err)
	}
	rec, err := w.st.GetApplication(w.ctx, gone.account, gone.app.ID)
	w.must(err)
	if rec.Status != domain.ApplicationNotDrawn || rec.NotDrawnReason != store.ReasonParticipant {
		t.Errorf("the removed participant's application: %s %q", rec.Status, rec.NotDrawnReason)
	}
	for _, c := range rec.Choices {
		if c.Result != domain.ChoiceNotDrawn && c.Result != domain.ChoiceNotReached {
			t.Errorf("its choice %d: %s", c.Preference, c.Result)
		}
	}
	doc, err := w.svc.OfferingDocument(w.ctx, w.round.ID, ids[0])
	w.must(err)
	if err := lottery.Verify(doc, doc.Results); err != nil || doc.PolicyVersion != 1 || doc.NotChosenTier != 3 || doc.Results[0].Ticket != lottery.Ticket(w.round.ID, gone.app.ID) || doc.Results[0].Tier != 1 {
		t.Fatalf("the first offering's document: %v %+v", err, doc)
	}
	for _, o := range w.offs {
		got, err := w.st.GetOffering(w.ctx, o.ID)
		w.must(err)
		if got.Offered != 1 {
			t.Errorf("%s: %d offered, want its one place offered", o.ID, got.Offered)
		}
	}
	// The head of the first offering's line (second there, after the one
	// removed) was offered the place.
	next := byTicketOf(w, doc.Results[1].Ticket)
	bs, _, err := w.st.ListBookings(w.ctx, next.account, "", paging.Page{Limit: 10})
	w.must(err)
	if !slices.ContainsFunc(bs, func(b domain.Booking) bool { return b.OfferingID == ids[0] && b.Status == domain.BookingOffered }) {
		t.Errorf("the next in line at %s: %+v", ids[0], bs)
	}
}

func byTicketOf(w *world, ticket string) applied {
	for _, a := range w.applied {
		if lottery.Ticket(w.round.ID, a.app.ID) == ticket {
			return a
		}
	}
	w.t.Fatalf("no application has ticket %s", ticket)
	return applied{}
}

// TestTwoRunsAtOnceDrawTheRoundOnce: the schedule and an officer running
// the same round at once write each unit once.
func TestTwoRunsAtOnceDrawTheRoundOnce(t *testing.T) {
	w := newWorld(t, 2, 1, 1)
	w.create()
	w.applyMany(8)
	w.toDrawTime()
	errs := make([]error, 2)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() { _, errs[i] = w.svc.Run(w.ctx, w.round.ID) })
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	w.check()
}
