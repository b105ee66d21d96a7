package store

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Releasing holds (issue 17): a booking writes its person's PERSON item,
// which costs 2 write units only under 1 KB, and every active booking
// keeps a held#<offering> there. Once the offering has ended no booking of
// it can be made (booking closes before its first day, and its days never
// move), so the one-per-offering rule has nothing left to guard: a daily
// pass (shared/holds, run by the retention job) takes the hold off, and
// with it any no-show block whose last day has passed. Every removal is
// conditional on what it removes still being there as read, so a
// concurrent write is never undone. The term counts stay (DESIGN.md, "How
// big the person item gets").
const (
	// attrHoldsReleased, on an offering's listing item (so the city
	// index shows it), is the day its holds were released.
	attrHoldsReleased = "holds_released_on"
	// pkHoldsReleased/<kind>: through, the day before which every
	// offering of the kind has been released.
	pkHoldsReleased = "HOLDS_RELEASED"
)

// EndedOffering is an offering of the city index that has ended.
type EndedOffering struct {
	ID, EndsOn string
	// Released: its holds were released (by an earlier run).
	Released bool
}

// EndedOfferings hands each, in order of last day, the offerings of kind
// whose last day is on or after from ("": since the first) and before
// today: the city index (GSI3, keyed by last day), 100 a Query, projected
// to ids and the mark. It stops when each answers false.
func (st *Store) EndedOfferings(ctx context.Context, kind domain.Kind, from, today string, each func(EndedOffering) (bool, error)) error {
	// "<today>" sorts before every "<today>#…": the key range ends with
	// yesterday's.
	q := st.query(partition{index: indexGSI3, pk: cityPK(kind), from: from, to: today}, func(q *dynamodb.QueryInput) {
		q.ProjectionExpression = aws.String("id, GSI3SK, " + attrHoldsReleased)
		q.Limit = aws.Int32(100)
	})
	if from == "" {
		q.KeyConditionExpression = aws.String("GSI3PK = :pk AND GSI3SK < :to")
		q.ExpressionAttributeValues[":to"] = s(today)
	}
	for {
		out, err := st.db.Query(ctx, q)
		if err != nil {
			return classify(err)
		}
		for _, m := range out.Items {
			var e struct {
				ID       string `dynamodbav:"id"`
				SK       string `dynamodbav:"GSI3SK"`
				Released string `dynamodbav:"holds_released_on"`
			}
			if err := attributevalue.UnmarshalMap(m, &e); err != nil {
				return classify(err)
			}
			endsOn, _, _ := strings.Cut(e.SK, "#")
			goOn, err := each(EndedOffering{ID: e.ID, EndsOn: endsOn, Released: e.Released != ""})
			if err != nil || !goOn {
				return err
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		q.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// HeldBooking is an active booking that names its person: what holds its
// offering on the person's PERSON item.
type HeldBooking struct {
	ID       string `dynamodbav:"id"`
	Account  string `dynamodbav:"account"`
	Identity string `dynamodbav:"identity"`
	Status   string `dynamodbav:"status"`
}

// RosterHolds are an offering's active bookings that name their person,
// from its roster (GSI2, one Query per megabyte), projected to ids: the
// job opens nothing sealed. (An erased booking names no person: its hold
// left with its erasure.)
func (st *Store) RosterHolds(ctx context.Context, offeringID string) ([]HeldBooking, error) {
	var out []HeldBooking
	err := st.queryAll(ctx, partition{index: indexGSI2, pk: prefixRoster + offeringID}, func(m map[string]types.AttributeValue) error {
		var h HeldBooking
		if err := attributevalue.UnmarshalMap(m, &h); err != nil {
			return err
		}
		if domain.BookingStatus(h.Status).Active() && h.Identity != "" {
			out = append(out, h)
		}
		return nil
	}, func(q *dynamodb.QueryInput) {
		q.ProjectionExpression = aws.String("id, account, #identity, #status")
		q.ExpressionAttributeNames = map[string]string{"#status": "status", "#identity": "identity"}
	})
	return out, err
}

// Released is what ReleaseHold did to one person item.
type Released struct {
	// Hold: the hold was this booking's and is gone; false when it was
	// already gone or is another booking's now (left as it is).
	Hold bool
	// Blocks lifted: no-show blocks whose last day was before today.
	Blocks int
}

// ReleaseHold takes booking b's hold of offeringID off its person's PERSON
// item, on condition that it is still b's (a one-unit UpdateItem; a
// booking of the person made meanwhile keeps its own), then lifts each
// no-show block there whose blocked_until#<kind>#<term> is before today,
// on condition that the day is still the one read. The item is seen from
// the update's answer, or, when the hold was no longer b's (a run
// repeated or resumed), from one eventually consistent read, so a block is
// lifted whichever run gets there.
func (st *Store) ReleaseHold(ctx context.Context, offeringID string, b HeldBooking, today string) (Released, error) {
	var res Released
	k := key(identityPK(b.Identity), skPerson)
	out, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: k,
		UpdateExpression:          aws.String("REMOVE #held"),
		ConditionExpression:       aws.String("#held = :hold"),
		ExpressionAttributeNames:  map[string]string{"#held": heldAttr(offeringID)},
		ExpressionAttributeValues: map[string]types.AttributeValue{":hold": s(b.Account + "|" + b.ID)},
		ReturnValues:              types.ReturnValueAllNew,
	})
	var item map[string]types.AttributeValue
	switch {
	case err == nil:
		res.Hold, item = true, out.Attributes
	case isConditionFailed(err):
		got, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: k})
		if err != nil {
			return res, classify(err)
		}
		item = got.Item
	default:
		return res, classify(err)
	}
	for name, v := range item {
		kt, ok := strings.CutPrefix(name, "blocked_until#")
		until, isS := v.(*types.AttributeValueMemberS)
		if !ok || !isS || until.Value >= today {
			continue
		}
		_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
			TableName: &st.table, Key: k,
			UpdateExpression:    aws.String("REMOVE #until, #n, #because"),
			ConditionExpression: aws.String("#until = :until"),
			ExpressionAttributeNames: map[string]string{"#until": name,
				"#n": "block_absences#" + kt, "#because": "because_of#" + kt},
			ExpressionAttributeValues: map[string]types.AttributeValue{":until": until},
		})
		switch {
		case err == nil:
			res.Blocks++
		case !isConditionFailed(err): // set again meanwhile: it stays
			return res, classify(err)
		}
	}
	return res, nil
}

// MarkHoldsReleased marks offeringID's listing item as released on today
// (holds_released_on), so later runs pass it over; an offering without a
// listing is left alone.
func (st *Store) MarkHoldsReleased(ctx context.Context, offeringID, today string) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(offeringPK(offeringID), skListing),
		UpdateExpression:          aws.String("SET #released = :today"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeNames:  map[string]string{"#released": attrHoldsReleased},
		ExpressionAttributeValues: map[string]types.AttributeValue{":today": s(today)},
	})
	if isConditionFailed(err) {
		return nil
	}
	return classify(err)
}

// HoldsReleasedThrough is the day before which every offering of kind has
// had its holds released ("" before the first run).
func (st *Store) HoldsReleasedThrough(ctx context.Context, kind domain.Kind) (string, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(pkHoldsReleased, string(kind)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return "", classify(err)
	}
	var w struct {
		Through string `dynamodbav:"through"`
	}
	err = attributevalue.UnmarshalMap(out.Item, &w)
	return w.Through, classify(err)
}

// SetHoldsReleasedThrough moves kind's day on to through, never back (two
// runs at once leave the later day).
func (st *Store) SetHoldsReleasedThrough(ctx context.Context, kind domain.Kind, through string) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(pkHoldsReleased, string(kind)),
		UpdateExpression:          aws.String("SET through = :through"),
		ConditionExpression:       aws.String("attribute_not_exists(through) OR through < :through"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":through": s(through)},
	})
	if isConditionFailed(err) {
		return nil
	}
	return classify(err)
}
