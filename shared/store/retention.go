package store

import (
	"context"
	"errors"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Retention: every participant item carries retain_until, the first day
// its personal data may be erased (12 months after registering), and the
// same day in the city index (GSI3) under RETENTION, so the daily job finds
// candidates with one Query of a key range, never a scan. A booking does
// not move the day: that would put a write to the one RETENTION partition
// of the index into every booking, the hottest write there is. Instead the
// job, when a participant comes due, reads their bookings and moves the day
// to 12 months after the last offering's end if that is later
// (PostponeRetention). Erasing the participant deletes the item and with it
// the index entry.
const pkRetention = "RETENTION"

// RetentionYears is how long personal data outlives a participant's last
// offering (or registration, for one who never booked).
const RetentionYears = 1

func retainedFrom(t time.Time) string {
	return t.In(domain.CityZone).AddDate(RetentionYears, 0, 0).Format(domain.DateLayout)
}

func retentionSK(until, account, participantID string) string {
	return until + "#" + account + "#" + participantID
}

// participantOnBooking is a draw's or round's booking's check of its
// participant, in its transaction (a resident's booking checks the person
// item instead: personOnBooking): the participant must still be there and not being
// erased, so no booking lands behind an erasure's back. A failed condition
// reads again (and finds the participant gone).
func (st *Store) participantOnBooking(b domain.Booking) types.TransactWriteItem {
	return st.participantLive(b.Account, b.ParticipantID)
}

// participantLive checks that a participant is there and not being erased.
func (st *Store) participantLive(account, participantID string) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{TableName: &st.table,
		Key:                 key(accountPK(account), prefixPart+participantID),
		ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(erasing_at)")}}
}

// RetainedAfter is the first day personal data tied to an offering that
// ends on endsOn (a date) may be erased.
func RetainedAfter(endsOn string) (string, error) {
	t, err := domain.ParseDate(endsOn)
	if err != nil {
		return "", internal(err)
	}
	return retainedFrom(t), nil
}

// PostponeRetention moves a participant's retain_until (and its index
// entry) to until, only later and only while the participant is there and
// not being erased; a participant gone or already kept longer is left as
// it is.
func (st *Store) PostponeRetention(ctx context.Context, account, participantID, until string) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(accountPK(account), prefixPart+participantID),
		UpdateExpression: aws.String("SET retain_until = :due, GSI3PK = :pk, GSI3SK = :sk"),
		ConditionExpression: aws.String("attribute_exists(PK) AND attribute_not_exists(erasing_at) AND " +
			"(attribute_not_exists(retain_until) OR retain_until < :due)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":due": s(until), ":pk": s(pkRetention), ":sk": s(retentionSK(until, account, participantID))},
	})
	if _, refused := errors.AsType[*types.ConditionalCheckFailedException](err); refused {
		return nil
	}
	return classify(err)
}

// Due is a participant whose personal data is due for erasure.
type Due struct {
	Account       string `dynamodbav:"account"`
	ParticipantID string `dynamodbav:"id"`
	RetainUntil   string `dynamodbav:"retain_until"`
}

// DueForErasure lists up to limit participants whose retain_until is
// before today, earliest first: one Query of the city index.
func (st *Store) DueForErasure(ctx context.Context, today string, limit int) ([]Due, error) {
	out, err := st.db.Query(ctx, &dynamodb.QueryInput{
		TableName: &st.table, IndexName: aws.String(indexGSI3),
		KeyConditionExpression:    aws.String("GSI3PK = :pk AND GSI3SK < :today"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(pkRetention), ":today": s(today)},
		Limit:                     aws.Int32(int32(limit)),
	})
	if err != nil {
		return nil, classify(err)
	}
	ds := make([]Due, len(out.Items))
	for i, m := range out.Items {
		if err := attributevalue.UnmarshalMap(m, &ds[i]); err != nil {
			return nil, classify(err)
		}
	}
	return ds, nil
}

// MarkErasing starts a participant's erasure: from here no booking for it
// can be written (participantOnBooking, and the person item's live# that
// leaves with the mark: personOnBooking), so the bookings read after it are
// all there will be. A participant already gone is not_found.
func (st *Store) MarkErasing(ctx context.Context, account, participantID string, now time.Time) error {
	return st.setErasing(ctx, account, participantID, "SET erasing_at = if_not_exists(erasing_at, :now)", map[string]types.AttributeValue{":now": s(utc(now))}, true)
}

// UnmarkErasing ends an erasure that was refused after its mark.
func (st *Store) UnmarkErasing(ctx context.Context, account, participantID string) error {
	return st.setErasing(ctx, account, participantID, "REMOVE erasing_at", nil, false)
}

// setErasing updates the participant and, in the same transaction, its
// name on its identity's person item (taken off while erasing, put back
// when the erasure is refused). The identity is read first: a participant
// keeps its identity until deleted, which the write's condition checks.
func (st *Store) setErasing(ctx context.Context, account, participantID, update string, values map[string]types.AttributeValue, erasing bool) error {
	k := key(accountPK(account), prefixPart+participantID)
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: k, ConsistentRead: aws.Bool(true),
		ProjectionExpression: aws.String("#identity"), ExpressionAttributeNames: map[string]string{"#identity": "identity"}})
	if err != nil {
		return classify(err)
	}
	if out.Item == nil {
		return notFound("participant")
	}
	var p struct {
		Identity string `dynamodbav:"identity"`
	}
	if err := attributevalue.UnmarshalMap(out.Item, &p); err != nil {
		return classify(err)
	}
	var t txn
	t.add(onFail{outcome: notFound("participant")}, types.TransactWriteItem{Update: &types.Update{TableName: &st.table, Key: k,
		UpdateExpression: aws.String(update), ConditionExpression: aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: values,
	}})
	if p.Identity != "" {
		t.add(unconditional, st.personLive(p.Identity, account, participantID, erasing))
	}
	return st.transact(ctx, &t)
}
