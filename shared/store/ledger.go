package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// The change ledger is one partition, LEDGER, sorted by time: changes in
// places are a few a day per centre (staff edits, terms ending), never
// per booking, so one partition takes them with room to spare, and a date
// range is one key range whatever the kind or district.
type ledgerItem struct {
	PK, SK        string
	Type          string `dynamodbav:"type"`
	At            string `dynamodbav:"at"`
	Date          string `dynamodbav:"date"`
	Kind          string `dynamodbav:"kind"`
	District      string `dynamodbav:"district"`
	CentreID      string `dynamodbav:"centre_id"`
	CentreName    string `dynamodbav:"centre_name"`
	OfferingID    string `dynamodbav:"offering_id"`
	OfferingTitle string `dynamodbav:"offering_title"`
	Term          string `dynamodbav:"term"`
	Reason        string `dynamodbav:"reason"`
	Before        int    `dynamodbav:"before"`
	After         int    `dynamodbav:"after"`
	Delta         int    `dynamodbav:"delta"`
	Actor         string `dynamodbav:"actor"`
}

// ledgerSK orders entries by time. A change made by staff is unique by a
// random suffix; one the system or the seed writes is keyed by its offering
// and reason, so writing it twice leaves one entry.
func ledgerSK(c cityfigures.Change, unique bool) string {
	suffix := string(c.Reason)
	if unique {
		var b [4]byte
		_, _ = rand.Read(b[:])
		suffix = hex.EncodeToString(b[:])
	}
	return stampKey(c.At.UnixNano()) + "#" + c.OfferingID + "#" + suffix
}

func ledgerItemOf(c cityfigures.Change, unique bool) (map[string]types.AttributeValue, error) {
	return attributevalue.MarshalMap(ledgerItem{
		PK: pkLedger, SK: ledgerSK(c, unique), Type: "ledger", At: utc(c.At), Date: c.Date,
		Kind: string(c.Kind), District: string(c.District), CentreID: c.CentreID, CentreName: c.CentreName,
		OfferingID: c.OfferingID, OfferingTitle: c.OfferingTitle, Term: c.Term, Reason: string(c.Reason),
		Before: c.Before, After: c.After, Delta: c.Delta, Actor: c.Actor,
	})
}

func unmarshalChange(m map[string]types.AttributeValue) (cityfigures.Change, error) {
	var it ledgerItem
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return cityfigures.Change{}, err
	}
	return cityfigures.Change{
		At: parseTime(it.At).In(domain.CityZone), Date: it.Date, Kind: domain.Kind(it.Kind), District: domain.District(it.District),
		CentreID: it.CentreID, CentreName: it.CentreName, OfferingID: it.OfferingID, OfferingTitle: it.OfferingTitle,
		Term: it.Term, Reason: cityfigures.Reason(it.Reason), Before: it.Before, After: it.After, Delta: it.Delta, Actor: it.Actor,
	}, nil
}

// ledgerPut is a change's entry as part of the transaction that makes it.
func (st *Store) ledgerPut(c cityfigures.Change) (types.TransactWriteItem, error) {
	item, err := ledgerItemOf(c, true)
	return types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item}}, err
}

// dayRange is the ledger's key range of the city days from through to.
func dayRange(from, to string) partition {
	start, _ := time.ParseInLocation(time.DateOnly, from, domain.CityZone)
	end, _ := time.ParseInLocation(time.DateOnly, to, domain.CityZone)
	return partition{pk: pkLedger, from: stampKey(start.UnixNano()), to: stampKey(end.AddDate(0, 0, 1).UnixNano())}
}

// ChangeFilter picks ledger entries by kind and district ("" for all).
type ChangeFilter struct {
	Kind     domain.Kind
	District domain.District
}

func (f ChangeFilter) matches(c cityfigures.Change) bool {
	return (f.Kind == "" || c.Kind == f.Kind) && (f.District == "" || c.District == f.District)
}

// ListChanges pages through the changes in places on the days from through
// to (YYYY-MM-DD, city time), oldest first.
func (st *Store) ListChanges(ctx context.Context, from, to string, f ChangeFilter, page paging.Page) ([]cityfigures.Change, string, error) {
	out := []cityfigures.Change{}
	next, err := st.queryPage(ctx, dayRange(from, to), page, f != ChangeFilter{}, func(m map[string]types.AttributeValue) (bool, error) {
		c, err := unmarshalChange(m)
		if err != nil || !f.matches(c) {
			return false, err
		}
		out = append(out, c)
		return true, nil
	})
	return out, next, err
}

// Changes reads every change in places on the days from through to, one
// Query per megabyte of ledger.
func (st *Store) Changes(ctx context.Context, from, to string, f ChangeFilter) ([]cityfigures.Change, error) {
	var out []cityfigures.Change
	err := st.queryAll(ctx, dayRange(from, to), func(m map[string]types.AttributeValue) error {
		c, err := unmarshalChange(m)
		if err == nil && f.matches(c) {
			out = append(out, c)
		}
		return err
	})
	return out, err
}

// RecordChanges writes entries the system makes (offerings' ends of term)
// or the seed, 25 to a BatchWriteItem. They are keyed by offering and reason,
// so writing them again replaces rather than repeats them.
func (st *Store) RecordChanges(ctx context.Context, cs []cityfigures.Change) error {
	items := make([]map[string]types.AttributeValue, 0, len(cs))
	for _, c := range cs {
		item, err := ledgerItemOf(c, false)
		if err != nil {
			return classify(err)
		}
		items = append(items, item)
	}
	return st.batchPut(ctx, items)
}
