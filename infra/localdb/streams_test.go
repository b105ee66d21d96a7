package localdb

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	stypes "github.com/aws/aws-sdk-go-v2/service/dynamodbstreams/types"
)

// streamTable creates a table keyed on PK with a stream of view (none if
// ""), on a server of its own; its clients.
func streamTable(t *testing.T, view types.StreamViewType) (*dynamodb.Client, *dynamodbstreams.Client) {
	t.Helper()
	srv, err := Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	creds := credentials.NewStaticCredentialsProvider("local", "local", "")
	db := dynamodb.New(dynamodb.Options{Region: "cn-north-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds, DisableValidateResponseChecksum: true})
	streams := dynamodbstreams.New(dynamodbstreams.Options{Region: "cn-north-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds})
	in := &dynamodb.CreateTableInput{TableName: aws.String("s"), BillingMode: types.BillingModePayPerRequest,
		AttributeDefinitions: []types.AttributeDefinition{{AttributeName: aws.String("PK"), AttributeType: types.ScalarAttributeTypeS}},
		KeySchema:            []types.KeySchemaElement{{AttributeName: aws.String("PK"), KeyType: types.KeyTypeHash}}}
	if view != "" {
		in.StreamSpecification = &types.StreamSpecification{StreamEnabled: aws.Bool(true), StreamViewType: view}
	}
	if _, err := db.CreateTable(context.Background(), in); err != nil {
		t.Fatal(err)
	}
	return db, streams
}

func pkOf(pk string) map[string]types.AttributeValue {
	return map[string]types.AttributeValue{"PK": str(pk)}
}

// recordLine is a stream record in brief: event, key, and the images' v.
func recordLine(r stypes.Record) string {
	v := func(img map[string]stypes.AttributeValue) string {
		if img == nil {
			return "-"
		}
		if x, ok := img["v"].(*stypes.AttributeValueMemberS); ok {
			return x.Value
		}
		return "?"
	}
	pk := r.Dynamodb.Keys["PK"].(*stypes.AttributeValueMemberS).Value
	return fmt.Sprintf("%s %s %s>%s", r.EventName, pk, v(r.Dynamodb.OldImage), v(r.Dynamodb.NewImage))
}

// TestGuardServesStreams: every change a write makes is a record in the
// table's stream, read through the SDK's DynamoDB Streams client as Lambda
// reads it: a put, an update, a transaction's items that changed (not its
// condition check, nothing of a cancelled one), a delete; a write that
// changes nothing adds none. Iterators from the start, from the latest,
// after a record; batches by Limit.
func TestGuardServesStreams(t *testing.T) {
	ctx := context.Background()
	db, streams := streamTable(t, types.StreamViewTypeNewAndOldImages)
	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("s")})
	if err != nil || desc.Table.LatestStreamArn == nil || desc.Table.StreamSpecification == nil || desc.Table.StreamSpecification.StreamViewType != types.StreamViewTypeNewAndOldImages {
		t.Fatalf("DescribeTable: %+v %v", desc, err)
	}
	arn := desc.Table.LatestStreamArn
	sd, err := streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: arn})
	if err != nil || len(sd.StreamDescription.Shards) != 1 || sd.StreamDescription.StreamStatus != stypes.StreamStatusEnabled {
		t.Fatalf("DescribeStream: %+v %v", sd, err)
	}
	shard := sd.StreamDescription.Shards[0].ShardId
	iterAt := func(typ stypes.ShardIteratorType, seq *string) *string {
		t.Helper()
		it, err := streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: arn, ShardId: shard, ShardIteratorType: typ, SequenceNumber: seq})
		if err != nil {
			t.Fatal(err)
		}
		return it.ShardIterator
	}
	read := func(it *string, limit int32) ([]stypes.Record, *string) {
		t.Helper()
		var all []stypes.Record
		for {
			out, err := streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it, Limit: aws.Int32(limit)})
			if err != nil {
				t.Fatal(err)
			}
			all, it = append(all, out.Records...), out.NextShardIterator
			if len(out.Records) == 0 {
				return all, it
			}
		}
	}
	latest := iterAt(stypes.ShardIteratorTypeLatest, nil)
	item := func(pk, v string) map[string]types.AttributeValue {
		return map[string]types.AttributeValue{"PK": str(pk), "v": str(v)}
	}
	must := func(_ any, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("s"), Item: item("a", "1")}))
	must(db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("s"), Item: item("a", "1")})) // the same: no record
	must(db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("s"), Key: pkOf("a"),
		UpdateExpression: aws.String("SET v = :v"), ExpressionAttributeValues: map[string]types.AttributeValue{":v": str("2")}}))
	must(db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("s"), Item: item("b", "1"), ConditionExpression: aws.String("attribute_not_exists(PK)")}},
		{ConditionCheck: &types.ConditionCheck{TableName: aws.String("s"), Key: pkOf("a"), ConditionExpression: aws.String("attribute_exists(PK)")}},
		{Put: &types.Put{TableName: aws.String("s"), Item: item("c", "1")}},
	}}))
	if _, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
		{Put: &types.Put{TableName: aws.String("s"), Item: item("d", "1")}},
		{Put: &types.Put{TableName: aws.String("s"), Item: item("b", "9"), ConditionExpression: aws.String("attribute_not_exists(PK)")}},
	}}); err == nil {
		t.Fatal("the cancelled transaction went through")
	}
	must(db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("s"), Key: pkOf("c")}))
	must(db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("s"), Key: pkOf("zz")})) // absent: no record

	want := []string{"INSERT a ->1", "MODIFY a 1>2", "INSERT b ->1", "INSERT c ->1", "REMOVE c 1>-"}
	lines := func(rs []stypes.Record) []string {
		out := make([]string, len(rs))
		for i, r := range rs {
			out[i] = recordLine(r)
		}
		return out
	}
	all, _ := read(iterAt(stypes.ShardIteratorTypeTrimHorizon, nil), 2)
	if got := lines(all); !slices.Equal(got, want) {
		t.Fatalf("from the start, 2 at a time: %q\nwant %q", got, want)
	}
	for i, r := range all {
		if r.EventSource == nil || *r.EventSource != "aws:dynamodb" || r.Dynamodb.SequenceNumber == nil || r.Dynamodb.ApproximateCreationDateTime == nil ||
			i > 0 && *r.Dynamodb.SequenceNumber <= *all[i-1].Dynamodb.SequenceNumber {
			t.Fatalf("record %d: %+v", i, r)
		}
	}
	if got, _ := read(latest, 100); !slices.Equal(lines(got), want) {
		t.Fatalf("from the latest before the writes: %q", lines(got))
	}
	after, _ := read(iterAt(stypes.ShardIteratorTypeAfterSequenceNumber, all[2].Dynamodb.SequenceNumber), 100)
	if got := lines(after); !slices.Equal(got, want[3:]) {
		t.Fatalf("after the third: %q", got)
	}
	// Read to the end, the iterator waits for the next write.
	_, next := read(iterAt(stypes.ShardIteratorTypeLatest, nil), 100)
	must(db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("s"), Item: item("e", "1")}))
	if got, _ := read(next, 100); !slices.Equal(lines(got), []string{"INSERT e ->1"}) {
		t.Fatalf("after the end: %q", lines(got))
	}
}

// TestGuardStreamViews: a NEW_IMAGE stream carries no old image; a table
// without a stream names none, and the Streams API knows none of it.
func TestGuardStreamViews(t *testing.T) {
	ctx := context.Background()
	db, streams := streamTable(t, types.StreamViewTypeNewImage)
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("s"), Item: map[string]types.AttributeValue{"PK": str("a"), "v": str("1")}}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("s"), Item: map[string]types.AttributeValue{"PK": str("a"), "v": str("2")}}); err != nil {
		t.Fatal(err)
	}
	desc, err := db.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("s")})
	if err != nil {
		t.Fatal(err)
	}
	sd, err := streams.DescribeStream(ctx, &dynamodbstreams.DescribeStreamInput{StreamArn: desc.Table.LatestStreamArn})
	if err != nil {
		t.Fatal(err)
	}
	it, err := streams.GetShardIterator(ctx, &dynamodbstreams.GetShardIteratorInput{StreamArn: desc.Table.LatestStreamArn,
		ShardId: sd.StreamDescription.Shards[0].ShardId, ShardIteratorType: stypes.ShardIteratorTypeTrimHorizon})
	if err != nil {
		t.Fatal(err)
	}
	out, err := streams.GetRecords(ctx, &dynamodbstreams.GetRecordsInput{ShardIterator: it.ShardIterator})
	if err != nil || len(out.Records) != 2 || recordLine(out.Records[1]) != "MODIFY a ->2" {
		t.Fatalf("records %+v %v", out, err)
	}

	plain, plainStreams := streamTable(t, "")
	desc, err = plain.DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String("s")})
	if err != nil || desc.Table.LatestStreamArn != nil {
		t.Fatalf("a table without a stream: %+v %v", desc.Table, err)
	}
	if ls, err := plainStreams.ListStreams(ctx, &dynamodbstreams.ListStreamsInput{}); err != nil || len(ls.Streams) != 0 {
		t.Fatalf("ListStreams %+v %v", ls, err)
	}
}
