package centres_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/functions/centres"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

// TestRoutes: centre staff act on their own centre's offerings and city
// officers on any; another centre's resource is not found, residents are
// forbidden, a request without a caller is unauthorized; bad input and
// broken rules are refused with their codes.
func TestRoutes(t *testing.T) {
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	d := lambdafntest.Deps(t, clock.Fixed(now))
	ctx := context.Background()
	mine, other := dbtest.Centre("c1", "binhu"), dbtest.Centre("c2", "xishan")
	lambdafntest.Put(t, d, []domain.Centre{mine, other},
		// A session last Monday, so attendance can be recorded today.
		dbtest.Offering("o1", mine, 10, now, func(o *domain.Offering) { o.Schedule.Sessions = []string{"2025-07-28", "2025-09-01"} }),
		dbtest.Offering("busy", mine, 10, now, func(o *domain.Offering) { o.Confirmed = 3 }),
		dbtest.Offering("theirs", other, 10, now))
	birth := time.Date(1995, 3, 1, 0, 0, 0, 0, domain.CityZone)
	number := idnumber.Make("320202", birth, 1)
	p, err := (&residents.Participants{Store: d.Store, Identities: d.Identities, Now: d.Now}).Register(ctx, "acct-1",
		domain.NewParticipant{Name: "居民", BirthDate: birth.Format(domain.DateLayout), IDNumber: number})
	if err != nil {
		t.Fatal(err)
	}
	booked, err := (&residents.Service{Store: d.Store, Now: d.Now}).Book(ctx, residents.Request{Account: "acct-1", OfferingID: "o1", ParticipantID: p.ID})
	if err != nil {
		t.Fatal(err)
	}
	bk := booked.Booking.ID

	staff, officer := lambdafntest.Staff("staff-1", "c1"), lambdafntest.Officer("officer-1")
	call := func(name string, as *auth.Caller, method, path, body string, status int, code apperr.Code) lambdafntest.Case {
		return lambdafntest.Case{Name: name, As: as, Method: method, Path: path, Body: body, Status: status, Code: code}
	}
	const newOffering = `{"kind":"evening_course","title":"锡青夜校 · 摄影入门","description":"每周一次","starts_on":"2025-09-01","ends_on":"2025-09-15",
		"schedule":{"text":"每周一 19:00","sessions":["2025-09-01","2025-09-08","2025-09-15"]},"capacity":20,"status":"draft"}`
	const (
		get, post, patch, put = http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodPut
	)
	lambdafntest.Run(t, centres.New(d), []lambdafntest.Case{
		call("no caller", nil, get, "/v1/centres/c1/offerings", "", 401, apperr.Unauthorized),
		call("a resident", lambdafntest.Resident("acct-1"), get, "/v1/centres/c1/offerings", "", 403, apperr.Forbidden),

		call("own centre's offerings", staff, get, "/v1/centres/c1/offerings", "", 200, ""),
		call("another centre's offerings", staff, get, "/v1/centres/c2/offerings", "", 404, apperr.NotFound),
		call("an officer, any centre's", officer, get, "/v1/centres/c2/offerings?limit=5", "", 200, ""),
		call("an officer, no such centre", officer, get, "/v1/centres/c9/offerings", "", 404, apperr.NotFound),
		call("offerings, bad limit", staff, get, "/v1/centres/c1/offerings?limit=x", "", 400, apperr.InvalidRequest),

		call("audit", staff, get, "/v1/centres/c1/audit", "", 200, ""),
		call("another centre's audit", staff, get, "/v1/centres/c2/audit", "", 404, apperr.NotFound),
		call("audit, unknown parameter", staff, get, "/v1/centres/c1/audit?colour=red", "", 400, apperr.InvalidRequest),

		call("create", staff, post, "/v1/centres/c1/offerings", newOffering, 201, ""),
		call("create at another centre", staff, post, "/v1/centres/c2/offerings", newOffering, 404, apperr.NotFound),
		call("create, not JSON", staff, post, "/v1/centres/c1/offerings", "{", 400, apperr.InvalidRequest),
		call("create, invalid", staff, post, "/v1/centres/c1/offerings", `{"kind":"evening_course","capacity":-1}`, 422, apperr.ValidationFailed),

		call("edit", staff, patch, "/v1/offerings/o1", `{"title":"新标题"}`, 200, ""),
		call("edit another centre's", staff, patch, "/v1/offerings/theirs", `{"title":"新标题"}`, 404, apperr.NotFound),
		call("edit, no such offering", officer, patch, "/v1/offerings/nope", `{"title":"新标题"}`, 404, apperr.NotFound),
		call("capacity below confirmed", staff, patch, "/v1/offerings/busy", `{"capacity":2}`, 409, apperr.CapacityBelowConfirmed),

		call("roster", staff, get, "/v1/offerings/o1/roster", "", 200, ""),
		call("roster as CSV", staff, get, "/v1/offerings/o1/roster?format=csv", "", 200, ""),
		call("roster, bad format", staff, get, "/v1/offerings/o1/roster?format=pdf", "", 400, apperr.InvalidRequest),
		call("another centre's roster", staff, get, "/v1/offerings/theirs/roster", "", 404, apperr.NotFound),

		call("attendance", staff, put, "/v1/offerings/o1/attendance/2025-07-28", `{"records":[{"booking_id":"`+bk+`","status":"present"}]}`, 200, ""),
		call("attendance ahead", staff, put, "/v1/offerings/o1/attendance/2025-09-01", `{"records":[{"booking_id":"`+bk+`","status":"present"}]}`, 422, apperr.ValidationFailed),
		call("attendance, bad date", staff, put, "/v1/offerings/o1/attendance/28-07-2025", `{"records":[]}`, 422, apperr.ValidationFailed),
		call("attendance read", staff, get, "/v1/offerings/o1/attendance", "", 200, ""),
		call("another centre's attendance", staff, get, "/v1/offerings/theirs/attendance", "", 404, apperr.NotFound),

		call("verify, incomplete", staff, post, "/v1/offerings/o1/roster/"+bk+"/verify-identity", `{"id_number":""}`, 422, apperr.ValidationFailed),
		call("verify, another number", staff, post, "/v1/offerings/o1/roster/"+bk+"/verify-identity",
			`{"id_number":"`+idnumber.Make("320202", birth, 2)+`","document":"resident_id_card"}`, 422, apperr.InvalidIDNumber),
		call("verify, no such booking", staff, post, "/v1/offerings/o1/roster/bk-nope/verify-identity",
			`{"id_number":"`+number+`","document":"resident_id_card"}`, 404, apperr.NotFound),
		call("verify", staff, post, "/v1/offerings/o1/roster/"+bk+"/verify-identity", `{"id_number":"`+number+`","document":"resident_id_card"}`, 200, ""),

		call("cancel, no reason", staff, post, "/v1/offerings/o1/cancel", `{}`, 422, apperr.ValidationFailed),
		call("cancel another centre's", staff, post, "/v1/offerings/theirs/cancel", `{"reason":"场地维修"}`, 404, apperr.NotFound),
		call("cancel", officer, post, "/v1/offerings/o1/cancel", `{"reason":"场地维修"}`, 200, ""),
	})
}
