package store

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// Reminders: the day before an offering first meets, each confirmed
// booking's account is told (notices.Reminder). The booking item records
// the session it was reminded of (reminded_on), written in the same
// transaction as the notice on condition that the booking is still
// confirmed and not yet reminded of that day: running the job twice, or
// again after a crash, tells nobody twice, even after the dispatcher has
// sent and deleted the first notice (which the notice's own condition alone
// could not see).

// Held is a confirmed booking as the reminder job reads it: ids only.
type Held struct {
	BookingID string `dynamodbav:"id"`
	Account   string `dynamodbav:"account"`
	Status    string `dynamodbav:"status"`
}

// ConfirmedBookings are an offering's confirmed bookings, from its roster
// (GSI2, one Query per megabyte), projected to their ids: nothing sealed is
// read, so the job needs no key to open personal data.
func (st *Store) ConfirmedBookings(ctx context.Context, offeringID string) ([]Held, error) {
	var out []Held
	err := st.queryAll(ctx, partition{index: indexGSI2, pk: prefixRoster + offeringID}, func(m map[string]types.AttributeValue) error {
		var h Held
		if err := attributevalue.UnmarshalMap(m, &h); err != nil {
			return err
		}
		if h.Status == string(domain.BookingConfirmed) {
			out = append(out, h)
		}
		return nil
	}, func(q *dynamodb.QueryInput) {
		q.ProjectionExpression = aws.String("id, account, #status")
		q.ExpressionAttributeNames = map[string]string{"#status": "status"}
	})
	return out, err
}

// PutReminder writes reminder n (its BookingID and Account those of a
// confirmed booking, its FirstSession the day it reminds of) with the
// booking's mark, in one transaction. It reports false, and no error, when
// the booking was already reminded of that day or is no longer confirmed.
func (st *Store) PutReminder(ctx context.Context, n notices.Notice) (bool, error) {
	var t txn
	already := onFail{outcome: errAlreadyReminded}
	t.add(already, types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: key(accountPK(n.Account), prefixBooking+n.BookingID),
		UpdateExpression:         aws.String("SET reminded_on = :day"),
		ConditionExpression:      aws.String("#status = :confirmed AND (attribute_not_exists(reminded_on) OR reminded_on <> :day)"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":day": s(n.FirstSession), ":confirmed": s(string(domain.BookingConfirmed)),
		},
	}})
	t.add(already, st.noticePut(n))
	err := st.transact(ctx, &t)
	if errors.Is(err, errAlreadyReminded) {
		return false, nil
	}
	return err == nil, err
}

// errAlreadyReminded: a reminder's condition failed (reminded already, or
// the booking ended); PutReminder answers false for it.
var errAlreadyReminded = errors.New("store: already reminded")
