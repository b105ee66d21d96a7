package store_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// TestReadAccount: an account is read whole, past one Query's 500 items:
// its participants, its bookings still carrying personal data (an erased
// one is not there), its consents, and as disposable everything else; no
// other account's item. Deleting the disposable items leaves the rest.
func TestReadAccount(t *testing.T) {
	w := newWorld(t)
	w.offering("o1", 5)
	w.offering("o2", 5)
	p := w.register("acc-1", 1)
	child := w.child("acc-1")
	kept := w.book(p, "o1")
	erased := w.book(p, "o2")
	w.cancel(erased)
	gone, err := w.st.GetBooking(w.ctx, "acc-1", erased.ID)
	w.must(err)
	w.must(w.st.EraseBooking(w.ctx, gone, w.tick()))
	w.book(w.register("acc-2", 2), "o1")
	// Disposable records enough to take the read past one page.
	const extra = 520
	var reqs []types.WriteRequest
	for i := range extra {
		reqs = append(reqs, types.WriteRequest{PutRequest: &types.PutRequest{Item: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "ACCOUNT#acc-1"}, "SK": &types.AttributeValueMemberS{Value: fmt.Sprintf("IDEMPOTENCY#k%03d", i)},
			"type": &types.AttributeValueMemberS{Value: "idempotency"}}}})
	}
	for chunk := range slices.Chunk(reqs, 25) {
		if _, err := w.db.BatchWriteItem(w.ctx, &dynamodb.BatchWriteItemInput{RequestItems: map[string][]types.WriteRequest{w.table: chunk}}); err != nil {
			t.Fatal(err)
		}
	}

	a, err := w.st.ReadAccount(w.ctx, "acc-1")
	w.must(err)
	if ids := idsOf(a.Participants, func(p domain.Participant) string { return p.Name }); len(ids) != 2 || !slices.Contains(ids, "居民1") || !slices.Contains(ids, "王小明") {
		t.Errorf("participants %v", ids)
	}
	if len(a.Bookings) != 1 || a.Bookings[0].ID != kept.ID || a.Bookings[0].Participant.Name != "居民1" {
		t.Errorf("bookings %+v, want only %s", a.Bookings, kept.ID)
	}
	if len(a.Consents) != 1 || a.Consents[0].ParticipantID != child.ID {
		t.Errorf("consents %+v", a.Consents)
	}
	// Every item is in exactly one list, the erased booking in none.
	if listed := len(a.Participants) + len(a.Bookings) + len(a.Consents) + len(a.Messages) + len(a.Disposable) + 1; a.Items != listed || a.Items < extra+5 {
		t.Errorf("%d items, %d listed", a.Items, listed)
	}
	for _, k := range a.Disposable {
		if pk := k["PK"].(*types.AttributeValueMemberS).Value; pk != "ACCOUNT#acc-1" {
			t.Fatalf("another partition's key among the disposable: %s", pk)
		}
	}

	w.must(w.st.DeleteItems(w.ctx, a.Disposable))
	after, err := w.st.ReadAccount(w.ctx, "acc-1")
	w.must(err)
	if len(after.Disposable) != 0 || len(after.Participants) != 2 || len(after.Bookings) != 1 || len(after.Consents) != 1 || after.Items != 5 {
		t.Fatalf("after deleting the disposable: %d items, %d disposable, %d participants, %d bookings, %d consents",
			after.Items, len(after.Disposable), len(after.Participants), len(after.Bookings), len(after.Consents))
	}
	if other, _ := w.st.ReadAccount(w.ctx, "acc-2"); len(other.Participants) != 1 || len(other.Bookings) != 1 {
		t.Fatalf("acc-2 lost its items: %+v", other)
	}
}
