package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// AttendanceDay is what a centre recorded for one session date.
type AttendanceDay struct {
	Date      string                             `json:"date"`
	Records   map[string]domain.AttendanceStatus `json:"records"` // by booking id
	UpdatedBy string                             `json:"updated_by"`
	UpdatedAt time.Time                          `json:"updated_at"`
}

type attendanceItem struct {
	PK, SK    string
	Type      string            `dynamodbav:"type"`
	Date      string            `dynamodbav:"date"`
	Records   map[string]string `dynamodbav:"records"`
	UpdatedBy string            `dynamodbav:"updated_by"`
	UpdatedAt string            `dynamodbav:"updated_at"`
}

// AttendanceDays reads every recorded day of an offering, by date.
func (st *Store) AttendanceDays(ctx context.Context, offeringID string) ([]AttendanceDay, error) {
	q := st.query(partition{pk: offeringPK(offeringID), prefix: prefixAttend}, consistent)
	var days []AttendanceDay
	for {
		out, err := st.db.Query(ctx, q)
		if err != nil {
			return nil, classify(err)
		}
		for _, m := range out.Items {
			d, err := unmarshalAttendanceDay(m)
			if err != nil {
				return nil, err
			}
			days = append(days, d)
		}
		if len(out.LastEvaluatedKey) == 0 {
			return days, nil
		}
		q.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// AttendanceDayOf reads what was recorded for one session date of an
// offering (not_found when nothing was).
func (st *Store) AttendanceDayOf(ctx context.Context, offeringID, date string) (AttendanceDay, error) {
	return get(ctx, st, key(offeringPK(offeringID), prefixAttend+date), "attendance", unmarshalAttendanceDay)
}

func unmarshalAttendanceDay(m map[string]types.AttributeValue) (AttendanceDay, error) {
	var it attendanceItem
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return AttendanceDay{}, classify(err)
	}
	d := AttendanceDay{Date: it.Date, Records: map[string]domain.AttendanceStatus{}, UpdatedBy: it.UpdatedBy, UpdatedAt: parseTime(it.UpdatedAt).In(domain.CityZone)}
	for k, v := range it.Records {
		d.Records[k] = domain.AttendanceStatus(v)
	}
	return d, nil
}

// maxAttendanceItems is what one transaction of a recorded day holds of
// people's writes (up to three a person: the absence, the block, its
// notice), leaving room for the day and its audit record within
// DynamoDB's 100.
const maxAttendanceItems = 98

// CountedAbsences reads the sessions each identity has counted as
// unexcused absences in o's kind and term: one BatchGetItem per 100.
func (st *Store) CountedAbsences(ctx context.Context, o domain.Offering, identities []string) (map[string][]string, error) {
	counted := map[string][]string{}
	for chunk := range slices.Chunk(identities, 100) {
		keys := make([]map[string]types.AttributeValue, 0, len(chunk))
		for _, identity := range chunk {
			keys = append(keys, key(identityPK(identity), noShowSK(o.Kind, o.Term)))
		}
		items, err := st.batchGet(ctx, keys)
		if err != nil {
			return nil, err
		}
		for _, m := range items {
			var it struct {
				PK       string
				Absences []string `dynamodbav:"absences,stringset"`
			}
			if err := attributevalue.UnmarshalMap(m, &it); err != nil {
				return nil, classify(err)
			}
			counted[strings.TrimPrefix(it.PK, identityPK(""))] = it.Absences
		}
	}
	return counted, nil
}

// PutAttendanceDay records a day, replacing what was recorded before, with
// the changes it makes to people's absences and no-show blocks (decided by
// domain.Offering.AbsenceChanges from CountedAbsences); a block newly set
// writes its notice to the account of the booking whose absence set it, in
// the same transaction. Each session is a member of a string set
// ("<offering>#<date>"), so it counts once however often it is sent, and
// sending the same day again converges to the same state however far an
// earlier attempt got (and sets no block anew, so tells nobody twice); one
// person's writes never straddle two transactions, and the day and its
// audit record go in the last.
func (st *Store) PutAttendanceDay(ctx context.Context, o domain.Offering, day AttendanceDay, changes []domain.AbsenceChange, a AuditEntry) error {
	session := o.ID + "#" + day.Date
	var people [][]types.TransactWriteItem
	for _, c := range changes {
		var writes []types.TransactWriteItem
		switch {
		case c.Count:
			writes = append(writes, st.setOp(c.Identity, o, "ADD", session))
		case c.Uncount:
			writes = append(writes, st.setOp(c.Identity, o, "DELETE", session))
		}
		if c.BlockTerm != "" {
			// The block lives on the person's PERSON item, under that kind
			// and term's names, which booking updates anyway: its condition
			// checks the block with the limit.
			ta := termOf(o.Kind, c.BlockTerm)
			u := &types.Update{TableName: &st.table, Key: key(identityPK(c.Identity), skPerson),
				UpdateExpression:         aws.String("REMOVE #until, #n, #because"),
				ExpressionAttributeNames: map[string]string{"#until": ta.blockedUntil, "#n": ta.blockAbsences, "#because": ta.becauseOf}}
			if b := c.Block; b != nil {
				u.UpdateExpression = aws.String("SET #until = :until, #n = :n, #because = :because")
				u.ExpressionAttributeValues = map[string]types.AttributeValue{":until": s(b.Until), ":n": nAttr(b.Absences), ":because": s(b.BecauseOf)}
			}
			writes = append(writes, types.TransactWriteItem{Update: u})
			if c.Blocks {
				writes = append(writes, st.noticePut(notices.New(notices.NoShowBlocked, day.UpdatedAt).About(c.Booking).OfOffering(o)))
			}
		}
		if len(writes) > 0 {
			people = append(people, writes)
		}
	}
	records := map[string]string{}
	for k, v := range day.Records {
		records[k] = string(v)
	}
	item, err := attributevalue.MarshalMap(attendanceItem{
		PK: offeringPK(o.ID), SK: prefixAttend + day.Date, Type: "attendance", Date: day.Date,
		Records: records, UpdatedBy: day.UpdatedBy, UpdatedAt: utc(day.UpdatedAt),
	})
	if err != nil {
		return classify(err)
	}
	for {
		var chunk []types.TransactWriteItem
		for len(people) > 0 && len(chunk)+len(people[0]) <= maxAttendanceItems {
			chunk, people = append(chunk, people[0]...), people[1:]
		}
		if len(people) == 0 {
			chunk = append(chunk, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item}}, st.auditPut(a))
		}
		if err := st.transact(ctx, &txn{items: chunk}); err != nil {
			return err
		}
		if len(people) == 0 {
			return nil
		}
	}
}

func (st *Store) setOp(identity string, o domain.Offering, op, session string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: key(identityPK(identity), noShowSK(o.Kind, o.Term)),
		UpdateExpression:          aws.String(op + " absences :session"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":session": &types.AttributeValueMemberSS{Value: []string{session}}},
	}}
}

// Absences is how many unexcused absences an identity has in a kind and term.
func (st *Store) Absences(ctx context.Context, identity string, kind domain.Kind, term string) (int, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(identityPK(identity), noShowSK(kind, term)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return 0, classify(err)
	}
	if set, ok := out.Item["absences"].(*types.AttributeValueMemberSS); ok {
		return len(set.Value), nil
	}
	return 0, nil
}
