package store_test

import (
	"bytes"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestSealedToItsItem: personal fields are stored sealed, never in the
// clear, and a sealed value opens only on the item it was sealed for: one
// copied onto another participant does not read there (and the original
// still does). A store given no personal-data key can neither write nor
// read them: a 500, not a retry.
func TestSealedToItsItem(t *testing.T) {
	w := newWorld(t)
	p := w.register("acc-1", 1)
	q := w.register("acc-1", 2)
	raw := rawItem(t, w.db, w.table, "ACCOUNT#acc-1", "PARTICIPANT#"+p.ID)
	blob, ok := raw["personal"].(*types.AttributeValueMemberB)
	if !ok || len(blob.Value) == 0 {
		t.Fatalf("no sealed personal fields: %v", raw)
	}
	for _, clear := range []string{p.Name, p.BirthDate, p.IDNumberLast4} {
		if bytes.Contains(blob.Value, []byte(clear)) {
			t.Fatalf("%q in the clear", clear)
		}
	}
	for _, name := range []string{"name", "birth_date", "id_number_last4"} {
		if _, there := raw[name]; there {
			t.Fatalf("attribute %s in the clear", name)
		}
	}
	_, err := w.db.UpdateItem(w.ctx, &dynamodb.UpdateItemInput{TableName: aws.String(w.table),
		Key:              map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: "ACCOUNT#acc-1"}, "SK": &types.AttributeValueMemberS{Value: "PARTICIPANT#" + q.ID}},
		UpdateExpression: aws.String("SET personal = :b"), ExpressionAttributeValues: map[string]types.AttributeValue{":b": blob}})
	w.must(err)
	_, err = w.st.GetParticipant(w.ctx, "acc-1", q.ID)
	wantCode(t, "p's sealed fields on q's item", err, apperr.Internal)
	if got, err := w.st.GetParticipant(w.ctx, "acc-1", p.ID); err != nil || got.Name != p.Name || got.BirthDate != p.BirthDate || got.IDNumberLast4 != p.IDNumberLast4 {
		t.Fatalf("p reads %+v %v", got, err)
	}

	keyless := store.New(w.db, w.table, nil)
	_, err = keyless.GetParticipant(w.ctx, "acc-1", p.ID)
	wantCode(t, "reading without a key", err, apperr.Internal)
	wantCode(t, "writing without a key", keyless.CreateParticipant(w.ctx, w.person("acc-1", 3)), apperr.Internal)
}

// TestKeyring: a data key version is absent until stored; the first one
// stored for a version stays, and a later put answers with it.
func TestKeyring(t *testing.T) {
	w := newWorld(t)
	k := store.NewKeyring(w.db, w.table)
	if got, err := k.DataKey(w.ctx, 7); got != nil || err != nil {
		t.Fatalf("before any: %v %v", got, err)
	}
	first, second := []byte("wrapped-one"), []byte("wrapped-two")
	if got, err := k.PutDataKey(w.ctx, 7, first); err != nil || !bytes.Equal(got, first) {
		t.Fatalf("first put: %q %v", got, err)
	}
	if got, err := k.PutDataKey(w.ctx, 7, second); err != nil || !bytes.Equal(got, first) {
		t.Fatalf("second put answered %q %v, want the first", got, err)
	}
	if got, err := k.PutDataKey(w.ctx, 8, second); err != nil || !bytes.Equal(got, second) {
		t.Fatalf("another version: %q %v", got, err)
	}
	if got, err := k.DataKey(w.ctx, 7); err != nil || !bytes.Equal(got, first) {
		t.Fatalf("version 7 reads %q %v", got, err)
	}
}
