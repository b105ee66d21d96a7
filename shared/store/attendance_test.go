package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestAbsenceTakenBackThenAnother: an absence corrected to present empties
// the person's set of absences, and the next day's recording still counts
// from it. (DynamoDB removes a set whose last element is deleted; the
// embedded server used to leave a string in its place, and every later
// recording for the person failed.)
func TestAbsenceTakenBackThenAnother(t *testing.T) {
	ctx := context.Background()
	st, _ := dbtest.Store(t)
	now := time.Date(2025, 10, 10, 9, 0, 0, 0, domain.CityZone)
	c := dbtest.Centre("c1", "binhu")
	o := dbtest.Offering("o1", c, 20, now, func(o *domain.Offering) {
		o.NoShowRule = &domain.NoShowRule{MaxUnexcused: 2, Seasons: []string{"spring", "autumn"}}
	})
	if err := st.PutOffering(ctx, o, false); err != nil {
		t.Fatal(err)
	}
	const identity = "identity-1"
	bookings := map[string]domain.Booking{"b1": {ID: "b1", Identity: identity, OfferingID: o.ID}}
	record := func(date string, status domain.AttendanceStatus, want int) {
		t.Helper()
		day := store.AttendanceDay{Date: date, Records: map[string]domain.AttendanceStatus{"b1": status}, UpdatedBy: "staff-1", UpdatedAt: now}
		if err := recordDay(ctx, st, o, day, bookings, store.Audit(c.ID, "staff-1", "attendance", o.ID, nil, nil, now)); err != nil {
			t.Fatalf("%s %s: %v", date, status, err)
		}
		if n, err := st.Absences(ctx, identity, o.Kind, o.Term); err != nil || n != want {
			t.Fatalf("after %s %s: %d absences (%v), want %d", date, status, n, err, want)
		}
	}
	record("2025-09-01", domain.Absent, 1)
	record("2025-09-01", domain.Present, 0)
	record("2025-09-08", domain.Absent, 1)
	record("2025-09-15", domain.Absent, 2)
}

// TestErasedBookingAbsentCountsForNoOne: a day that marks absent a booking
// whose participant was erased (no identity left) records the day and
// writes no absence or block under an empty identity.
func TestErasedBookingAbsentCountsForNoOne(t *testing.T) {
	ctx := context.Background()
	st, db, table := participantStore(t)
	now := time.Date(2025, 10, 10, 9, 0, 0, 0, domain.CityZone)
	c := dbtest.Centre("c1", "binhu")
	o := dbtest.Offering("o1", c, 20, now, func(o *domain.Offering) {
		o.NoShowRule = &domain.NoShowRule{MaxUnexcused: 1, Seasons: []string{"spring", "autumn"}}
	})
	if err := st.PutOffering(ctx, o, false); err != nil {
		t.Fatal(err)
	}
	bookings := map[string]domain.Booking{"b1": {ID: "b1", OfferingID: o.ID, Erased: true}}
	day := store.AttendanceDay{Date: "2025-09-01", Records: map[string]domain.AttendanceStatus{"b1": domain.Absent}, UpdatedBy: "staff-1", UpdatedAt: now}
	if err := recordDay(ctx, st, o, day, bookings, store.Audit(c.ID, "staff-1", "attendance", o.ID, nil, nil, now)); err != nil {
		t.Fatal(err)
	}
	out, err := db.Query(ctx, &dynamodb.QueryInput{TableName: aws.String(table), KeyConditionExpression: aws.String("PK = :pk"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: "IDENTITY#"}}})
	if err != nil || len(out.Items) != 0 {
		t.Fatalf("items under an empty identity: %v (%v)", out.Items, err)
	}
}

// recordDay records a day as the centre staff's service does: read what is
// counted, decide (domain), write.
func recordDay(ctx context.Context, st *store.Store, o domain.Offering, day store.AttendanceDay, bookings map[string]domain.Booking, a store.AuditEntry) error {
	counted, err := st.CountedAbsences(ctx, o, domain.Recorded(day.Records, bookings))
	if err != nil {
		return err
	}
	return st.PutAttendanceDay(ctx, o, day, o.AbsenceChanges(day.Date, day.Records, bookings, counted), a)
}
