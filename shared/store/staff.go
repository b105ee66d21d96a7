package store

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// Staff accounts (issue 19). The table is the source of truth of who is
// staff where; the user pool's centre-staff group and custom:centre_ids are
// written from it.
const (
	prefixStaff    = "STAFF#"        // CENTRE#<id> / STAFF#<sub>: a member of a centre's staff
	skStaffCentres = "STAFF_CENTRES" // ACCOUNT#<sub> / STAFF_CENTRES: the centres of one person
)

// StaffMember is one person on a centre's staff. The contact is kept
// masked only: the pool holds the number, the table only what the list
// shows.
type StaffMember struct {
	CentreID    string    `json:"-"`
	UserID      string    `json:"user_id"`
	Username    string    `json:"-"`
	Name        string    `json:"name"`
	PhoneMasked string    `json:"phone_masked,omitempty"`
	EmailMasked string    `json:"email_masked,omitempty"`
	AddedAt     time.Time `json:"added_at"`
	AddedBy     string    `json:"added_by"`
}

type staffItem struct {
	PK, SK      string
	Type        string `dynamodbav:"type"`
	CentreID    string `dynamodbav:"centre_id"`
	UserID      string `dynamodbav:"user_id"`
	Username    string `dynamodbav:"username"`
	Name        string `dynamodbav:"name"`
	PhoneMasked string `dynamodbav:"phone_masked,omitempty"`
	EmailMasked string `dynamodbav:"email_masked,omitempty"`
	AddedAt     string `dynamodbav:"added_at"`
	AddedBy     string `dynamodbav:"added_by"`
}

func (it staffItem) member() StaffMember {
	return StaffMember{CentreID: it.CentreID, UserID: it.UserID, Username: it.Username, Name: it.Name, PhoneMasked: it.PhoneMasked,
		EmailMasked: it.EmailMasked, AddedAt: parseTime(it.AddedAt).In(domain.CityZone), AddedBy: it.AddedBy}
}

// errAlreadyStaff is AddStaff's outcome when the staff item exists.
var errAlreadyStaff = errors.New("store: already on the centre's staff")

// AddStaff (and RemoveStaff) answer ErrContention when another write to
// the same person's set won a race: the caller goes round again.
//
// AddStaff puts m on its centre's staff, with its audit record, and adds
// the centre to the person's centre set, in one transaction, so the list
// and the set never disagree. The set is changed with ADD on a string set:
// two officers adding two centres to one person at once both land
// (DynamoDB applies each ADD to the item as it then stands), which a read,
// a union and a put could not promise. A transaction returns no values, so
// the set as it now stands is read back with StaffCentres. added is false,
// and nothing is written, when m is already on that staff. adopt are
// further centres to put in the set (without staff items): those the
// person's pool account already named before the table kept their set
// (accounts.sh), so the first invitation does not take them away.
func (st *Store) AddStaff(ctx context.Context, m StaffMember, audit AuditEntry, adopt ...string) (added bool, err error) {
	item, err := attributevalue.MarshalMap(staffItem{PK: centrePK(m.CentreID), SK: prefixStaff + m.UserID, Type: "staff",
		CentreID: m.CentreID, UserID: m.UserID, Username: m.Username, Name: m.Name, PhoneMasked: m.PhoneMasked,
		EmailMasked: m.EmailMasked, AddedAt: utc(m.AddedAt), AddedBy: m.AddedBy})
	if err != nil {
		return false, internal(err)
	}
	t := &txn{}
	t.add(onFail{outcome: errAlreadyStaff}, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item,
		ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	t.add(unconditional, st.auditPut(audit))
	// contended: another officer's transaction on the same person's set
	// conflicts (TransactionConflict); the caller retries (ErrContention).
	t.add(contended, types.TransactWriteItem{Update: &types.Update{TableName: &st.table, Key: key(accountPK(m.UserID), skStaffCentres),
		UpdateExpression:          aws.String("ADD centres :c SET username = :u, #type = :t"),
		ExpressionAttributeNames:  map[string]string{"#type": "type"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberSS{Value: union(m.CentreID, adopt)}, ":u": s(m.Username), ":t": s("staff_centres")}}})
	switch err := st.transact(ctx, t); {
	case errors.Is(err, errAlreadyStaff):
		return false, nil
	case err != nil:
		return false, err
	}
	return true, nil
}

// RemoveStaff takes userID off centreID's staff, with its audit record,
// and the centre out of the person's set (DELETE on the string set), in one
// transaction; not_found when they are not on it.
func (st *Store) RemoveStaff(ctx context.Context, centreID, userID string, audit AuditEntry) error {
	t := &txn{}
	t.add(onFail{outcome: notFound("staff")}, types.TransactWriteItem{Delete: &types.Delete{TableName: &st.table,
		Key: key(centrePK(centreID), prefixStaff+userID), ConditionExpression: aws.String("attribute_exists(PK)")}})
	t.add(unconditional, st.auditPut(audit))
	t.add(contended, types.TransactWriteItem{Update: &types.Update{TableName: &st.table, Key: key(accountPK(userID), skStaffCentres),
		UpdateExpression:          aws.String("DELETE centres :c"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":c": &types.AttributeValueMemberSS{Value: []string{centreID}}}}})
	return st.transact(ctx, t)
}

// GetStaff reads one member of a centre's staff.
func (st *Store) GetStaff(ctx context.Context, centreID, userID string) (StaffMember, error) {
	return get(ctx, st, key(centrePK(centreID), prefixStaff+userID), "staff", func(m map[string]types.AttributeValue) (StaffMember, error) {
		var it staffItem
		err := attributevalue.UnmarshalMap(m, &it)
		return it.member(), err
	})
}

// ListStaff pages through a centre's staff, by user id.
func (st *Store) ListStaff(ctx context.Context, centreID string, page paging.Page) ([]StaffMember, string, error) {
	out := []StaffMember{}
	next, err := st.queryPage(ctx, partition{pk: centrePK(centreID), prefix: prefixStaff}, page, false, func(m map[string]types.AttributeValue) (bool, error) {
		var it staffItem
		if err := attributevalue.UnmarshalMap(m, &it); err != nil {
			return false, err
		}
		out = append(out, it.member())
		return true, nil
	}, consistent) // an invitation shows in the list at once
	return out, next, err
}

// StaffCentres is the person's centre set as it now stands (a strongly
// consistent read), sorted; known is false when they were never staff.
func (st *Store) StaffCentres(ctx context.Context, userID string) (centres []string, known bool, err error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(accountPK(userID), skStaffCentres), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, false, classify(err)
	}
	if out.Item == nil {
		return []string{}, false, nil
	}
	centres = []string{}
	if ss, ok := out.Item["centres"].(*types.AttributeValueMemberSS); ok {
		centres = slices.Clone(ss.Value)
	}
	slices.Sort(centres)
	return centres, true, nil
}

// union is id and ids, each once (a string set may not repeat a value).
func union(id string, ids []string) []string {
	out := []string{id}
	for _, x := range ids {
		if x != "" && !slices.Contains(out, x) {
			out = append(out, x)
		}
	}
	return out
}
