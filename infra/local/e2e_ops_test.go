package local_test

import (
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/wuxi-enrol/enrol/infra/seed"
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
	steps := []struct {
		name string
		run  func()
		want string
	}{
		{"catalogue page", func() { e.do("GET", "/v1/offerings?kind=evening_course&available=true", "", nil) }, `{"Query":1}`},
		{"booking", func() { booked = e.book(aTok, "o", aP, false, "Idempotency-Key", "k1") }, `{"BatchGetItem":1,"TransactWriteItems":1}`},
		{"waitlisted booking", func() { e.book(bTok, "o", bP, true) }, `{"BatchGetItem":1,"TransactWriteItems":1}`},
		{"refused booking", func() { e.book(bTok, "nowait", bP, false) }, `{"BatchGetItem":1}`},
		{"cancel with promotion", func() { e.do("POST", "/v1/me/bookings/"+booked.str("id")+"/cancel", aTok, nil) }, `{"GetItem":1,"Query":1,"TransactWriteItems":1}`},
		{"wait again", func() { e.book(aTok, "o", aP, true) }, `{"BatchGetItem":1,"TransactWriteItems":1}`},
		{"roster", func() { e.do("GET", "/v1/offerings/o/roster", staff, nil) }, `{"GetItem":1,"Query":2}`},
		{"roster as Excel", func() { e.do("GET", "/v1/offerings/o/roster?format=xlsx", staff, nil) }, `{"GetItem":1,"Query":2}`},
		{"capacity raised, line confirmed", func() { e.do("PATCH", "/v1/offerings/o", staff, map[string]any{"capacity": 3}) }, `{"GetItem":1,"Query":1,"TransactWriteItems":1}`},
		{"capacity below confirmed", func() { e.do("PATCH", "/v1/offerings/o", staff, map[string]any{"capacity": 1}) }, `{"GetItem":1}`},
		{"offering cancelled", func() { e.do("POST", "/v1/offerings/o/cancel", staff, map[string]any{"reason": "停课"}) }, `{"GetItem":2,"Query":1,"TransactWriteItems":2}`},
	}
	for _, s := range steps {
		before := len(strings.Split(strings.TrimSpace(e.logs.String()), "\n"))
		s.run()
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
	cfg := config.Config{TableName: e.table, DynamoDBEndpoint: endpointOf(t, e), Region: "cn-north-1", IDHashKey: []byte("0123456789abcdef")}
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

// TestDemoStack: `make run` as a resident meets it — seeded catalogue, the
// demo resident's participants, a booking of the printed offering.
func TestDemoStack(t *testing.T) {
	e := start(t, withSeed)
	s := e.st.Seeded
	if s.Centres < 30 || s.Offerings < 30 || s.Bookings == 0 || s.Waitlisted == 0 {
		t.Fatalf("seed summary %+v", s)
	}
	r := e.do("GET", "/v1/centres?limit=200", "", nil)
	districts := map[string]int{}
	for _, it := range r.json["items"].([]any) {
		districts[it.(map[string]any)["district"].(string)]++
	}
	if len(districts) != 8 {
		t.Fatalf("districts %v", districts)
	}
	kinds := map[string]bool{}
	r = e.do("GET", "/v1/offerings?limit=200", "", nil)
	for _, it := range r.json["items"].([]any) {
		kinds[it.(map[string]any)["kind"].(string)] = true
	}
	if len(kinds) != 3 {
		t.Fatalf("kinds %v", kinds)
	}
	tok := e.token(seed.DemoResident, "residents")
	r = e.do("GET", "/v1/me/participants", tok, nil)
	if n := len(r.json["items"].([]any)); n != len(seed.DemoParticipantIDs()) {
		t.Fatalf("demo participants: %s", r.body)
	}
	ids := seed.DemoParticipantIDs()
	b := e.book(tok, seed.DemoOpenOffering, ids[len(ids)-1], true, "Idempotency-Key", "demo-1")
	e.expect(b, 201, "")
	if b.str("status") != "confirmed" {
		t.Fatalf("%s", b.body)
	}

	// Last term: attendance recorded, and the no-show block it caused.
	staff := e.tokenFor(seed.DemoStaff, []string{"centre-staff"}, seed.DemoStaffCentre)
	roster := e.do("GET", "/v1/offerings/"+seed.PastCourse+"/roster", staff, nil)
	e.expect(roster, 200, "")
	absent := 0
	for _, it := range roster.json["items"].([]any) {
		absent += int(it.(map[string]any)["attendance"].(map[string]any)["absent"].(float64))
	}
	if absent != 3 {
		t.Fatalf("last term's absences %d: %s", absent, roster.body)
	}
	blocked := e.token(s.BlockedAccount, "residents")
	r = e.book(blocked, seed.DemoOpenOffering, s.BlockedParticipant, true)
	e.expect(r, 409, "no_show_blocked")
	if r.str("blocked_until") == "" {
		t.Fatalf("%s", r.body)
	}
	officer := e.token(seed.DemoOfficer, "city-officers")
	e.expect(e.do("GET", "/v1/centres/"+seed.DemoStaffCentre+"/audit", officer, nil), 200, "")
}
