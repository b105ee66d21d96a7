package store

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

type centreItem struct {
	PK, SK, GSI1PK, GSI1SK string
	Type                   string   `dynamodbav:"type"`
	ID                     string   `dynamodbav:"id"`
	Name                   string   `dynamodbav:"name"`
	District               string   `dynamodbav:"district"`
	Address                string   `dynamodbav:"address"`
	Phone                  string   `dynamodbav:"phone"`
	Kinds                  []string `dynamodbav:"kinds,stringset,omitempty"`
}

func centreToItem(c domain.Centre) centreItem {
	it := centreItem{
		PK: centrePK(c.ID), SK: skCentre, GSI1PK: gsiAllCentres, GSI1SK: string(c.District) + "#" + c.ID,
		Type: "centre", ID: c.ID, Name: c.Name, District: string(c.District), Address: c.Address, Phone: c.Phone,
	}
	for _, k := range c.Kinds {
		it.Kinds = append(it.Kinds, string(k))
	}
	return it
}

func (it centreItem) centre() domain.Centre {
	c := domain.Centre{ID: it.ID, Name: it.Name, District: domain.District(it.District), Address: it.Address, Phone: it.Phone, Kinds: []domain.Kind{}}
	for _, k := range domain.Kinds { // a string set has no order; show the kinds in a fixed one
		for _, have := range it.Kinds {
			if have == string(k) {
				c.Kinds = append(c.Kinds, k)
			}
		}
	}
	return c
}

// PutCentre writes a centre; with onlyIfNew an existing one is kept.
func (st *Store) PutCentre(ctx context.Context, c domain.Centre, onlyIfNew bool) error {
	return st.put(ctx, centreToItem(c), onlyIfNew)
}

// GetCentre reads one centre.
func (st *Store) GetCentre(ctx context.Context, id string) (domain.Centre, error) {
	return get(ctx, st, key(centrePK(id), skCentre), "centre", func(m map[string]types.AttributeValue) (domain.Centre, error) {
		var it centreItem
		err := attributevalue.UnmarshalMap(m, &it)
		return it.centre(), classify(err)
	})
}

// ListCentres pages through centres, all or one district's, in one Query.
func (st *Store) ListCentres(ctx context.Context, district domain.District, page paging.Page) ([]domain.Centre, string, error) {
	p := partition{index: indexGSI1, pk: gsiAllCentres}
	if district != "" {
		p.prefix = string(district) + "#"
	}
	var items []centreItem
	next, err := st.queryPage(ctx, p, page, false, func(m map[string]types.AttributeValue) (bool, error) {
		var it centreItem
		err := attributevalue.UnmarshalMap(m, &it)
		items = append(items, it)
		return true, err
	})
	out := make([]domain.Centre, len(items))
	for i, it := range items {
		out[i] = it.centre()
	}
	return out, next, err
}
