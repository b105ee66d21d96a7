package local_test

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/lottery"
)

// movableClock is a stack clock from a fixed day that a test can move on.
type movableClock struct {
	base   func() time.Time
	offset atomic.Int64
}

func newMovableClock(at time.Time) *movableClock { return &movableClock{base: clock.From(at)} }
func (c *movableClock) now() time.Time           { return c.base().Add(time.Duration(c.offset.Load())) }
func (c *movableClock) move(d time.Duration)     { c.offset.Add(int64(d)) }
func (c *movableClock) option() func(*local.Options) {
	return func(o *local.Options) { o.Now = c.now }
}

// A lottery offering from the staff API to applications: created with its
// window and draw time (its draw committed at once), applied to, listed,
// withdrawn; the same ID number through a second account is
// already_applied, a participant too old is not_eligible, and outside the
// window (the stack clock moved) applying is applications_closed.
func TestApplications(t *testing.T) {
	clk := newMovableClock(time.Date(2026, 9, 1, 10, 0, 0, 0, domain.CityZone))
	e := start(t, clk.option())
	staff := e.tokenFor("staff-1", []string{"centre-staff"}, e.centre.ID)
	now := e.st.Now()
	opens, closes, draw := now.Add(time.Hour), now.Add(7*24*time.Hour), now.Add(8*24*time.Hour)
	created := e.do("POST", "/v1/centres/"+e.centre.ID+"/offerings", staff, map[string]any{
		"kind": "evening_course", "title": "城市速写", "starts_on": "2026-10-05", "ends_on": "2026-10-12", "capacity": 2,
		"schedule": map[string]any{"text": "周一 19:00", "sessions": []string{"2026-10-05", "2026-10-12"}}, "status": "published",
		"allocation": "lottery", "applications_open_at": opens, "applications_close_at": closes, "draw_at": draw,
	})
	e.expect(created, 201, "")
	id := created.str("id")
	if created.str("allocation") != "lottery" || created.num("offer_hours") != domain.DefaultLotteryOfferHours {
		t.Fatalf("created: %s", created.body)
	}
	d, err := e.st.Store.GetDraw(t.Context(), id)
	if err != nil || d.Commitment != lottery.Commitment(d.Secret) || d.BeaconRound != e.st.Beacon.RoundAfter(closes) {
		t.Fatalf("draw record: %+v %v", d, err)
	}

	tokA, partA, idNumber := e.resident("acc-apply-a")
	apply := func(token, participant string, headers ...string) reply {
		return e.do("POST", "/v1/offerings/"+id+"/applications", token, map[string]any{"participant_id": participant}, headers...)
	}
	e.expect(apply(tokA, partA), 409, "applications_closed") // not open yet
	clk.move(2 * time.Hour)
	tokA = e.token("acc-apply-a", "residents")
	first := apply(tokA, partA, "Idempotency-Key", "apply-1")
	e.expect(first, 201, "")
	if first.str("status") != "applied" || first.num("tier") != 1 || first.str("ticket") != lottery.Ticket(id, first.str("id")) {
		t.Fatalf("application: %s", first.body)
	}
	if again := apply(tokA, partA, "Idempotency-Key", "apply-1"); again.status != 200 || again.str("id") != first.str("id") {
		t.Fatalf("retry: %d %s", again.status, again.body)
	}
	e.expect(apply(tokA, partA), 409, "already_applied")

	// The same ID number registered in another account is the same person.
	tokB := e.token("acc-apply-b", "residents")
	birth, _ := time.Parse("20060102", idNumber[6:14])
	twin := e.do("POST", "/v1/me/participants", tokB, map[string]any{"name": "同一人", "birth_date": birth.Format(domain.DateLayout), "id_number": idNumber})
	e.expect(twin, 201, "")
	e.expect(apply(tokB, twin.str("id")), 409, "already_applied")
	old := e.do("POST", "/v1/me/participants", tokB, map[string]any{"name": "年长者", "birth_date": "1970-03-01", "id_number": idNumberFor(1970, 3, 1)})
	e.expect(old, 201, "")
	e.expect(apply(tokB, old.str("id")), 422, "not_eligible")
	// Booking first come waits for the draw.
	e.expect(e.book(tokA, id, partA, false), 409, "booking_closed")

	list := e.do("GET", "/v1/me/applications", tokA, nil)
	e.expect(list, 200, "")
	if items, _ := list.json["items"].([]any); len(items) != 1 {
		t.Fatalf("list: %s", list.body)
	}
	e.expect(e.do("GET", "/v1/me/applications/"+first.str("id"), tokB, nil), 404, "not_found")
	w := e.do("POST", "/v1/me/applications/"+first.str("id")+"/withdraw", tokA, nil)
	e.expect(w, 200, "")
	if w.str("status") != "withdrawn" || w.str("withdrawn_at") == "" {
		t.Fatalf("withdrawn: %s", w.body)
	}
	// Withdrawn, the person may apply again (through either account).
	second := apply(tokB, twin.str("id"))
	e.expect(second, 201, "")
	if got := e.do("GET", "/v1/me/applications/"+second.str("id"), tokB, nil); got.str("status") != "applied" {
		t.Fatalf("get: %s", got.body)
	}

	// The city sees one applicant for the two places, once the scheduled
	// job has counted them (before it, no count: nothing is made up), as of
	// the job's time.
	officer := e.token("officer-1", "city-officers")
	demand := e.do("GET", "/v1/city/demand?kind=evening_course", officer, nil)
	e.expect(demand, 200, "")
	apps, _ := demand.json["applications"].(map[string]any)
	if total, _ := apps["total"].(map[string]any); total["applicants"] != 0.0 || apps["counted_at"] != nil {
		t.Errorf("demand's applications before any count: %s", demand.body)
	}
	e.runJob("DrawsFunction")
	demand = e.do("GET", "/v1/city/demand?kind=evening_course", officer, nil)
	e.expect(demand, 200, "")
	apps, _ = demand.json["applications"].(map[string]any)
	if total, _ := apps["total"].(map[string]any); total["applicants"] != 1.0 || total["applicants_per_place"] != 0.5 || apps["counted_at"] == nil {
		t.Errorf("demand's applications: %s", demand.body)
	}

	// Past the close: neither applying nor withdrawing.
	clk.move(closes.Sub(e.st.Now()) + time.Minute)
	tokA, tokB = e.token("acc-apply-a", "residents"), e.token("acc-apply-b", "residents")
	e.expect(apply(tokA, partA), 409, "applications_closed")
	e.expect(e.do("POST", "/v1/me/applications/"+second.str("id")+"/withdraw", tokB, nil), 409, "applications_closed")

	export := e.do("GET", "/v1/me/export", tokB, nil)
	e.expect(export, 200, "")
	if apps, _ := export.json["applications"].([]any); len(apps) != 1 {
		t.Errorf("export's applications: %v", export.json["applications"])
	}
}

// idNumberFor is a valid ID number for a birth date.
func idNumberFor(y int, m time.Month, d int) string {
	return idnumber.Make("320211", time.Date(y, m, d, 0, 0, 0, 0, domain.CityZone), 7)
}
