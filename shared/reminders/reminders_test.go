package reminders_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/reminders"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// at is 18:00 in Wuxi on day, when the job runs.
func at(day string) time.Time {
	t, err := domain.ParseDate(day)
	if err != nil {
		panic(err)
	}
	return t.Add(18 * time.Hour)
}

// TestRemindTheDayBefore: an offering whose first listed session is 3
// September (it starts on the 1st, but first meets on the 3rd) reminds its
// confirmed bookings on the 2nd in Wuxi — from just after midnight there,
// still the 1st in UTC — and on no other day; never a cancelled booking, one
// still waiting, or any booking of a cancelled offering or one meeting
// later; a second run, or one after the dispatcher has sent and deleted the
// first reminders, tells nobody again.
func TestRemindTheDayBefore(t *testing.T) {
	ctx := context.Background()
	cfg := dbtest.Config(t)
	st, ids, db := dbtest.CustodyOn(t, cfg)
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	c := dbtest.Centre("c1", "binhu")
	if err := st.PutCentre(ctx, c, false); err != nil {
		t.Fatal(err)
	}
	firstOn := func(day string) func(*domain.Offering) {
		return func(o *domain.Offering) { o.Schedule.Sessions = []string{day, "2025-09-17"} }
	}
	for _, o := range []domain.Offering{
		dbtest.Offering("starts", c, 2, now, firstOn("2025-09-03")),
		dbtest.Offering("cancelled", c, 5, now, firstOn("2025-09-03")),
		dbtest.Offering("later", c, 5, now, firstOn("2025-09-10")),
	} {
		if err := st.PutOffering(ctx, o, false); err != nil {
			t.Fatal(err)
		}
	}
	bk := &residents.Service{Store: st, Now: func() time.Time { return now }}
	book := func(seq int, offering string) domain.Booking {
		t.Helper()
		now = now.Add(time.Minute)
		birth := time.Date(1995, 3, seq, 0, 0, 0, 0, domain.CityZone)
		p, err := domain.Register(ctx, domain.NewParticipant{Name: "学员", BirthDate: birth.Format(domain.DateLayout),
			IDNumber: idnumber.Make("320202", birth, seq)}, fmt.Sprintf("acc-%s-%d", offering, seq), ids, now)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.CreateParticipant(ctx, p); err != nil {
			t.Fatal(err)
		}
		res, err := bk.Book(ctx, residents.Request{Account: p.Account, OfferingID: offering, ParticipantID: p.ID, JoinWaitlist: true})
		if err != nil {
			t.Fatal(err)
		}
		return res.Booking
	}
	cancel := func(b domain.Booking) {
		t.Helper()
		if _, err := bk.Cancel(ctx, b.Account, b.ID); err != nil {
			t.Fatal(err)
		}
	}
	// "starts": A and B take the places, C and D wait; D leaves the line,
	// A cancels and C is promoted; E waits.
	a, b, cc, d := book(1, "starts"), book(2, "starts"), book(3, "starts"), book(4, "starts")
	cancel(d)
	cancel(a)
	book(5, "starts")
	book(6, "cancelled")
	book(7, "later")
	gone, err := st.GetOffering(ctx, "cancelled")
	if err != nil {
		t.Fatal(err)
	}
	gone.Status = domain.OfferingCancelled
	if err := st.PutOffering(ctx, gone, false); err != nil {
		t.Fatal(err)
	}

	svc := &reminders.Service{Store: st}
	want := []string{"reminder " + b.Account + " " + b.ID, "reminder " + cc.Account + " " + cc.ID}
	slices.Sort(want)
	reminded := func() []string {
		var out []string
		for _, n := range dbtest.Told(t, st) {
			if strings.HasPrefix(n, string(notices.Reminder)) {
				out = append(out, n)
			}
		}
		return out
	}
	clearOutbox := func() { // as the dispatcher does once it has sent them
		es, err := st.OutboxEntries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range es {
			for shard := range store.OutboxShards {
				if _, err := db.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(cfg.TableName), Key: map[string]types.AttributeValue{
					"PK": &types.AttributeValueMemberS{Value: fmt.Sprintf("OUTBOX#%d", shard)}, "SK": &types.AttributeValueMemberS{Value: e.ID}}}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	for _, run := range []struct {
		name     string
		at       time.Time
		reminded int
		told     []string
	}{
		{"two days before", at("2025-09-01"), 0, nil},
		{"the day before, 00:30 in Wuxi (the 1st in UTC)", time.Date(2025, 9, 1, 16, 30, 0, 0, time.UTC), 2, want},
		{"the day before, 18:00: already reminded", at("2025-09-02"), 0, want},
		{"the day before, once the dispatcher has sent them", at("2025-09-02"), 0, nil},
		{"the day itself", at("2025-09-03"), 0, nil},
		{"the day after", at("2025-09-04"), 0, nil},
	} {
		if run.told == nil {
			clearOutbox()
		}
		res, err := svc.Remind(ctx, run.at)
		if err != nil {
			t.Fatalf("%s: %v", run.name, err)
		}
		if res.Reminded != run.reminded {
			t.Errorf("%s: %+v, want %d reminded", run.name, res, run.reminded)
		}
		if got := reminded(); !slices.Equal(got, run.told) {
			t.Errorf("%s: told %q, want %q", run.name, got, run.told)
		}
	}

	// What a reminder says: the offering and its first session.
	clearOutbox()
	if _, err := db.UpdateItem(ctx, &dynamodb.UpdateItemInput{TableName: aws.String(cfg.TableName),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "ACCOUNT#" + b.Account}, "SK": &types.AttributeValueMemberS{Value: "BOOKING#" + b.ID}},
		UpdateExpression: aws.String("REMOVE reminded_on")}); err != nil {
		t.Fatal(err)
	}
	if res, err := svc.Remind(ctx, at("2025-09-02")); err != nil || res.Reminded != 1 || res.Already != 1 || res.Offerings != 1 {
		t.Fatalf("after unmarking one: %+v %v", res, err)
	}
	es, err := st.OutboxEntries(ctx)
	if err != nil || len(es) != 1 {
		t.Fatalf("outbox %+v %v", es, err)
	}
	n := es[0].Notice
	text, ok := n.Text()
	if !ok || !n.ToResident() || n.FirstSession != "2025-09-03" || n.OfferingID != "starts" || n.Title != "锡青夜校 · 测试课程 starts" ||
		!n.At.Equal(at("2025-09-02")) || text.ZH != "提醒：「锡青夜校 · 测试课程 starts」明天（9月3日）开始，请准时参加。" {
		t.Errorf("reminder %+v: %s", n, text)
	}
}
