package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// skMessagePreferences holds the channels an account is told on,
// {channels: [...]}, under ACCOUNT#<sub>.
const skMessagePreferences = "MESSAGE_PREFERENCES"

// MessagePreferences are the channels account chose, or ["sms"] when it
// never chose.
func (st *Store) MessagePreferences(ctx context.Context, account string) ([]string, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(accountPK(account), skMessagePreferences), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return nil, classify(err)
	}
	var it struct {
		Channels []string `dynamodbav:"channels"`
	}
	if err := attributevalue.UnmarshalMap(out.Item, &it); err != nil {
		return nil, classify(err)
	}
	if out.Item == nil {
		return []string{"sms"}, nil
	}
	return it.Channels, nil
}
