package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/retry"
)

// Outcomes of a booking or cancellation write that the caller acts on.
var (
	// ErrContention: another write changed what this one was decided on;
	// read again and retry (it wraps retry.ErrAgain).
	ErrContention = fmt.Errorf("store: concurrent change: %w", retry.ErrAgain)
	// ErrIdempotencyTaken: a request with the same idempotency key got there
	// first; read again to answer as it was answered (it wraps retry.ErrAgain).
	ErrIdempotencyTaken = fmt.Errorf("store: idempotency key already used: %w", retry.ErrAgain)
)

type bookingItem struct {
	PK, SK string
	// GSI1 holds a booking only while it is offered: the expiry job's
	// index of offers by deadline (offerDueKeys).
	GSI1PK, GSI1SK string `dynamodbav:",omitempty"`
	GSI2PK, GSI2SK string
	Type           string `dynamodbav:"type"`
	ID             string `dynamodbav:"id"`
	OfferingID     string `dynamodbav:"offering_id"`
	Title          string `dynamodbav:"offering_title"`
	Kind           string `dynamodbav:"kind"`
	Term           string `dynamodbav:"term"`
	CentreID       string `dynamodbav:"centre_id"`
	CentreName     string `dynamodbav:"centre_name"`
	District       string `dynamodbav:"district"`
	StartsOn       string `dynamodbav:"starts_on"`
	ParticipantID  string `dynamodbav:"participant_id"`
	Status         string `dynamodbav:"status"`
	Account        string `dynamodbav:"account"`
	Identity       string `dynamodbav:"identity"`
	Stamp          int64  `dynamodbav:"stamp"`
	CreatedAt      string `dynamodbav:"created_at"`
	UpdatedAt      string `dynamodbav:"updated_at"`
	CancelledAt    string `dynamodbav:"cancelled_at,omitempty"`
	CancelledBy    string `dynamodbav:"cancelled_by,omitempty"`
	CancelReason   string `dynamodbav:"cancel_reason,omitempty"`
	Personal       []byte `dynamodbav:"personal,omitempty"` // sealed participant name, birth date, last4
	// ErasedAt is when the participant's personal data left the booking.
	ErasedAt string `dynamodbav:"erased_at,omitempty"`
	// Issue 13: the offering's offer hours, and an offer's deadline.
	OfferHours     int    `dynamodbav:"offer_hours,omitempty"`
	OfferExpiresAt string `dynamodbav:"offer_expires_at,omitempty"`
	// Issue 14: the round and choice a round's draw made it for, and the
	// sibling group (the application's id) it waits and is offered with.
	RoundID    string `dynamodbav:"round_id,omitempty"`
	Preference int    `dynamodbav:"preference,omitempty"`
	Group      string `dynamodbav:"group,omitempty"`
	// Issue 20: "staff" for a booking made at a centre's counter.
	By string `dynamodbav:"by,omitempty"`
}

// bookingPut writes new booking b, on condition it is not there yet.
func (st *Store) bookingPut(ctx context.Context, b domain.Booking) (types.TransactWriteItem, error) {
	it, err := st.bookingToItem(ctx, b)
	if err != nil {
		return types.TransactWriteItem{}, err
	}
	item, err := attributevalue.MarshalMap(it)
	if err != nil {
		return types.TransactWriteItem{}, classify(err)
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}}, nil
}

func (st *Store) bookingToItem(ctx context.Context, b domain.Booking) (bookingItem, error) {
	it := bookingItem{
		PK: accountPK(b.Account), SK: prefixBooking + b.ID,
		// GSI2 lists an offering's bookings in arrival order (the roster).
		GSI2PK: prefixRoster + b.OfferingID, GSI2SK: stampKey(b.Stamp) + "#" + b.ID,
		Type: "booking", ID: b.ID, OfferingID: b.OfferingID, Title: b.Offering.Title, Kind: string(b.Offering.Kind),
		Term: b.Term, CentreID: b.Offering.Centre.ID, CentreName: b.Offering.Centre.Name,
		District: string(b.Offering.Centre.District), StartsOn: b.Offering.StartsOn,
		ParticipantID: b.ParticipantID, Status: string(b.Status),
		Account: b.Account, Identity: b.Identity, Stamp: b.Stamp,
		CreatedAt: utc(b.CreatedAt), UpdatedAt: utc(b.UpdatedAt),
		CancelledBy: b.CancelledBy, CancelReason: b.CancelReason,
		OfferHours: b.OfferHours, OfferExpiresAt: utcOrEmpty(b.OfferExpiresAt),
		RoundID: b.RoundID, Preference: b.Preference, Group: b.Group, By: b.By,
	}
	if b.CancelledAt != nil {
		it.CancelledAt = utc(*b.CancelledAt)
	}
	if b.Status == domain.BookingOffered && b.OfferExpiresAt != nil {
		it.GSI1PK, it.GSI1SK = offerDueKeys(b.ID, *b.OfferExpiresAt)
	}
	var err error
	it.Personal, err = st.seal(ctx, it.PK, it.SK, personal{Name: b.Participant.Name, BirthDate: b.BirthDate, Last4: b.IDNumberLast4})
	return it, err
}

func (it bookingItem) booking(p personal) domain.Booking {
	b := domain.Booking{
		ID: it.ID, OfferingID: it.OfferingID,
		Offering: domain.BookedOffering{Title: it.Title, Kind: domain.Kind(it.Kind), StartsOn: it.StartsOn,
			Centre: domain.CentreRef{ID: it.CentreID, Name: it.CentreName, District: domain.District(it.District)}},
		ParticipantID: it.ParticipantID, Participant: domain.BookedParticipant{Name: p.Name},
		Status: domain.BookingStatus(it.Status), CreatedAt: parseTime(it.CreatedAt), UpdatedAt: parseTime(it.UpdatedAt),
		Account: it.Account, Identity: it.Identity, Term: it.Term, Stamp: it.Stamp,
		CancelledBy: it.CancelledBy, CancelReason: it.CancelReason, BirthDate: p.BirthDate, IDNumberLast4: p.Last4,
		Erased: it.ErasedAt != "", OfferHours: it.OfferHours, OfferExpiresAt: timeOrNil(it.OfferExpiresAt),
		RoundID: it.RoundID, Preference: it.Preference, Group: it.Group, By: it.By,
	}
	if it.CancelledAt != "" {
		t := parseTime(it.CancelledAt)
		b.CancelledAt = &t
	}
	return b
}

func (st *Store) unmarshalBooking(ctx context.Context, m map[string]types.AttributeValue) (domain.Booking, error) {
	var it bookingItem
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return domain.Booking{}, classify(err)
	}
	p, err := st.open(ctx, it.PK, it.SK, it.Personal)
	if err != nil {
		return domain.Booking{}, err
	}
	return it.booking(p), nil
}

// Replay is what an earlier request with the same idempotency key stored.
type Replay struct {
	RequestHash string
	BookingID   string
	// Booking is the booking itself, as read with the inputs, when the key
	// named a booking (Earlier.BookingID); it may have been erased since.
	Booking *domain.Booking
	// ApplicationID is set instead when the request was an application.
	ApplicationID string
}

// BookingInputs is everything a booking is decided on, read in one call.
type BookingInputs struct {
	Offering    *domain.Offering
	Participant *domain.Participant
	Replay      *Replay
}

// Earlier is where the answer to an earlier request under the same
// Idempotency-Key is kept: a booking's is the booking itself, whose id is
// made from account and key (BookingID, domain.KeyedID); an application's
// is the record IDEMPOTENCY#<Key>. The zero value reads neither.
type Earlier struct {
	BookingID string
	Key       string
}

// LoadBookingInputs reads the offering, the participant (only the caller's
// own: another account's id finds nothing) and any earlier answer under the
// idempotency key (earlier) in one strongly consistent BatchGetItem.
func (st *Store) LoadBookingInputs(ctx context.Context, account, offeringID, participantID string, earlier Earlier, now time.Time) (BookingInputs, error) {
	keys := []map[string]types.AttributeValue{
		key(offeringPK(offeringID), skOffering),
		key(accountPK(account), prefixPart+participantID),
	}
	switch {
	case earlier.BookingID != "":
		keys = append(keys, key(accountPK(account), prefixBooking+earlier.BookingID))
	case earlier.Key != "":
		keys = append(keys, key(accountPK(account), prefixIdem+earlier.Key))
	}
	items, err := st.batchGet(ctx, keys)
	var in BookingInputs
	if err != nil {
		return in, err
	}
	for _, m := range items {
		switch sk := m[attrSK].(*types.AttributeValueMemberS).Value; {
		case sk == skOffering:
			o, err := unmarshalOffering(m)
			if err != nil {
				return in, err
			}
			in.Offering = &o
		case strings.HasPrefix(sk, prefixBooking):
			// The key's booking: it lives as long as the booking does, so
			// the key never expires while its booking is there.
			b, err := st.unmarshalBooking(ctx, m)
			if err != nil {
				return in, err
			}
			var r struct {
				Hash string `dynamodbav:"request_hash"`
			}
			if err := attributevalue.UnmarshalMap(m, &r); err != nil {
				return in, classify(err)
			}
			in.Replay = &Replay{RequestHash: r.Hash, BookingID: b.ID, Booking: &b}
		case strings.HasPrefix(sk, prefixIdem):
			var r struct {
				Hash      string `dynamodbav:"request_hash"`
				BookingID string `dynamodbav:"booking_id"`
				AppID     string `dynamodbav:"application_id"`
				ExpiresAt int64  `dynamodbav:"expires_at"`
			}
			if err := attributevalue.UnmarshalMap(m, &r); err != nil {
				return in, classify(err)
			}
			// TTL deletion lags by up to days; an expired key is treated as gone.
			if r.ExpiresAt > now.Unix() {
				in.Replay = &Replay{RequestHash: r.Hash, BookingID: r.BookingID, ApplicationID: r.AppID}
			}
		default:
			if m["erasing_at"] != nil {
				continue // being erased: no longer bookable
			}
			p, err := st.unmarshalParticipant(ctx, m)
			if err != nil {
				return in, err
			}
			in.Participant = &p
		}
	}
	return in, nil
}

// batchGet reads keys strongly consistently, asking again (under the retry
// policy) for any key DynamoDB leaves unprocessed.
func (st *Store) batchGet(ctx context.Context, keys []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	return st.batchGetWith(ctx, keys, true)
}

// batchGetWith is batchGet, strongly consistent or not.
func (st *Store) batchGetWith(ctx context.Context, keys []map[string]types.AttributeValue, consistent bool) ([]map[string]types.AttributeValue, error) {
	req := map[string]types.KeysAndAttributes{st.table: {Keys: keys, ConsistentRead: aws.Bool(consistent)}}
	var items []map[string]types.AttributeValue
	err := st.Retry.Do(ctx, func(int) error {
		out, err := st.db.BatchGetItem(ctx, &dynamodb.BatchGetItemInput{RequestItems: req})
		if err != nil {
			return classify(err)
		}
		items = append(items, out.Responses[st.table]...)
		if req = out.UnprocessedKeys; len(req[st.table].Keys) > 0 {
			return errUnprocessed
		}
		return nil
	})
	return items, err
}

// NewBooking is a booking decided on and ready to write.
type NewBooking struct {
	Booking  domain.Booking
	Offering domain.Offering // as read
	// Change is the allocation policy's decision: the offering's counters
	// and what must hold of it as the write lands.
	Change allocation.Change
	// RequestHash, when set, is the hash of a request made under an
	// Idempotency-Key, stored on the booking, whose id was made from the key
	// (domain.KeyedID): a retry reads that id and compares.
	RequestHash string
	// Audit, when set (a booking made at a centre's counter), is written
	// in the same transaction: no counter booking without its record.
	Audit *AuditEntry
}

// CreateBooking writes a booking in one TransactWriteItems: the identity's
// active-booking marker for the offering, its per-term counter, the
// offering's counters as the change says (under its guard) with the
// change's notices, the booking (under an Idempotency-Key with the
// request's hash: the key's record), and its place in the line. A broken rule is its
// refusal (domain.Refusal); it also returns ErrIdempotencyTaken,
// ErrContention (read again and retry), or the 503 or 500 that the
// transaction's outcome calls for.
func (st *Store) CreateBooking(ctx context.Context, nb NewBooking) error {
	b, o := nb.Booking, nb.Offering
	now := b.CreatedAt

	// The order decides which refusal is reported when several conditions
	// fail: a retry of the same request first, then a person verified by
	// another account, a no-show block, a duplicate, the term limit. The
	// offering's counters, the booking and its place in line are contended:
	// a failure there means read again.
	var t txn
	put, err := st.bookingPut(ctx, b)
	if err != nil {
		return err
	}
	if nb.RequestHash != "" {
		// The booking is its own idempotency record: its id is made from
		// the key, so one already there is a request under the same key
		// that got there first (read again to answer as it was answered).
		// First in order, so it is told before the rules it also trips
		// (the same person and offering: already booked). request_hash is
		// read back by LoadBookingInputs only.
		put.Put.Item["request_hash"] = s(nb.RequestHash)
		t.add(onFail{outcome: ErrIdempotencyTaken}, put)
	}
	// The person item: verified by no other account, the participant
	// still there and not being erased, no no-show block, the offering
	// not held, the term limit; one Update holds the booking there, and
	// the item as it stood says which failed.
	st.personOnBooking(&t, o, b)
	st.applyChange(&t, o.ID, nb.Change, now)

	if nb.RequestHash == "" {
		// A retry reuses the booking's id, so a booking already there is a
		// race with this request's own earlier attempt: read again.
		t.add(contended, put)
	}
	if b.Status == domain.BookingWaitlisted {
		t.add(unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: waitItem(b)}})
	}
	if nb.Audit != nil {
		t.add(unconditional, st.auditPut(*nb.Audit))
	}
	return st.transact(ctx, &t)
}

// idempotencyPut records a request under its idempotency key until till,
// naming what it made (attr: application_id; a booking is its own record,
// and records naming a booking_id are from before); a key in use and not
// expired is ErrIdempotencyTaken.
func (st *Store) idempotencyPut(t *txn, account, idemKey, hash, attr, id string, till, now time.Time) {
	rec := key(accountPK(account), prefixIdem+idemKey)
	rec["request_hash"] = s(hash)
	rec[attr], rec["expires_at"] = s(id), n(till.Unix())
	t.add(onFail{outcome: ErrIdempotencyTaken}, types.TransactWriteItem{Put: &types.Put{
		TableName: &st.table, Item: rec,
		ConditionExpression:       aws.String("attribute_not_exists(PK) OR expires_at < :now"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": n(now.Unix())},
	}})
}

// personGuard is the condition an identity's PERSON item must meet for
// account to book or apply for o: verified by no other account, no no-show
// block for o's kind and term (attendance sets it on this same item, so
// the check costs no item of its own). Checked in the write, so a booking
// racing a verification lands before it (and is cancelled by it) or is
// refused. The refusal (personRefusal) is decided from the item as it
// stood.
func personGuard(o domain.Offering, account string, names map[string]string, values map[string]types.AttributeValue) string {
	names["#blocked"] = termOf(o.Kind, o.Term).blockedUntil
	values[":account"] = s(account)
	return "(" + verifiedHolderIs + ") AND attribute_not_exists(#blocked)"
}

// limitGuard is the condition, when o limits them, that the person item
// holds fewer active bookings of o's kind and term than the limit ("" when
// o sets none).
func limitGuard(o domain.Offering, names map[string]string, values map[string]types.AttributeValue) string {
	if o.MaxPerParticipantPerTerm <= 0 {
		return ""
	}
	names["#active"] = termOf(o.Kind, o.Term).active
	values[":max"] = n(int64(o.MaxPerParticipantPerTerm))
	return "(attribute_not_exists(#active) OR #active < :max)"
}

// personRefusal reads which rule the PERSON item as it stood (old) broke
// for account's booking of b's offering and participant (b nil when
// applying): personRule. When the item shows no broken rule (no item came
// back, or it no longer names the participant) the answer is read again,
// never a rule guessed from which condition failed.
func personRefusal(o domain.Offering, account string, b *domain.Booking) onFail {
	return onFail{decide: func(old map[string]types.AttributeValue) (domain.Rule, domain.Facts) {
		return personRule(o, account, b, old)
	}}
}

// personRule is the rule a PERSON item (old) breaks for account's booking b
// of o (b nil when applying), from the rules alone, in the order refusals
// are reported: another account's verification; the participant gone
// meanwhile (no rule: read again, and reading finds it gone); a no-show
// block for o's kind and term; the offering held already (a duplicate);
// the term limit reached. "" when it breaks none.
func personRule(o domain.Offering, account string, b *domain.Booking, old map[string]types.AttributeValue) (domain.Rule, domain.Facts) {
	ta := termOf(o.Kind, o.Term)
	if a, ok := old["account"].(*types.AttributeValueMemberS); ok && a.Value != account {
		return domain.RuleVerifiedElsewhere, domain.Facts{}
	}
	if b != nil {
		if p, ok := old[liveAttr(b.Account)].(*types.AttributeValueMemberS); !ok || p.Value != b.ParticipantID {
			return "", domain.Facts{} // contended: read again
		}
	}
	if until, ok := old[ta.blockedUntil].(*types.AttributeValueMemberS); ok {
		var absences int
		if v := old[ta.blockAbsences]; v != nil {
			_ = attributevalue.Unmarshal(v, &absences)
		}
		return domain.RuleNoShowBlock, domain.Facts{BlockedUntil: until.Value, Absences: absences}
	}
	if b != nil && heldAlready(old, b.OfferingID) != "" {
		return domain.RuleOnePerOffering, domain.Facts{}
	}
	if o.MaxPerParticipantPerTerm > 0 {
		var active int
		if v := old[ta.active]; v != nil {
			_ = attributevalue.Unmarshal(v, &active)
		}
		if active >= o.MaxPerParticipantPerTerm {
			return domain.RuleTermLimit, domain.Facts{Limit: o.MaxPerParticipantPerTerm}
		}
	}
	return "", domain.Facts{}
}

// PersonRefusal reads b's person (the identity's PERSON item, strongly
// consistent) and answers the refusal of the first rule of the person's
// that booking b of o would break (personRule), or nil. The booking's
// write checks the same rules in its conditions; a booking that lost a
// race reads them again with this before it writes again, so that its
// refusal is decided from the rules on what it read, not from which
// condition of a cancelled write failed.
func (st *Store) PersonRefusal(ctx context.Context, o domain.Offering, b domain.Booking) error {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(identityPK(b.Identity), skPerson), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return classify(err)
	}
	if r, f := personRule(o, b.Account, &b, out.Item); r != "" {
		return domain.Refusal(r, f)
	}
	return nil
}

// heldAttr is the attribute of a person's PERSON item that holds their
// active booking of an offering (the one-per-offering marker; offering ids
// are unique city-wide, so it names no kind or term), its value
// holdOf: the account and booking, by which the person's other accounts'
// bookings are found (HoldsOf). An attribute per offering rather than a
// set: "not held" is then attribute_not_exists, which every DynamoDB
// (and the embedded server) evaluates alike.
func heldAttr(offeringID string) string { return prefixHeld + offeringID }

func holdOf(b domain.Booking) string { return b.Account + "|" + b.ID }

// holdItem is what new bookings bs of one person (all of o's kind and
// term; a sibling unit's child may take several offerings of a round at
// once) hold on the person's PERSON item: one more active booking of the
// kind and term each (active#<kind>#<term>, under o's limit), and each
// offering held (not held before: one active booking of a person per
// offering, across accounts). One item for both rules, and the one a
// booking checks its person on (personOnBooking). ALL_OLD comes back on a
// failed condition, so the caller can say which rule (personRefusal,
// heldRule).
func (st *Store) holdItem(o domain.Offering, bs ...domain.Booking) types.TransactWriteItem {
	names := map[string]string{"#active": termOf(o.Kind, o.Term).active}
	values := map[string]types.AttributeValue{":one": n(int64(len(bs)))}
	var cond, set []string
	for i, x := range bs {
		h := "#h" + strconv.Itoa(i)
		names[h], values[":h"+strconv.Itoa(i)] = heldAttr(x.OfferingID), s(holdOf(x))
		cond = append(cond, "attribute_not_exists("+h+")")
		set = append(set, h+" = :h"+strconv.Itoa(i))
	}
	if limit := limitGuard(o, names, values); limit != "" {
		cond = append(cond, limit)
	}
	return types.TransactWriteItem{Update: &types.Update{
		TableName:                           &st.table,
		Key:                                 key(identityPK(bs[0].Identity), skPerson),
		UpdateExpression:                    aws.String("SET " + strings.Join(set, ", ") + " ADD #active :one"),
		ConditionExpression:                 aws.String(strings.Join(cond, " AND ")),
		ExpressionAttributeNames:            names,
		ExpressionAttributeValues:           values,
		ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
	}}
}

// heldAlready is the first of offeringIDs that the person item old holds
// ("" for none): the duplicate that failed holdItem's condition.
func heldAlready(old map[string]types.AttributeValue, offeringIDs ...string) string {
	for _, id := range offeringIDs {
		if old[heldAttr(id)] != nil {
			return id
		}
	}
	return ""
}

func waitItem(b domain.Booking) map[string]types.AttributeValue {
	w := key(offeringPK(b.OfferingID), waitSK(b.Stamp, b.Group, b.ID))
	w["booking_id"], w["account"], w["stamp"] = s(b.ID), s(b.Account), n(b.Stamp)
	if b.Group != "" {
		w["group"] = s(b.Group)
	}
	return w
}

// GetBooking reads one of an account's bookings; another account's is not found.
// An erased booking has left the account: it is not found.
func (st *Store) GetBooking(ctx context.Context, account, id string) (domain.Booking, error) {
	b, err := get(ctx, st, key(accountPK(account), prefixBooking+id), "booking", func(m map[string]types.AttributeValue) (domain.Booking, error) {
		return st.unmarshalBooking(ctx, m)
	})
	if err == nil && b.Erased {
		return domain.Booking{}, notFound("booking")
	}
	return b, err
}

// ListBookings pages through an account's bookings, newest first: by when
// each was made (created_at), then by id. Ids do not all sort by time (a
// booking under an Idempotency-Key has an id made from the key; a draw's
// bookings are "bkg_"), so the order is not the sort key's: the account's
// bookings are read whole, one strongly consistent Query per megabyte (an
// account holds a few a term), sorted, and only the page is decoded. The
// cursor is the last booking listed, its key and created_at, so a page
// goes on after it even when it has left the list meanwhile.
func (st *Store) ListBookings(ctx context.Context, account string, status domain.BookingStatus, page paging.Page) ([]domain.Booking, string, error) {
	return st.ListBookingsAt(ctx, account, "", status, page)
}

// ListBookingsAt is ListBookings of the account's bookings at one centre
// ("" for every centre), for staff at the counter (issue 20). The filter
// is applied as the account's bookings are read, before the page is cut,
// so pages are full and the cursor goes on as in ListBookings.
func (st *Store) ListBookingsAt(ctx context.Context, account, centreID string, status domain.BookingStatus, page paging.Page) ([]domain.Booking, string, error) {
	p := partition{pk: accountPK(account), prefix: prefixBooking}
	after, err := decodeCursorWith(page.Cursor, p, listedAt)
	if err != nil {
		return nil, "", err
	}
	type listed struct {
		at time.Time
		id string
		m  map[string]types.AttributeValue
	}
	// order is the list's: newest first, then by id.
	order := func(a, b listed) int { return cmp.Or(b.at.Compare(a.at), strings.Compare(b.id, a.id)) }
	var rows []listed
	err = st.queryAll(ctx, p, func(m map[string]types.AttributeValue) error {
		var it struct {
			ID        string `dynamodbav:"id"`
			Status    string `dynamodbav:"status"`
			CreatedAt string `dynamodbav:"created_at"`
			ErasedAt  string `dynamodbav:"erased_at"`
			CentreID  string `dynamodbav:"centre_id"`
		}
		if err := attributevalue.UnmarshalMap(m, &it); err != nil {
			return err
		}
		if it.ErasedAt == "" && (status == "" || it.Status == string(status)) && (centreID == "" || it.CentreID == centreID) {
			rows = append(rows, listed{parseTime(it.CreatedAt), it.ID, m})
		}
		return nil
	}, consistent)
	if err != nil {
		return nil, "", err
	}
	slices.SortFunc(rows, order)
	if after != nil {
		at, err := time.Parse(time.RFC3339Nano, after[listedAtAttr].(*types.AttributeValueMemberS).Value)
		if err != nil {
			return nil, "", domain.Refused(domain.RuleCursor)
		}
		last := listed{at: at, id: strings.TrimPrefix(after[attrSK].(*types.AttributeValueMemberS).Value, prefixBooking)}
		rows = rows[sort.Search(len(rows), func(i int) bool { return order(last, rows[i]) < 0 }):]
	}
	next := ""
	if len(rows) > page.Limit {
		rows = rows[:page.Limit]
		last := rows[len(rows)-1].m
		next = encodeCursor(map[string]types.AttributeValue{attrPK: last[attrPK], attrSK: last[attrSK], listedAtAttr: last[listedAtAttr]})
	}
	out := make([]domain.Booking, len(rows))
	for i, r := range rows {
		if out[i], err = st.unmarshalBooking(ctx, r.m); err != nil {
			return nil, "", err
		}
	}
	return out, next, nil
}

// listedAtAttr is what an account's bookings are listed by, newest first;
// their cursor carries it (listedAt) beside the key.
const listedAtAttr = "created_at"

var listedAt = map[string]types.ScalarAttributeType{listedAtAttr: types.ScalarAttributeTypeS}

// WaitlistPosition is b's place in line (1-based); see WaitlistPositions.
func (st *Store) WaitlistPosition(ctx context.Context, b domain.Booking) (int, error) {
	bs := []domain.Booking{b}
	err := st.WaitlistPositions(ctx, bs)
	return bs[0].WaitlistPosition, err
}

// maxPlaceQueries bounds the Queries WaitlistPositions has in flight at once.
const maxPlaceQueries = 4

// WaitlistPositions sets the place in line (1-based) of every waitlisted
// booking in bs: one strongly consistent Query per offering (and per
// megabyte of its line), at most maxPlaceQueries at once, so a page costs
// one Query per distinct offering, not per booking, and about one Query's
// time. DESIGN.md says why exact places take a read per offering.
func (st *Store) WaitlistPositions(ctx context.Context, bs []domain.Booking) error {
	byOffering := map[string][]*domain.Booking{}
	var offerings []string
	for i := range bs {
		if b := &bs[i]; b.Status == domain.BookingWaitlisted {
			if byOffering[b.OfferingID] == nil {
				offerings = append(offerings, b.OfferingID)
			}
			byOffering[b.OfferingID] = append(byOffering[b.OfferingID], b)
		}
	}
	errs := make([]error, len(offerings))
	slots := make(chan struct{}, maxPlaceQueries)
	var wg sync.WaitGroup
	for i, id := range offerings {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			errs[i] = st.placeInLine(ctx, id, byOffering[id])
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// placeInLine sets the places of bs, all waiting for one offering, from one
// Query of the line up to the last of them: a count when there is one, else
// the line's keys (projected, nothing else), whose order places each. A
// booking is placed after the entries at or ahead of its own key.
func (st *Store) placeInLine(ctx context.Context, offeringID string, bs []*domain.Booking) error {
	slices.SortFunc(bs, func(a, b *domain.Booking) int {
		return strings.Compare(waitSK(a.Stamp, a.Group, a.ID), waitSK(b.Stamp, b.Group, b.ID))
	})
	last := bs[len(bs)-1]
	q := &dynamodb.QueryInput{
		TableName:              &st.table,
		KeyConditionExpression: aws.String("PK = :pk AND SK BETWEEN :first AND :last"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":pk": s(offeringPK(offeringID)), ":first": s(prefixWait), ":last": s(waitSK(last.Stamp, last.Group, last.ID)),
		},
		ConsistentRead: aws.Bool(true),
	}
	if len(bs) == 1 {
		q.Select = types.SelectCount
	} else {
		q.ProjectionExpression = aws.String(attrSK)
	}
	ahead, next := 0, 0 // entries read so far; the next of bs to place
	for {
		out, err := st.db.Query(ctx, q)
		if err != nil {
			return classify(err)
		}
		if q.Select == types.SelectCount {
			ahead += int(out.Count)
			out.Items = nil // the embedded server sends the items too
		}
		for _, m := range out.Items {
			sk := m[attrSK].(*types.AttributeValueMemberS).Value
			for ; next < len(bs) && waitSK(bs[next].Stamp, bs[next].Group, bs[next].ID) < sk; next++ {
				bs[next].WaitlistPosition = ahead // no longer in line: placed after those ahead
			}
			ahead++
			if next < len(bs) && waitSK(bs[next].Stamp, bs[next].Group, bs[next].ID) == sk {
				bs[next].WaitlistPosition = ahead
				next++
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			break
		}
		q.ExclusiveStartKey = out.LastEvaluatedKey
	}
	for ; next < len(bs); next++ {
		bs[next].WaitlistPosition = ahead
	}
	return nil
}

// Waiters are the earliest n waitlisted bookings of an offering, in order.
func (st *Store) Waiters(ctx context.Context, offeringID string, n int) ([]allocation.Waiting, error) {
	out, err := st.db.Query(ctx, st.query(partition{pk: offeringPK(offeringID), prefix: prefixWait}, consistent,
		func(q *dynamodb.QueryInput) { q.Limit = aws.Int32(int32(n)) }))
	if err != nil {
		return nil, classify(err)
	}
	ws := make([]allocation.Waiting, len(out.Items))
	for i, m := range out.Items {
		var w struct {
			BookingID string `dynamodbav:"booking_id"`
			Account   string `dynamodbav:"account"`
			Stamp     int64  `dynamodbav:"stamp"`
			Group     string `dynamodbav:"group"`
		}
		if err := attributevalue.UnmarshalMap(m, &w); err != nil {
			return nil, classify(err)
		}
		ws[i] = allocation.Waiting{BookingID: w.BookingID, Account: w.Account, Stamp: w.Stamp, Group: w.Group}
	}
	return ws, nil
}

// Who ends a booking.
const (
	ByResident = "resident"
	ByCentre   = "centre"
	// ByStaff: centre staff for the resident, at the counter (issue 20).
	ByStaff = domain.ByStaff
	// BySystem: the booking's identity was verified for another account.
	BySystem = "system"
)

// Ending is who ends a booking, why, and what the same write records with
// it: an audit record in the booking's centre, and the notice announcing
// the end (to its account, or only to the city's bus).
type Ending struct {
	By, Reason string
	// Status is the booking's end: cancelled (the default), or expired for
	// an offer let pass its deadline (then the write requires the deadline
	// passed by the ending's time).
	Status domain.BookingStatus
	Audit  *AuditEntry
	Notice *notices.Notice
}

// cancelItems are the writes that end one active booking as e says: the
// booking (its status must still be what was read; an offer leaves the
// index of offers by deadline), the identity's person item (one fewer
// active, the offering no longer held),
// and its place in line if it waited. The offering's counters are the
// caller's, as one cancellation may hand its place on.
func (st *Store) cancelItems(b domain.Booking, e Ending, now time.Time) []types.TransactWriteItem {
	end := cmp.Or(e.Status, domain.BookingCancelled)
	values := map[string]types.AttributeValue{":old": s(string(b.Status)), ":end": s(string(end)), ":now": s(utc(now))}
	update := "SET #status = :end, updated_at = :now"
	cond := "#status = :old"
	if end == domain.BookingCancelled {
		update += ", cancelled_at = :now, cancelled_by = :by"
		values[":by"] = s(e.By)
		if e.Reason != "" {
			update += ", cancel_reason = :reason"
			values[":reason"] = s(e.Reason)
		}
	}
	if b.Status == domain.BookingOffered {
		update += " REMOVE " + attrGSI1PK + ", " + attrGSI1SK
	}
	if end == domain.BookingExpired {
		cond += " AND " + attrGSI1SK + " < :due"
		values[":due"] = s(offerDueBound(now))
	}
	items := []types.TransactWriteItem{
		{Update: &types.Update{
			TableName: &st.table, Key: key(accountPK(b.Account), prefixBooking+b.ID),
			UpdateExpression:          aws.String(update),
			ConditionExpression:       aws.String(cond),
			ExpressionAttributeNames:  map[string]string{"#status": "status"},
			ExpressionAttributeValues: values,
		}},
	}
	// An erased booking (of an offering that ended) has no identity left:
	// its hold went with the erasure, and nothing is counted against no one.
	if b.Identity != "" {
		items = append(items, types.TransactWriteItem{Update: &types.Update{
			TableName: &st.table, Key: key(identityPK(b.Identity), skPerson),
			UpdateExpression:          aws.String("REMOVE #held ADD #active :minus"),
			ExpressionAttributeNames:  map[string]string{"#held": heldAttr(b.OfferingID), "#active": termOf(b.Offering.Kind, b.Term).active},
			ExpressionAttributeValues: map[string]types.AttributeValue{":minus": n(-1)},
		}})
	}
	if b.Status == domain.BookingWaitlisted {
		items = append(items, types.TransactWriteItem{Delete: &types.Delete{
			TableName: &st.table, Key: key(offeringPK(b.OfferingID), waitSK(b.Stamp, b.Group, b.ID)),
			ConditionExpression: aws.String("attribute_exists(PK)"),
		}})
	}
	return items
}

// promoteItems confirm the waitlisted booking w: it must still be waiting.
func (st *Store) promoteItems(offeringID string, w allocation.Waiting, now time.Time) []types.TransactWriteItem {
	return []types.TransactWriteItem{
		{Update: &types.Update{
			TableName: &st.table, Key: key(accountPK(w.Account), prefixBooking+w.BookingID),
			UpdateExpression:          aws.String("SET #status = :confirmed, updated_at = :now"),
			ConditionExpression:       aws.String("#status = :waitlisted"),
			ExpressionAttributeNames:  map[string]string{"#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":confirmed": s(string(domain.BookingConfirmed)), ":waitlisted": s(string(domain.BookingWaitlisted)), ":now": s(utc(now))},
		}},
		{Delete: &types.Delete{
			TableName: &st.table, Key: key(offeringPK(offeringID), waitSK(w.Stamp, w.Group, w.BookingID)),
			ConditionExpression: aws.String("attribute_exists(PK)"),
		}},
	}
}

// EndBooking ends b as e says in one TransactWriteItems, with the
// allocation policy's change to its offering: the counters, the waiting
// bookings its place goes to (confirmed or offered in the same write), under the
// change's guard, and the change's notices with the ending's own. Any
// interference returns ErrContention: read again and retry. Every
// condition here is contended.
func (st *Store) EndBooking(ctx context.Context, b domain.Booking, c allocation.Change, now time.Time, e Ending) error {
	var t txn
	t.add(contended, st.cancelItems(b, e, now)...)
	if e.Audit != nil {
		t.add(unconditional, st.auditPut(*e.Audit))
	}
	if e.Notice != nil {
		c.Notices = append(slices.Clip(c.Notices), *e.Notice)
	}
	st.applyChange(&t, b.OfferingID, c, now)
	return st.transact(ctx, &t)
}
