package local_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

const officer = "officer-test"

func (e *env) officerToken() string { return e.token(officer, "city-officers") }

// rawItem is what the test reads of every item, straight from the table.
type rawItem struct {
	PK, SK     string
	Type       string `dynamodbav:"type"`
	ID         string `dynamodbav:"id"`
	Kind       string `dynamodbav:"kind"`
	District   string `dynamodbav:"district"`
	CentreID   string `dynamodbav:"centre_id"`
	Status     string `dynamodbav:"status"`
	EndsOn     string `dynamodbav:"ends_on"`
	Capacity   int    `dynamodbav:"capacity"`
	Confirmed  int    `dynamodbav:"confirmed"`
	Waitlisted int    `dynamodbav:"waitlisted"`
	OfferingID string `dynamodbav:"offering_id"`
	Delta      int    `dynamodbav:"delta"`
	Date       string `dynamodbav:"date"`
}

// scanAll reads the whole table, as only a test may: the figures the city
// function gives are recomputed from this.
func scanAll(t *testing.T, e *env) []rawItem {
	t.Helper()
	cfg := config.Config{TableName: e.table, DynamoDBEndpoint: endpointOf(t, e), Region: "cn-north-1"}
	db, err := store.NewClient(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	var out []rawItem
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: &cfg.TableName, ConsistentRead: new(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var items []rawItem
		if err := attributevalue.UnmarshalListOfMaps(page.Items, &items); err != nil {
			t.Fatal(err)
		}
		out = append(out, items...)
	}
	return out
}

// recompute adds up, from raw items, what the city should report now: each
// offering in service counted with its bookings as the booking items say.
func recompute(t *testing.T, items []rawItem, today string) (map[cityfigures.Scope]cityfigures.Figures, map[string][2]int) {
	t.Helper()
	byBooking := map[string][2]int{} // offering → confirmed, waitlisted, from booking items
	for _, it := range items {
		if it.Type != "booking" {
			continue
		}
		c := byBooking[it.OfferingID]
		switch it.Status {
		case "confirmed":
			c[0]++
		case "waitlisted":
			c[1]++
		}
		byBooking[it.OfferingID] = c
	}
	figs := map[cityfigures.Scope]cityfigures.Figures{}
	centres := map[cityfigures.Scope]map[string]bool{}
	for _, it := range items {
		if it.Type != "offering" || (it.Status != "published" && it.Status != "closed") || it.EndsOn < today {
			continue
		}
		b := byBooking[it.ID]
		for _, s := range []cityfigures.Scope{{}, {Kind: domain.Kind(it.Kind)}, {District: domain.District(it.District)}, {Kind: domain.Kind(it.Kind), District: domain.District(it.District)}} {
			f := figs[s]
			f.Capacity += it.Capacity
			f.Confirmed += b[0]
			f.Waitlisted += b[1]
			f.Offerings++
			if centres[s] == nil {
				centres[s] = map[string]bool{}
			}
			centres[s][it.CentreID] = true
			f.Centres = len(centres[s])
			figs[s] = f
		}
	}
	return figs, byBooking
}

type cityFigures struct {
	Capacity    int     `json:"capacity"`
	Confirmed   int     `json:"confirmed"`
	Waitlisted  int     `json:"waitlisted"`
	Available   int     `json:"available"`
	Utilization float64 `json:"utilization"`
	Centres     int     `json:"centres"`
	Offerings   int     `json:"offerings"`
}

func (c cityFigures) figures() cityfigures.Figures {
	return cityfigures.Figures{Capacity: c.Capacity, Confirmed: c.Confirmed, Waitlisted: c.Waitlisted, Centres: c.Centres, Offerings: c.Offerings}
}

type cityRow struct {
	Kind     domain.Kind     `json:"kind"`
	District domain.District `json:"district"`
	cityFigures
}

type capacityReply struct {
	Date           string      `json:"date"`
	Total          cityFigures `json:"total"`
	ByDistrict     []cityRow   `json:"by_district"`
	ByKind         []cityRow   `json:"by_kind"`
	ByDistrictKind []cityRow   `json:"by_district_kind"`
}

// okIn reports a failed request from any goroutine (t.Fatal may not be
// called off the test's own).
func okIn(t *testing.T, r reply) {
	if r.status != 200 {
		t.Errorf("status %d: %s", r.status, r.body)
	}
}

func decode[T any](t *testing.T, r reply) T {
	t.Helper()
	var v T
	if r.status != 200 {
		t.Fatalf("status %d: %s", r.status, r.body)
	}
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("%v: %s", err, r.body)
	}
	return v
}

// createOffering creates a published evening course through the staff API
// (as an officer), so its places enter the ledger as in production.
func (e *env) createOffering(centreID string, capacity int) string {
	e.t.Helper()
	now := e.st.Now()
	body := e.newOfferingBody("published")
	body["capacity"] = capacity
	body["booking_opens_at"] = now.Add(-time.Minute).Format(time.RFC3339)
	body["booking_closes_at"] = now.Add(7 * 24 * time.Hour).Format(time.RFC3339)
	body["max_per_participant_per_term"] = 0
	r := e.do("POST", "/v1/centres/"+centreID+"/offerings", e.officerToken(), body)
	e.expect(r, 201, "")
	return r.str("id")
}

// TestCityFiguresAgreeWithBookings: after a burst of bookings, cancellations
// and capacity changes, every figure the city function gives equals what
// the raw items add up to; the ledger adds up to the places; and no city
// request scans or reads bookings.
func TestCityFiguresAgreeWithBookings(t *testing.T) {
	e := start(t)
	ctx := context.Background()
	other := dbtest.Centre("c-yixing-1", "yixing")
	if err := e.st.Store.PutCentre(ctx, other, false); err != nil {
		t.Fatal(err)
	}
	offerings := []string{e.createOffering(e.centre.ID, 8), e.createOffering(e.centre.ID, 40), e.createOffering(other.ID, 5), e.createOffering(other.ID, 12)}
	doomed := offerings[3]

	const people = 60
	type person struct{ token, participant string }
	ps := make([]person, people)
	for i := range ps {
		ps[i].token, ps[i].participant, _ = e.resident(fmt.Sprintf("city-r%02d", i))
	}
	// The burst: everyone books two of the four at once; some then cancel.
	var wg sync.WaitGroup
	booked := make([][]string, people)
	var mu sync.Mutex
	for i, p := range ps {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(i), 7))
			for _, k := range rng.Perm(len(offerings))[:2] {
				r := e.bookLikeAClient(p.token, offerings[k], p.participant, fmt.Sprintf("k-%d-%d", i, k))
				if r.status != 201 && r.status != 200 {
					t.Errorf("booking: %d %s", r.status, r.body)
					continue
				}
				mu.Lock()
				booked[i] = append(booked[i], r.str("id"))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	staff := e.officerToken()
	for i, p := range ps {
		if i%4 != 0 || len(booked[i]) == 0 {
			continue
		}
		wg.Go(func() {
			okIn(t, e.do("POST", "/v1/me/bookings/"+booked[i][0]+"/cancel", p.token, nil))
		})
	}
	wg.Go(func() {
		okIn(t, e.do("PATCH", "/v1/offerings/"+offerings[0], staff, map[string]any{"capacity": 11}))
	})
	wg.Go(func() {
		okIn(t, e.do("POST", "/v1/offerings/"+doomed+"/cancel", staff, map[string]any{"reason": "场地维修"}))
	})
	wg.Wait()
	// A cut to what is confirmed, once things are quiet.
	conf, _ := e.counters(offerings[1])
	e.expect(e.do("PATCH", "/v1/offerings/"+offerings[1], staff, map[string]any{"capacity": max(conf, 1)}), 200, "")

	today := cityfigures.Date(e.st.Now())
	items := scanAll(t, e)
	want, byBooking := recompute(t, items, today)
	// The counters the city reads agree with the bookings behind them.
	for _, it := range items {
		if it.Type == "offering" {
			if b := byBooking[it.ID]; b != [2]int{it.Confirmed, it.Waitlisted} {
				t.Errorf("offering %s counters %d/%d, bookings %v", it.ID, it.Confirmed, it.Waitlisted, b)
			}
		}
	}
	if want[cityfigures.Scope{}].Waitlisted == 0 || want[cityfigures.Scope{}].Offerings != 3 {
		t.Fatalf("the burst should leave people waiting in 3 offerings: %+v", want[cityfigures.Scope{}])
	}

	tok := e.officerToken()
	check := func(label string, got cityFigures, s cityfigures.Scope) {
		t.Helper()
		w := want[s]
		if got.figures() != w || got.Available != max(0, w.Capacity-w.Confirmed) || got.Utilization != w.Utilization() {
			t.Errorf("%s %+v: got %+v, want %+v", label, s, got, w)
		}
	}
	// Each breakdown stays within what was asked, so its rows are known:
	// districts × kinds asked for (a loop over no rows would check nothing).
	kinds := len(domain.Kinds) // senior_course's rows too, at zero here
	for q, rows := range map[string]int{"": 8 + kinds + 8*kinds, "?kind=evening_course": 8 + 1 + 8, "?district=yixing": 1 + kinds + kinds,
		"?kind=senior_course":                 8 + 1 + 8,
		"?kind=evening_course&district=binhu": 1 + 1 + 1, "?kind=childcare": 8 + 1 + 8} {
		res := decode[capacityReply](t, e.do("GET", "/v1/city/capacity"+q, tok, nil))
		v, _ := url.ParseQuery(strings.TrimPrefix(q, "?"))
		scope := cityfigures.Scope{Kind: domain.Kind(v.Get("kind")), District: domain.District(v.Get("district"))}
		check("total"+q, res.Total, scope)
		if res.Date != today {
			t.Errorf("date %s", res.Date)
		}
		for _, group := range [][]cityRow{res.ByDistrict, res.ByKind, res.ByDistrictKind} {
			for _, rw := range group {
				check(q, rw.cityFigures, cityfigures.Scope{Kind: rw.Kind, District: rw.District})
			}
		}
		if n := len(res.ByDistrict) + len(res.ByKind) + len(res.ByDistrictKind); n != rows {
			t.Errorf("%s: %d rows, want %d", q, n, rows)
		}
	}

	// The ledger holds every change in places: it adds up to the places now,
	// scope by scope, and names the cancellation, the raise and the cut.
	changes := decode[struct {
		Items []cityfigures.Change `json:"items"`
	}](t, e.do("GET", "/v1/city/capacity/changes?from="+today+"&to="+today+"&limit=200", tok, nil))
	sum := map[cityfigures.Scope]int{}
	reasons := map[cityfigures.Reason]int{}
	for _, c := range changes.Items {
		reasons[c.Reason]++
		for _, s := range []cityfigures.Scope{{}, {Kind: c.Kind}, {District: c.District}, {Kind: c.Kind, District: c.District}} {
			sum[s] += c.Delta
		}
	}
	for s, f := range want {
		if sum[s] != f.Capacity {
			t.Errorf("ledger %+v adds up to %d, places %d", s, sum[s], f.Capacity)
		}
	}
	if reasons[cityfigures.Published] != 4 || reasons[cityfigures.Cancelled] != 1 || reasons[cityfigures.CapacityRaised] != 1 || reasons[cityfigures.CapacityCut] != 1 || len(changes.Items) != 7 {
		t.Errorf("reasons %v", reasons)
	}

	// Demand: the waitlists are the counters', full offerings say when.
	type demandReply struct {
		Total struct {
			Waitlisted, Offerings, FullOfferings int
		} `json:"total"`
		Items []struct {
			OfferingID string     `json:"offering_id"`
			Waitlisted int        `json:"waitlisted"`
			Confirmed  int        `json:"confirmed"`
			Capacity   int        `json:"capacity"`
			FullAt     *time.Time `json:"full_at"`
		} `json:"items"`
	}
	dem := decode[demandReply](t, e.do("GET", "/v1/city/demand", tok, nil))
	if dem.Total.Waitlisted != want[cityfigures.Scope{}].Waitlisted || dem.Total.Offerings != 3 || len(dem.Items) == 0 {
		t.Errorf("demand %+v", dem)
	}
	for i, it := range dem.Items {
		if it.FullAt == nil && it.Confirmed >= it.Capacity && it.Waitlisted > 0 {
			t.Errorf("%s is full with people waiting but has no full time", it.OfferingID)
		}
		if i > 0 && it.Waitlisted > dem.Items[i-1].Waitlisted {
			t.Errorf("not most waiting first: %+v", dem.Items)
		}
	}

	// Every city request answered from Queries, one per kind (4) without
	// a kind, 1 with one, and the offerings their listing entries name, one
	// BatchGetItem per 100 (none where a kind has no offerings here); never
	// a Scan.
	for _, tt := range []struct {
		path    string
		queries int
		gets    int // the city's participant counts, one item (JSON only)
		batches int // the offerings named by the listing entries
	}{
		{"/v1/city/capacity", len(domain.Kinds), 1, 1},
		{"/v1/city/capacity?kind=childcare", 1, 1, 0},
		{"/v1/city/capacity?district=binhu", len(domain.Kinds), 1, 1},
		{"/v1/city/demand?kind=evening_course", 1, 0, 1},
		{"/v1/city/capacity/history", 1, 0, 0},
		{"/v1/city/capacity/changes", 1, 0, 0},
		{"/v1/city/targets", 1, 0, 0}, // no targets here, so no ledger read
		{"/v1/city/capacity?format=csv", len(domain.Kinds), 0, 1},
	} {
		e.logs.Reset()
		r := e.do("GET", tt.path, tok, nil)
		e.expect(r, 200, "")
		route := "GET " + strings.SplitN(tt.path, "?", 2)[0]
		calls, _ := e.requestsOf(route)
		if calls["Query"] != tt.queries || calls["GetItem"] != tt.gets || calls["BatchGetItem"] != tt.batches || len(calls) != 1+min(tt.gets, 1)+min(tt.batches, 1) {
			t.Errorf("%s: DynamoDB calls %v, want %d Query, %d GetItem, %d BatchGetItem and nothing else", tt.path, calls, tt.queries, tt.gets, tt.batches)
		}
	}
}

// TestCityAccessAndBadInput: only officers; bad input is a 400 that names
// its field.
func TestCityAccessAndBadInput(t *testing.T) {
	e := start(t)
	routes := []string{"/v1/city/capacity", "/v1/city/capacity/history", "/v1/city/capacity/changes", "/v1/city/targets", "/v1/city/demand"}
	for _, path := range routes {
		e.expect(e.do("GET", path, "", nil), 401, "unauthorized")
		e.expect(e.do("GET", path, e.token("res-1", "residents"), nil), 403, "forbidden")
		e.expect(e.do("GET", path, e.token("staff-1", "centre-staff"), nil), 403, "forbidden")
		e.expect(e.do("GET", path, e.officerToken(), nil), 200, "")
	}
	tok := e.officerToken()
	today := e.st.Now().In(domain.CityZone)
	d := func(t time.Time) string { return t.Format(time.DateOnly) }
	tests := []struct {
		name, path string
		fields     []string // named in errors[]; none for a 200
	}{
		{"unknown kind", "/v1/city/capacity?kind=nursery", []string{"kind"}},
		{"unknown district", "/v1/city/demand?district=suzhou", []string{"district"}},
		{"unknown parameter", "/v1/city/capacity?year=2025", []string{"year"}},
		{"bad format", "/v1/city/targets?format=xlsx", []string{"format"}},
		{"district on targets", "/v1/city/targets?district=binhu", []string{"district"}},
		{"bad from", "/v1/city/capacity/history?from=2025-13-01", []string{"from"}},
		{"bad to", "/v1/city/capacity/changes?to=yesterday", []string{"to"}},
		{"reversed", "/v1/city/capacity/history?from=2026-02-01&to=2026-01-31", []string{"from", "to"}},
		{"over 3 years", "/v1/city/capacity/changes?from=2023-01-01&to=2026-01-01", []string{"from", "to"}},
		{"3 years exactly", "/v1/city/capacity/changes?from=2023-01-02&to=2026-01-01", nil},
		{"one day", "/v1/city/capacity/history?from=2026-01-01&to=2026-01-01", nil},
		{"default range", "/v1/city/capacity/history?to=" + d(today), nil},
		{"demand limit", "/v1/city/demand?limit=0", []string{"limit"}},
		{"changes limit", "/v1/city/capacity/changes?limit=201", []string{"limit"}},
		{"bad cursor", "/v1/city/capacity/changes?cursor=nonsense", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("GET", tt.path, tok, nil, "Accept-Language", "en")
			if tt.name == "bad cursor" {
				e.expect(r, 400, "invalid_request")
				return
			}
			if tt.fields == nil {
				e.expect(r, 200, "")
				return
			}
			e.expect(r, 400, "invalid_request")
			var p struct {
				Errors []struct{ Field, Message string } `json:"errors"`
			}
			_ = json.Unmarshal(r.body, &p)
			var named []string
			for _, fe := range p.Errors {
				named = append(named, fe.Field)
				if fe.Message == "" {
					t.Errorf("no message for %s", fe.Field)
				}
			}
			if fmt.Sprint(named) != fmt.Sprint(tt.fields) {
				t.Errorf("fields %v, want %v: %s", named, tt.fields, r.body)
			}
		})
	}
}

// TestCityCSV: every city route also answers ?format=csv — an attachment
// Excel opens as UTF-8, a header and the same rows as the JSON.
func TestCityCSV(t *testing.T) {
	e := start(t)
	e.createOffering(e.centre.ID, 10)
	id := e.createOffering(e.centre.ID, 12)
	e.expect(e.do("PATCH", "/v1/offerings/"+id, e.officerToken(), map[string]any{"capacity": 15}), 200, "")
	year := e.st.Now().In(domain.CityZone).Year() // Wuxi's year: on 1 January 00:30 UTC's is the last
	if err := e.st.Store.PutTarget(context.Background(), cityfigures.Target{Kind: domain.EveningCourse, Year: year,
		Metric: cityfigures.NewPlaces, Target: 100, Baseline: fmt.Sprintf("%d-01-01", year), Title: "测试目标 · test target"}, false); err != nil {
		t.Fatal(err)
	}
	e.expect(e.do("POST", "/_local/schedule/SnapshotFunction", "", nil), 200, "")
	tok := e.officerToken()
	tests := []struct {
		path, file string
		rows       int // data rows
		has        string
	}{
		{"/v1/city/capacity", "city-capacity-", 1 + 8 + len(domain.Kinds) + 8*len(domain.Kinds), "全市 (all),全部 (all),25,0,0,25,0,1,2"},
		{"/v1/city/capacity?kind=senior_course", "city-capacity-", 1 + 8 + 1 + 8, "全市 (all),锡银学堂 (senior_course),0,0,0,0,0,0,0"},
		{"/v1/city/capacity?kind=evening_course&district=binhu", "city-capacity-", 4, "滨湖区 (binhu),锡青夜校 (evening_course),25,0,0,25,0,1,2"},
		{"/v1/city/capacity/history", "capacity-history-", 1, ",全市 (all),全部 (all),25,0,0,25,0,1,2"},
		{"/v1/city/capacity/changes", "capacity-changes-", 3, ",扩容 (capacity_raised),12,15,3," + officer},
		{"/v1/city/targets", "targets-", 1, ",100,"},
		{"/v1/city/demand", "demand-", 2, ",0,"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			sep := "?"
			if strings.Contains(tt.path, "?") {
				sep = "&"
			}
			r := e.do("GET", tt.path+sep+"format=csv", tok, nil)
			e.expect(r, 200, "")
			if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
				t.Errorf("content type %q", ct)
			}
			if cd := r.header.Get("Content-Disposition"); !strings.Contains(cd, `filename="`+tt.file) || !strings.Contains(cd, "filename*=UTF-8''") {
				t.Errorf("disposition %q", cd)
			}
			body := string(r.body)
			if !strings.HasPrefix(body, "\uFEFF") {
				t.Fatal("no BOM")
			}
			lines := strings.Split(strings.TrimSuffix(body, "\r\n"), "\r\n")
			if len(lines)-1 != tt.rows || !strings.Contains(body, tt.has) {
				t.Errorf("%d rows, want %d, containing %q:\n%s", len(lines)-1, tt.rows, tt.has, body)
			}
		})
	}
}
