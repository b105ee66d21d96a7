package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/privacy"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// participantStore is a store on a fresh table, its raw client and table name.
func participantStore(t *testing.T) (*store.Store, *dynamodb.Client, string) {
	t.Helper()
	cfg := dbtest.Config(t)
	st, ids, db := dbtest.CustodyOn(t, cfg)
	testIDs = ids
	return st, db, cfg.TableName
}

// testIDs computes identities with the test process's KMS stand-in (every
// table's store uses the same keys); set by participantStore (these tests
// run one at a time).
var testIDs domain.Identifier

// adult is a participant as domain.Register makes it: person seq of account,
// registered at now.
func adult(t *testing.T, account string, seq int, now time.Time) domain.Participant {
	t.Helper()
	birth := time.Date(1990, 1, 1+seq%28, 0, 0, 0, 0, domain.CityZone)
	p, err := domain.Register(context.Background(), domain.NewParticipant{Name: fmt.Sprintf("居民%d", seq), BirthDate: birth.Format(domain.DateLayout),
		IDNumber: idnumber.Make("320213", birth, seq)}, account, testIDs, now)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func rawItem(t *testing.T, db *dynamodb.Client, table, pk, sk string) map[string]types.AttributeValue {
	t.Helper()
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true),
		Key: map[string]types.AttributeValue{"PK": &types.AttributeValueMemberS{Value: pk}, "SK": &types.AttributeValueMemberS{Value: sk}}})
	if err != nil {
		t.Fatal(err)
	}
	return out.Item
}

func attr(m map[string]types.AttributeValue, name string) string {
	switch v := m[name].(type) {
	case *types.AttributeValueMemberS:
		return v.Value
	case *types.AttributeValueMemberN:
		return v.Value
	}
	return ""
}

// TestConcurrentParticipantLimit: a day's worth of registrations of
// different people on one account at once end with exactly
// domain.MaxParticipants; the rest are participant_limit, and every attempt
// is counted once.
func TestConcurrentParticipantLimit(t *testing.T) {
	st, db, table := participantStore(t)
	base := time.Date(2026, 12, 1, 10, 0, 0, 0, domain.CityZone)
	var wg sync.WaitGroup
	const n = domain.RegistrationsPerDay
	errs := make([]error, n)
	for i := range errs {
		wg.Go(func() {
			errs[i] = st.CreateParticipant(context.Background(), adult(t, "acc-1", i+1, base))
		})
	}
	wg.Wait()
	ok, limited := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case apperr.Is(err, apperr.ParticipantLimit):
			limited++
		default:
			t.Errorf("unexpected: %v", err)
		}
	}
	list, _, err := st.ListParticipants(context.Background(), "acc-1", paging.Page{Limit: 50})
	if err != nil {
		t.Fatal(err)
	}
	counter := rawItem(t, db, table, "ACCOUNT#acc-1", "PARTICIPANT_COUNT")
	count, attempts := attr(counter, "participants"), attr(counter, "attempts")
	if ok != domain.MaxParticipants || limited != n-domain.MaxParticipants || len(list) != domain.MaxParticipants || count != fmt.Sprint(domain.MaxParticipants) || attempts != fmt.Sprint(n) {
		t.Fatalf("%d registered, %d refused, %d listed, count %s, attempts %s; want %d, %d, %d, %d, %d",
			ok, limited, len(list), count, attempts, domain.MaxParticipants, n-domain.MaxParticipants, domain.MaxParticipants, domain.MaxParticipants, n)
	}
	// Another account is not affected.
	if err := st.CreateParticipant(context.Background(), adult(t, "acc-2", 1, base)); err != nil {
		t.Fatal(err)
	}
}

// TestRegistrationRateLimit: an account's attempts a day (in the city)
// are limited, refused ones included; the refusal says when to come back,
// the counter expires by TTL, and the next day starts afresh.
func TestRegistrationRateLimit(t *testing.T) {
	st, db, table := participantStore(t)
	ctx := context.Background()
	// 2026-12-02 23:00 in Wuxi: an hour to the next day.
	now := time.Date(2026, 12, 2, 15, 0, 0, 0, time.UTC)
	first := adult(t, "acc-1", 1, now)
	if err := st.CreateParticipant(ctx, first); err != nil {
		t.Fatal(err)
	}
	// Refused attempts count: the same person again is a conflict, each time.
	for range domain.RegistrationsPerDay - 1 {
		if err := st.CreateParticipant(ctx, adult(t, "acc-1", 1, now)); !apperr.Is(err, apperr.Conflict) {
			t.Fatalf("the same person again: %v, want conflict", err)
		}
	}
	err := st.CreateParticipant(ctx, adult(t, "acc-1", 2, now.Add(59*time.Minute)))
	e := apperr.As(err)
	if e.Code != apperr.TooManyRequests || e.RetryAfter != 60 || e.Code.Status() != 429 {
		t.Fatalf("attempt %d: %+v, want too_many_requests with Retry-After 60", domain.RegistrationsPerDay+1, e)
	}
	t.Logf("refusal: %s / %s", e.Text.ZH, e.Text.EN)
	counter := rawItem(t, db, table, "ACCOUNT#acc-1", "PARTICIPANT_COUNT")
	tomorrow := time.Date(2026, 12, 3, 0, 0, 0, 0, domain.CityZone)
	if attr(counter, "attempts") != fmt.Sprint(domain.RegistrationsPerDay) || attr(counter, "attempts_day") != "2026-12-02" || attr(counter, "participants") != "1" {
		t.Fatalf("counter %v", counter)
	}
	// Another account has its own limit; the next day in Wuxi starts afresh.
	if err := st.CreateParticipant(ctx, adult(t, "acc-2", 2, now)); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateParticipant(ctx, adult(t, "acc-1", 2, tomorrow)); err != nil {
		t.Fatal(err)
	}
}

// TestConsentRecord: a child's registration keeps the guardian's consent on
// the participant and as a record of its own (no name, no identity), in the
// same write; an adult's keeps none.
func TestConsentRecord(t *testing.T) {
	st, db, table := participantStore(t)
	ctx := context.Background()
	now := time.Date(2026, 12, 2, 9, 30, 0, 0, domain.CityZone)
	birth := time.Date(2023, 5, 4, 0, 0, 0, 0, domain.CityZone)
	child, err := domain.Register(ctx, domain.NewParticipant{Name: "王小明", BirthDate: "2023-05-04", IDNumber: idnumber.Make("320213", birth, 11),
		GuardianConsent: domain.AgreeToCurrentNotice()}, "acc-1", testIDs, now)
	if err != nil {
		t.Fatal(err)
	}
	grown := adult(t, "acc-1", 3, now)
	for _, p := range []domain.Participant{child, grown} {
		if err := st.CreateParticipant(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	got, err := st.GetParticipant(ctx, "acc-1", child.ID)
	if err != nil || got.Consent == nil || got.Consent.NoticeVersion != privacy.CurrentVersion() || !got.Consent.AgreedAt.Equal(now) {
		t.Fatalf("child %+v %v", got, err)
	}
	rec := rawItem(t, db, table, "ACCOUNT#acc-1", "CONSENT#"+child.ID)
	want := map[string]string{"type": "consent", "participant_id": child.ID, "notice_version": privacy.CurrentVersion(), "agreed_at": "2026-12-02T01:30:00Z"}
	for k, v := range want {
		if attr(rec, k) != v {
			t.Errorf("consent record %s = %q, want %q", k, attr(rec, k), v)
		}
	}
	for k := range rec {
		if k != "PK" && k != "SK" && want[k] == "" {
			t.Errorf("consent record has %s: it must hold no more than what was agreed", k)
		}
	}
	if got, _ := st.GetParticipant(ctx, "acc-1", grown.ID); got.Consent != nil {
		t.Fatalf("adult has consent %+v", got.Consent)
	}
	if rec := rawItem(t, db, table, "ACCOUNT#acc-1", "CONSENT#"+grown.ID); rec != nil {
		t.Fatalf("adult has a consent record %v", rec)
	}
	list, _, _ := st.ListParticipants(ctx, "acc-1", paging.Page{Limit: 50})
	if len(list) != 2 {
		t.Fatalf("the account lists %d participants, want 2 (counters and records are no participants)", len(list))
	}
}
