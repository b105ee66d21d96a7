package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

type centreItem struct {
	PK, SK, GSI1PK, GSI1SK string
	Type                   string   `dynamodbav:"type"`
	ID                     string   `dynamodbav:"id"`
	Name                   string   `dynamodbav:"name"`
	District               string   `dynamodbav:"district"`
	Address                string   `dynamodbav:"address"`
	Phone                  string   `dynamodbav:"phone"`
	Kinds                  []string `dynamodbav:"kinds,stringset,omitempty"`
	// Issue 19: the registry. A centre written before has no status and
	// reads as active; no updated_at, which UpdateCentre's condition allows.
	LicenceNo       string   `dynamodbav:"licence_no,omitempty"`
	Lat             *float64 `dynamodbav:"lat,omitempty"`
	Lng             *float64 `dynamodbav:"lng,omitempty"`
	Status          string   `dynamodbav:"status,omitempty"`
	SuspendedReason string   `dynamodbav:"suspended_reason,omitempty"`
	SuspendedAt     string   `dynamodbav:"suspended_at,omitempty"`
	CreatedAt       string   `dynamodbav:"created_at,omitempty"`
	UpdatedAt       string   `dynamodbav:"updated_at,omitempty"`
}

func centreToItem(c domain.Centre) centreItem {
	it := centreItem{
		PK: centrePK(c.ID), SK: skCentre, GSI1PK: gsiAllCentres, GSI1SK: string(c.District) + "#" + c.ID,
		Type: "centre", ID: c.ID, Name: c.Name, District: string(c.District), Address: c.Address, Phone: c.Phone,
		LicenceNo: c.LicenceNo, Status: string(c.Status), SuspendedReason: c.SuspendedReason,
		SuspendedAt: utcOrEmpty(c.SuspendedAt), CreatedAt: utcOrEmpty(c.CreatedAt), UpdatedAt: utcOrEmpty(c.UpdatedAt),
	}
	if c.Location != nil {
		it.Lat, it.Lng = &c.Location.Lat, &c.Location.Lng
	}
	for _, k := range c.Kinds {
		it.Kinds = append(it.Kinds, string(k))
	}
	return it
}

func (it centreItem) centre() domain.Centre {
	c := domain.Centre{ID: it.ID, Name: it.Name, District: domain.District(it.District), Address: it.Address, Phone: it.Phone, Kinds: []domain.Kind{},
		LicenceNo: it.LicenceNo, Status: domain.CentreStatus(it.Status), SuspendedReason: it.SuspendedReason,
		SuspendedAt: cityTimeOrNil(it.SuspendedAt), CreatedAt: cityTimeOrNil(it.CreatedAt), UpdatedAt: cityTimeOrNil(it.UpdatedAt)}
	if c.Status == "" {
		c.Status = domain.CentreActive // the seed's centres, from before the registry
	}
	if it.Lat != nil && it.Lng != nil {
		c.Location = &domain.Location{Lat: *it.Lat, Lng: *it.Lng}
	}
	for _, k := range domain.Kinds { // a string set has no order; show the kinds in a fixed one
		for _, have := range it.Kinds {
			if have == string(k) {
				c.Kinds = append(c.Kinds, k)
			}
		}
	}
	return c
}

func cityTimeOrNil(s string) *time.Time {
	t := timeOrNil(s)
	if t != nil {
		z := t.In(domain.CityZone)
		t = &z
	}
	return t
}

// PutCentre writes a centre; with onlyIfNew an existing one is kept.
func (st *Store) PutCentre(ctx context.Context, c domain.Centre, onlyIfNew bool) error {
	return st.put(ctx, centreToItem(c), onlyIfNew)
}

// CreateCentre registers a new centre with its audit record, in one
// transaction, on condition that its id is new (ErrContention otherwise:
// the caller makes another id).
func (st *Store) CreateCentre(ctx context.Context, c domain.Centre, a AuditEntry) error {
	item, err := attributevalue.MarshalMap(centreToItem(c))
	if err != nil {
		return classify(err)
	}
	var t txn
	t.add(contended, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	t.add(unconditional, st.auditPut(a))
	return st.transact(ctx, &t)
}

// UpdateCentre writes after over before, with its audit record, on
// condition that the centre is still as read (its status and updated_at;
// a centre from before the registry has neither): an edit or a suspension
// landing meanwhile makes it ErrContention (read again and retry), so no
// change is lost and a status moves only from the one it was read in.
func (st *Store) UpdateCentre(ctx context.Context, before, after domain.Centre, a AuditEntry) error {
	item, err := attributevalue.MarshalMap(centreToItem(after))
	if err != nil {
		return classify(err)
	}
	names := map[string]string{"#status": "status"}
	values := map[string]types.AttributeValue{}
	cond := "attribute_exists(PK) AND "
	if before.UpdatedAt == nil {
		cond += "attribute_not_exists(updated_at)"
	} else {
		cond += "updated_at = :u"
		values[":u"] = s(utc(*before.UpdatedAt))
	}
	if before.Status == domain.CentreActive {
		cond += " AND (attribute_not_exists(#status) OR #status = :st)"
	} else {
		cond += " AND #status = :st"
	}
	values[":st"] = s(string(before.Status))
	var t txn
	t.add(contended, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item,
		ConditionExpression: aws.String(cond), ExpressionAttributeNames: names, ExpressionAttributeValues: values}})
	t.add(unconditional, st.auditPut(a))
	return st.transact(ctx, &t)
}

// centreActive checks, in a publishing write, that the offering's centre is
// active (or from before the registry): a suspension written meanwhile
// fails the publishing (ErrContention; read again, then 409
// centre_not_active), so no offering is published unflagged after its
// centre's suspension was written.
func (st *Store) centreActive(centreID string) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: &st.table, Key: key(centrePK(centreID), skCentre),
		ConditionExpression:       aws.String("attribute_not_exists(#status) OR #status = :active"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":active": s(string(domain.CentreActive))},
	}}
}

// MaxFlagsPerWrite bounds the offerings one write of a suspension or
// reinstatement flags: three items each (the offering, its ledger entry,
// its audit record) beside the check of the centre, within DynamoDB's 100.
const MaxFlagsPerWrite = 30

// FlagCentreOfferings sets (suspended) or clears each offering's
// centre_suspended flag, with its audit record and, where its places
// change, its ledger entry (reason centre_suspended or centre_reinstated),
// in one transaction, on condition that the centre is (suspended) or is not
// (reinstated) suspended. Each offering's status, capacity and flag must
// still be those read, else ErrContention: read again. All of os are of one
// centre. The counters are not
// conditioned on: bookings go on meanwhile, and the flag is an update, not
// a whole write.
func (st *Store) FlagCentreOfferings(ctx context.Context, os []domain.Offering, suspended bool, actor string, at time.Time) error {
	if len(os) > MaxFlagsPerWrite {
		return fmt.Errorf("store: %d offerings in one flag write", len(os))
	}
	if len(os) == 0 {
		return nil
	}
	action, update, cond := "offering.centre_reinstated", "REMOVE centre_suspended", "attribute_exists(centre_suspended)"
	values := func(o domain.Offering) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{":st": s(string(o.Status)), ":cap": n(int64(o.Capacity))}
	}
	if suspended {
		action, update, cond = "offering.centre_suspended", "SET centre_suspended = :t", "attribute_not_exists(centre_suspended)"
	}
	var t txn
	// The centre must still be in the status the flags follow: a
	// suspension and a reinstatement overlapping cannot leave an active
	// centre's offerings flagged, or a suspended one's open.
	centreStatus := types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: &st.table, Key: key(centrePK(os[0].Centre.ID), skCentre),
		ConditionExpression:       aws.String("#status = :suspended"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":suspended": s(string(domain.CentreSuspended))},
	}}
	if !suspended {
		centreStatus = st.centreActive(os[0].Centre.ID)
	}
	t.add(contended, centreStatus)
	for _, o := range os {
		v := values(o)
		if suspended {
			v[":t"] = &types.AttributeValueMemberBOOL{Value: true}
		}
		t.add(contended, types.TransactWriteItem{Update: &types.Update{
			TableName: &st.table, Key: key(offeringPK(o.ID), skOffering),
			UpdateExpression:          aws.String(update),
			ConditionExpression:       aws.String("#status = :st AND #capacity = :cap AND " + cond),
			ExpressionAttributeNames:  map[string]string{"#status": "status", "#capacity": "capacity"},
			ExpressionAttributeValues: v,
		}})
		after := o
		after.CentreSuspended = suspended
		t.add(unconditional, st.auditPut(Audit(o.Centre.ID, actor, action, o.ID,
			map[string]any{"centre_suspended": o.CentreSuspended}, map[string]any{"centre_suspended": suspended}, at)))
		if err := st.withChange(&t, o, after, actor, at); err != nil {
			return classify(err)
		}
	}
	return st.transact(ctx, &t)
}

// GetCentre reads one centre.
func (st *Store) GetCentre(ctx context.Context, id string) (domain.Centre, error) {
	return get(ctx, st, key(centrePK(id), skCentre), "centre", func(m map[string]types.AttributeValue) (domain.Centre, error) {
		var it centreItem
		err := attributevalue.UnmarshalMap(m, &it)
		return it.centre(), classify(err)
	})
}

// ListCentres pages through centres, all or one district's, in one Query.
func (st *Store) ListCentres(ctx context.Context, district domain.District, page paging.Page) ([]domain.Centre, string, error) {
	return st.ListRegistry(ctx, district, "", page)
}

// ListPublicCentres pages through the centres residents may see, all or
// one district's: every one but drafts (filtered from what the Query read).
func (st *Store) ListPublicCentres(ctx context.Context, district domain.District, page paging.Page) ([]domain.Centre, string, error) {
	return st.listCentres(ctx, district, func(c domain.Centre) bool { return c.Public() }, page)
}

// ListRegistry pages through centres, all or one district's, in every
// status or one (status filters what the Query read).
func (st *Store) ListRegistry(ctx context.Context, district domain.District, status domain.CentreStatus, page paging.Page) ([]domain.Centre, string, error) {
	var keep func(domain.Centre) bool
	if status != "" {
		keep = func(c domain.Centre) bool { return c.Status == status }
	}
	return st.listCentres(ctx, district, keep, page)
}

// listCentres pages through centres that keep keeps (nil: all).
func (st *Store) listCentres(ctx context.Context, district domain.District, keep func(domain.Centre) bool, page paging.Page) ([]domain.Centre, string, error) {
	p := partition{index: indexGSI1, pk: gsiAllCentres}
	if district != "" {
		p.prefix = string(district) + "#"
	}
	var out []domain.Centre
	next, err := st.queryPage(ctx, p, page, keep != nil, func(m map[string]types.AttributeValue) (bool, error) {
		var it centreItem
		if err := attributevalue.UnmarshalMap(m, &it); err != nil {
			return false, err
		}
		c := it.centre()
		if keep != nil && !keep(c) {
			return false, nil
		}
		out = append(out, c)
		return true, nil
	})
	return out, next, err
}
