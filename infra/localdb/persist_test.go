package localdb

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// open starts a server on dir for the test; a client for it.
func open(t testing.TB, dir string) (*Server, *Loaded, *dynamodb.Client) {
	t.Helper()
	s, ld, err := Open("127.0.0.1:0", dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, ld, dynamodb.New(dynamodb.Options{
		Region: "cn-north-1", BaseEndpoint: aws.String(s.URL),
		Credentials:                     credentials.NewStaticCredentialsProvider("local", "local", ""),
		DisableValidateResponseChecksum: true,
	})
}

// contents is every item of table, by key, in a form that compares.
func contents(t testing.TB, db *dynamodb.Client, table string) map[string]string {
	t.Helper()
	out, err := db.Scan(context.Background(), &dynamodb.ScanInput{TableName: aws.String(table)})
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, it := range out.Items {
		var plain map[string]any
		if err := attributevalue.UnmarshalMap(it, &plain); err != nil {
			t.Fatal(err)
		}
		for k, v := range plain {
			if set, ok := v.([]string); ok { // a string set has no order
				plain[k] = slices.Sorted(slices.Values(set))
			}
		}
		b, _ := json.Marshal(plain)
		m[it["PK"].(*types.AttributeValueMemberS).Value] = string(b)
	}
	return m
}

func closeServer(t testing.TB, s *Server) {
	t.Helper()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestOpenKeepsAcknowledgedWrites: every kind of write a server in a folder
// acknowledged is there after a restart, from the journal, then from the
// snapshot the restart wrote; the guard's repairs are replayed (the sparse
// index stays right); a refused write leaves nothing to replay.
func TestOpenKeepsAcknowledgedWrites(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, ld, db := open(t, dir)
	if ld.Tables != 0 || ld.Items != 0 || ld.Generation != 1 {
		t.Fatalf("a new folder loaded %+v", ld)
	}
	indexTable(t, db, "t") // CreateTable and 8 puts
	writes := 9
	n := func(v string) types.AttributeValue { return &types.AttributeValueMemberN{Value: v} }
	steps := []func() error{
		func() error { // out of the sparse index: the guard repairs it
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: keyOf("a1"), UpdateExpression: aws.String("REMOVE GPK, GSK SET v = :v ADD tags :s"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":v": n("1"), ":s": &types.AttributeValueMemberSS{Value: []string{"x", "y"}}}})
			return err
		},
		func() error { // into it
			_, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String("t"), Key: keyOf("c1"), UpdateExpression: aws.String("SET GPK = :p, GSK = :s"),
				ExpressionAttributeValues: map[string]types.AttributeValue{":p": str("Q"), ":s": str("0")}})
			return err
		},
		func() error {
			_, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String("t"), Key: keyOf("b2")})
			return err
		},
		func() error {
			_, err := db.TransactWriteItems(ctx, &dynamodb.TransactWriteItemsInput{TransactItems: []types.TransactWriteItem{
				{Put: &types.Put{TableName: aws.String("t"), Item: entry{"d1", "P", "9"}.item(), ConditionExpression: aws.String("attribute_not_exists(PK)")}},
				{Update: &types.Update{TableName: aws.String("t"), Key: keyOf("a2"), UpdateExpression: aws.String("ADD n :one"), ExpressionAttributeValues: map[string]types.AttributeValue{":one": n("1")}}},
			}})
			return err
		},
		func() error {
			_, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"t": {
				{PutRequest: &types.PutRequest{Item: entry{"e1", "", ""}.item()}}, {DeleteRequest: &types.DeleteRequest{Key: keyOf("c2")}},
			}}})
			return err
		},
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	writes += len(steps)
	// Refused: nothing changes, nothing is journaled.
	_, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: entry{"d1", "", ""}.item(), ConditionExpression: aws.String("attribute_not_exists(PK)")})
	if err == nil {
		t.Fatal("a put over an existing item with attribute_not_exists succeeded")
	}
	want := contents(t, db, "t")
	closeServer(t, s)

	s, ld, db = open(t, dir)
	if ld.Replayed != writes || !ld.Compacted || ld.Items != len(want) || ld.Tables != 1 || ld.TornBytes != 0 {
		t.Errorf("restart from the journal: %+v, want %d records replayed, %d items, a new snapshot", ld, writes, len(want))
	}
	if got := contents(t, db, "t"); !reflect.DeepEqual(got, want) {
		t.Errorf("after replaying the journal:\n got %v\nwant %v", got, want)
	}
	if err := checkIndex(ctx, db, "t"); err != nil {
		t.Error(err)
	}
	closeServer(t, s)

	s, ld, db = open(t, dir)
	if ld.Replayed != 0 || ld.Compacted || ld.Items != len(want) || ld.SnapshotBytes == 0 {
		t.Errorf("restart from the snapshot alone: %+v", ld)
	}
	if got := contents(t, db, "t"); !reflect.DeepEqual(got, want) {
		t.Errorf("after loading the snapshot:\n got %v\nwant %v", got, want)
	}
	if err := checkIndex(ctx, db, "t"); err != nil {
		t.Error(err)
	}
	closeServer(t, s)
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		if info, err := os.Stat(f); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v, mode %v, want 0600", f, err, info.Mode().Perm())
		}
	}
	if len(files) != 2 {
		t.Errorf("the folder holds %v, want one snapshot and one journal", files)
	}
}

// TestOpenIgnoresATornJournalTail: a last record cut short or failing its
// checksum (a crash in the middle of its write) is ignored with a note, the
// records before it are kept, and a snapshot a crash left half-written is
// neither read nor kept.
func TestOpenIgnoresATornJournalTail(t *testing.T) {
	ctx := context.Background()
	// record is a whole journal record putting item pk.
	record := func(pk string) []byte {
		body, _ := json.Marshal(map[string]any{"TableName": "t", "Item": map[string]any{"PK": map[string]string{"S": pk}, "SK": map[string]string{"S": "x"}}})
		f, err := os.CreateTemp(t.TempDir(), "record")
		if err != nil {
			t.Fatal(err)
		}
		j := &journaled{f: f}
		if err := j.append("PutItem", body); err != nil {
			t.Fatal(err)
		}
		f.Close()
		b, _ := os.ReadFile(f.Name())
		return b
	}
	whole := record("late")
	for _, c := range []struct {
		name string
		tail []byte
	}{
		{"header cut", whole[:5]},
		{"body cut", whole[:len(whole)-3]},
		{"checksum fails", append(append([]byte(nil), whole[:len(whole)-1]...), whole[len(whole)-1]^0xff)},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			s, _, db := open(t, dir)
			indexTable(t, db, "t")
			closeServer(t, s)
			s, _, db = open(t, dir) // now a snapshot and an empty journal
			for _, pk := range []string{"k1", "k2"} {
				if _, err := db.PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"), Item: entry{pk, "", ""}.item()}); err != nil {
					t.Fatal(err)
				}
			}
			closeServer(t, s)
			journals, _ := filepath.Glob(filepath.Join(dir, "journal.*.log"))
			if len(journals) != 1 {
				t.Fatalf("journals %v", journals)
			}
			f, err := os.OpenFile(journals[0], os.O_WRONLY|os.O_APPEND, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.Write(c.tail); err != nil {
				t.Fatal(err)
			}
			f.Close()
			if err := os.WriteFile(filepath.Join(dir, "snapshot.99.jsonl.tmp"), []byte(`{"format":`), 0o600); err != nil {
				t.Fatal(err)
			}

			_, ld, db := open(t, dir)
			t.Logf("%s", ld.TornNote)
			if ld.Replayed != 2 || ld.TornBytes != int64(len(c.tail)) || !strings.Contains(ld.TornNote, "torn") || ld.Items != 10 {
				t.Errorf("loaded %+v, want 2 records replayed, %d torn bytes, 10 items", ld, len(c.tail))
			}
			got := contents(t, db, "t")
			if _, ok := got["late"]; ok {
				t.Error("the torn record was applied")
			}
			for _, pk := range []string{"k1", "k2", "a1", "c2"} {
				if _, ok := got[pk]; !ok {
					t.Errorf("%s is missing", pk)
				}
			}
			if _, err := os.Stat(filepath.Join(dir, "snapshot.99.jsonl.tmp")); err == nil {
				t.Error("the half-written snapshot is still there")
			}
		})
	}
}

// TestOpenStartupFigures prints how long a restart takes with a table of
// 1,000 items (and of ENROL_PERSIST_ITEMS more, when set: make test stays
// quick): from the journal (every item written since the last start, then
// compacted) and from the snapshot alone.
func TestOpenStartupFigures(t *testing.T) {
	ctx := context.Background()
	sizes := []int{1000}
	if v, err := strconv.Atoi(os.Getenv("ENROL_PERSIST_ITEMS")); err == nil && v > 0 {
		sizes = append(sizes, v)
	}
	for _, size := range sizes {
		dir := t.TempDir()
		s, _, db := open(t, dir)
		indexTable(t, db, "t")
		var batch []types.WriteRequest
		for i := range size {
			e := entry{fmt.Sprintf("x%05d", i), "", ""}
			if i%2 == 0 {
				e.gpk, e.gsk = "R", fmt.Sprint(i)
			}
			it := e.item()
			it["payload"] = str(strings.Repeat("p", 200)) // a booking-sized item
			batch = append(batch, types.WriteRequest{PutRequest: &types.PutRequest{Item: it}})
			if len(batch) == 25 || i == size-1 {
				if _, err := db.BatchWriteItem(ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{"t": batch}}); err != nil {
					t.Fatal(err)
				}
				batch = nil
			}
		}
		closeServer(t, s)
		s, fromJournal, _ := open(t, dir)
		closeServer(t, s)
		_, fromSnapshot, db := open(t, dir)
		if fromJournal.Items != size+8 || fromSnapshot.Items != size+8 || len(contents(t, db, "t")) != size+8 {
			t.Errorf("%d items: loaded %d from the journal, %d from the snapshot", size+8, fromJournal.Items, fromSnapshot.Items)
		}
		t.Logf("%6d items: journal %d records %.1f MB replayed in %s + new snapshot %.1f MB in %s = %s; snapshot alone loaded in %s",
			fromJournal.Items, fromJournal.Replayed, float64(fromJournal.JournalBytes)/1e6, fromJournal.Replay.Round(1e6), float64(fromSnapshot.SnapshotBytes)/1e6,
			fromJournal.Compact.Round(1e6), fromJournal.Total.Round(1e6), fromSnapshot.Total.Round(1e6))
	}
}
