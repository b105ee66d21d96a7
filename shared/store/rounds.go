package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/metrics"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// Rounds (issue 14): lottery offerings of one kind and term allocated
// together by ranked choices (shared/rounds runs the draw).
//
//	PK ROUND#<id>  SK ROUND
//	  the round (roundItem); GSI1 ROUNDS / <kind>#<term>#<id> lists them
//	PK ROUND#<id>  SK DRAW
//	  its draw record (RoundDraw: DrawRecord's members, OfferingID holding
//	  the round's id, and the round's own); GSI1 ROUND_DUE / <draw_at>#<id>
//	  until drawn, a sparse index of its own so the offerings' DRAW_DUE
//	  only ever names offerings
//	PK ROUND#<id>  SK DRAW_TICKETS#<n>
//	  the close's tickets with each unit's choices and tiers (RoundTicket)
//
// A member's own draw record stays beside it with the round's commitment
// and beacon round, out of DRAW_DUE: it moves to closed and drawn with the
// round, so whatever conditions on it (withdrawing, staff deciding claims)
// sees the round's stage.
const (
	skRound     = "ROUND"
	gsiRounds   = "ROUNDS"
	gsiRoundDue = "ROUND_DUE"
	// RoundTicketsPerChunk keeps a chunk under DynamoDB's 400 KB item
	// limit: a ticket with three choices is about 250 bytes.
	RoundTicketsPerChunk = 1000
)

type roundItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string
	Type           string               `dynamodbav:"type"`
	ID             string               `dynamodbav:"id"`
	TitleZH        string               `dynamodbav:"title_zh"`
	TitleEN        string               `dynamodbav:"title_en"`
	Kind           string               `dynamodbav:"kind"`
	Term           string               `dynamodbav:"term"`
	MaxChoices     int                  `dynamodbav:"max_choices"`
	OfferingIDs    []string             `dynamodbav:"offering_ids"`
	Members        []domain.RoundMember `dynamodbav:"members"`
	Status         string               `dynamodbav:"status"`
	OpenAt         string               `dynamodbav:"applications_open_at"`
	CloseAt        string               `dynamodbav:"applications_close_at"`
	DrawAt         string               `dynamodbav:"draw_at"`
	DrawnAt        string               `dynamodbav:"drawn_at,omitempty"`
	CreatedAt      string               `dynamodbav:"created_at"`
	CreatedBy      string               `dynamodbav:"created_by"`
}

func roundKey(id string) map[string]types.AttributeValue { return key(roundPK(id), skRound) }
func roundDrawKey(id string) map[string]types.AttributeValue {
	return key(roundPK(id), skDraw)
}

func (it roundItem) round() domain.Round {
	return domain.Round{
		ID: it.ID, TitleZH: it.TitleZH, TitleEN: it.TitleEN, Kind: domain.Kind(it.Kind), Term: it.Term,
		MaxChoices: it.MaxChoices, OfferingIDs: it.OfferingIDs, Offerings: it.Members, Status: it.Status,
		ApplicationsOpenAt: parseTime(it.OpenAt), ApplicationsCloseAt: parseTime(it.CloseAt), DrawAt: parseTime(it.DrawAt),
		DrawnAt: timeOrNil(it.DrawnAt), CreatedAt: parseTime(it.CreatedAt), CreatedBy: it.CreatedBy,
	}
}

// RoundDraw is a round's draw record: an offering's (OfferingID is the
// round's id; PolicyVersion the policy the close applied) with what a
// round adds: the tier of those who did not choose a member, and the
// places each member had to give when drawing began.
type RoundDraw struct {
	DrawRecord
	NotChosenTier int            `dynamodbav:"not_chosen_tier,omitempty"`
	MemberPlaces  map[string]int `dynamodbav:"member_places,omitempty"`
}

// RoundChoice is one offering a unit ranked, with its tier there (fixed
// at the close) and the confirmed claim that set it.
type RoundChoice struct {
	OfferingID string `dynamodbav:"o"`
	Tier       int    `dynamodbav:"t"`
	TierCode   string `dynamodbav:"c,omitempty"`
}

// RoundTicket is one application as the round's close fixes it: its
// ticket, id, how many children it places, and its choices in order.
type RoundTicket struct {
	Ticket        string        `dynamodbav:"k"`
	ApplicationID string        `dynamodbav:"a"`
	Size          int           `dynamodbav:"n"`
	Choices       []RoundChoice `dynamodbav:"ch"`
}

// CreateRound writes round r with its draw record and takes its members
// in, in one transaction: each member offering gets round_id on condition
// it has none, is still a lottery taking no applications before the window
// read (its window and draw time as read), and its draw record, still
// committed, takes the round's commitment, secret and beacon round and
// leaves DRAW_DUE (its own draw never runs); the round's draw record goes
// into ROUND_DUE. A member changed or taken meanwhile is 409 conflict.
func (st *Store) CreateRound(ctx context.Context, r domain.Round, d DrawRecord, members []domain.Offering) error {
	it := roundItem{
		PK: roundPK(r.ID), SK: skRound, GSI1PK: gsiRounds, GSI1SK: string(r.Kind) + "#" + r.Term + "#" + r.ID,
		Type: "round", ID: r.ID, TitleZH: r.TitleZH, TitleEN: r.TitleEN, Kind: string(r.Kind), Term: r.Term,
		MaxChoices: r.MaxChoices, OfferingIDs: r.OfferingIDs, Members: r.Offerings, Status: domain.RoundOpen,
		OpenAt: utc(r.ApplicationsOpenAt), CloseAt: utc(r.ApplicationsCloseAt), DrawAt: utc(r.DrawAt),
		CreatedAt: utc(r.CreatedAt), CreatedBy: r.CreatedBy,
	}
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return classify(err)
	}
	var t txn
	t.add(unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	d.OfferingID, d.Status = r.ID, DrawCommitted
	ditem, err := attributevalue.MarshalMap(RoundDraw{DrawRecord: d})
	if err != nil {
		return classify(err)
	}
	ditem[attrPK], ditem[attrSK], ditem["type"] = s(roundPK(r.ID)), s(skDraw), s("round_draw")
	ditem[attrGSI1PK], ditem[attrGSI1SK] = s(gsiRoundDue), s(drawDueSK(r.DrawAt, r.ID))
	t.add(unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: ditem, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	taken := onFail{outcome: errRoundMember}
	for _, o := range members {
		t.add(taken, types.TransactWriteItem{Update: &types.Update{
			TableName: &st.table, Key: key(offeringPK(o.ID), skOffering),
			UpdateExpression: aws.String("SET round_id = :round"),
			ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(round_id) AND allocation = :lottery AND #status <> :cancelled" +
				" AND applications_open_at = :open AND applications_close_at = :close AND draw_at = :draw AND applications_open_at > :now"),
			ExpressionAttributeNames: map[string]string{"#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":round": s(r.ID), ":lottery": s(string(domain.Lottery)), ":cancelled": s(string(domain.OfferingCancelled)),
				":open": s(utc(r.ApplicationsOpenAt)), ":close": s(utc(r.ApplicationsCloseAt)), ":draw": s(utc(r.DrawAt)),
				":now": s(utc(r.CreatedAt)),
			},
		}})
		t.add(taken, st.drawStep(o.ID, DrawCommitted, "",
			"SET secret = :secret, commitment = :commitment, beacon_source = :source, beacon_round = :round_no, round_id = :round REMOVE GSI1PK, GSI1SK",
			map[string]types.AttributeValue{":secret": s(d.Secret), ":commitment": s(d.Commitment), ":source": s(d.BeaconSource),
				":round_no": n(int64(d.BeaconRound)), ":round": s(r.ID)}))
	}
	err = st.transact(ctx, &t)
	if errors.Is(err, errRoundMember) {
		return apperr.New(apperr.Conflict, "本轮的项目刚被修改或已编入另一轮，请重新读取后再试",
			"an offering of the round was changed or joined another round meanwhile; read again and retry")
	}
	return err
}

var errRoundMember = errors.New("store: a round's member changed meanwhile")

// GetRound reads a round.
func (st *Store) GetRound(ctx context.Context, id string) (domain.Round, error) {
	return get(ctx, st, roundKey(id), "round", unmarshalRound)
}

func unmarshalRound(m map[string]types.AttributeValue) (domain.Round, error) {
	var it roundItem
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return domain.Round{}, classify(err)
	}
	return it.round(), nil
}

// ListRounds lists the rounds of a kind (and term), or all, by kind, term
// and id (GSI1 ROUNDS: one Query; rounds are few).
func (st *Store) ListRounds(ctx context.Context, kind domain.Kind, term string) ([]domain.Round, error) {
	prefix := ""
	if kind != "" {
		prefix = string(kind) + "#"
		if term != "" {
			prefix += term + "#"
		}
	}
	out := []domain.Round{}
	err := st.queryAll(ctx, partition{index: indexGSI1, pk: gsiRounds, prefix: prefix}, func(m map[string]types.AttributeValue) error {
		r, err := unmarshalRound(m)
		if err == nil && (term == "" || r.Term == term) {
			out = append(out, r)
		}
		return err
	})
	return out, err
}

// GetRoundDraw reads a round's draw record (strongly consistent).
func (st *Store) GetRoundDraw(ctx context.Context, id string) (RoundDraw, error) {
	return get(ctx, st, roundDrawKey(id), "draw", func(m map[string]types.AttributeValue) (RoundDraw, error) {
		var r RoundDraw
		if err := attributevalue.UnmarshalMap(m, &r); err != nil {
			return r, classify(err)
		}
		return r, nil
	})
}

// DueRounds are the rounds whose draw_at has come and whose draw is not
// done (GSI1 ROUND_DUE, eventually consistent, as DueDraws).
func (st *Store) DueRounds(ctx context.Context, now time.Time) ([]string, error) {
	return st.dueIDs(ctx, gsiRoundDue, now)
}

// CloseRound fixes the round's tickets (sorted by ticket) with their
// choices and tiers: the chunks first, each an idempotent overwrite, then
// in one transaction the round's draw record committed → closed with the
// digest, count, chunks and policy version, the round closed, and each
// member's draw record closed (no more claims decided, no withdrawal).
func (st *Store) CloseRound(ctx context.Context, r domain.Round, tickets []RoundTicket, digest string, policyVersion, notChosen int) error {
	chunks := 0
	for i := 0; i < len(tickets); i += RoundTicketsPerChunk {
		item, err := attributevalue.MarshalMap(struct {
			Tickets []RoundTicket `dynamodbav:"tickets"`
		}{tickets[i:min(i+RoundTicketsPerChunk, len(tickets))]})
		if err != nil {
			return classify(err)
		}
		maps := key(roundPK(r.ID), prefixDrawTickets+strconv.Itoa(chunks))
		for k, v := range maps {
			item[k] = v
		}
		item["type"] = s("round_tickets")
		if _, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: item}); err != nil {
			return classify(err)
		}
		chunks++
	}
	var t txn
	values := map[string]types.AttributeValue{":closed": s(DrawClosed), ":digest": s(digest), ":n": nAttr(len(tickets)),
		":chunks": nAttr(chunks), ":nct": nAttr(notChosen)}
	update := "SET #status = :closed, applicants_digest = :digest, applicants = :n, ticket_chunks = :chunks, not_chosen_tier = :nct"
	if policyVersion > 0 {
		update += ", policy_version = :pv"
		values[":pv"] = nAttr(policyVersion)
	}
	t.add(drawMoved, st.drawStepAt(roundDrawKey(r.ID), DrawCommitted, "", update, values))
	t.add(unconditional, st.roundStatus(r.ID, domain.RoundClosed, ""))
	// Each member's record closes too, with its choosers by tier there (the
	// city's demand reads them as an offering's), and the policy applied.
	counts := map[string]map[int]int{}
	for _, tk := range tickets {
		for _, c := range tk.Choices {
			if counts[c.OfferingID] == nil {
				counts[c.OfferingID] = map[int]int{}
			}
			counts[c.OfferingID][c.Tier]++
		}
	}
	for _, id := range r.OfferingIDs {
		byTier := map[string]types.AttributeValue{}
		n := 0
		for tier, c := range counts[id] {
			byTier[strconv.Itoa(tier)] = nAttr(c)
			n += c
		}
		update := "SET #status = :closed, tier_counts = :counts, applicants = :n"
		values := map[string]types.AttributeValue{":closed": s(DrawClosed), ":counts": &types.AttributeValueMemberM{Value: byTier}, ":n": nAttr(n)}
		if policyVersion > 0 {
			update += ", policy_version = :pv"
			values[":pv"] = nAttr(policyVersion)
		}
		t.add(unconditional, types.TransactWriteItem{Update: &types.Update{
			TableName: &st.table, Key: drawKey(id), UpdateExpression: aws.String(update),
			ExpressionAttributeNames: map[string]string{"#status": "status"}, ExpressionAttributeValues: values,
		}})
	}
	return st.transact(ctx, &t)
}

func (st *Store) roundStatus(id, status, drawnAt string) types.TransactWriteItem {
	update := "SET #status = :status"
	values := map[string]types.AttributeValue{":status": s(status)}
	if drawnAt != "" {
		update += ", drawn_at = :at"
		values[":at"] = s(drawnAt)
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: roundKey(id), UpdateExpression: aws.String(update),
		ExpressionAttributeNames: map[string]string{"#status": "status"}, ExpressionAttributeValues: values,
	}}
}

// RoundTickets reads what the round's close fixed, in ticket order.
func (st *Store) RoundTickets(ctx context.Context, r RoundDraw) ([]RoundTicket, error) {
	if r.TicketChunks == 0 {
		return []RoundTicket{}, nil
	}
	items, err := st.chunkItems(ctx, roundPK(r.OfferingID), r.TicketChunks)
	if err != nil {
		return nil, err
	}
	chunks := make([][]RoundTicket, r.TicketChunks)
	for i, m := range items {
		var c struct {
			Tickets []RoundTicket `dynamodbav:"tickets"`
		}
		if err := attributevalue.UnmarshalMap(m, &c); err != nil {
			return nil, classify(err)
		}
		chunks[i] = c.Tickets
	}
	out := make([]RoundTicket, 0, r.Applicants)
	for _, c := range chunks {
		out = append(out, c...)
	}
	if len(out) != r.Applicants {
		return nil, internal(fmt.Errorf("round %s: %d tickets in chunks, %d recorded", r.OfferingID, len(out), r.Applicants))
	}
	return out, nil
}

// StartRoundDrawing records the beacon's randomness, the seed and each
// member's places to give: closed → drawing, allocation at unit 0.
func (st *Store) StartRoundDrawing(ctx context.Context, roundID, randomness, seed string, places map[string]int, at time.Time) error {
	pl, err := attributevalue.Marshal(places)
	if err != nil {
		return classify(err)
	}
	var t txn
	t.add(drawMoved, st.drawStepAt(roundDrawKey(roundID), DrawClosed, "",
		"SET #status = :drawing, randomness = :r, seed = :seed, member_places = :places, drawing_at = :at, allocated = :zero, offers = :zero",
		map[string]types.AttributeValue{":drawing": s(DrawDrawing), ":r": s(randomness), ":seed": s(seed),
			":places": pl, ":at": s(utc(at)), ":zero": n(0)}))
	return st.transact(ctx, &t)
}

// RoundPlace is one unit's outcome as the round's draw writes it: its
// application's new status and choices (results, ranks, positions,
// bookings), the bookings (one per child at each choice that gives one),
// and its draw_result notice.
type RoundPlace struct {
	Application domain.Application // an entry of it (ApplicationEntries)
	Number      string
	Status      domain.ApplicationStatus
	// Rank is the rank at the choice offered, else at the first choice.
	Rank     int
	Reason   string
	Choices  []domain.Choice // every choice, with the offering's facts
	Bookings []domain.Booking
	Notice   notices.Notice
	// PolicyVersion the close applied (0: none).
	PolicyVersion int
	Skip          bool
}

// RoundBatchItems is how many items a round batch's places may take:
// DynamoDB's 100 a transaction less the progress and a counter update for
// each of up to ten members.
const RoundBatchItems = 100 - 1 - domain.MaxRoundOfferings

// RoundItems is how many items a place writes (for batching under
// DynamoDB's 100 a transaction).
func (p RoundPlace) RoundItems() int {
	if p.Skip {
		return 0
	}
	n, children := 2, map[string]bool{}
	for _, b := range p.Bookings {
		n += 2
		if b.Status == domain.BookingWaitlisted {
			n++
		}
		if !children[b.ParticipantID] {
			children[b.ParticipantID] = true
			n += 2 // its term counter and presence
		}
	}
	return n
}

// RoundRefused is why a place of a round batch could not be written as
// planned: Index in the batch, and either Skip (the application is no
// longer applied) or the booking (Booking, its index in the place's
// Bookings) whose rule failed, with the reason.
type RoundRefused struct {
	Index   int
	Booking int
	Reason  string
	Skip    bool
}

func (e *RoundRefused) Error() string {
	return fmt.Sprintf("store: round place %d refused: %s", e.Index, e.Reason)
}

// WriteRoundAllocation writes one batch of a round's places in one
// TransactWriteItems with the round's progress moved from r.Allocated to
// r.Allocated+len(places) (on condition it is still r.Allocated) and the
// members' counters; each place's application record (on condition still
// applied), each booking with its child's person item (counter and
// one-per-offering marker in one),
// place in line and the participant's presence, and the notice. A
// booking refused by a rule is a *RoundRefused; another run's batch first
// is ErrDrawMoved.
func (st *Store) WriteRoundAllocation(ctx context.Context, r RoundDraw, members map[string]domain.Offering, places []RoundPlace, now time.Time) error {
	var t txn
	type owner struct {
		place, booking int
		rule           domain.Rule
	}
	owners := []owner{}
	add := func(o owner, f onFail, items ...types.TransactWriteItem) {
		for range items {
			owners = append(owners, o)
		}
		t.add(f, items...)
	}
	change := map[string]*allocation.Change{}
	offers := 0
	for i, p := range places {
		if p.Skip {
			continue
		}
		a := p.Application
		choices := make([]choiceItem, len(p.Choices))
		for j, c := range p.Choices {
			choices[j] = choiceToItem(c)
		}
		d := drawnOutcome{Status: p.Status, Number: p.Number, Rank: p.Rank, Reason: p.Reason, Choices: choices, PolicyVersion: p.PolicyVersion}
		for _, b := range p.Bookings {
			if b.Status == domain.BookingOffered && b.ParticipantID == a.ParticipantID {
				d.BookingID = b.ID
			}
		}
		record, err := st.drawnUpdate(a, d)
		if err != nil {
			return err
		}
		add(owner{i, -1, "skip"}, onFail{outcome: errSkip}, record)
		// Each child's person item and presence once, however many of its
		// bookings the place writes (one item at most once a transaction):
		// the item counts them all and holds each offering; members have no
		// term limit, so only a duplicate can fail it.
		counted := map[string]bool{}
		for j, b := range p.Bookings {
			if counted[b.ParticipantID] {
				continue
			}
			counted[b.ParticipantID] = true
			var mine []domain.Booking
			for _, x := range p.Bookings {
				if x.ParticipantID == b.ParticipantID {
					mine = append(mine, x)
				}
			}
			add(owner{i, j, ruleHeld}, onFail{outcome: errSkip}, st.holdItem(members[b.OfferingID], mine...))
			add(owner{i, j, "participant"}, onFail{outcome: errSkip}, st.participantOnBooking(b))
		}
		for j, b := range p.Bookings {
			put, err := st.bookingPut(ctx, b)
			if err != nil {
				return err
			}
			add(owner{i, j, ""}, unconditional, put)
			c := change[b.OfferingID]
			if c == nil {
				c = &allocation.Change{}
				change[b.OfferingID] = c
			}
			if b.Status == domain.BookingWaitlisted {
				add(owner{i, j, ""}, unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: waitItem(b)}})
				c.Waitlisted++
			} else {
				c.Offered++
				offers++
			}
		}
		add(owner{i, -1, ""}, unconditional, st.noticePut(p.Notice))
	}
	progress := len(t.items)
	add(owner{-1, -1, ""}, drawMoved, st.drawStepAt(roundDrawKey(r.OfferingID), DrawDrawing, "allocated = :prev",
		"SET allocated = :next, offers = offers + :offers",
		map[string]types.AttributeValue{":prev": nAttr(r.Allocated), ":next": nAttr(r.Allocated + len(places)), ":offers": nAttr(offers)}))
	for _, id := range r.memberOrder(members) {
		if c := change[id]; c != nil {
			add(owner{-1, -1, ""}, unconditional, types.TransactWriteItem{Update: st.offeringUpdate(id, *c, utc(now))})
		}
	}
	_, err := st.db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: t.items})
	if err == nil {
		metrics.Add(ctx, metrics.OffersMade, float64(offers))
		return nil
	}
	if tce, ok := errors.AsType[*types.TransactionCanceledException](err); ok {
		if progress < len(tce.CancellationReasons) && faultOf(aws.ToString(tce.CancellationReasons[progress].Code)) == faultCondition {
			return ErrDrawMoved
		}
		for i, reason := range tce.CancellationReasons {
			if i >= len(owners) || owners[i].place < 0 || faultOf(aws.ToString(reason.Code)) != faultCondition || t.onFail[i].outcome != errSkip {
				continue
			}
			o := owners[i]
			if o.rule == ruleHeld {
				// Which of the child's offerings was held already, and so
				// which of its bookings is refused.
				bs := places[o.place].Bookings
				var ids []string
				for _, x := range bs {
					if x.ParticipantID == bs[o.booking].ParticipantID {
						ids = append(ids, x.OfferingID)
					}
				}
				o.rule = heldRule(reason.Item, ids...)
				if held := heldAlready(reason.Item, ids...); held != "" {
					o.booking = slices.IndexFunc(bs, func(x domain.Booking) bool {
						return x.ParticipantID == bs[o.booking].ParticipantID && x.OfferingID == held
					})
				}
			}
			rr := &RoundRefused{Index: o.place, Booking: o.booking}
			rr.Skip, rr.Reason = refusal(o.rule)
			return rr
		}
	}
	return t.outcome(err)
}

// memberOrder is the members' ids in a fixed order, so a batch's items come
// in one order whoever writes it.
func (r RoundDraw) memberOrder(members map[string]domain.Offering) []string {
	ids := make([]string, 0, len(members))
	for id := range members {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// FinishRound ends the round's draw: drawing → drawn (on condition every
// unit is written), out of ROUND_DUE; the round drawn; each member's draw
// record drawn and the offering's drawn_at set with its applicants (the
// units that chose it), and each member's draw_published notice, in one
// write.
func (st *Store) FinishRound(ctx context.Context, r RoundDraw, round domain.Round, applicants map[string]int, published []notices.Notice, now time.Time) error {
	var t txn
	t.add(drawMoved, st.drawStepAt(roundDrawKey(r.OfferingID), DrawDrawing, "allocated = :n",
		"SET #status = :drawn, drawn_at = :now REMOVE GSI1PK, GSI1SK",
		map[string]types.AttributeValue{":drawn": s(DrawDone), ":now": s(utc(now)), ":n": nAttr(r.Applicants)}))
	t.add(unconditional, st.roundStatus(round.ID, domain.RoundDrawn, utc(now)))
	for _, id := range round.OfferingIDs {
		t.add(unconditional, types.TransactWriteItem{Update: &types.Update{
			TableName: &st.table, Key: drawKey(id),
			UpdateExpression:          aws.String("SET #status = :drawn, drawn_at = :now"),
			ExpressionAttributeNames:  map[string]string{"#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":drawn": s(DrawDone), ":now": s(utc(now))},
		}})
		t.add(unconditional, types.TransactWriteItem{Update: &types.Update{
			TableName: &st.table, Key: key(offeringPK(id), skOffering),
			UpdateExpression:          aws.String("SET drawn_at = :now, applicants = :n"),
			ExpressionAttributeValues: map[string]types.AttributeValue{":now": s(utc(now)), ":n": nAttr(applicants[id])},
		}})
	}
	// A notice already there: another run finished the round first.
	for _, nt := range published {
		t.add(drawMoved, st.noticePut(nt))
	}
	return st.transact(ctx, &t)
}

// HandOn writes allocation change c of offeringID on its own: the
// offering's counters under c's guard and the bookings it offers a place
// (the places a round's draw left free, handed to the line); ErrContention
// when the offering moved meanwhile.
func (st *Store) HandOn(ctx context.Context, offeringID string, c allocation.Change, now time.Time) error {
	var t txn
	st.applyChange(&t, offeringID, c, now)
	return st.transact(ctx, &t)
}
