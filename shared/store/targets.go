package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Targets are data, one item each in the TARGET partition, by year and kind;
// every change of one is an item of TARGET_HISTORY, by target then version,
// written in the same transaction as the change (issue 19).
const pkTargetHistory = "TARGET_HISTORY"

type targetItem struct {
	PK, SK   string
	Type     string `dynamodbav:"type"`
	Kind     string `dynamodbav:"kind"`
	Year     int    `dynamodbav:"year"`
	Metric   string `dynamodbav:"metric"`
	Target   int    `dynamodbav:"target"`
	Baseline string `dynamodbav:"baseline"`
	Title    string `dynamodbav:"title"`
	// Version counts the target's changes; 0 (absent) for one written
	// before changes were kept, which has no history yet.
	Version   int    `dynamodbav:"version,omitempty"`
	UpdatedAt string `dynamodbav:"updated_at,omitempty"`
	UpdatedBy string `dynamodbav:"updated_by,omitempty"`
}

func (it targetItem) target() cityfigures.Target {
	return cityfigures.Target{Kind: domain.Kind(it.Kind), Year: it.Year, Metric: it.Metric, Target: it.Target, Baseline: it.Baseline, Title: it.Title}
}

type targetChangeItem struct {
	PK, SK         string
	Type           string `dynamodbav:"type"`
	Target         string `dynamodbav:"target_key"`
	Version        int    `dynamodbav:"version"`
	Goal           int    `dynamodbav:"target"`
	Baseline       string `dynamodbav:"baseline"`
	Title          string `dynamodbav:"title"`
	BeforeGoal     int    `dynamodbav:"before_target,omitempty"`
	BeforeBaseline string `dynamodbav:"before_baseline,omitempty"`
	BeforeTitle    string `dynamodbav:"before_title,omitempty"`
	At             string `dynamodbav:"changed_at"`
	By             string `dynamodbav:"changed_by"`
}

func targetSK(t cityfigures.Target) string { return t.Key() }

func targetChangeSK(key string, version int) string { return fmt.Sprintf("%s#%06d", key, version) }

// PutTarget stores a target, replacing one for the same year, kind and metric;
// with onlyIfNew an existing one is kept. It keeps no history: SetTarget
// does, for every change an officer (or the seed) makes.
func (st *Store) PutTarget(ctx context.Context, t cityfigures.Target, onlyIfNew bool) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return st.put(ctx, targetItem{PK: pkTarget, SK: targetSK(t), Type: "target", Kind: string(t.Kind), Year: t.Year,
		Metric: t.Metric, Target: t.Target, Baseline: t.Baseline, Title: t.Title}, onlyIfNew)
}

// TargetSet is what SetTarget did.
type TargetSet struct {
	Created bool // there was no such target
	Changed bool // false: it already had these values, nothing was written
}

// SetTarget makes t (by its year, kind and metric) what it is, as a change
// by actor at at: one strongly consistent GetItem, then, unless the target
// already has t's values, one TransactWriteItems of the target (its next
// version, on condition that the version read is still there) and the
// change's history item (before and after). A change landed meanwhile is
// ErrContention: read again and retry, so concurrent changes are each kept,
// in the order they landed.
func (st *Store) SetTarget(ctx context.Context, t cityfigures.Target, actor string, at time.Time) (TargetSet, error) {
	if err := t.Validate(); err != nil {
		return TargetSet{}, err
	}
	out, err := st.db.GetItem(ctx, &dynamodb.GetItemInput{TableName: &st.table, Key: key(pkTarget, targetSK(t)), ConsistentRead: aws.Bool(true)})
	if err != nil {
		return TargetSet{}, classify(err)
	}
	var old *targetItem
	if out.Item != nil {
		old = new(targetItem)
		if err := attributevalue.UnmarshalMap(out.Item, old); err != nil {
			return TargetSet{}, classify(err)
		}
		if old.target().Values() == t.Values() {
			return TargetSet{}, nil
		}
	}
	it := targetItem{PK: pkTarget, SK: targetSK(t), Type: "target", Kind: string(t.Kind), Year: t.Year, Metric: t.Metric,
		Target: t.Target, Baseline: t.Baseline, Title: t.Title, Version: 1, UpdatedAt: utc(at), UpdatedBy: actor}
	ch := targetChangeItem{PK: pkTargetHistory, Type: "target_change", Target: t.Key(),
		Goal: t.Target, Baseline: t.Baseline, Title: t.Title, At: utc(at), By: actor}
	cond, names, values := "attribute_not_exists(PK)", map[string]string(nil), map[string]types.AttributeValue(nil)
	if old != nil {
		it.Version = old.Version + 1
		ch.BeforeGoal, ch.BeforeBaseline, ch.BeforeTitle = old.Target, old.Baseline, old.Title
		if old.Version == 0 {
			cond, names = "attribute_exists(PK) AND attribute_not_exists(#v)", map[string]string{"#v": "version"}
		} else {
			cond, names, values = "#v = :v", map[string]string{"#v": "version"}, map[string]types.AttributeValue{":v": nAttr(old.Version)}
		}
	}
	ch.Version, ch.SK = it.Version, targetChangeSK(t.Key(), it.Version)
	target, err := attributevalue.MarshalMap(it)
	if err != nil {
		return TargetSet{}, classify(err)
	}
	change, err := attributevalue.MarshalMap(ch)
	if err != nil {
		return TargetSet{}, classify(err)
	}
	var tx txn
	// Both conditions fail only when another change landed since the read.
	tx.add(contended,
		types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: target, ConditionExpression: aws.String(cond),
			ExpressionAttributeNames: names, ExpressionAttributeValues: values}},
		types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: change, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	if err := st.transact(ctx, &tx); err != nil {
		return TargetSet{}, err
	}
	return TargetSet{Created: old == nil, Changed: true}, nil
}

// Targets reads every target, by year then kind.
func (st *Store) Targets(ctx context.Context) ([]cityfigures.Target, error) {
	out := []cityfigures.Target{}
	err := st.queryAll(ctx, partition{pk: pkTarget}, func(m map[string]types.AttributeValue) error {
		var it targetItem
		if err := attributevalue.UnmarshalMap(m, &it); err != nil {
			return err
		}
		out = append(out, it.target())
		return nil
	})
	return out, err
}

// TargetHistory reads every target's changes (of year#kind#metric keys
// beginning with prefix, "" for all), by target then oldest first: one
// Query per megabyte (a change is some 300 bytes; the city changes a few
// targets a few times a year).
func (st *Store) TargetHistory(ctx context.Context, prefix string) ([]cityfigures.TargetChange, error) {
	out := []cityfigures.TargetChange{}
	err := st.queryAll(ctx, partition{pk: pkTargetHistory, prefix: prefix}, func(m map[string]types.AttributeValue) error {
		var it targetChangeItem
		if err := attributevalue.UnmarshalMap(m, &it); err != nil {
			return err
		}
		c := cityfigures.TargetChange{TargetValues: cityfigures.TargetValues{Target: it.Goal, Baseline: it.Baseline, Title: it.Title},
			ChangedAt: parseTime(it.At).In(domain.CityZone), ChangedBy: it.By, Key: it.Target, Version: it.Version}
		if it.BeforeGoal != 0 {
			c.Before = &cityfigures.TargetValues{Target: it.BeforeGoal, Baseline: it.BeforeBaseline, Title: it.BeforeTitle}
		}
		out = append(out, c)
		return nil
	}, consistent)
	return out, err
}
