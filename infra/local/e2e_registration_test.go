package local_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/privacy"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestRegistrationRules drives issue 10's registration rules through the
// gateway on one stack: the privacy notice, region codes, guardian consent,
// at most 8 participants an account, at most 10 attempts a day, and the
// issue's attack (one account registering invented people to take every
// place) stopped.
func TestRegistrationRules(t *testing.T) {
	e := start(t)
	now := e.st.Now().In(domain.CityZone)
	person := func(name string, birth time.Time, region string, seq int) map[string]any {
		return map[string]any{"name": name, "birth_date": birth.Format(domain.DateLayout), "id_number": idnumber.Make(region, birth, seq)}
	}
	adultBirth := func(i int) time.Time { return time.Date(1988, time.Month(1+i%12), 1+i%28, 0, 0, 0, 0, domain.CityZone) }
	childBirth := now.AddDate(-3, 0, -10)
	agreed := map[string]any{"notice_version": privacy.CurrentVersion(), "agreed": true}

	t.Run("privacy notice, public", func(t *testing.T) {
		r := e.do("GET", "/v1/privacy-notice", "", nil)
		e.expect(r, 200, "")
		if r.str("version") != privacy.CurrentVersion() || !strings.Contains(r.str("zh"), "十四周岁") || !strings.Contains(r.str("en"), "under 14") || r.str("published_on") == "" {
			t.Fatalf("notice %s", r.body)
		}
	})

	t.Run("invented region refused", func(t *testing.T) {
		tok := e.token("acc-region", "residents")
		r := e.do("POST", "/v1/me/participants", tok, person("王一", adultBirth(1), "999999", 11))
		e.expect(r, 422, "invalid_id_number")
		if got := problemFields(r); len(got) != 1 || got[0] != "id_number" {
			t.Fatalf("fields %v", got)
		}
	})

	t.Run("guardian consent", func(t *testing.T) {
		tok := e.token("acc-family", "residents")
		child := person("王小明", childBirth, "320213", 21)
		r := e.do("POST", "/v1/me/participants", tok, child)
		e.expect(r, 422, "consent_required")
		if r.str("notice_version") != privacy.CurrentVersion() {
			t.Fatalf("the refusal does not name the notice in force: %s", r.body)
		}
		child["guardian_consent"] = map[string]any{"notice_version": "2020-01", "agreed": true}
		e.expect(e.do("POST", "/v1/me/participants", tok, child), 422, "consent_required")
		child["guardian_consent"] = map[string]any{"notice_version": privacy.CurrentVersion(), "agreed": false}
		e.expect(e.do("POST", "/v1/me/participants", tok, child), 422, "consent_required")

		child["guardian_consent"] = agreed
		r = e.do("POST", "/v1/me/participants", tok, child)
		e.expect(r, 201, "")
		c, _ := r.json["consent"].(map[string]any)
		if c["notice_version"] != privacy.CurrentVersion() || c["agreed_at"] == nil {
			t.Fatalf("registered child %s", r.body)
		}
		// The record is kept, beside the participant.
		rec := consentRecord(t, e, "acc-family", r.str("id"))
		if rec["notice_version"] != privacy.CurrentVersion() || rec["participant_id"] != r.str("id") || rec["agreed_at"] == "" {
			t.Fatalf("consent record %v", rec)
		}
		// An adult needs none, and keeps none.
		r = e.do("POST", "/v1/me/participants", tok, person("王磊", adultBirth(2), "320213", 23))
		e.expect(r, 201, "")
		if _, has := r.json["consent"]; has {
			t.Fatalf("adult with consent: %s", r.body)
		}
	})

	// The attack: one account registers 12 invented people (real
	// region codes, correct check characters) and books a 10-place offering.
	t.Run("invented people stop at 8, then the day's limit", func(t *testing.T) {
		tok := e.token("acc-hoarder", "residents")
		e.offering("o-attack", 10)
		var codes []int
		var ids []string
		var retryAfter string
		for i := range 12 {
			r := e.do("POST", "/v1/me/participants", tok, person(fmt.Sprintf("虚构%d", i), adultBirth(i), "320214", 100+i))
			codes = append(codes, r.status)
			switch {
			case i < domain.MaxParticipants:
				e.expect(r, 201, "")
				ids = append(ids, r.str("id"))
			case i < domain.RegistrationsPerDay:
				e.expect(r, 409, "participant_limit")
			default:
				e.expect(r, 429, "too_many_requests")
				retryAfter = r.header.Get("Retry-After")
			}
		}
		secs, err := strconv.Atoi(retryAfter)
		midnight := time.Date(now.Year(), now.Month(), now.Day()+1, 0, 0, 0, 0, domain.CityZone)
		if err != nil || secs <= 0 || time.Duration(secs)*time.Second > midnight.Sub(now)+time.Minute {
			t.Fatalf("Retry-After %q, want the seconds to midnight in Wuxi (%v)", retryAfter, midnight.Sub(now))
		}
		for _, id := range ids {
			e.expect(e.book(tok, "o-attack", id, false), 201, "")
		}
		// Places are left for a real family.
		real, pid, _ := e.resident("acc-real")
		r := e.book(real, "o-attack", pid, false)
		e.expect(r, 201, "")
		if confirmed, _ := e.counters("o-attack"); confirmed != domain.MaxParticipants+1 {
			t.Fatalf("%d confirmed, want %d", confirmed, domain.MaxParticipants+1)
		}
		t.Logf("12 registrations answered %v; the account holds %d of 10 places", codes, len(ids))
	})
}

// consentRecord reads a guardian's consent record straight from the table.
func consentRecord(t *testing.T, e *env, account, participant string) map[string]string {
	t.Helper()
	cfg := config.Config{TableName: e.table, DynamoDBEndpoint: endpointOf(t, e), Region: "cn-north-1"}
	db, err := store.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	out, err := db.GetItem(context.Background(), &dynamodb.GetItemInput{TableName: &cfg.TableName, ConsistentRead: new(true),
		Key: map[string]types.AttributeValue{
			"PK": &types.AttributeValueMemberS{Value: "ACCOUNT#" + account},
			"SK": &types.AttributeValueMemberS{Value: "CONSENT#" + participant},
		}})
	if err != nil {
		t.Fatal(err)
	}
	rec := map[string]string{}
	if err := attributevalue.UnmarshalMap(out.Item, &rec); err != nil {
		t.Fatal(err)
	}
	return rec
}
