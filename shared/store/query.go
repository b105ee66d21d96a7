package store

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// The Query and paging every access pattern is built on: a partition of the
// table or an index, a page of it behind an opaque cursor, or all of it.

// partition names what a Query reads: one partition of the table (index
// "") or of an index, optionally only the sort keys that begin with prefix,
// or only those from from (and through to, when set).
type partition struct{ index, pk, prefix, from, to string }

// Query options.
var (
	newestFirst = func(q *dynamodb.QueryInput) { q.ScanIndexForward = aws.Bool(false) }
	consistent  = func(q *dynamodb.QueryInput) { q.ConsistentRead = aws.Bool(true) }
)

// pkAttr is the partition key attribute of p's table or index.
func (p partition) pkAttr() string {
	if p.index == "" {
		return attrPK
	}
	return p.index + "PK"
}

// query is the QueryInput that reads p.
func (st *Store) query(p partition, opts ...func(*dynamodb.QueryInput)) *dynamodb.QueryInput {
	pkAttr := p.pkAttr()
	q := &dynamodb.QueryInput{
		TableName:                 &st.table,
		KeyConditionExpression:    aws.String(pkAttr + " = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": s(p.pk)},
	}
	if p.index != "" {
		q.IndexName = aws.String(p.index)
	}
	skAttr := strings.TrimSuffix(pkAttr, "PK") + "SK"
	switch {
	case p.prefix != "":
		q.KeyConditionExpression = aws.String(pkAttr + " = :pk AND begins_with(" + skAttr + ", :sk)")
		q.ExpressionAttributeValues[":sk"] = s(p.prefix)
	case p.from != "" && p.to != "":
		q.KeyConditionExpression = aws.String(pkAttr + " = :pk AND " + skAttr + " BETWEEN :from AND :to")
		q.ExpressionAttributeValues[":from"], q.ExpressionAttributeValues[":to"] = s(p.from), s(p.to)
	case p.from != "":
		q.KeyConditionExpression = aws.String(pkAttr + " = :pk AND " + skAttr + " >= :from")
		q.ExpressionAttributeValues[":from"] = s(p.from)
	}
	for _, o := range opts {
		o(q)
	}
	return q
}

// queryPage runs one Query for a page. keep decodes an item and says whether
// it belongs on the page. Filtering happens here rather than in a
// FilterExpression (same read cost: DynamoDB reads before it filters) so that
// a filtered page can read up to four pages' worth and still stop at exactly
// Limit matches, with the cursor on the last item kept: pages come out full
// far more often, in one call. (It also sidesteps the embedded server's
// miscounting of Limit under a FilterExpression.)
func (st *Store) queryPage(ctx context.Context, p partition, page paging.Page, filtered bool, keep func(map[string]types.AttributeValue) (bool, error), opts ...func(*dynamodb.QueryInput)) (string, error) {
	return st.queryPageOf(ctx, p, page, filtered, nil, keep, opts...)
}

// queryPageOf is queryPage where keep sees, instead of each item read, what
// expand makes of the items (in the same order, nil for one it skips): the
// offerings that listing items name. The cursor stays on the items read.
func (st *Store) queryPageOf(ctx context.Context, p partition, page paging.Page, filtered bool,
	expand func(context.Context, []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error),
	keep func(map[string]types.AttributeValue) (bool, error), opts ...func(*dynamodb.QueryInput)) (string, error) {
	q := st.query(p, opts...)
	pkAttr := p.pkAttr()
	start, err := decodeCursor(page.Cursor, p)
	if err != nil {
		return "", err
	}
	q.ExclusiveStartKey = start
	read := page.Limit
	if filtered {
		read = min(page.Limit*4, 1000)
	}
	q.Limit = aws.Int32(int32(read))
	out, err := st.db.Query(ctx, q)
	if err != nil {
		return "", classify(err)
	}
	seen := out.Items
	if expand != nil {
		if seen, err = expand(ctx, out.Items); err != nil {
			return "", err
		}
	}
	kept := 0
	for i, m := range out.Items {
		if seen[i] == nil {
			continue
		}
		ok, err := keep(seen[i])
		if err != nil {
			return "", classify(err)
		}
		if ok {
			kept++
		}
		if kept == page.Limit {
			if i == len(out.Items)-1 && len(out.LastEvaluatedKey) == 0 {
				return "", nil
			}
			return encodeCursor(keyOf(m, pkAttr, q.IndexName)), nil
		}
	}
	return encodeCursor(out.LastEvaluatedKey), nil
}

// queryAll reads every page of p, one Query per megabyte, handing each item
// to each. For reads bounded by their key range (the city's in-service
// offerings, a date range of the ledger or of snapshots), not for lists a
// client pages through.
func (st *Store) queryAll(ctx context.Context, p partition, each func(map[string]types.AttributeValue) error, opts ...func(*dynamodb.QueryInput)) error {
	q := st.query(p, opts...)
	for {
		out, err := st.db.Query(ctx, q)
		if err != nil {
			return classify(err)
		}
		for _, m := range out.Items {
			if err := each(m); err != nil {
				return classify(err)
			}
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil
		}
		q.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// keyOf is the LastEvaluatedKey DynamoDB would give for item: the table key
// plus, on an index, the index key.
func keyOf(item map[string]types.AttributeValue, pkAttr string, index *string) map[string]types.AttributeValue {
	k := map[string]types.AttributeValue{attrPK: item[attrPK], attrSK: item[attrSK]}
	if index != nil {
		k[pkAttr] = item[pkAttr]
		sk := strings.TrimSuffix(pkAttr, "PK") + "SK"
		k[sk] = item[sk]
	}
	return k
}

func notFound(what string) error { return domain.NotFound(what) }

func isConditionFailed(err error) bool {
	var ccf *types.ConditionalCheckFailedException
	return err != nil && errors.As(err, &ccf)
}
