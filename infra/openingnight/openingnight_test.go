package openingnight

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// rawClient is a client of t that never retries, to see each answer.
func rawClient(t *Table) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{Region: "cn-north-1", BaseEndpoint: aws.String("http://openingnight.invalid"),
		Credentials: credentials.NewStaticCredentialsProvider("local", "local", ""), Retryer: aws.NopRetryer{}}, t.Option())
}

func k(pk, sk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}}
}

func counter(pk string) types.TransactWriteItem {
	return types.TransactWriteItem{Update: &types.Update{TableName: aws.String("enrol"), Key: k(pk, "C"),
		UpdateExpression:          aws.String("ADD n :one"),
		ConditionExpression:       aws.String("attribute_not_exists(n) OR n < :max"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}, ":max": &types.AttributeValueMemberN{Value: "1000"}}}}
}

func TestStandIn(t *testing.T) {
	tests := []struct {
		name string
		lim  Limits
		// run does its calls and returns what came of them.
		run  func(ctx context.Context, db *dynamodb.Client) (ok, throttled, conflicts int)
		want [3]int
	}{
		{"an item takes its write rate in a second, then throttles", Limits{Partitions: 1, PartitionWCU: 1000, PartitionRCU: 3000, ItemWCU: 10, CallLatency: time.Millisecond},
			func(ctx context.Context, db *dynamodb.Client) (ok, throttled, conflicts int) {
				for range 15 {
					_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("enrol"), Key: k("HOT", "C"),
						UpdateExpression: aws.String("ADD n :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": &types.AttributeValueMemberN{Value: "1"}}})
					if _, th := errors.AsType[*types.ThrottlingException](err); th {
						throttled++
					} else if err == nil {
						ok++
					}
				}
				return ok, throttled, 0
			}, [3]int{10, 5, 0}},
		{"a partition takes its write rate across items", Limits{Partitions: 1, PartitionWCU: 6, PartitionRCU: 3000, ItemWCU: 1000, CallLatency: time.Millisecond},
			func(ctx context.Context, db *dynamodb.Client) (ok, throttled, conflicts int) {
				for i := range 8 {
					_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{counter("P" + strconv.Itoa(i))}})
					if tce, c := errors.AsType[*types.TransactionCanceledException](err); c && aws.ToString(tce.CancellationReasons[0].Code) == "ThrottlingError" {
						throttled++
					} else if err == nil {
						ok++
					}
				}
				return ok, throttled, 0
			}, [3]int{3, 5, 0}}, // a transactional write is 2 WCU
		{"the later of two transactions on one item conflicts", AWSLimits,
			func(ctx context.Context, db *dynamodb.Client) (ok, throttled, conflicts int) {
				var mu sync.Mutex
				var wg sync.WaitGroup
				for i := range 2 {
					wg.Go(func() {
						time.Sleep(time.Duration(i) * time.Millisecond) // the second starts while the first holds the item
						_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
							counter("SHARED"), counter("OWN" + strconv.Itoa(i))}})
						mu.Lock()
						defer mu.Unlock()
						if tce, c := errors.AsType[*types.TransactionCanceledException](err); c &&
							aws.ToString(tce.CancellationReasons[0].Code) == "TransactionConflict" && aws.ToString(tce.CancellationReasons[1].Code) == "None" {
							conflicts++
						} else if err == nil {
							ok++
						}
					})
				}
				wg.Wait()
				// Once the first is over, the item is free again.
				if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{counter("SHARED")}}); err == nil {
					ok++
				}
				return ok, 0, conflicts
			}, [3]int{2, 0, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ok, th, cf := tt.run(t.Context(), rawClient(NewTable(tt.lim)))
				if got := [3]int{ok, th, cf}; got != tt.want {
					t.Errorf("ok, throttled, conflicts = %v, want %v", got, tt.want)
				}
			})
		})
	}
}

func TestConditionFailureReturnsTheItem(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tb := NewTable(AWSLimits)
		tb.Put(map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "B"}, "SK": &types.AttributeValueMemberS{Value: "X"},
			"until": &types.AttributeValueMemberS{Value: "2027-01-01"}})
		_, err := rawClient(tb).TransactWriteItems(t.Context(), &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
			counter("A"),
			{ConditionCheck: &types.ConditionCheck{TableName: aws.String("enrol"), Key: k("B", "X"), ConditionExpression: aws.String("attribute_not_exists(PK)"),
				ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld}}}})
		tce, ok := errors.AsType[*types.TransactionCanceledException](err)
		if !ok {
			t.Fatalf("err = %v, want a cancelled transaction", err)
		}
		if got := aws.ToString(tce.CancellationReasons[1].Code); got != "ConditionalCheckFailed" {
			t.Errorf("reason = %q", got)
		}
		if v, _ := tce.CancellationReasons[1].Item["until"].(*types.AttributeValueMemberS); v == nil || v.Value != "2027-01-01" {
			t.Errorf("old item = %v", tce.CancellationReasons[1].Item)
		}
		if tb.Get("A", "C") != nil {
			t.Error("a cancelled transaction wrote its other item")
		}
	})
}

// tiny is a small night: more residents than places, so every course fills.
func tiny() Scenario {
	s := Opening(600)
	s.Name, s.Courses, s.Arrivals = "tiny", 6, 5*time.Second
	return s
}

// TestTinyNightSellsOutExactly runs the real booking on a small night: every
// place is taken once, by one resident each, and the offerings' own counts
// (read through the store) agree.
func TestTinyNightSellsOutExactly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		m, r := play(t, tiny())
		if r.Sold != r.Seats || r.Booked != r.Seats {
			t.Errorf("sold %d and booked %d of %d seats", r.Sold, r.Booked, r.Seats)
		}
		if r.Errored != 0 || r.Booked+r.Refused+r.GaveUp != len(m.people) {
			t.Errorf("outcomes %d/%d/%d/%d of %d residents (%v)", r.Booked, r.Refused, r.GaveUp, r.Errored, len(m.people), r.Errors)
		}
		db, err := store.NewClient(t.Context(), m.cfg, m.table.Option())
		if err != nil {
			t.Fatal(err)
		}
		st := store.New(db, m.cfg.TableName, plainSealer{})
		for _, c := range m.courses {
			o, err := st.GetOffering(t.Context(), c.id)
			if err != nil {
				t.Fatal(err)
			}
			if o.Confirmed != c.capacity || c.sold != c.capacity {
				t.Errorf("%s: confirmed %d, answered 201 %d times, capacity %d", c.id, o.Confirmed, c.sold, c.capacity)
			}
		}
	})
}

// play runs s to the end; its figures go to the log.
func play(t *testing.T, s Scenario) (*sim, Result) {
	m := newSim(s)
	if err := m.seed(t.Context()); err != nil {
		t.Fatal(err)
	}
	m.arrive()
	m.loop(t.Context())
	r := m.result()
	if testing.Verbose() {
		var b printBuffer
		Print(&b, r)
		t.Log("\n" + string(b))
	}
	return m, r
}

type printBuffer []byte

func (b *printBuffer) Write(p []byte) (int, error) { *b = append(*b, p...); return len(p), nil }
