package store

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// An identity's person item (IDENTITY#<hmac>/PERSON) holds the facts a
// booking checks of the person and what it holds, so a booking writes one
// item of its person, with every check on it: who verified the identity (the Verification's
// attributes, account first; none while unverified), written once by
// VerifyIdentity, and, for each account that registered it, live#<account>
// naming that account's participant, set by registering, removed when its
// erasure starts (MarkErasing) or it is deleted. Registering and booking
// check it in their own transactions, so a write racing a verification or
// an erasure either lands before it (and is cancelled or erased by it) or
// is refused. Per kind and term it holds the active bookings' count and
// any no-show block (termAttrs), and per active booking its hold
// (heldAttr), from which the other accounts' bookings a verification
// cancels are found.
const (
	skPerson         = "PERSON"
	prefixLive       = "live#" // an attribute of the person item: liveAttr
	pkCityPeople     = "CITY#PARTICIPANTS"
	skCityPeople     = "COUNT"
	maxKeysPerGet    = 100 // BatchGetItem's limit
	verifiedHolderIs = "attribute_not_exists(account) OR account = :account"
)

// verificationAttrs are the person item's attributes that say who verified
// it (Verification's): removed together when its participant is deleted.
var verificationAttrs = []string{"account", "participant_id", "centre_id", "booking_id", "staff", "document", "verified_at"}

// liveAttr is the person item's attribute naming account's participant of
// the identity while it is there and not being erased.
func liveAttr(account string) string { return prefixLive + account }

// personOnBooking is booking b's one write of its person, the PERSON
// item: its hold (holdItem: the offering held, one more active booking of
// o's kind and term, under o's limit) on condition that the identity is
// verified by no other account, b's participant is still there and not
// being erased (live#<account> names it) and no no-show block stands for
// o's kind and term (personGuard). The refusal is decided from the item as
// it stood (personRefusal).
func (st *Store) personOnBooking(t *txn, o domain.Offering, b domain.Booking) {
	hold := st.holdItem(o, b)
	u := hold.Update
	u.ExpressionAttributeNames["#live"] = liveAttr(b.Account)
	u.ExpressionAttributeValues[":participant"] = s(b.ParticipantID)
	u.ConditionExpression = aws.String("#live = :participant AND " +
		personGuard(o, b.Account, u.ExpressionAttributeNames, u.ExpressionAttributeValues) + " AND " + *u.ConditionExpression)
	t.add(personRefusal(o, b.Account, &b), hold)
}

// personLive sets (or, remove, takes away) account's participant on the
// identity's person item, in the transaction that registers, erases or
// restores it.
func (st *Store) personLive(identity, account, participantID string, remove bool) types.TransactWriteItem {
	u := &types.Update{TableName: &st.table, Key: key(identityPK(identity), skPerson),
		UpdateExpression:         aws.String("SET #live = :participant"),
		ExpressionAttributeNames: map[string]string{"#live": liveAttr(account)}}
	if remove {
		u.UpdateExpression = aws.String("REMOVE #live")
	} else {
		u.ExpressionAttributeValues = map[string]types.AttributeValue{":participant": s(participantID)}
	}
	return types.TransactWriteItem{Update: u}
}

// cityPeopleAdd adds to the city's participant counts (attribute registered
// or verified) in the same transaction as the change it counts. Only
// registrations and verifications write it, never a booking.
func (st *Store) cityPeopleAdd(attr string, delta int64) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: key(pkCityPeople, skCityPeople),
		UpdateExpression:          aws.String("ADD #n :d"),
		ExpressionAttributeNames:  map[string]string{"#n": attr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":d": n(delta)},
	}}
}

// registryItems are what registering p adds to its identity's registry, in
// CreateParticipant's transaction: p live on the person item, refused when
// another account verified the identity, and one more registered person
// for the city.
func (st *Store) registryItems(t *txn, p domain.Participant) {
	live := st.personLive(p.Identity, p.Account, p.ID, false)
	live.Update.ConditionExpression = aws.String(verifiedHolderIs)
	live.Update.ExpressionAttributeValues[":account"] = s(p.Account)
	t.add(checks(domain.RuleVerifiedElsewhere, domain.Facts{}), live)
	// Registrations are rare beside bookings, but two at once conflict on
	// the count: the caller reads nothing, so it simply writes again.
	t.add(contended, st.cityPeopleAdd("registered", 1))
}

// Verification is who holds a verified identity, and who verified it where.
type Verification struct {
	Account       string    `dynamodbav:"account"`
	ParticipantID string    `dynamodbav:"participant_id"`
	CentreID      string    `dynamodbav:"centre_id"`
	BookingID     string    `dynamodbav:"booking_id"`
	Staff         string    `dynamodbav:"staff"`
	Document      string    `dynamodbav:"document"`
	VerifiedAt    time.Time `dynamodbav:"-"`
	At            string    `dynamodbav:"verified_at"`
}

// GetVerification reads an identity's verification; nil when unverified.
func (st *Store) GetVerification(ctx context.Context, identity string) (*Verification, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(identityPK(identity), skPerson), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, classify(err)
	}
	if out.Item["account"] == nil {
		return nil, nil
	}
	var v Verification
	if err := attributevalue.UnmarshalMap(out.Item, &v); err != nil {
		return nil, classify(err)
	}
	v.VerifiedAt = parseTime(v.At)
	return &v, nil
}

// VerifyIdentity records in one transaction that staff checked identity
// against a document for v's participant: the verification on the
// identity's person item (only if it has none: a lost race returns
// ErrContention, and reading again finds who won), the participant's
// verified_at, the audit record and one more verified person for the city.
func (st *Store) VerifyIdentity(ctx context.Context, identity string, v Verification, a AuditEntry) error {
	v.At = utc(v.VerifiedAt)
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		return classify(err)
	}
	names := map[string]string{}
	var set []string
	for i, attr := range verificationAttrs {
		k := "#v" + strconv.Itoa(i)
		names[k] = attr
		set = append(set, k+" = :v"+strconv.Itoa(i))
		item[":v"+strconv.Itoa(i)] = item[attr]
		delete(item, attr)
	}
	var t txn
	t.add(contended, types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: key(identityPK(identity), skPerson),
		UpdateExpression:          aws.String("SET " + strings.Join(set, ", ")),
		ConditionExpression:       aws.String("attribute_not_exists(account)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: item,
	}})
	t.add(checks(domain.RuleExists, domain.Facts{What: "participant"}), types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: key(accountPK(v.Account), prefixPart+v.ParticipantID),
		UpdateExpression:          aws.String("SET verified_at = :at, verified_by = :by"),
		ConditionExpression:       aws.String("attribute_exists(PK) AND #identity = :identity"),
		ExpressionAttributeNames:  map[string]string{"#identity": "identity"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": s(v.At), ":by": s(v.Staff), ":identity": s(identity)},
	}})
	t.add(unconditional, st.auditPut(a))
	t.add(contended, st.cityPeopleAdd("verified", 1))
	return st.transact(ctx, &t)
}

// Hold is one active booking of an identity, from its person item's holds.
type Hold struct {
	OfferingID string
	BookingID  string
	Account    string
}

// HoldsOf are an identity's active bookings in every account: one strongly
// consistent GetItem of its PERSON item, whose held#<offering> attributes
// every booking sets and every cancellation removes in its own
// transaction.
func (st *Store) HoldsOf(ctx context.Context, identity string) ([]Hold, error) {
	got, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(identityPK(identity), skPerson), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, classify(err)
	}
	var out []Hold
	for name, v := range got.Item {
		o, ok := strings.CutPrefix(name, prefixHeld)
		hold, isS := v.(*types.AttributeValueMemberS)
		if !ok || !isS {
			continue
		}
		// holdOf: account|booking; ids hold no "|".
		if account, booking, ok := strings.Cut(hold.Value, "|"); ok {
			out = append(out, Hold{OfferingID: o, Account: account, BookingID: booking})
		}
	}
	// By offering, as the markers' keys once ordered them.
	slices.SortFunc(out, func(a, b Hold) int { return strings.Compare(a.OfferingID, b.OfferingID) })
	return out, nil
}

// VerifiedAccounts maps each of identities that is verified to the account
// holding it: one BatchGetItem per 100.
func (st *Store) VerifiedAccounts(ctx context.Context, identities []string) (map[string]string, error) {
	out := map[string]string{}
	ids := slices.Compact(slices.Sorted(slices.Values(identities)))
	for chunk := range slices.Chunk(ids, maxKeysPerGet) {
		keys := make([]map[string]types.AttributeValue, len(chunk))
		for i, h := range chunk {
			keys[i] = key(identityPK(h), skPerson)
		}
		items, err := st.batchGet(ctx, keys)
		if err != nil {
			return nil, err
		}
		for _, m := range items {
			if m["account"] == nil {
				continue // registered, not verified
			}
			var v Verification
			if err := attributevalue.UnmarshalMap(m, &v); err != nil {
				return nil, classify(err)
			}
			out[strings.TrimPrefix(m[attrPK].(*types.AttributeValueMemberS).Value, identityPK(""))] = v.Account
		}
	}
	return out, nil
}

// ParticipantCounts are the city's registered and verified participants.
func (st *Store) ParticipantCounts(ctx context.Context) (registered, verified int, err error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(pkCityPeople, skCityPeople)})
	if err != nil {
		return 0, 0, classify(err)
	}
	var c struct {
		Registered int `dynamodbav:"registered"`
		Verified   int `dynamodbav:"verified"`
	}
	if err := attributevalue.UnmarshalMap(out.Item, &c); err != nil {
		return 0, 0, classify(err)
	}
	return c.Registered, c.Verified, nil
}

// PutAudit records an action that changes nothing in the table (a roster
// viewed or downloaded) on its own.
func (st *Store) PutAudit(ctx context.Context, a AuditEntry) error {
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: st.auditPut(a).Put.Item})
	return classify(err)
}
