package local_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestCallBudgetsOverHTTP reads each request's DynamoDB calls from its log
// line and holds them to the budgets of issue 2.
func TestCallBudgetsOverHTTP(t *testing.T) {
	e := start(t)
	e.offering("o", 1)
	e.offering("nowait", 1, func(o *domain.Offering) { o.WaitlistEnabled = false; o.Confirmed = 1 })
	aTok, aP, _ := e.resident("a")
	bTok, bP, _ := e.resident("b")
	staff := e.tokenFor("staff", []string{"centre-staff"}, e.centre.ID)
	var booked reply
	// Each step's answer is checked too: a request that failed early could
	// otherwise keep within its budget.
	steps := []struct {
		name   string
		run    func() reply
		status int
		code   string
		want   string
	}{
		// The index holds listing items: the offerings they name, counters
		// and all, come in one BatchGetItem per 100.
		{"catalogue page", func() reply { return e.do("GET", "/v1/offerings?kind=evening_course&available=true", "", nil) }, 200, "", `{"BatchGetItem":1,"Query":1}`},
		{"booking", func() reply { booked = e.book(aTok, "o", aP, false, "Idempotency-Key", "k1"); return booked }, 201, "", `{"BatchGetItem":1,"TransactWriteItems":1}`},
		{"waitlisted booking", func() reply { return e.book(bTok, "o", bP, true) }, 201, "", `{"BatchGetItem":1,"TransactWriteItems":1}`},
		{"refused booking", func() reply { return e.book(bTok, "nowait", bP, false) }, 409, "offering_full", `{"BatchGetItem":1}`},
		{"cancel with promotion", func() reply { return e.do("POST", "/v1/me/bookings/"+booked.str("id")+"/cancel", aTok, nil) }, 200, "", `{"GetItem":1,"Query":1,"TransactWriteItems":1}`},
		{"wait again", func() reply { return e.book(aTok, "o", aP, true) }, 201, "", `{"BatchGetItem":1,"TransactWriteItems":1}`},
		// A roster reads who is verified (one BatchGetItem per 100) and writes
		// its audit record; the centres function's first read of personal
		// fields also reads the wrapped data key (KEYRING), once per cold start.
		{"roster, cold start", func() reply { return e.do("GET", "/v1/offerings/o/roster", staff, nil) }, 200, "", `{"BatchGetItem":1,"GetItem":2,"PutItem":1,"Query":2}`},
		{"roster", func() reply { return e.do("GET", "/v1/offerings/o/roster", staff, nil) }, 200, "", `{"BatchGetItem":1,"GetItem":1,"PutItem":1,"Query":2}`},
		{"roster as Excel", func() reply { return e.do("GET", "/v1/offerings/o/roster?format=xlsx", staff, nil) }, 200, "", `{"BatchGetItem":1,"GetItem":1,"PutItem":1,"Query":2}`},
		{"capacity raised, line confirmed", func() reply { return e.do("PATCH", "/v1/offerings/o", staff, map[string]any{"capacity": 3}) }, 200, "", `{"GetItem":1,"Query":1,"TransactWriteItems":1}`},
		{"capacity below confirmed", func() reply { return e.do("PATCH", "/v1/offerings/o", staff, map[string]any{"capacity": 1}) }, 409, "capacity_below_confirmed", `{"GetItem":1}`},
		{"offering cancelled", func() reply { return e.do("POST", "/v1/offerings/o/cancel", staff, map[string]any{"reason": "停课"}) }, 200, "", `{"GetItem":2,"Query":1,"TransactWriteItems":2}`},
	}
	for _, s := range steps {
		before := len(strings.Split(strings.TrimSpace(e.logs.String()), "\n"))
		r := s.run()
		if r.status != s.status || s.code != "" && r.str("code") != s.code {
			t.Fatalf("%s: %d %s, want %d %s", s.name, r.status, r.body, s.status, s.code)
		}
		lines := strings.Split(strings.TrimSpace(e.logs.String()), "\n")
		if len(lines) != before+1 {
			t.Fatalf("%s: %d log lines", s.name, len(lines)-before)
		}
		var m struct {
			Calls map[string]int `json:"ddb_calls"`
		}
		if err := json.Unmarshal([]byte(lines[len(lines)-1]), &m); err != nil {
			t.Fatal(err)
		}
		got, _ := json.Marshal(m.Calls)
		if string(got) != s.want {
			t.Errorf("%s: DynamoDB calls %s, budget %s", s.name, got, s.want)
		}
		t.Logf("%-22s %s", s.name, got)
	}
}

// TestFilteredPagesOverHTTP walks filtered catalogue pages of one item: every
// match once, no cursor from another partition.
func TestFilteredPagesOverHTTP(t *testing.T) {
	e := start(t)
	for i, full := range []bool{false, true, false, true, false, false, true} {
		e.offering("o"+string(rune('a'+i)), 2, func(o *domain.Offering) {
			if full {
				o.Confirmed = 2
			}
		})
	}
	var seen []string
	path := "/v1/offerings?available=true&term=2025-autumn&limit=1"
	for range 20 {
		r := e.do("GET", path, "", nil)
		e.expect(r, 200, "")
		for _, it := range r.json["items"].([]any) {
			seen = append(seen, it.(map[string]any)["id"].(string))
		}
		if r.str("next_cursor") == "" {
			break
		}
		path = "/v1/offerings?available=true&term=2025-autumn&limit=1&cursor=" + url.QueryEscape(r.str("next_cursor"))
	}
	if strings.Join(seen, ",") != "oa,oc,oe,of" {
		t.Fatalf("pages gave %v", seen)
	}
}

// TestFailureRevealsNothing: with the table gone, a request fails with a bare
// 500 naming only its request id, and the cause goes to the log.
func TestFailureRevealsNothing(t *testing.T) {
	e := start(t)
	cfg := config.Config{TableName: e.table, DynamoDBEndpoint: endpointOf(t, e), Region: "cn-north-1"}
	db, err := store.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.DeleteTable(context.Background(), &dynamodb.DeleteTableInput{TableName: &cfg.TableName}); err != nil {
		t.Fatal(err)
	}
	r := e.do("GET", "/v1/offerings", "", nil)
	e.expect(r, 500, "internal")
	body := string(r.body)
	for _, leak := range []string{"ResourceNotFound", e.table, "table", "Table", "dynamodb", "goroutine"} {
		if strings.Contains(body, leak) {
			t.Fatalf("the 500 reveals %q: %s", leak, body)
		}
	}
	if r.str("request_id") == "" || r.str("request_id") != r.header.Get("Apigw-Requestid") {
		t.Fatalf("no request id: %s", body)
	}
	if !strings.Contains(e.logs.String(), `"level":"ERROR"`) {
		t.Fatal("the failure was not logged")
	}
}

// endpointOf finds the embedded DynamoDB the stack started, through the
// store's client configuration.
func endpointOf(t *testing.T, e *env) string {
	t.Helper()
	u := e.st.DynamoDBEndpoint()
	if u == "" {
		t.Fatal("no embedded DynamoDB")
	}
	return u
}
