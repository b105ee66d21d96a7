package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// A verified identity belongs to the account whose participant centre staff
// checked against a document: VERIFIED, under the identity's partition, says
// who holds it now, written once by VerifyIdentity. Registering and booking
// check it in their own transactions, so a write racing a verification
// either lands before it (and is cancelled by it) or is refused. The other
// accounts' bookings it cancels are found from the holds on the
// identity's TERM# items; no list of the accounts that registered the identity is kept
// (nothing would read it, and every item slows the embedded DynamoDB's
// transactions).
const (
	skVerified       = "VERIFIED"
	pkCityPeople     = "CITY#PARTICIPANTS"
	skCityPeople     = "COUNT"
	maxKeysPerGet    = 100 // BatchGetItem's limit
	verifiedHolderIs = "attribute_not_exists(PK) OR account = :account"
)

// verifiedCheck is a transaction item that fails unless the identity is
// unverified or verified by account.
func (st *Store) verifiedCheck(identity, account string) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: &st.table, Key: key(identityPK(identity), skVerified),
		ConditionExpression:       aws.String(verifiedHolderIs),
		ExpressionAttributeValues: map[string]types.AttributeValue{":account": s(account)},
	}}
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
// CreateParticipant's transaction: a refusal when another account verified
// the identity, and one more registered person for the city.
func (st *Store) registryItems(t *txn, p domain.Participant) {
	t.add(checks(domain.RuleVerifiedElsewhere, domain.Facts{}), st.verifiedCheck(p.Identity, p.Account))
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
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(identityPK(identity), skVerified), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, classify(err)
	}
	if out.Item == nil {
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
// against a document for v's participant: the VERIFIED item (only if the
// identity has none: a lost race returns ErrContention, and reading again
// finds who won), the participant's verified_at, the audit record and one
// more verified person for the city.
func (st *Store) VerifyIdentity(ctx context.Context, identity string, v Verification, a AuditEntry) error {
	v.At = utc(v.VerifiedAt)
	item, err := attributevalue.MarshalMap(v)
	if err != nil {
		return classify(err)
	}
	item[attrPK], item[attrSK], item["type"] = s(identityPK(identity)), s(skVerified), s("verification")
	var t txn
	t.add(contended, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
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

// Hold is one active booking of an identity, from its term item's holds.
type Hold struct {
	OfferingID string
	BookingID  string
	Account    string
}

// HoldsOf are an identity's active bookings in every account: one strongly
// consistent Query of its TERM# items, whose held#<offering> attributes
// every booking sets and every cancellation removes in its own
// transaction.
func (st *Store) HoldsOf(ctx context.Context, identity string) ([]Hold, error) {
	var out []Hold
	err := st.queryAll(ctx, partition{pk: identityPK(identity), prefix: prefixTerm}, func(m map[string]types.AttributeValue) error {
		for name, v := range m {
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
		return nil
	}, consistent)
	// By offering, as the markers' keys once ordered them.
	slices.SortFunc(out, func(a, b Hold) int { return strings.Compare(a.OfferingID, b.OfferingID) })
	return out, err
}

// VerifiedAccounts maps each of identities that is verified to the account
// holding it: one BatchGetItem per 100.
func (st *Store) VerifiedAccounts(ctx context.Context, identities []string) (map[string]string, error) {
	out := map[string]string{}
	ids := slices.Compact(slices.Sorted(slices.Values(identities)))
	for chunk := range slices.Chunk(ids, maxKeysPerGet) {
		keys := make([]map[string]types.AttributeValue, len(chunk))
		for i, h := range chunk {
			keys[i] = key(identityPK(h), skVerified)
		}
		items, err := st.batchGet(ctx, keys)
		if err != nil {
			return nil, err
		}
		for _, m := range items {
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
