package store

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// An account's calendar feed is a secret address; the table holds only the
// secret's SHA-256 (hex), in two items written and deleted together: the
// lookup CALENDAR_FEED#<hash> / CALENDAR_FEED → account, which the public
// feed route reads, and ACCOUNT#<sub> / CALENDAR_FEED → hash, which finds
// the lookup to revoke (and which deleting the account deletes with it).

// CalendarFeed is an account's feed as held.
type CalendarFeed struct {
	Hash      string    `json:"-" dynamodbav:"hash"`
	CreatedAt time.Time `json:"created_at" dynamodbav:"-"`
}

func calendarFeedLookup(hash string) map[string]types.AttributeValue {
	return key(prefixCalendarFeed+hash, skCalendarFeed)
}

// calendarFeedOf reads the account's feed item; nil when it has none.
func (st *Store) calendarFeedOf(ctx context.Context, account string) (*CalendarFeed, error) {
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(accountPK(account), skCalendarFeed), ConsistentRead: aws.Bool(true)})
	if err != nil || out.Item == nil {
		return nil, classify(err)
	}
	f, err := unmarshalCalendarFeed(out.Item)
	return &f, err
}

func unmarshalCalendarFeed(m map[string]types.AttributeValue) (CalendarFeed, error) {
	return unmarshalStamped(m, "created_at", func(f *CalendarFeed, at time.Time) { f.CreatedAt = at })
}

// ReplaceCalendarFeed makes hash the account's one feed: in one transaction
// the account's item (only if it still names the feed read, else read
// again), the earlier feed's lookup deleted, the new lookup written.
func (st *Store) ReplaceCalendarFeed(ctx context.Context, account, hash string, at time.Time) error {
	return st.Retry.Do(ctx, func(int) error {
		old, err := st.calendarFeedOf(ctx, account)
		if err != nil {
			return err
		}
		mine := key(accountPK(account), skCalendarFeed)
		mine["type"], mine["hash"], mine["created_at"] = s("calendar_feed"), s(hash), s(utc(at))
		put := &types.Put{TableName: &st.table, Item: mine, ConditionExpression: aws.String("attribute_not_exists(PK)")}
		var t txn
		if old != nil {
			put.ConditionExpression = aws.String("#h = :old")
			put.ExpressionAttributeNames = map[string]string{"#h": "hash"}
			put.ExpressionAttributeValues = map[string]types.AttributeValue{":old": s(old.Hash)}
			t.add(unconditional, types.TransactWriteItem{Delete: &types.Delete{TableName: &st.table, Key: calendarFeedLookup(old.Hash)}})
		}
		t.add(contended, types.TransactWriteItem{Put: put})
		lookup := calendarFeedLookup(hash)
		lookup["type"], lookup["account"], lookup["created_at"] = s("calendar_feed_lookup"), s(account), s(utc(at))
		t.add(unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: lookup}})
		return st.transact(ctx, &t)
	})
}

// DeleteCalendarFeed revokes the account's feed, if it has one: both items
// in one transaction (read again if the feed changed meanwhile).
func (st *Store) DeleteCalendarFeed(ctx context.Context, account string) error {
	return st.Retry.Do(ctx, func(int) error {
		old, err := st.calendarFeedOf(ctx, account)
		if err != nil || old == nil {
			return err
		}
		var t txn
		t.add(contended, types.TransactWriteItem{Delete: &types.Delete{
			TableName: &st.table, Key: key(accountPK(account), skCalendarFeed),
			ConditionExpression:       aws.String("#h = :old"),
			ExpressionAttributeNames:  map[string]string{"#h": "hash"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":old": s(old.Hash)},
		}})
		t.add(unconditional, types.TransactWriteItem{Delete: &types.Delete{TableName: &st.table, Key: calendarFeedLookup(old.Hash)}})
		return st.transact(ctx, &t)
	})
}

// CalendarFeedAccount is the account whose feed has hash; not_found for a
// hash no feed has (never made, replaced or revoked). One GetItem.
func (st *Store) CalendarFeedAccount(ctx context.Context, hash string) (string, error) {
	return get(ctx, st, calendarFeedLookup(hash), "calendar feed", func(m map[string]types.AttributeValue) (string, error) {
		var it struct {
			Account string `dynamodbav:"account"`
		}
		err := attributevalue.UnmarshalMap(m, &it)
		return it.Account, classify(err)
	})
}
