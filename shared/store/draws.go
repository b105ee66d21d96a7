package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
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
