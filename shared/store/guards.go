package store

import (
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/allocation"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/metrics"
)

// The offering item's attribute for each counter a guard tests ("capacity"
// is a reserved word, so it goes by a name placeholder).
var counterAttrs = map[allocation.Counter]string{
	allocation.Capacity:   "#capacity",
	allocation.Confirmed:  "confirmed",
	allocation.Waitlisted: "waitlisted",
	allocation.Offered:    "offered",
}

// applyChange adds to t the write of an allocation change c to its
// offering: the offering's counters under c's guard, then everything else
// c writes (changeItems).
func (st *Store) applyChange(t *txn, offeringID string, c allocation.Change, now time.Time) {
	t.add(contended, types.TransactWriteItem{Update: st.offeringUpdate(offeringID, c, utc(now))})
	st.changeItems(t, offeringID, c, now)
}

// changeItems adds to t what an allocation change writes besides the
// offering item: the waiting bookings it confirms or offers a place, and
// the notices it announces (the outbox). Every write of a Change goes
// through here, so a change and its notices land together or not at all. A
// notice already there (its id made from what it announces) means the
// change was already written meanwhile: read again.
func (st *Store) changeItems(t *txn, offeringID string, c allocation.Change, now time.Time) {
	for _, w := range c.Promote {
		t.add(contended, st.promoteItems(offeringID, w, now)...)
		t.count(metrics.Promotions, metrics.Dim{Name: "To", Value: string(domain.BookingConfirmed)})
	}
	for _, w := range c.Offer {
		t.add(contended, st.offerItems(offeringID, w, c.OfferUntil, now)...)
		t.count(metrics.Promotions, metrics.Dim{Name: "To", Value: string(domain.BookingOffered)})
		t.count(metrics.OffersMade, metrics.Dim{})
	}
	for _, nt := range c.Notices {
		t.add(contended, st.noticePut(nt))
	}
}

// offeringUpdate is the write of an allocation change to the offering item:
// its counters moved by c, on condition that c's guard holds. It knows no
// rule: the policy said what must hold.
func (st *Store) offeringUpdate(offeringID string, c allocation.Change, now string) *types.Update {
	names := map[string]string{}
	values := map[string]types.AttributeValue{}
	var set []string
	for _, d := range []struct {
		attr  string
		delta int
	}{{"confirmed", c.Confirmed}, {"waitlisted", c.Waitlisted}, {"offered", c.Offered}} {
		// offered came with offers (issue 13): an offering written before
		// has none, which counts as 0.
		from := d.attr
		if d.attr == "offered" && d.delta != 0 {
			from, values[":zero"] = "if_not_exists(offered, :zero)", n(0)
		}
		switch {
		case d.delta > 0:
			set = append(set, d.attr+" = "+from+" + :d"+d.attr)
			values[":d"+d.attr] = n(int64(d.delta))
		case d.delta < 0:
			set = append(set, d.attr+" = "+from+" - :d"+d.attr)
			values[":d"+d.attr] = n(int64(-d.delta))
		}
	}
	if c.Fills {
		set = append(set, "full_at = if_not_exists(full_at, :now)")
		values[":now"] = s(now)
	}
	u := &types.Update{
		TableName: &st.table, Key: key(offeringPK(offeringID), skOffering),
		UpdateExpression:          aws.String("SET " + strings.Join(set, ", ")),
		ExpressionAttributeValues: values,
	}
	if cond := guardCondition(c.Guard, names, values); cond != "" {
		u.ConditionExpression = aws.String(cond)
	}
	if len(names) > 0 {
		u.ExpressionAttributeNames = names
	}
	return u
}

// guardCondition is g as a condition expression on the offering item,
// adding its names and values.
func guardCondition(g allocation.Guard, names map[string]string, values map[string]types.AttributeValue) string {
	var all []string
	if g.Status != "" {
		names["#status"] = "status"
		values[":gstatus"] = s(string(g.Status))
		all = append(all, "#status = :gstatus")
	}
	if g.Status == domain.OfferingPublished {
		// A new place (a booking, first come or off the line) needs the
		// centre not suspended: the flag is on the offering, so a booking
		// racing a suspension either lands first (and stands) or fails
		// here, without the booking reading the centre (issue 19).
		all = append(all, "attribute_not_exists(centre_suspended)")
	}
	if g.WaitlistOpen {
		values[":gtrue"] = &types.AttributeValueMemberBOOL{Value: true}
		all = append(all, "waitlist_enabled = :gtrue")
	}
	fact := func(f allocation.Fact) string {
		lhs := counterAttrs[f.Counter]
		if f.Counter == allocation.Capacity {
			names["#capacity"] = "capacity"
		}
		if f.Than != "" {
			if f.Than == allocation.Capacity {
				names["#capacity"] = "capacity"
			}
			return lhs + " " + string(f.Op) + " " + counterAttrs[f.Than]
		}
		v := ":g" + strconv.Itoa(len(values))
		values[v] = n(int64(f.Value))
		return lhs + " " + string(f.Op) + " " + v
	}
	for _, f := range g.All {
		all = append(all, fact(f))
	}
	if len(g.Any) > 0 {
		var any []string
		for _, f := range g.Any {
			any = append(any, fact(f))
		}
		all = append(all, "("+strings.Join(any, " OR ")+")")
	}
	return strings.Join(all, " AND ")
}
