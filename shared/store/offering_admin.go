package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// MaxPromotionsPerWrite bounds the waitlisted bookings one capacity change
// confirms in one transaction: three items each (the booking, its place in
// line, its notice) beside the offering, the audit record and the ledger
// entry, within DynamoDB's 100 (3 + 3×32 = 99).
const MaxPromotionsPerWrite = 32

// ListCentreOfferings pages through a centre's offerings in every status, by start date.
func (st *Store) ListCentreOfferings(ctx context.Context, centreID string, page paging.Page) ([]domain.Offering, string, error) {
	var out []domain.Offering
	next, err := st.queryPageOf(ctx, partition{index: indexGSI2, pk: centrePK(centreID), prefix: prefixOffering}, page, false, st.listedOfferings, func(m map[string]types.AttributeValue) (bool, error) {
		o, err := unmarshalOffering(m)
		out = append(out, o)
		return true, err
	})
	return out, next, err
}

// CreateOffering writes a new offering, its audit record and, when it opens
// places, its change-ledger entry in one transaction; a lottery offering's
// draw record (draw) too, so its commitment exists from the start.
func (st *Store) CreateOffering(ctx context.Context, o domain.Offering, a AuditEntry, draw ...DrawRecord) error {
	item, listing, err := st.offeringItems(o)
	if err != nil {
		return err
	}
	var t txn
	t.add(checks(domain.RuleNewOfferingID, domain.Facts{}),
		types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	t.add(unconditional, listing)
	t.add(unconditional, st.auditPut(a))
	if o.Status == domain.OfferingPublished {
		t.add(contended, st.centreActive(o.Centre.ID))
	}
	for _, d := range draw {
		t.add(checks(domain.RuleNewOfferingID, domain.Facts{}), st.drawPut(d))
	}
	if err := st.withChange(&t, domain.Offering{}, o, a.Actor, a.At); err != nil {
		return classify(err)
	}
	return st.transact(ctx, &t)
}

// OfferingChange is an edit decided on from a read of Before.
type OfferingChange struct {
	Before, After domain.Offering
	// Change is the allocation policy's decision on a raised capacity: the
	// heads of the waitlist it confirms and the notices announcing it
	// (After's counters already count them).
	Change allocation.Change
	Audit  AuditEntry
	Now    time.Time
	// Draw, when set, moves a lottery's draw record with its window (only
	// before applications open, so while the draw is committed).
	Draw *DrawTimes
}

// DrawTimes are a lottery's draw time and beacon round after its window moved.
type DrawTimes struct {
	DrawAt time.Time
	Round  uint64
}

// drawMove is the update of the draw record (and its due-index key) to d,
// on condition the draw is still committed.
func (st *Store) drawMove(offeringID string, d DrawTimes) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: key(offeringPK(offeringID), skDraw),
		UpdateExpression:          aws.String("SET draw_at = :at, beacon_round = :r, GSI1SK = :due"),
		ConditionExpression:       aws.String("#status = :committed"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":at": s(utc(d.DrawAt)), ":r": n(int64(d.Round)), ":due": s(drawDueSK(d.DrawAt, offeringID)), ":committed": s(DrawCommitted)},
	}}
}

// UpdateOffering writes an edit, its promotions, its audit record and any
// change in places (to the ledger) in one transaction. The offering is written whole (After, counters included) on
// condition that its status and counters are still Before's, so capacity
// never drops below confirmed, promotions take exactly the head of the line,
// and no booking landing meanwhile is overwritten: a lost race returns
// ErrContention (read again and retry). Its listing item is written with it
// when its index keys change, which moves it in or out of the public index
// in the same step.
func (st *Store) UpdateOffering(ctx context.Context, c OfferingChange) error {
	b := c.Before
	item, err := attributevalue.MarshalMap(offeringToItem(c.After))
	if err != nil {
		return classify(err)
	}
	// The offers too: one accepted or expired meanwhile moves them. An
	// offering written before offers has none, which counts as 0.
	offered := "offered = :o"
	if b.Offered == 0 {
		offered = "(offered = :o OR attribute_not_exists(offered))"
	}
	// The centre's suspension flag too: a suspension (or reinstatement)
	// written meanwhile would be overwritten by this whole write.
	suspended := "attribute_not_exists(centre_suspended)"
	if b.CentreSuspended {
		suspended = "attribute_exists(centre_suspended)"
	}
	var t txn
	t.add(contended, types.TransactWriteItem{Put: &types.Put{
		TableName: &st.table, Item: item,
		ConditionExpression:      aws.String("#status = :status AND confirmed = :c AND waitlisted = :w AND " + offered + " AND " + suspended),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":status": s(string(b.Status)), ":c": n(int64(b.Confirmed)), ":w": n(int64(b.Waitlisted)), ":o": n(int64(b.Offered)),
		},
	}})
	// The listing item only when its keys move (status in or out of
	// published, dates, kind, centre): an edit of places writes no index.
	if offeringListing(b) != offeringListing(c.After) {
		listing, err := st.listingPut(c.After)
		if err != nil {
			return err
		}
		t.add(unconditional, listing)
	}
	st.changeItems(&t, b.ID, c.Change, c.Now)
	if c.After.Status == domain.OfferingPublished && b.Status != domain.OfferingPublished {
		t.add(contended, st.centreActive(b.Centre.ID)) // publishing needs the centre active
	}
	if c.Draw != nil {
		t.add(contended, st.drawMove(b.ID, *c.Draw))
	}
	t.add(unconditional, st.auditPut(c.Audit))
	if err := st.withChange(&t, b, c.After, c.Audit.Actor, c.Now); err != nil {
		return classify(err)
	}
	return st.transact(ctx, &t)
}

// withChange adds the ledger entry of the change in places that writing after
// over before makes, if it makes one: in the same transaction, so the ledger
// records every change exactly once and nothing that did not happen.
func (st *Store) withChange(t *txn, before, after domain.Offering, actor string, at time.Time) error {
	c, ok := cityfigures.ChangeOf(before, after, actor, at)
	if !ok {
		return nil
	}
	put, err := st.ledgerPut(c)
	t.add(unconditional, put)
	return err
}

// RosterPage pages through an offering's bookings in arrival order, from
// the roster index (GSI2): every status, cancelled ones too.
func (st *Store) RosterPage(ctx context.Context, offeringID string, page paging.Page) ([]domain.Booking, string, error) {
	var out []domain.Booking
	next, err := st.queryPage(ctx, partition{index: indexGSI2, pk: prefixRoster + offeringID}, page, false, func(m map[string]types.AttributeValue) (bool, error) {
		b, err := st.unmarshalBooking(ctx, m)
		out = append(out, b)
		return true, err
	})
	return out, next, err
}

// MaxCancelsPerWrite bounds the bookings one transaction of an offering's
// cancellation ends: up to five items each (four to end it, one notice)
// beside the offering's counters, within DynamoDB's 100 (1 + 5×19 = 96).
const MaxCancelsPerWrite = 19

// CancelBookingsOf ends up to MaxCancelsPerWrite active bookings of o,
// which the centre cancelled, with its counters, in one transaction; each
// booking is marked cancelled by the centre with o's reason, and its
// account is told (one offering_cancelled notice each, in the same write).
// A booking that changed meanwhile fails the write: read again and retry.
func (st *Store) CancelBookingsOf(ctx context.Context, o domain.Offering, bs []domain.Booking, now time.Time) error {
	if len(bs) > MaxCancelsPerWrite {
		return fmt.Errorf("store: %d bookings in one cancellation write", len(bs))
	}
	var t txn
	confirmed, waitlisted, offered := 0, 0, 0
	for _, b := range bs {
		t.add(contended, st.cancelItems(b, Ending{By: ByCentre, Reason: o.CancelReason}, now)...)
		t.add(unconditional, st.noticePut(notices.New(notices.OfferingCancelled, now).About(b).OfOffering(o)))
		switch b.Status {
		case domain.BookingConfirmed:
			confirmed++
		case domain.BookingOffered:
			offered++
		default:
			waitlisted++
		}
	}
	t.add(unconditional, types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: key(offeringPK(o.ID), skOffering),
		UpdateExpression: aws.String("SET confirmed = confirmed - :c, waitlisted = waitlisted - :w, offered = if_not_exists(offered, :zero) - :o"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":c": n(int64(confirmed)), ":w": n(int64(waitlisted)), ":o": n(int64(offered)), ":zero": n(0)},
	}})
	return st.transact(ctx, &t)
}
