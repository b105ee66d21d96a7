package store

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/metrics"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// A lottery offering's draw (issue 13): one item beside the offering,
// written with it when the offering is created, so the commitment and the
// beacon round exist before anyone can apply and never change.
//
//	PK OFFERING#<id>  SK DRAW
//	  status, secret (hex; never shown before the draw), commitment,
//	  beacon_source, beacon_round, then as the draw goes on
//	  applicants_digest, applicants, randomness, seed, drawn_at
//	  GSI1 DRAW_DUE / <draw_at stamp>#<offering> until drawn (a sparse index
//	  the scheduled draw reads for the draws due)
const (
	skDraw     = "DRAW"
	gsiDrawDue = "DRAW_DUE"
)

func drawDueSK(drawAt time.Time, offeringID string) string {
	return stampKey(drawAt.UnixNano()) + "#" + offeringID
}

// Draw states, in order. Committed: created, applications may be open.
// Closed: the tickets are fixed (the draw's ticket list is written).
// Drawing: randomness and seed are recorded, offers are being written.
// Drawn: every application has its outcome; the offering can be booked first
// come from booking_opens_at.
const (
	DrawCommitted = "committed"
	DrawClosed    = "closed"
	DrawDrawing   = "drawing"
	DrawDone      = "drawn"
)

// DrawRecord is a lottery offering's draw as stored.
type DrawRecord struct {
	OfferingID       string `dynamodbav:"offering_id"`
	Status           string `dynamodbav:"status"`
	DrawAt           string `dynamodbav:"draw_at"`
	Secret           string `dynamodbav:"secret"`
	Commitment       string `dynamodbav:"commitment"`
	BeaconSource     string `dynamodbav:"beacon_source"`
	BeaconRound      uint64 `dynamodbav:"beacon_round"`
	ApplicantsDigest string `dynamodbav:"applicants_digest,omitempty"`
	Applicants       int    `dynamodbav:"applicants,omitempty"`
	Randomness       string `dynamodbav:"randomness,omitempty"`
	Seed             string `dynamodbav:"seed,omitempty"`
	DrawnAt          string `dynamodbav:"drawn_at,omitempty"`
	// Beyond the seam (the draw's stages): how many ticket chunks the close
	// wrote; when the draw stage ran (offers' deadlines count from it) and
	// how many places it had to offer; and the allocation's progress, moved
	// in the same transaction as each batch it counts, so a draw killed
	// anywhere resumes at the first rank not yet written.
	TicketChunks int    `dynamodbav:"ticket_chunks,omitempty"`
	DrawingAt    string `dynamodbav:"drawing_at,omitempty"`
	Places       int    `dynamodbav:"places,omitempty"`
	Allocated    int    `dynamodbav:"allocated,omitempty"`
	Offers       int    `dynamodbav:"offers,omitempty"`
	// Issue 14: the priority policy version the close applied (0: none,
	// everyone tier 1), how many tickets each tier has (by tier number, for
	// the city's demand), and how many places of the allocation so far are
	// waitlisted (each one's place in line at the draw counts on from it).
	PolicyVersion int            `dynamodbav:"policy_version,omitempty"`
	TierCounts    map[string]int `dynamodbav:"tier_counts,omitempty"`
	Waitlisted    int            `dynamodbav:"waitlisted,omitempty"`
}

// drawPut writes a new offering's draw record (committed), in the
// offering's creating transaction.
func (st *Store) drawPut(r DrawRecord) types.TransactWriteItem {
	r.Status = DrawCommitted
	item, _ := attributevalue.MarshalMap(r)
	item[attrPK], item[attrSK], item["type"] = s(offeringPK(r.OfferingID)), s(skDraw), s("draw")
	item[attrGSI1PK], item[attrGSI1SK] = s(gsiDrawDue), s(drawDueSK(parseTime(r.DrawAt), r.OfferingID))
	return types.TransactWriteItem{Put: &types.Put{
		TableName: &st.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)"),
	}}
}

// GetDraw reads an offering's draw record (strongly consistent); an
// offering without one (first come) is not found.
func (st *Store) GetDraw(ctx context.Context, offeringID string) (DrawRecord, error) {
	return get(ctx, st, key(offeringPK(offeringID), skDraw), "draw", func(m map[string]types.AttributeValue) (DrawRecord, error) {
		var r DrawRecord
		if err := attributevalue.UnmarshalMap(m, &r); err != nil {
			return r, classify(err)
		}
		return r, nil
	})
}

// The draw's stages (shared/draws) beyond the seam: the ticket list in
// chunks, the status moving committed → closed → drawing → drawn, each on
// condition of the one before, and the allocation in batches.
//
//	PK OFFERING#<id>  SK DRAW_TICKETS#<n>  tickets (sorted, ≤ TicketsPerChunk)
const (
	prefixDrawTickets = "DRAW_TICKETS#"
	// TicketsPerChunk keeps a chunk item near 260 KB, under DynamoDB's
	// 400 KB item limit (a ticket is 64 hex digits).
	TicketsPerChunk = 4000
)

// ErrDrawMoved: the draw's record was not in the state the write expected
// (another run moved it on): read it again and carry on from there.
var ErrDrawMoved = errors.New("store: the draw moved on meanwhile")

// PutDraw writes a new offering's draw record on its own (the seed and
// tests; creating an offering writes it in the offering's transaction).
//
// A retried write whose first attempt landed finds its own record: DynamoDB
// recognises the retry by its ClientRequestToken, moto does not (seen on
// make test-fidelity), so a record with this secret already there is
// success, as DynamoDB would answer.
func (st *Store) PutDraw(ctx context.Context, r DrawRecord) error {
	var t txn
	t.add(unconditional, st.drawPut(r))
	err := st.transact(ctx, &t)
	if err != nil {
		if got, gerr := st.GetDraw(ctx, r.OfferingID); gerr == nil && got.Secret == r.Secret && got.Commitment == r.Commitment {
			return nil
		}
	}
	return err
}

// SeedApplication writes application a's items with no checks (the
// demo data and tests; residents apply through the checked write).
func (st *Store) SeedApplication(ctx context.Context, a domain.Application) error {
	record, entries, applied, err := st.applicationItems(ctx, a)
	if err != nil {
		return err
	}
	var t txn
	for _, m := range append(append([]map[string]types.AttributeValue{record}, entries...), applied...) {
		t.add(unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: m}})
	}
	return st.transact(ctx, &t)
}

func drawKey(offeringID string) map[string]types.AttributeValue {
	return key(offeringPK(offeringID), skDraw)
}

// drawStep updates the draw record on condition that its status is from
// (and cond, when set); a failed condition is ErrDrawMoved.
func (st *Store) drawStep(offeringID, from, cond, update string, values map[string]types.AttributeValue) types.TransactWriteItem {
	return st.drawStepAt(drawKey(offeringID), from, cond, update, values)
}

// drawStepAt is drawStep on the draw record at k (an offering's or a round's).
func (st *Store) drawStepAt(k map[string]types.AttributeValue, from, cond, update string, values map[string]types.AttributeValue) types.TransactWriteItem {
	values[":from"] = s(from)
	c := "#status = :from"
	if cond != "" {
		c += " AND " + cond
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: k,
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String(c),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: values,
	}}
}

var drawMoved = onFail{outcome: ErrDrawMoved}

// CloseDraw fixes the tickets (sorted) and their digest, everyone tier 1.
func (st *Store) CloseDraw(ctx context.Context, offeringID string, tickets []string, digest string) error {
	return st.CloseDrawTiers(ctx, offeringID, tickets, nil, digest, 0)
}

// CloseDrawTiers fixes the tickets (sorted), their tiers (tiers[i] is
// tickets[i]'s; nil: all tier 1) under policy version policyVersion (0:
// none) and their digest: the chunks first, each an idempotent overwrite,
// then the record committed → closed with the digest, the count, the number
// of chunks, the version and the count per tier. Killed between the two, a
// run again writes the same chunks.
func (st *Store) CloseDrawTiers(ctx context.Context, offeringID string, tickets []string, tiers []int, digest string, policyVersion int) error {
	chunks := 0
	counts := map[string]types.AttributeValue{}
	byTier := map[int]int{}
	for i := 0; i < len(tickets); i += TicketsPerChunk {
		item := key(offeringPK(offeringID), prefixDrawTickets+strconv.Itoa(chunks))
		item["type"] = s("draw_tickets")
		end := min(i+TicketsPerChunk, len(tickets))
		item["tickets"] = &types.AttributeValueMemberL{Value: stringList(tickets[i:end])}
		if tiers != nil {
			l := make([]types.AttributeValue, 0, end-i)
			for _, t := range tiers[i:end] {
				l = append(l, nAttr(t))
			}
			item["tiers"] = &types.AttributeValueMemberL{Value: l}
		}
		if _, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: item}); err != nil {
			return classify(err)
		}
		chunks++
	}
	for i := range tickets {
		t := 1
		if tiers != nil {
			t = tiers[i]
		}
		byTier[t]++
	}
	for t, c := range byTier {
		counts[strconv.Itoa(t)] = nAttr(c)
	}
	update := "SET #status = :closed, applicants_digest = :digest, applicants = :n, ticket_chunks = :chunks, tier_counts = :counts"
	values := map[string]types.AttributeValue{":closed": s(DrawClosed), ":digest": s(digest), ":n": nAttr(len(tickets)), ":chunks": nAttr(chunks),
		":counts": &types.AttributeValueMemberM{Value: counts}}
	if policyVersion > 0 {
		update += ", policy_version = :pv"
		values[":pv"] = nAttr(policyVersion)
	}
	var t txn
	t.add(drawMoved, st.drawStep(offeringID, DrawCommitted, "", update, values))
	return st.transact(ctx, &t)
}

func stringList(v []string) []types.AttributeValue {
	out := make([]types.AttributeValue, len(v))
	for i, x := range v {
		out[i] = s(x)
	}
	return out
}

// chunkItems reads a draw's n ticket chunks beside pk (an offering's or a
// round's), in order; one missing or unexpected is a defect.
func (st *Store) chunkItems(ctx context.Context, pk string, n int) ([]map[string]types.AttributeValue, error) {
	keys := make([]map[string]types.AttributeValue, n)
	for i := range keys {
		keys[i] = key(pk, prefixDrawTickets+strconv.Itoa(i))
	}
	items, err := st.batchGet(ctx, keys)
	if err != nil {
		return nil, err
	}
	out := make([]map[string]types.AttributeValue, n)
	for _, m := range items {
		var c struct {
			SK string `dynamodbav:"SK"`
		}
		if err := attributevalue.UnmarshalMap(m, &c); err != nil {
			return nil, classify(err)
		}
		i, err := strconv.Atoi(strings.TrimPrefix(c.SK, prefixDrawTickets))
		if err != nil || i < 0 || i >= n {
			return nil, internal(fmt.Errorf("draw %s: unexpected ticket chunk %q", pk, c.SK))
		}
		out[i] = m
	}
	for i, m := range out {
		if m == nil {
			return nil, internal(fmt.Errorf("draw %s: ticket chunk %d missing", pk, i))
		}
	}
	return out, nil
}

// DrawTickets reads the tickets the close fixed, in order.
func (st *Store) DrawTickets(ctx context.Context, r DrawRecord) ([]string, error) {
	tickets, _, err := st.DrawTicketTiers(ctx, r)
	return tickets, err
}

// DrawTicketTiers reads the tickets the close fixed, in order, and their
// tiers (nil when the close gave none: everyone tier 1).
func (st *Store) DrawTicketTiers(ctx context.Context, r DrawRecord) ([]string, []int, error) {
	if r.TicketChunks == 0 {
		return []string{}, nil, nil
	}
	items, err := st.chunkItems(ctx, offeringPK(r.OfferingID), r.TicketChunks)
	if err != nil {
		return nil, nil, err
	}
	chunks := make([][]string, r.TicketChunks)
	tierChunks := make([][]int, r.TicketChunks)
	for i, m := range items {
		var c struct {
			Tickets []string `dynamodbav:"tickets"`
			Tiers   []int    `dynamodbav:"tiers"`
		}
		if err := attributevalue.UnmarshalMap(m, &c); err != nil {
			return nil, nil, classify(err)
		}
		chunks[i], tierChunks[i] = c.Tickets, c.Tiers
	}
	out := make([]string, 0, r.Applicants)
	var tiers []int
	for i, c := range chunks {
		out = append(out, c...)
		if tierChunks[i] != nil {
			if len(tierChunks[i]) != len(c) {
				return nil, nil, internal(fmt.Errorf("draw %s: chunk %d has %d tiers for %d tickets", r.OfferingID, i, len(tierChunks[i]), len(c)))
			}
			tiers = append(tiers, tierChunks[i]...)
		}
	}
	if len(out) != r.Applicants || tiers != nil && len(tiers) != len(out) {
		return nil, nil, internal(fmt.Errorf("draw %s: %d tickets (%d tiers) in chunks, %d recorded", r.OfferingID, len(out), len(tiers), r.Applicants))
	}
	return out, tiers, nil
}

// StartDrawing records the beacon's randomness, the seed and the places to
// offer: closed → drawing, allocation at rank 0.
func (st *Store) StartDrawing(ctx context.Context, offeringID, randomness, seed string, places int, at time.Time) error {
	var t txn
	t.add(drawMoved, st.drawStep(offeringID, DrawClosed, "",
		"SET #status = :drawing, randomness = :r, seed = :seed, places = :places, drawing_at = :at, allocated = :zero, offers = :zero",
		map[string]types.AttributeValue{":drawing": s(DrawDrawing), ":r": s(randomness), ":seed": s(seed),
			":places": nAttr(places), ":at": s(utc(at)), ":zero": n(0)}))
	return st.transact(ctx, &t)
}

// DrawPlace is one ranked application's outcome, as the draw writes it.
type DrawPlace struct {
	Application domain.Application // its entry (ApplicationEntries)
	Rank        int
	Number      string
	// Status is offered, waitlisted or not_drawn; Booking is the booking
	// made for the first two (nil for not_drawn); Reason why not drawn.
	Status  domain.ApplicationStatus
	Booking *domain.Booking
	Reason  string
	// Siblings are the bookings of the siblings applying with the
	// participant (issue 14), made like Booking and in its group: the unit
	// is written, or refused, whole.
	Siblings []domain.Booking
	Notice   notices.Notice
	// Skip: the application is no longer applied (nothing is written for it).
	Skip bool
	// Issue 14: the tier the close gave it, the confirmed claim that set
	// it, the policy version (0: none), and its place in line at the draw
	// when waitlisted; written on the record and its one choice.
	Tier          int
	TierCode      string
	PolicyVersion int
	Position      int
}

// placeChoice is a plain lottery application's one choice as the draw
// leaves it: the offering, the tier, the rank and what came of it.
func placeChoice(o domain.Offering, p DrawPlace) choiceItem {
	c := choiceItem{Preference: 1, OfferingID: o.ID, Title: o.Title, Kind: string(o.Kind), CentreID: o.Centre.ID,
		CentreName: o.Centre.Name, District: string(o.Centre.District), StartsOn: o.StartsOn,
		Tier: max(p.Tier, 1), TierCode: p.TierCode, Rank: p.Rank, Result: string(domain.ChoiceNotDrawn), Position: p.Position}
	switch p.Status {
	case domain.ApplicationOffered:
		c.Result = string(domain.ChoiceOffered)
	case domain.ApplicationWaitlisted:
		c.Result = string(domain.ChoiceWaitlisted)
	}
	for _, b := range p.bookings() {
		c.BookingIDs = append(c.BookingIDs, b.ID) // every child's, siblings together
	}
	return c
}

// bookings are all the bookings of p's unit: the participant's, then the
// siblings'.
func (p DrawPlace) bookings() []domain.Booking {
	if p.Booking == nil {
		return nil
	}
	return append([]domain.Booking{*p.Booking}, p.Siblings...)
}

// PlaceRefused is why one place of a batch could not be written as planned:
// Index in the batch, and the rule its booking broke (one per offering, the
// term limit, the participant gone) or Skip when the application is no longer
// in the draw. The draw plans the batch again without it.
type PlaceRefused struct {
	Index  int
	Rule   domain.Rule
	Reason string
	Skip   bool
}

func (e *PlaceRefused) Error() string {
	return fmt.Sprintf("store: draw place %d refused: %s", e.Index, e.Reason)
}

// Reasons a ranked application gets no booking, Chinese / English.
const (
	ReasonAlreadyBooked = "该参与者已预约此项目 / the participant already has a booking of this offering"
	ReasonTermLimit     = "本学期预约数已达上限 / the participant's bookings this term reached the limit"
	ReasonParticipant   = "参与者已删除 / the participant was removed"
)

// DrawPlaceItems is how many items WriteAllocation writes at most for a
// place of a unit of k children: the application record and its notice,
// and for each child's booking its identity's person item (counter and
// marker in one), the booking, its place in line and the participant's
// presence.
func DrawPlaceItems(k int) int { return 2 + 4*k }

// DrawBatchItems is how many items a batch's places may take: DynamoDB's
// 100 a transaction, less the draw's progress and the offering's counters.
const DrawBatchItems = 100 - 2

// WriteAllocation writes one batch of ranked places in one
// TransactWriteItems, with the draw's progress moved from r.Allocated to
// r.Allocated+len(places) (on condition it is still r.Allocated: a batch is
// written once, whatever runs at once) and the offering's counters: for each
// place its application record (on condition still applied), and for a
// booking its identity's person item (its marker and counter, under the
// offering's limit), the booking, its place in line, the participant's presence; and
// its draw_result notice. The first place whose booking breaks a rule is a
// *PlaceRefused; another run's batch first is ErrDrawMoved.
func (st *Store) WriteAllocation(ctx context.Context, o domain.Offering, r DrawRecord, places []DrawPlace, now time.Time) error {
	var t txn
	owner := []int{} // the place each item belongs to (-1: the batch's own)
	kinds := []domain.Rule{}
	add := func(i int, rule domain.Rule, f onFail, items ...types.TransactWriteItem) {
		for range items {
			owner, kinds = append(owner, i), append(kinds, rule)
		}
		t.add(f, items...)
	}
	offers, waiting := 0, 0
	for i, p := range places {
		if p.Skip {
			continue
		}
		a := p.Application
		bookings := p.bookings()
		d := drawnOutcome{Status: p.Status, Number: p.Number, Rank: p.Rank, Reason: p.Reason,
			Choices: []choiceItem{placeChoice(o, p)}, Tier: max(p.Tier, 1), PolicyVersion: p.PolicyVersion}
		if p.Booking != nil {
			d.BookingID = p.Booking.ID
		}
		record, err := st.drawnUpdate(a, d)
		if err != nil {
			return err
		}
		add(i, "skip", onFail{outcome: errSkip}, record)
		for _, b := range bookings {
			add(i, ruleHeld, onFail{outcome: errSkip}, st.holdItem(o, b))
			put, err := st.bookingPut(ctx, b)
			if err != nil {
				return err
			}
			add(i, "", unconditional, put)
			if b.Status == domain.BookingWaitlisted {
				add(i, "", unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: waitItem(b)}})
				waiting++
			} else {
				offers++
			}
			add(i, "participant", onFail{outcome: errSkip}, st.participantOnBooking(b))
		}
		add(i, "", unconditional, st.noticePut(p.Notice))
	}
	progress := len(t.items)
	add(-1, "", drawMoved, st.drawStep(o.ID, DrawDrawing, "allocated = :prev",
		"SET allocated = :next, offers = offers + :offers, waitlisted = if_not_exists(waitlisted, :zero) + :waiting",
		map[string]types.AttributeValue{":prev": nAttr(r.Allocated), ":next": nAttr(r.Allocated + len(places)), ":offers": nAttr(offers),
			":waiting": nAttr(waiting), ":zero": n(0)}))
	if offers+waiting > 0 {
		add(-1, "", unconditional, types.TransactWriteItem{Update: st.offeringUpdate(o.ID, allocation.Change{Offered: offers, Waitlisted: waiting}, utc(now))})
	}
	_, err := st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: t.items})
	if err == nil {
		metrics.Add(ctx, metrics.OffersMade, float64(offers))
		return nil
	}
	// Which place broke which rule: the transaction's own outcome says
	// only the first refusal, and the draw needs the place.
	if tce, ok := errors.AsType[*types.TransactionCanceledException](err); ok {
		// Another run wrote this batch first: whatever its places say now
		// is that run's doing.
		if p := progress; p < len(tce.CancellationReasons) && faultOf(aws.ToString(tce.CancellationReasons[p].Code)) == faultCondition {
			return ErrDrawMoved
		}
		for i, reason := range tce.CancellationReasons {
			if i >= len(owner) || owner[i] < 0 || faultOf(aws.ToString(reason.Code)) != faultCondition || t.onFail[i].outcome != errSkip {
				continue
			}
			rule := kinds[i]
			if rule == ruleHeld {
				rule = heldRule(reason.Item, o.ID)
			}
			pr := &PlaceRefused{Index: owner[i], Rule: rule}
			pr.Skip, pr.Reason = refusal(rule)
			return pr
		}
	}
	return t.outcome(err)
}

// drawnOutcome is what a draw writes on an application's record.
type drawnOutcome struct {
	Status        domain.ApplicationStatus
	Number        string
	Rank          int
	BookingID     string // the participant's booking, if any
	Reason        string // why not drawn
	Choices       []choiceItem
	Tier          int // 0: left as it is (a round's tiers are per choice)
	PolicyVersion int
}

// drawnUpdate writes d on a's record, on condition it is still applied (a
// failed condition: the application left the draw).
func (st *Store) drawnUpdate(a domain.Application, d drawnOutcome) (types.TransactWriteItem, error) {
	choices, err := attributevalue.Marshal(d.Choices)
	if err != nil {
		return types.TransactWriteItem{}, classify(err)
	}
	values := map[string]types.AttributeValue{
		":status": s(string(d.Status)), ":applied": s(string(domain.ApplicationApplied)),
		":number": s(d.Number), ":rank": nAttr(d.Rank), ":choices": choices,
	}
	update := "SET #status = :status, #number = :number, #rank = :rank, choices = :choices"
	for _, f := range []struct {
		set   bool
		name  string
		value types.AttributeValue
	}{
		{d.BookingID != "", "booking_id", s(d.BookingID)},
		{d.Reason != "", "not_drawn_reason", s(d.Reason)},
		{d.Tier > 0, "tier", nAttr(d.Tier)},
		{d.PolicyVersion > 0, "policy_version", nAttr(d.PolicyVersion)},
	} {
		if f.set {
			update += ", " + f.name + " = :" + f.name
			values[":"+f.name] = f.value
		}
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: applicationKey(a.Account, a.ID),
		UpdateExpression:          aws.String(update),
		ConditionExpression:       aws.String("#status = :applied"),
		ExpressionAttributeNames:  map[string]string{"#status": "status", "#number": "number", "#rank": "rank"},
		ExpressionAttributeValues: values,
	}}, nil
}

// ruleHeld labels a person item in a draw's write (holdItem): it
// checks two rules, and the item as it stood says which broke (heldRule).
const ruleHeld domain.Rule = "held"

// heldRule is the rule a person item as it stood (old) broke for a booking
// of one of offeringIDs: one of them held already, else the term limit.
func heldRule(old map[string]types.AttributeValue, offeringIDs ...string) domain.Rule {
	if heldAlready(old, offeringIDs...) != "" {
		return domain.RuleOnePerOffering
	}
	return domain.RuleTermLimit
}

// refusal is what a draw's failed condition on an item checking rule
// means: the application no longer applied ("skip"), or the reason its
// booking is refused.
func refusal(rule domain.Rule) (skip bool, reason string) {
	switch rule {
	case "skip":
		return true, ""
	case domain.RuleOnePerOffering:
		return false, ReasonAlreadyBooked
	case domain.RuleTermLimit:
		return false, ReasonTermLimit
	}
	return false, ReasonParticipant
}

// errSkip marks the items whose failed condition is a place refused (read
// from the reasons by WriteAllocation, never returned).
var errSkip = errors.New("store: draw place refused")

// FinishDraw ends the draw: drawing → drawn with drawn_at (on condition
// every rank is written), its DRAW_DUE keys removed, the offering's drawn_at
// set (first-come booking may open) with the number of applicants ranked
// (the city's demand reads it there instead of counting the entries), and
// the bus notice, in one write.
func (st *Store) FinishDraw(ctx context.Context, r DrawRecord, published notices.Notice, now time.Time) error {
	var t txn
	t.add(drawMoved, st.drawStep(r.OfferingID, DrawDrawing, "allocated = :n",
		"SET #status = :drawn, drawn_at = :now REMOVE GSI1PK, GSI1SK",
		map[string]types.AttributeValue{":drawn": s(DrawDone), ":now": s(utc(now)), ":n": nAttr(r.Applicants)}))
	t.add(unconditional, types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: key(offeringPK(r.OfferingID), skOffering),
		UpdateExpression:          aws.String("SET drawn_at = :now, applicants = :n"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": s(utc(now)), ":n": nAttr(r.Applicants)},
	}})
	// Another run finishing first wrote the notice too: its draw moved.
	t.add(drawMoved, st.noticePut(published))
	return st.transact(ctx, &t)
}

// DropDrawDue takes a draw not yet done out of the draws due (its offering
// was cancelled).
func (st *Store) DropDrawDue(ctx context.Context, offeringID string) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: drawKey(offeringID),
		UpdateExpression:          aws.String("REMOVE GSI1PK, GSI1SK"),
		ConditionExpression:       aws.String("#status <> :drawn"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":drawn": s(DrawDone)},
	})
	if errorFault(err) == faultCondition {
		return nil // drawn: its keys went with the draw
	}
	return classify(err)
}

// DueDraws are the offerings whose draw_at has come and whose draw is not
// done, earliest first (GSI1 DRAW_DUE, eventually consistent: a draw just
// finished may still show; running it again does nothing).
func (st *Store) DueDraws(ctx context.Context, now time.Time) ([]string, error) {
	return st.dueIDs(ctx, gsiDrawDue, now)
}

// dueIDs are the ids (offering_id) on a due index (DRAW_DUE, ROUND_DUE)
// whose time has come by now, earliest first.
func (st *Store) dueIDs(ctx context.Context, index string, now time.Time) ([]string, error) {
	var out []string
	err := st.queryAll(ctx, partition{index: indexGSI1, pk: index, from: "0", to: stampKey(now.UnixNano()) + "#~"}, func(m map[string]types.AttributeValue) error {
		var r struct {
			OfferingID string `dynamodbav:"offering_id"`
		}
		if err := attributevalue.UnmarshalMap(m, &r); err != nil {
			return classify(err)
		}
		out = append(out, r.OfferingID)
		return nil
	})
	return out, err
}

// Rounds (issue 14) keep their draw record beside the round:
//
//	PK ROUND#<id>  SK DRAW
const prefixRound = "ROUND#"

func roundPK(id string) string { return prefixRound + id }

// lotteryDrawKey is the draw record an application's window hangs on: its
// round's, or its offering's.
func lotteryDrawKey(a domain.Application) map[string]types.AttributeValue {
	if a.RoundID != "" {
		return key(roundPK(a.RoundID), skDraw)
	}
	return drawKey(a.OfferingID)
}
