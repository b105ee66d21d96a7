package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Snapshot is the city's figures as taken on one day.
type Snapshot struct {
	Date    string
	TakenAt time.Time
	Tally   cityfigures.Tally
}

// A day's snapshot is one item in the SNAPSHOT partition, sorted by date, its
// figures for every scope packed in one attribute ("kind|district" →
// [capacity, confirmed, waitlisted, centres, offerings, suspended centres,
// suspended places]; snapshots taken before issue 19 have the first five,
// the rest read as 0), about 2 KB, so a
// year of history is one Query.
type snapshotItem struct {
	PK, SK  string
	Type    string `dynamodbav:"type"`
	Date    string `dynamodbav:"date"`
	TakenAt string `dynamodbav:"taken_at"`
	Figures string `dynamodbav:"figures"`
}

func scopeKey(s cityfigures.Scope) string { return string(s.Kind) + "|" + string(s.District) }

func snapshotItemOf(sn Snapshot) (map[string]types.AttributeValue, error) {
	cells := make(map[string][7]int, len(sn.Tally))
	for s, f := range sn.Tally {
		cells[scopeKey(s)] = [7]int{f.Capacity, f.Confirmed, f.Waitlisted, f.Centres, f.Offerings, f.SuspendedCentres, f.SuspendedPlaces}
	}
	b, err := json.Marshal(cells)
	if err != nil {
		return nil, err
	}
	return attributevalue.MarshalMap(snapshotItem{PK: pkSnapshot, SK: sn.Date, Type: "snapshot", Date: sn.Date, TakenAt: utc(sn.TakenAt), Figures: string(b)})
}

func unmarshalSnapshot(m map[string]types.AttributeValue) (Snapshot, error) {
	var it snapshotItem
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return Snapshot{}, err
	}
	var cells map[string][7]int
	if err := json.Unmarshal([]byte(it.Figures), &cells); err != nil {
		return Snapshot{}, fmt.Errorf("snapshot %s: %w", it.Date, err)
	}
	sn := Snapshot{Date: it.Date, TakenAt: parseTime(it.TakenAt).In(domain.CityZone), Tally: make(cityfigures.Tally, len(cells))}
	for k, v := range cells {
		kind, district, _ := strings.Cut(k, "|")
		sn.Tally[cityfigures.Scope{Kind: domain.Kind(kind), District: domain.District(district)}] = cityfigures.Figures{
			Capacity: v[0], Confirmed: v[1], Waitlisted: v[2], Centres: v[3], Offerings: v[4],
			SuspendedCentres: v[5], SuspendedPlaces: v[6],
		}
	}
	return sn, nil
}

// PutSnapshot writes a day's snapshot, replacing one taken earlier that day.
func (st *Store) PutSnapshot(ctx context.Context, sn Snapshot) error {
	item, err := snapshotItemOf(sn)
	if err != nil {
		return classify(err)
	}
	_, err = st.db.PutItem(ctx, &dynamodb.PutItemInput{TableName: &st.table, Item: item})
	return classify(err)
}

// PutSnapshots writes many days' snapshots (the seed's history), 25 to a call.
func (st *Store) PutSnapshots(ctx context.Context, sns []Snapshot) error {
	items := make([]map[string]types.AttributeValue, 0, len(sns))
	for _, sn := range sns {
		item, err := snapshotItemOf(sn)
		if err != nil {
			return classify(err)
		}
		items = append(items, item)
	}
	return st.batchPut(ctx, items)
}

// Snapshots reads the snapshots of the days from through to, oldest first:
// one Query per megabyte (about 400 days).
func (st *Store) Snapshots(ctx context.Context, from, to string) ([]Snapshot, error) {
	var out []Snapshot
	err := st.queryAll(ctx, partition{pk: pkSnapshot, from: from, to: to}, func(m map[string]types.AttributeValue) error {
		sn, err := unmarshalSnapshot(m)
		out = append(out, sn)
		return err
	})
	return out, err
}

// LatestSnapshot is the newest snapshot, or nil before the first.
func (st *Store) LatestSnapshot(ctx context.Context) (*Snapshot, error) {
	out, err := st.db.Query(ctx, st.query(partition{pk: pkSnapshot}, newestFirst, consistent,
		func(q *dynamodb.QueryInput) { q.Limit = aws.Int32(1) }))
	if err != nil || len(out.Items) == 0 {
		return nil, classify(err)
	}
	sn, err := unmarshalSnapshot(out.Items[0])
	if err != nil {
		return nil, classify(err)
	}
	return &sn, nil
}
