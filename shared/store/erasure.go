package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// personalAttributes are every attribute of a participant or booking item
// that says who the person is. Erasing removes exactly these, so a field
// that comes to carry personal data is added here once.
var personalAttributes = []string{attrPersonal, "identity",
	// Items written before personal fields were sealed carried them in the clear.
	"name", "birth_date", "id_number_last4", "participant_name"}

// ParticipantBookings reads every booking of one of the account's
// participants that still carries personal data (every page).
func (st *Store) ParticipantBookings(ctx context.Context, account, participantID string) ([]domain.Booking, error) {
	all, err := st.AccountBookings(ctx, account)
	var out []domain.Booking
	for _, b := range all {
		if b.ParticipantID == participantID {
			out = append(out, b)
		}
	}
	return out, err
}

// OfferingEnds is the last day of each offering named (an unknown one is
// absent): one BatchGetItem per 100.
func (st *Store) OfferingEnds(ctx context.Context, ids []string) (map[string]string, error) {
	os, err := st.OfferingsByID(ctx, ids)
	ends := map[string]string{}
	for id, o := range os {
		ends[id] = o.EndsOn
	}
	return ends, err
}

// EraseBooking takes the personal data out of a booking that is no longer
// active (cancelled, or of an offering that has ended): the name, birth
// date, last four characters and identity go, the booking stays for the
// city's figures and the roster's counts, marked erased_at, and leaves the
// resident's lists. Its hold on the identity's person item (the
// one-per-offering marker) for an ended offering goes too, when it is this
// booking's. Each step can be repeated.
func (st *Store) EraseBooking(ctx context.Context, b domain.Booking, now time.Time) error {
	if b.Status.Active() && b.Identity != "" {
		// Its hold leaves the person item, which stays small with it; the
		// count stays (the booking still counts against its person's term).
		_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &st.table, Key: key(identityPK(b.Identity), skPerson),
			UpdateExpression:          aws.String("REMOVE #held"),
			ConditionExpression:       aws.String("#held = :hold"),
			ExpressionAttributeNames:  map[string]string{"#held": heldAttr(b.OfferingID)},
			ExpressionAttributeValues: map[string]types.AttributeValue{":hold": s(holdOf(b))},
		})
		if err != nil && !isConditionFailed(err) {
			return classify(err)
		}
	}
	update, names := removePersonal()
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(accountPK(b.Account), prefixBooking+b.ID),
		UpdateExpression:          aws.String(update + " SET erased_at = if_not_exists(erased_at, :now)"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames:  names,
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": s(utc(now))},
	})
	if isConditionFailed(err) {
		return nil // not there: nothing to erase
	}
	return classify(err)
}

// removePersonal is the REMOVE clause of every personal attribute.
func removePersonal() (string, map[string]string) {
	names := map[string]string{}
	clause := "REMOVE "
	for i, a := range personalAttributes {
		n := "#p" + strconv.Itoa(i)
		names[n] = a
		if i > 0 {
			clause += ", "
		}
		clause += n
	}
	return clause, names
}

// errGone: the participant was deleted by another erasure meanwhile.
var errGone = fmt.Errorf("store: participant already erased")

// DeleteParticipant is an erasure's last step, once the participant's
// bookings are erased: in one transaction the participant item, its
// identity marker in the account, its name on the identity's person item
// (and the identity's verification when it is this participant's), and the
// city's participant counts going down with them. A participant already
// gone is not an error: the step is done.
func (st *Store) DeleteParticipant(ctx context.Context, p domain.Participant) error {
	var person map[string]types.AttributeValue
	verified := false
	if p.Identity != "" {
		out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(identityPK(p.Identity), skPerson), ConsistentRead: aws.Bool(true)})
		if err != nil {
			return classify(err)
		}
		person = out.Item
		var v struct {
			Account       string `dynamodbav:"account"`
			ParticipantID string `dynamodbav:"participant_id"`
		}
		if person != nil {
			if err := attributevalue.UnmarshalMap(person, &v); err != nil {
				return classify(err)
			}
			verified = v.Account == p.Account && v.ParticipantID == p.ID
		}
	}
	var t txn
	t.add(onFail{outcome: errGone}, types.TransactWriteItem{Delete: &types.Delete{
		TableName: &st.table, Key: key(accountPK(p.Account), prefixPart+p.ID), ConditionExpression: aws.String("attribute_exists(PK)"),
	}})
	count := &types.Update{
		TableName: &st.table, Key: key(pkCityPeople, skCityPeople),
		UpdateExpression:          aws.String("ADD registered :minus"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":minus": n(-1)},
	}
	if p.Identity != "" {
		t.add(unconditional,
			types.TransactWriteItem{Delete: &types.Delete{TableName: &st.table, Key: key(accountPK(p.Account), prefixPartID+p.Identity)}})
	}
	if person != nil {
		// One participant of an identity an account (its marker, deleted
		// here), so the account's live# is this participant's, if any.
		off := st.personLive(p.Identity, p.Account, p.ID, true)
		if verified {
			// The verification must still be this participant's: if it
			// changed meanwhile, read again.
			for i, attr := range verificationAttrs {
				k := "#v" + strconv.Itoa(i)
				off.Update.ExpressionAttributeNames[k] = attr
				*off.Update.UpdateExpression += ", " + k
			}
			off.Update.ConditionExpression = aws.String("account = :a AND participant_id = :p")
			off.Update.ExpressionAttributeValues = map[string]types.AttributeValue{":a": s(p.Account), ":p": s(p.ID)}
			count.UpdateExpression = aws.String("ADD registered :minus, verified :minus")
			t.add(contended, off)
		} else {
			t.add(unconditional, off)
		}
	}
	t.add(unconditional, types.TransactWriteItem{Update: count})
	err := st.transact(ctx, &t)
	if err == errGone {
		return nil
	}
	return err
}

// Consent is a guardian's consent record: kept after the child's data is
// erased, as proof of what was agreed and when. It holds no name or identity.
type Consent struct {
	ParticipantID string `json:"participant_id" dynamodbav:"participant_id"`
	NoticeVersion string `json:"notice_version" dynamodbav:"notice_version"`
	AgreedAt      string `json:"agreed_at" dynamodbav:"agreed_at"`
	WithdrawnAt   string `json:"withdrawn_at,omitempty" dynamodbav:"withdrawn_at,omitempty"`
}

// GetConsent reads the consent record of one of the account's participants.
func (st *Store) GetConsent(ctx context.Context, account, participantID string) (Consent, error) {
	return get(ctx, st, key(accountPK(account), prefixConsent+participantID), "participant", func(m map[string]types.AttributeValue) (Consent, error) {
		var c Consent
		return c, classify(attributevalue.UnmarshalMap(m, &c))
	})
}

// WithdrawConsent marks a consent record withdrawn, once: a repeat keeps
// the first time.
func (st *Store) WithdrawConsent(ctx context.Context, account, participantID string, now time.Time) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(accountPK(account), prefixConsent+participantID),
		UpdateExpression:          aws.String("SET withdrawn_at = if_not_exists(withdrawn_at, :now)"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":now": s(utc(now))},
	})
	if isConditionFailed(err) {
		return notFound("participant")
	}
	return classify(err)
}
