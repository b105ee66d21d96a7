package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Preferences are the channels an account chose for its messages, as held
// (ACCOUNT#<sub> / MESSAGE_PREFERENCES). Channels is a list, not a string
// set, so the order chosen is kept; an empty one is left out of the item
// (the embedded DynamoDB mangles an empty list) and read back as empty.
type Preferences struct {
	Channels  []string  `json:"channels" dynamodbav:"channels,omitempty"`
	UpdatedAt time.Time `json:"updated_at" dynamodbav:"-"`
}

func unmarshalPreferences(m map[string]types.AttributeValue) (Preferences, error) {
	p, err := unmarshalStamped(m, "updated_at", func(p *Preferences, at time.Time) { p.UpdatedAt = at })
	if p.Channels == nil {
		p.Channels = []string{}
	}
	return p, err
}

// unmarshalStamped decodes an item into a T whose time (tagged "-" in T)
// is stored as RFC 3339 text in attribute attr, and set gives it to T.
func unmarshalStamped[T any](m map[string]types.AttributeValue, attr string, set func(*T, time.Time)) (T, error) {
	var v T
	if err := attributevalue.UnmarshalMap(m, &v); err != nil {
		return v, classify(err)
	}
	at, _ := m[attr].(*types.AttributeValueMemberS)
	if at != nil {
		set(&v, parseTime(at.Value))
	}
	return v, nil
}

// MessagePreferences are the channels an account's messages go by:
// domain.DefaultChannels until it chooses. One strongly consistent GetItem
// (the dispatcher reads it before each send).
func (st *Store) MessagePreferences(ctx context.Context, account string) ([]string, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(accountPK(account), skMessagePrefs), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, classify(err)
	}
	if out.Item == nil {
		return domain.DefaultChannels(), nil
	}
	p, err := unmarshalPreferences(out.Item)
	return p.Channels, err
}

// PutMessagePreferences replaces an account's channels (checked by the
// caller: domain.CheckChannels); one PutItem, so the last write wins.
func (st *Store) PutMessagePreferences(ctx context.Context, account string, channels []string, at time.Time) error {
	item, err := attributevalue.MarshalMap(Preferences{Channels: channels})
	if err != nil {
		return classify(err)
	}
	item[attrPK], item[attrSK] = s(accountPK(account)), s(skMessagePrefs)
	item["type"], item["updated_at"] = s("message_preferences"), s(utc(at))
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: item})
	return classify(err)
}
