package store

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// A priority policy's versions are one partition per kind, one item per
// version, never changed once written: the version a draw names stays what
// it was.
const (
	prefixPolicy        = "POLICY#"
	prefixPolicyVersion = "VERSION#"
)

func policyPK(kind domain.Kind) string { return prefixPolicy + string(kind) }
func policySK(version int) string      { return fmt.Sprintf("%s%06d", prefixPolicyVersion, version) }

type policyTierItem struct {
	Tier     int    `dynamodbav:"tier"`
	Code     string `dynamodbav:"code"`
	ZH       string `dynamodbav:"zh"`
	EN       string `dynamodbav:"en"`
	Evidence string `dynamodbav:"evidence,omitempty"`
}

type policyItem struct {
	PK, SK        string
	Type          string           `dynamodbav:"type"`
	Kind          string           `dynamodbav:"kind"`
	Version       int              `dynamodbav:"version"`
	EffectiveFrom string           `dynamodbav:"effective_from"`
	Tiers         []policyTierItem `dynamodbav:"tiers"`
	CreatedAt     string           `dynamodbav:"created_at"`
	CreatedBy     string           `dynamodbav:"created_by"`
}

// PutPolicy writes version p.Version of p.Kind's policy, which must be new:
// a version already written (another officer's, meanwhile) returns
// ErrContention, so the caller reads the latest again and numbers anew.
// The tiers are checked as a new version's are (a seed cannot store what
// an officer could not).
func (st *Store) PutPolicy(ctx context.Context, p domain.PriorityPolicy) error {
	if !p.Kind.Valid() || p.Version < 1 {
		return internal(fmt.Errorf("store: policy %q version %d", p.Kind, p.Version))
	}
	tiers, err := domain.ValidatePolicyTiers(p.Tiers)
	if err != nil {
		return err
	}
	it := policyItem{PK: policyPK(p.Kind), SK: policySK(p.Version), Type: "policy", Kind: string(p.Kind), Version: p.Version,
		EffectiveFrom: utc(p.EffectiveFrom), CreatedAt: utc(p.CreatedAt), CreatedBy: p.CreatedBy}
	for _, t := range tiers {
		it.Tiers = append(it.Tiers, policyTierItem(t))
	}
	m, err := attributevalue.MarshalMap(it)
	if err != nil {
		return classify(err)
	}
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: m,
		ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if isConditionFailed(err) {
		return ErrContention
	}
	return classify(err)
}

// PolicyVersion reads one version; not_found when the kind has none such.
func (st *Store) PolicyVersion(ctx context.Context, kind domain.Kind, version int) (domain.PriorityPolicy, error) {
	p, err := get(ctx, st, key(policyPK(kind), policySK(version)), "priority policy", unmarshalPolicy)
	if apperr.Is(err, apperr.NotFound) {
		return p, domain.NoPolicy(kind, version)
	}
	return p, err
}

// PolicyInForce is the version in force at at: the highest version whose
// effective_from is not after at (a later version supersedes an earlier
// one even if that one was scheduled later still). not_found when there is
// none.
func (st *Store) PolicyInForce(ctx context.Context, kind domain.Kind, at time.Time) (domain.PriorityPolicy, error) {
	p, _, err := st.PolicySchedule(ctx, kind, at)
	if err == nil && p == nil {
		err = domain.NoPolicy(kind, 0)
	}
	if err != nil {
		return domain.PriorityPolicy{}, err
	}
	return *p, nil
}

// PolicySchedule is the version in force at at (nil when none is) and
// every version written after it, newest first: all begin after at, or
// that one would not be in force. It reads the versions newest first, a
// few at a time, down to the one in force: one Query, seldom more.
func (st *Store) PolicySchedule(ctx context.Context, kind domain.Kind, at time.Time) (*domain.PriorityPolicy, []domain.PriorityPolicy, error) {
	var later []domain.PriorityPolicy
	q := st.query(partition{pk: policyPK(kind), prefix: prefixPolicyVersion}, newestFirst, consistent,
		func(q *dynamodb.QueryInput) { q.Limit = aws.Int32(4) })
	for {
		out, err := st.db.Query(ctx, q)
		if err != nil {
			return nil, nil, classify(err)
		}
		for _, m := range out.Items {
			p, err := unmarshalPolicy(m)
			if err != nil {
				return nil, nil, err
			}
			if !p.EffectiveFrom.After(at) {
				return &p, later, nil
			}
			later = append(later, p)
		}
		if len(out.LastEvaluatedKey) == 0 {
			return nil, later, nil
		}
		q.ExclusiveStartKey = out.LastEvaluatedKey
	}
}

// LatestPolicy is the highest version whatever its date (the next is
// numbered after it); not_found when the kind has none.
func (st *Store) LatestPolicy(ctx context.Context, kind domain.Kind) (domain.PriorityPolicy, error) {
	ps, _, err := st.PolicyVersions(ctx, kind, paging.Page{Limit: 1})
	switch {
	case err != nil:
		return domain.PriorityPolicy{}, err
	case len(ps) == 0:
		return domain.PriorityPolicy{}, domain.NoPolicy(kind, 0)
	}
	return ps[0], nil
}

// PolicyVersions is a page of kind's versions, newest first.
func (st *Store) PolicyVersions(ctx context.Context, kind domain.Kind, page paging.Page) ([]domain.PriorityPolicy, string, error) {
	out := []domain.PriorityPolicy{}
	next, err := st.queryPage(ctx, partition{pk: policyPK(kind), prefix: prefixPolicyVersion}, page, false, func(m map[string]types.AttributeValue) (bool, error) {
		p, err := unmarshalPolicy(m)
		out = append(out, p)
		return err == nil, err
	}, newestFirst, consistent)
	return out, next, err
}

func unmarshalPolicy(m map[string]types.AttributeValue) (domain.PriorityPolicy, error) {
	var it policyItem
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return domain.PriorityPolicy{}, classify(err)
	}
	p := domain.PriorityPolicy{Kind: domain.Kind(it.Kind), Version: it.Version, EffectiveFrom: parseTime(it.EffectiveFrom),
		CreatedAt: parseTime(it.CreatedAt), CreatedBy: it.CreatedBy, Tiers: make([]domain.PolicyTier, len(it.Tiers))}
	for i, t := range it.Tiers {
		p.Tiers[i] = domain.PolicyTier(t)
	}
	return p, nil
}
