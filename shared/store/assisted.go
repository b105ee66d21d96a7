package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// Booking at the counter (issue 20). Staff act for a resident only after
// finding the resident's account by phone at their centre, which tells the
// resident by SMS; the link that finding leaves lets the centre act for
// that account until it lapses, so staff can't act for any account whose
// id they happen to know, nor for one found long ago.
const prefixAssist = "ASSIST#" // CENTRE#<id> / ASSIST#<account>: the centre may act for the account

// AssistLink is a centre's leave to act for one account: who found it, when,
// and until when it holds.
type AssistLink struct {
	CentreID   string
	Account    string
	Staff      string
	PhoneLast4 string
	At         time.Time
	Until      time.Time
}

// Holds reports whether the link still lets the centre act at now.
func (l AssistLink) Holds(now time.Time) bool { return now.Before(l.Until) }

type assistItem struct {
	PK, SK     string
	Type       string `dynamodbav:"type"`
	CentreID   string `dynamodbav:"centre_id"`
	Account    string `dynamodbav:"account"`
	Staff      string `dynamodbav:"staff"`
	PhoneLast4 string `dynamodbav:"phone_last4"`
	At         string `dynamodbav:"at"`
	Until      string `dynamodbav:"until"`
}

// PutAssistLink writes (or renews) the centre's link to the account with
// its audit record and the resident's notice, in one transaction: no link
// without its record, and none the resident is not told of.
func (st *Store) PutAssistLink(ctx context.Context, l AssistLink, audit AuditEntry, notice notices.Notice) error {
	item, err := attributevalue.MarshalMap(assistItem{PK: centrePK(l.CentreID), SK: prefixAssist + l.Account, Type: "assist",
		CentreID: l.CentreID, Account: l.Account, Staff: l.Staff, PhoneLast4: l.PhoneLast4, At: utc(l.At), Until: utc(l.Until)})
	if err != nil {
		return internal(err)
	}
	t := &txn{}
	t.add(unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item}})
	t.add(unconditional, st.auditPut(audit))
	t.add(unconditional, st.noticePut(notice))
	return st.transact(ctx, t)
}

// GetAssistLink reads the centre's link to the account; not_found when it
// has none (whether it still holds is the caller's question: Holds).
func (st *Store) GetAssistLink(ctx context.Context, centreID, account string) (AssistLink, error) {
	return get(ctx, st, key(centrePK(centreID), prefixAssist+account), "assist", func(m map[string]types.AttributeValue) (AssistLink, error) {
		var it assistItem
		if err := attributevalue.UnmarshalMap(m, &it); err != nil {
			return AssistLink{}, internal(err)
		}
		return AssistLink{CentreID: it.CentreID, Account: it.Account, Staff: it.Staff, PhoneLast4: it.PhoneLast4,
			At: parseTime(it.At).In(domain.CityZone), Until: parseTime(it.Until).In(domain.CityZone)}, nil
	})
}
