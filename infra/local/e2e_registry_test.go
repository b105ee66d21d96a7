package local_test

import (
	"context"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/tablecheck"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/store"
)

type registryFigures struct {
	cityFigures
	SuspendedCentres int `json:"suspended_centres"`
	SuspendedPlaces  int `json:"suspended_places"`
}

type registryCapacity struct {
	District string          `json:"district"`
	Total    registryFigures `json:"total"`
}

// TestRegistryEndToEnd: a district officer registers a centre (a draft,
// not public), prepares an offering, is refused publishing it, activates
// the centre and publishes; a resident books; the places show in the
// city's figures and the district's. Then the centre is suspended: a new
// booking is refused, the one made stands, the ledger records the places
// leaving and the figures show them as suspended; the table keeps every
// invariant (tablecheck: the ledger adds up to the places).
func TestRegistryEndToEnd(t *testing.T) {
	e := start(t)
	officer := e.token("officer-1", "city-officers")
	binhu, err := e.st.DistrictToken("do-binhu", "binhu")
	if err != nil {
		t.Fatal(err)
	}
	xishan, err := e.st.DistrictToken("do-xishan", "xishan")
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]any{"name": "滨湖区新芽托育园", "district": "binhu", "licence_no": "320211-TY-0007",
		"address": "无锡市滨湖区太湖大道 1 号", "phone": "0510-85123456", "kinds": []string{"evening_course"},
		"location": map[string]float64{"lat": 31.49, "lng": 120.26}}
	e.expect(e.do("POST", "/v1/centres", xishan, body), 403, "forbidden")
	r := e.do("POST", "/v1/centres", binhu, body)
	e.expect(r, 201, "")
	id := r.str("id")
	if r.str("status") != "draft" || r.header.Get("Location") != "/v1/centres/"+id {
		t.Fatalf("registered: %s", r.body)
	}
	e.expect(e.do("GET", "/v1/centres/"+id, "", nil), 404, "not_found")

	r = e.do("POST", "/v1/centres/"+id+"/offerings", binhu, e.newOfferingBody("published"))
	e.expect(r, 409, "centre_not_active")
	r = e.do("POST", "/v1/centres/"+id+"/offerings", binhu, e.newOfferingBody("draft"))
	e.expect(r, 201, "")
	offering := r.str("id")
	e.expect(e.do("PATCH", "/v1/offerings/"+offering, binhu, map[string]any{"status": "published"}), 409, "centre_not_active")

	e.expect(e.do("PATCH", "/v1/centres/"+id, xishan, map[string]any{"status": "active"}), 404, "not_found")
	r = e.do("PATCH", "/v1/centres/"+id, binhu, map[string]any{"status": "active"})
	e.expect(r, 200, "")
	e.expect(e.do("GET", "/v1/centres/"+id, "", nil), 200, "")
	e.expect(e.do("PATCH", "/v1/offerings/"+offering, binhu, map[string]any{"status": "published"}), 200, "")

	tok, p := func() (string, string) { tok, p, _ := e.resident("res-1"); return tok, p }()
	booked := e.book(tok, offering, p, false)
	e.expect(booked, 201, "")

	capacity := func(token, query string) registryFigures {
		return decode[registryCapacity](t, e.do("GET", "/v1/city/capacity"+query, token, nil)).Total
	}
	for _, who := range []struct{ name, token, query string }{{"city", officer, ""}, {"city, binhu", officer, "?district=binhu"}, {"binhu's officer", binhu, ""}} {
		if f := capacity(who.token, who.query); f.Capacity != 20 || f.Confirmed != 1 || f.Centres != 1 || f.SuspendedPlaces != 0 {
			t.Fatalf("%s before the suspension: %+v", who.name, f)
		}
	}
	if f := capacity(xishan, ""); f.Capacity != 0 {
		t.Fatalf("xishan's figures count binhu's centre: %+v", f)
	}

	// Suspension.
	e.expect(e.do("POST", "/v1/centres/"+id+"/suspend", xishan, map[string]any{"reason": "检查"}), 404, "not_found")
	r = e.do("POST", "/v1/centres/"+id+"/suspend", binhu, map[string]any{"reason": "消防检查未通过"})
	e.expect(r, 200, "")
	if r.str("status") != "suspended" || r.str("suspended_reason") != "消防检查未通过" || r.str("suspended_at") == "" {
		t.Fatalf("suspended: %s", r.body)
	}
	tok2, p2, _ := e.resident("res-2")
	refused := e.book(tok2, offering, p2, true)
	e.expect(refused, 409, "booking_closed")
	if !strings.Contains(refused.str("detail"), "暂停") {
		t.Fatalf("the refusal does not say the centre is suspended: %s", refused.body)
	}
	mine := e.do("GET", "/v1/me/bookings/"+booked.str("id"), tok, nil)
	e.expect(mine, 200, "")
	if mine.str("status") != "confirmed" {
		t.Fatalf("the booking made before the suspension: %s", mine.body)
	}
	o := e.do("GET", "/v1/offerings/"+offering, "", nil)
	e.expect(o, 200, "")
	if o.json["centre_suspended"] != true || o.str("status") != "published" {
		t.Fatalf("the public offering of a suspended centre: %s", o.body)
	}
	pub := e.do("GET", "/v1/centres/"+id, "", nil)
	e.expect(pub, 200, "")
	if pub.str("status") != "suspended" {
		t.Fatalf("public centre: %s", pub.body)
	}
	changes := e.do("GET", "/v1/city/capacity/changes?district=binhu", binhu, nil)
	e.expect(changes, 200, "")
	var reasons []string
	for _, it := range changes.json["items"].([]any) {
		c := it.(map[string]any)
		reasons = append(reasons, c["reason"].(string))
		if c["reason"] == "centre_suspended" && c["delta"].(float64) != -20 {
			t.Fatalf("the suspension's ledger entry: %v", c)
		}
	}
	if strings.Join(reasons, ",") != "published,centre_suspended" {
		t.Fatalf("ledger reasons %v", reasons)
	}
	for _, who := range []struct{ name, token string }{{"city", officer}, {"binhu's officer", binhu}} {
		if f := capacity(who.token, ""); f.Capacity != 0 || f.Confirmed != 1 || f.Centres != 0 || f.SuspendedCentres != 1 || f.SuspendedPlaces != 20 {
			t.Fatalf("%s after the suspension: %+v", who.name, f)
		}
	}
	audit := e.do("GET", "/v1/centres/"+id+"/audit", binhu, nil)
	e.expect(audit, 200, "")
	for _, action := range []string{"centre.create", "centre.activate", "centre.suspend", "offering.centre_suspended"} {
		if !strings.Contains(string(audit.body), `"action":"`+action+`"`) {
			t.Errorf("audit without %s: %s", action, audit.body)
		}
	}
	reg := e.do("GET", "/v1/city/centres?status=suspended", binhu, nil)
	e.expect(reg, 200, "")
	if items := reg.json["items"].([]any); len(items) != 1 || items[0].(map[string]any)["id"] != id {
		t.Fatalf("binhu's suspended centres: %s", reg.body)
	}

	db, err := store.NewClient(context.Background(), config.Config{DynamoDBEndpoint: e.st.DynamoDBEndpoint(), Region: dbtest.Region})
	if err != nil {
		t.Fatal(err)
	}
	report, err := tablecheck.Run(context.Background(), db, e.table, tablecheck.Options{Now: e.st.Now()})
	if err != nil {
		t.Fatal(err)
	}
	if !report.OK() {
		var out strings.Builder
		report.Print(&out)
		t.Fatalf("the table:\n%s", out.String())
	}
}
