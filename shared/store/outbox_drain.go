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
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// Draining the outbox (shared/delivery): read what is due, take a notice up
// under a lease, record each send as it happens, and end the notice as
// sent, retried later or dead. Every write after the take is conditional on
// the attempts the take set, so a dispatcher whose lease ran out and whose
// notice another took up changes nothing (ErrLeaseLost); a send it made and
// could not record is made again by the holder (shared/delivery's window).
//
//	PK DEADLETTER  SK <stamp of failure>#<notice id>
//	  the notice's facts, reason, attempts, failed_at: what officers see
const pkDeadLetter = "DEADLETTER"

// ErrLeaseLost is the outcome of a write on a notice the caller no longer
// holds: another dispatcher took it up (its lease ran out) or finished it.
// Not a failure: the other run carries on from what is recorded.
var ErrLeaseLost = errors.New("store: the notice is no longer this dispatcher's")

// DueNotices are up to limit outbox notices whose due time has come by now,
// the longest due first: one strongly consistent Query per shard. The
// outbox holds only what is not yet sent, so each shard is small.
func (st *Store) DueNotices(ctx context.Context, now time.Time, limit int) ([]OutboxEntry, error) {
	out, err := st.outboxWhere(ctx, func(e OutboxEntry) bool { return !e.Due.After(now) })
	if err != nil {
		return nil, err
	}
	slices.SortStableFunc(out, func(a, b OutboxEntry) int { return a.Due.Compare(b.Due) })
	if limit > 0 && len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// outboxWhere is every outbox entry keep accepts, shard by shard.
func (st *Store) outboxWhere(ctx context.Context, keep func(OutboxEntry) bool) ([]OutboxEntry, error) {
	out := []OutboxEntry{}
	for shard := range OutboxShards {
		err := st.queryAll(ctx, partition{pk: outboxPK(shard)}, func(m map[string]types.AttributeValue) error {
			e, err := unmarshalOutboxEntry(m)
			if err == nil && keep(e) {
				out = append(out, e)
			}
			return err
		}, consistent)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PutNotice writes n into the outbox on its own, due at n.At: for a notice
// no change of the table causes (tests, the benchmark). A notice of that id
// already there is left as it is.
func (st *Store) PutNotice(ctx context.Context, n notices.Notice) error {
	p := st.noticePut(n).Put
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: p.TableName, Item: p.Item, ConditionExpression: p.ConditionExpression})
	if isConditionFailed(err) {
		return nil
	}
	return classify(err)
}

func outboxKey(id string) map[string]types.AttributeValue {
	return key(outboxPK(outboxShard(id)), id)
}

// heldBy is the condition that the notice is still there and still under
// the take that set attempts.
func heldBy(attempts int) (string, map[string]types.AttributeValue) {
	return "attribute_exists(PK) AND attempts = :held", map[string]types.AttributeValue{":held": nAttr(attempts)}
}

// TakeNotice takes e up for one attempt, as read: attempts becomes
// e.Attempts+1 and due the lease's end, so no other dispatcher takes it
// until then. The condition is the attempts read, so of two dispatchers
// that read it, one takes it and the other gets ErrLeaseLost.
func (st *Store) TakeNotice(ctx context.Context, e OutboxEntry, leaseEnd time.Time) (OutboxEntry, error) {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: outboxKey(e.ID),
		UpdateExpression:    aws.String("SET attempts = :next, due = :due"),
		ConditionExpression: aws.String("attribute_exists(PK) AND attempts = :seen"),
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":seen": nAttr(e.Attempts), ":next": nAttr(e.Attempts + 1), ":due": s(stampKey(leaseEnd.UnixNano())),
		},
	})
	if isConditionFailed(err) {
		return OutboxEntry{}, ErrLeaseLost
	}
	if err != nil {
		return OutboxEntry{}, classify(err)
	}
	e.Attempts++
	e.Due = leaseEnd.UTC()
	return e, nil
}

// RecordSend records that sendKey of e was sent: the key joins done or,
// when it was the last one left (last), the notice is deleted, everything
// sent; and, when msg is given (a resident's message), its record is
// written under the account in the same transaction. Only while the caller
// holds the notice (ErrLeaseLost otherwise, writing nothing): the holder
// records each key once, so one send is one message record. A send whose
// lease ran out before it was recorded is sent again by the next holder
// (the window shared/delivery documents). Without a message it is one
// single-item write, not a transaction (half the cost on DynamoDB).
func (st *Store) RecordSend(ctx context.Context, e OutboxEntry, sendKey string, msg *Message, last bool) error {
	cond, vals := heldBy(e.Attempts)
	var it types.TransactWriteItem
	if last {
		it.Delete = &types.Delete{TableName: &st.table, Key: outboxKey(e.ID), ConditionExpression: aws.String(cond), ExpressionAttributeValues: vals}
	} else {
		vals[":k"] = &types.AttributeValueMemberSS{Value: []string{sendKey}}
		it.Update = &types.Update{TableName: &st.table, Key: outboxKey(e.ID), UpdateExpression: aws.String("ADD done :k"),
			ConditionExpression: aws.String(cond), ExpressionAttributeValues: vals}
	}
	if msg == nil {
		return st.heldWrite(ctx, it)
	}
	var t txn
	t.add(onFail{outcome: ErrLeaseLost}, it)
	t.add(unconditional, st.messagePut(e.Account, *msg))
	return st.transact(ctx, &t)
}

// heldWrite makes one write conditional on holding the notice (an Update
// or a Delete) on its own; ErrLeaseLost when its condition fails.
func (st *Store) heldWrite(ctx context.Context, it types.TransactWriteItem) error {
	var err error
	if u := it.Update; u != nil {
		_, err = st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: u.TableName, Key: u.Key, UpdateExpression: u.UpdateExpression,
			ConditionExpression: u.ConditionExpression, ExpressionAttributeValues: u.ExpressionAttributeValues})
	} else if d := it.Delete; d != nil {
		_, err = st.db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: d.TableName, Key: d.Key,
			ConditionExpression: d.ConditionExpression, ExpressionAttributeValues: d.ExpressionAttributeValues})
	}
	if isConditionFailed(err) {
		return ErrLeaseLost
	}
	return classify(err)
}

// FinishNotice deletes e from the outbox when nothing was left to send
// (an earlier attempt sent it all); ErrLeaseLost if another dispatcher
// holds it now.
func (st *Store) FinishNotice(ctx context.Context, e OutboxEntry) error {
	cond, vals := heldBy(e.Attempts)
	return st.heldWrite(ctx, types.TransactWriteItem{Delete: &types.Delete{TableName: &st.table, Key: outboxKey(e.ID),
		ConditionExpression: aws.String(cond), ExpressionAttributeValues: vals}})
}

// RetryNotice puts e back for another attempt at next, saying why this one
// failed; ErrLeaseLost if another dispatcher has taken it meanwhile.
func (st *Store) RetryNotice(ctx context.Context, e OutboxEntry, next time.Time, lastError string) error {
	cond, vals := heldBy(e.Attempts)
	vals[":due"], vals[":err"] = s(stampKey(next.UnixNano())), s(lastError)
	return st.heldWrite(ctx, types.TransactWriteItem{Update: &types.Update{TableName: &st.table, Key: outboxKey(e.ID),
		UpdateExpression: aws.String("SET due = :due, last_error = :err"), ConditionExpression: aws.String(cond), ExpressionAttributeValues: vals}})
}

// DeadLetter is a notice the dispatcher gave up on, as officers see it.
type DeadLetter struct {
	notices.Notice
	Reason   string
	Attempts int
	FailedAt time.Time
}

type deadLetterItem struct {
	noticeItem
	Reason   string `dynamodbav:"reason"`
	Attempts int    `dynamodbav:"attempts"`
	FailedAt string `dynamodbav:"failed_at"`
}

// DeadLetter moves e out of the outbox into the dead letters in one
// transaction, with the reason, and, when failed is given (a resident's
// notice), the resident's message record saying it failed. ErrLeaseLost if
// another dispatcher holds the notice now.
func (st *Store) DeadLetter(ctx context.Context, e OutboxEntry, reason string, at time.Time, failed *Message) error {
	item, err := attributevalue.MarshalMap(deadLetterItem{noticeItem: toNoticeItem(e.Notice), Reason: reason, Attempts: e.Attempts, FailedAt: utc(at)})
	if err != nil {
		return classify(err)
	}
	item[attrPK], item[attrSK], item["type"] = s(pkDeadLetter), s(stampKey(at.UnixNano())+"#"+e.ID), s("dead_letter")
	cond, vals := heldBy(e.Attempts)
	var t txn
	t.add(onFail{outcome: ErrLeaseLost}, types.TransactWriteItem{Delete: &types.Delete{
		TableName: &st.table, Key: outboxKey(e.ID), ConditionExpression: aws.String(cond), ExpressionAttributeValues: vals,
	}})
	t.add(unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item}})
	if failed != nil && e.Account != "" {
		t.add(unconditional, st.messagePut(e.Account, *failed))
	}
	return st.transact(ctx, &t)
}

// DeadLetters is a page of the dead letters, newest first.
func (st *Store) DeadLetters(ctx context.Context, page paging.Page) ([]DeadLetter, string, error) {
	return st.DeadLettersOf(ctx, page, nil)
}

// DeadLettersOf is DeadLetters of the centres centre accepts (nil: all).
func (st *Store) DeadLettersOf(ctx context.Context, page paging.Page, centre func(id string) bool) ([]DeadLetter, string, error) {
	out := []DeadLetter{}
	next, err := st.queryPage(ctx, partition{pk: pkDeadLetter}, page, centre != nil, func(m map[string]types.AttributeValue) (bool, error) {
		var it deadLetterItem
		if err := attributevalue.UnmarshalMap(m, &it); err != nil {
			return false, err
		}
		if centre != nil && !centre(it.notice().CentreID) {
			return false, nil
		}
		out = append(out, DeadLetter{Notice: it.notice(), Reason: it.Reason, Attempts: it.Attempts, FailedAt: parseTime(it.FailedAt).In(domain.CityZone)})
		return true, nil
	}, newestFirst)
	return out, next, err
}
