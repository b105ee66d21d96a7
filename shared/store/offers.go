package store

import (
	"context"
	"slices"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// Offers with a deadline (contract part 2). An offered booking holds its
// place until offer_expires_at and sits in GSI1 under OFFER_DUE#<shard>,
// sorted by its deadline (offerDueKeys), until the offer ends: accepted,
// declined (cancelled) or expired. The deadline is compared in the writes
// through the GSI1 sort key, whose stamp is fixed-width nanoseconds, so
// "not yet passed" and "passed" are exact string comparisons.

// offerDueBound is the GSI1 sort key below which every offer's deadline is
// at or before now: GSI1SK < bound ⇔ the deadline has passed by now.
func offerDueBound(now time.Time) string { return stampKey(now.UnixNano() + 1) }

// offerItems offer the waitlisted booking w a place until until: the
// booking becomes offered (it must still be waiting) with its deadline and
// its keys in the index of offers by deadline, and leaves the line.
func (st *Store) offerItems(offeringID string, w allocation.Waiting, until, now time.Time) []types.TransactWriteItem {
	pk, sk := offerDueKeys(w.BookingID, until)
	return []types.TransactWriteItem{
		{Update: &types.Update{
			TableName: &st.table, Key: key(accountPK(w.Account), prefixBooking+w.BookingID),
			UpdateExpression: aws.String("SET #status = :offered, updated_at = :now, offer_expires_at = :until, " +
				attrGSI1PK + " = :duepk, " + attrGSI1SK + " = :duesk"),
			ConditionExpression:      aws.String("#status = :waitlisted"),
			ExpressionAttributeNames: map[string]string{"#status": "status"},
			ExpressionAttributeValues: map[string]types.AttributeValue{
				":offered": s(string(domain.BookingOffered)), ":waitlisted": s(string(domain.BookingWaitlisted)),
				":now": s(utc(now)), ":until": s(utc(until)), ":duepk": s(pk), ":duesk": s(sk),
			},
		}},
		{Delete: &types.Delete{
			TableName: &st.table, Key: key(offeringPK(offeringID), waitSK(w.Stamp, w.Group, w.BookingID)),
			ConditionExpression: aws.String("attribute_exists(PK)"),
		}},
	}
}

// AcceptOffer confirms the offered booking b in one TransactWriteItems
// with the policy's change c to its offering (allocation.HoldOffers.Accept)
// and c's notices: the booking must still be offered and its deadline not
// passed by now, and it leaves the index of offers by deadline. Any
// failure is ErrContention: read again, and decide from what the booking
// then says (accepted already, expired, past its deadline).
func (st *Store) AcceptOffer(ctx context.Context, b domain.Booking, c allocation.Change, now time.Time, audit ...AuditEntry) error {
	var t txn
	t.add(contended, types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: key(accountPK(b.Account), prefixBooking+b.ID),
		UpdateExpression:         aws.String("SET #status = :confirmed, updated_at = :now REMOVE " + attrGSI1PK + ", " + attrGSI1SK),
		ConditionExpression:      aws.String("#status = :offered AND " + attrGSI1SK + " >= :due"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":confirmed": s(string(domain.BookingConfirmed)), ":offered": s(string(domain.BookingOffered)),
			":now": s(utc(now)), ":due": s(offerDueBound(now)),
		},
	}})
	st.applyChange(&t, b.OfferingID, c, now)
	for _, a := range audit { // accepted at a centre's counter
		t.add(unconditional, st.auditPut(a))
	}
	return st.transact(ctx, &t)
}

// Offer is an offered booking as the expiry job reads it: the booking
// without its participant's personal data (the job needs none, so it
// holds no key to open it), and whether it was warned of its deadline.
type Offer struct {
	domain.Booking
	Warned bool
}

func unmarshalOffer(m map[string]types.AttributeValue) (Offer, error) {
	var it struct {
		bookingItem
		OfferWarned string `dynamodbav:"offer_warned"`
	}
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return Offer{}, classify(err)
	}
	return Offer{Booking: it.booking(personal{}), Warned: it.OfferWarned != ""}, nil
}

// OffersDue are the offers whose deadline is at or before until, earliest
// first within each shard: one Query of GSI1 per shard. Only offered
// bookings have the keys (they leave with the offer), but the index is
// eventually consistent: the writes' conditions decide.
func (st *Store) OffersDue(ctx context.Context, until time.Time) ([]Offer, error) {
	var out []Offer
	for shard := range OfferDueShards {
		p := partition{index: indexGSI1, pk: prefixOfferDue + strconv.Itoa(shard), from: stampKey(0), to: offerDueBound(until)}
		err := st.queryAll(ctx, p, func(m map[string]types.AttributeValue) error {
			o, err := unmarshalOffer(m)
			out = append(out, o)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// GetOffer reads one booking, strongly consistently, as OffersDue does.
func (st *Store) GetOffer(ctx context.Context, account, id string) (Offer, error) {
	return get(ctx, st, key(accountPK(account), prefixBooking+id), "booking", unmarshalOffer)
}

// WarnOffer marks the offered booking b warned and writes n (its
// offer_expiring notice) in one transaction, on condition that b is still
// offered and not yet warned: so a resident is warned once. Any failure is
// ErrContention (warned already, or the offer ended meanwhile).
func (st *Store) WarnOffer(ctx context.Context, b domain.Booking, n notices.Notice, now time.Time) error {
	var t txn
	t.add(contended, types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: key(accountPK(b.Account), prefixBooking+b.ID),
		UpdateExpression:          aws.String("SET offer_warned = :now"),
		ConditionExpression:       aws.String("#status = :offered AND attribute_not_exists(offer_warned)"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":offered": s(string(domain.BookingOffered)), ":now": s(utc(now))},
	}})
	t.add(contended, st.noticePut(n))
	return st.transact(ctx, &t)
}

// Freed is what ending b at now does to its offering, as b's allocation
// policy decides (allocation.Freed) from as much of the line (without b)
// and of the offering as it sees, read here: the change to write with the
// ending (EndBooking). Cancelling, declining and expiring share it, so a
// freed place goes the same way whoever ends the booking.
func (st *Store) Freed(ctx context.Context, b domain.Booking, now time.Time) (allocation.Change, error) {
	return allocation.Freed(allocation.OfBooking(b), b.Status, func(n int) ([]allocation.Waiting, error) {
		line, err := st.Waiters(ctx, b.OfferingID, n)
		return slices.DeleteFunc(line, func(w allocation.Waiting) bool { return w.BookingID == b.ID }), err
	}, func() (domain.Offering, error) {
		return st.GetOffering(ctx, b.OfferingID)
	}, notices.New(notices.Promoted, now).About(b))
}
