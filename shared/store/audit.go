package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// AuditEntry is one staff action: who, when, what, before and after.
type AuditEntry struct {
	CentreID string          `json:"centre_id"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"`
	Target   string          `json:"target"`
	Before   json.RawMessage `json:"before,omitempty"`
	After    json.RawMessage `json:"after,omitempty"`
	At       time.Time       `json:"at"`
}

// Audit records an action on a centre; before and after are any JSON-able values (nil for none).
func Audit(centreID, actor, action, target string, before, after any, at time.Time) AuditEntry {
	raw := func(v any) json.RawMessage {
		if v == nil {
			return nil
		}
		b, _ := json.Marshal(v)
		return b
	}
	return AuditEntry{CentreID: centreID, Actor: actor, Action: action, Target: target, Before: raw(before), After: raw(after), At: at}
}

type auditItem struct {
	PK, SK   string
	Type     string `dynamodbav:"type"`
	CentreID string `dynamodbav:"centre_id"`
	Actor    string `dynamodbav:"actor"`
	Action   string `dynamodbav:"action"`
	Target   string `dynamodbav:"target"`
	Before   string `dynamodbav:"before,omitempty"`
	After    string `dynamodbav:"after,omitempty"`
	At       string `dynamodbav:"at"`
}

// auditPut is the audit record's part of the transaction that makes the
// change, so no change goes unrecorded and no record describes a change that
// did not happen.
func (st *Store) auditPut(a AuditEntry) types.TransactWriteItem {
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	item, _ := attributevalue.MarshalMap(auditItem{
		PK: centrePK(a.CentreID), SK: prefixAudit + stampKey(a.At.UnixNano()) + "#" + hex.EncodeToString(suffix[:]),
		Type: "audit", CentreID: a.CentreID, Actor: a.Actor, Action: a.Action, Target: a.Target,
		Before: string(a.Before), After: string(a.After), At: utc(a.At),
	})
	return types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item}}
}

// ListAudit pages through a centre's audit log, newest first.
func (st *Store) ListAudit(ctx context.Context, centreID string, page paging.Page) ([]AuditEntry, string, error) {
	out := []AuditEntry{}
	next, err := st.queryPage(ctx, partition{pk: centrePK(centreID), prefix: prefixAudit}, page, false, func(m map[string]types.AttributeValue) (bool, error) {
		var it auditItem
		if err := attributevalue.UnmarshalMap(m, &it); err != nil {
			return false, err
		}
		a := AuditEntry{CentreID: it.CentreID, Actor: it.Actor, Action: it.Action, Target: it.Target, At: parseTime(it.At).In(domain.CityZone)}
		if it.Before != "" {
			a.Before = json.RawMessage(it.Before)
		}
		if it.After != "" {
			a.After = json.RawMessage(it.After)
		}
		out = append(out, a)
		return true, nil
	}, newestFirst)
	return out, next, err
}
