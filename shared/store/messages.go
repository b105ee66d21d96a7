package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// Message is what the dispatcher sent an account on one channel (or failed
// to): GET /v1/me/messages lists them, and the account's export shows them.
type Message struct {
	ID      string    `json:"id" dynamodbav:"id"`
	Event   string    `json:"event" dynamodbav:"event"`
	Channel string    `json:"channel" dynamodbav:"channel"`
	Text    string    `json:"text" dynamodbav:"text"`
	SentAt  time.Time `json:"sent_at" dynamodbav:"-"`
	Status  string    `json:"status" dynamodbav:"status"`
}

// NewMessage is the record of a message on channel, with status (sent or
// failed); its text is Chinese, then English.
func NewMessage(event, channel, status string, text apperr.Text, at time.Time) Message {
	return Message{ID: domain.NewID("msg", at), Event: event, Channel: channel, Text: text.ZH + " / " + text.EN, SentAt: at, Status: status}
}

func (st *Store) messagePut(account string, m Message) types.TransactWriteItem {
	item, _ := attributevalue.MarshalMap(m)
	item[attrPK], item[attrSK] = s(accountPK(account)), s(prefixMessage+stampKey(m.SentAt.UnixNano())+"#"+m.ID)
	item["type"], item["sent_at"] = s("message"), s(utc(m.SentAt))
	return types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item}}
}

// ListMessages is every message to an account, oldest first.
func (st *Store) ListMessages(ctx context.Context, account string) ([]Message, error) {
	out := []Message{}
	err := st.queryAll(ctx, partition{pk: accountPK(account), prefix: prefixMessage}, func(m map[string]types.AttributeValue) error {
		msg, err := unmarshalMessage(m)
		out = append(out, msg)
		return err
	}, consistent)
	return out, err
}

func unmarshalMessage(m map[string]types.AttributeValue) (Message, error) {
	var it struct {
		Message
		SentAt string `dynamodbav:"sent_at"`
	}
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return Message{}, classify(err)
	}
	msg := it.Message
	msg.SentAt = parseTime(it.SentAt)
	return msg, nil
}

// MessagesPage pages through an account's messages, newest first (the
// sort key holds the time sent), for GET /v1/me/messages.
func (st *Store) MessagesPage(ctx context.Context, account string, page paging.Page) ([]Message, string, error) {
	out := []Message{}
	next, err := st.queryPage(ctx, partition{pk: accountPK(account), prefix: prefixMessage}, page, false, func(m map[string]types.AttributeValue) (bool, error) {
		msg, err := unmarshalMessage(m)
		out = append(out, msg)
		return err == nil, err
	}, newestFirst, consistent)
	return out, next, err
}

// PutMessage records one message on its own (one PutItem): for a message
// that no change of state writes in its transaction, and for tests.
func (st *Store) PutMessage(ctx context.Context, account string, m Message) error {
	_, err := st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: st.messagePut(account, m).Put.Item})
	return classify(err)
}
