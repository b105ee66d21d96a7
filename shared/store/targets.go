package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Targets are data, one item each in the TARGET partition, by year and kind.
type targetItem struct {
	PK, SK   string
	Type     string `dynamodbav:"type"`
	Kind     string `dynamodbav:"kind"`
	Year     int    `dynamodbav:"year"`
	Metric   string `dynamodbav:"metric"`
	Target   int    `dynamodbav:"target"`
	Baseline string `dynamodbav:"baseline"`
	Title    string `dynamodbav:"title"`
}

func targetSK(t cityfigures.Target) string {
	return fmt.Sprintf("%04d#%s#%s", t.Year, t.Kind, t.Metric)
}

// PutTarget stores a target, replacing one for the same year, kind and metric;
// with onlyIfNew an existing one is kept.
func (st *Store) PutTarget(ctx context.Context, t cityfigures.Target, onlyIfNew bool) error {
	if err := t.Validate(); err != nil {
		return err
	}
	return st.put(ctx, targetItem{PK: pkTarget, SK: targetSK(t), Type: "target", Kind: string(t.Kind), Year: t.Year,
		Metric: t.Metric, Target: t.Target, Baseline: t.Baseline, Title: t.Title}, onlyIfNew)
}

// Targets reads every target, by year then kind.
func (st *Store) Targets(ctx context.Context) ([]cityfigures.Target, error) {
	out := []cityfigures.Target{}
	err := st.queryAll(ctx, partition{pk: pkTarget}, func(m map[string]types.AttributeValue) error {
		var it targetItem
		if err := attributevalue.UnmarshalMap(m, &it); err != nil {
			return err
		}
		out = append(out, cityfigures.Target{Kind: domain.Kind(it.Kind), Year: it.Year, Metric: it.Metric, Target: it.Target, Baseline: it.Baseline, Title: it.Title})
		return nil
	})
	return out, err
}
