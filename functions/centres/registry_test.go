package centres_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/functions/centres"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
)

// TestRegistryRoutes: the centre registry's routes for every role: city
// officers anywhere, district officers in their district (registering in
// another: 403; another's centre: 404), staff and residents 403, no token
// 401; bad input 422; statuses move only as the contract says.
func TestRegistryRoutes(t *testing.T) {
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	d := lambdafntest.Deps(t, clock.Fixed(now))
	binhu, xishan := dbtest.Centre("c1", "binhu"), dbtest.Centre("c2", "xishan")
	lambdafntest.Put(t, d, []domain.Centre{binhu, xishan}, dbtest.Offering("o1", binhu, 10, now))
	h := centres.New(d)

	staff, otherStaff, officer := lambdafntest.Staff("staff-1", "c1"), lambdafntest.Staff("staff-2", "c2"), lambdafntest.Officer("officer-1")
	binhuDO, xishanDO := lambdafntest.DistrictOfficer("do-binhu", "binhu"), lambdafntest.DistrictOfficer("do-xishan", "xishan")
	resident := lambdafntest.Resident("acct-1")
	body := func(district string) string {
		return `{"name":"滨湖区新芽托育园","district":"` + district + `","licence_no":"320211-TY-0007","address":"无锡市滨湖区太湖大道 1 号",
			"phone":"0510-85123456","kinds":["childcare"],"location":{"lat":31.49,"lng":120.26}}`
	}
	call := func(name string, as *auth.Caller, method, path, body string, status int, code apperr.Code) lambdafntest.Case {
		return lambdafntest.Case{Name: name, As: as, Method: method, Path: path, Body: body, Status: status, Code: code}
	}
	const get, post, patch = http.MethodGet, http.MethodPost, http.MethodPatch

	// Registering, by role.
	w := lambdafntest.Serve(h, call("", binhuDO, post, "/v1/centres", body("binhu"), 0, ""))
	var created domain.Centre
	if w.Code != 201 || json.Unmarshal(w.Body.Bytes(), &created) != nil || created.Status != domain.CentreDraft ||
		w.Header().Get("Location") != "/v1/centres/"+created.ID || !strings.HasPrefix(created.ID, "c_") || created.LicenceNo != "320211-TY-0007" {
		t.Fatalf("register: %d %s", w.Code, w.Body)
	}
	id := created.ID
	lambdafntest.Run(t, h, []lambdafntest.Case{
		call("register, no token", nil, post, "/v1/centres", body("binhu"), 401, apperr.Unauthorized),
		call("register, resident", resident, post, "/v1/centres", body("binhu"), 403, apperr.Forbidden),
		call("register, staff", staff, post, "/v1/centres", body("binhu"), 403, apperr.Forbidden),
		call("register, district officer elsewhere", xishanDO, post, "/v1/centres", body("binhu"), 403, apperr.Forbidden),
		call("register, city officer", officer, post, "/v1/centres", body("xishan"), 201, ""),
		call("register, invalid", officer, post, "/v1/centres", `{"name":"x","district":"binhu","kinds":[]}`, 422, apperr.ValidationFailed),
		call("register, unknown member", officer, post, "/v1/centres", `{"colour":"red"}`, 400, apperr.InvalidRequest),

		// Editing and activating.
		call("edit, staff of the centre", staff, patch, "/v1/centres/c1", `{"phone":"13900000000"}`, 403, apperr.Forbidden),
		call("edit, resident", resident, patch, "/v1/centres/c1", `{"phone":"13900000000"}`, 403, apperr.Forbidden),
		call("edit, another district's officer", xishanDO, patch, "/v1/centres/"+id, `{"phone":"13900000000"}`, 404, apperr.NotFound),
		call("edit, no such centre", officer, patch, "/v1/centres/c9", `{"phone":"13900000000"}`, 404, apperr.NotFound),
		call("edit, bad phone", binhuDO, patch, "/v1/centres/"+id, `{"phone":"123"}`, 422, apperr.ValidationFailed),
		call("edit, the district", binhuDO, patch, "/v1/centres/"+id, `{"district":"xishan"}`, 422, apperr.ValidationFailed),
		call("edit, suspend by patch", binhuDO, patch, "/v1/centres/"+id, `{"status":"suspended"}`, 422, apperr.ValidationFailed),
		call("edit, clear location", binhuDO, patch, "/v1/centres/"+id, `{"location":null}`, 200, ""),
		call("suspend a draft", binhuDO, post, "/v1/centres/"+id+"/suspend", `{"reason":"检查"}`, 409, apperr.Conflict),
		call("activate", binhuDO, patch, "/v1/centres/"+id, `{"status":"active"}`, 200, ""),

		// Suspending.
		call("suspend, no reason", officer, post, "/v1/centres/c1/suspend", `{}`, 422, apperr.ValidationFailed),
		call("suspend, staff", staff, post, "/v1/centres/c1/suspend", `{"reason":"检查"}`, 403, apperr.Forbidden),
		call("suspend, other staff", otherStaff, post, "/v1/centres/c1/suspend", `{"reason":"检查"}`, 403, apperr.Forbidden),
		call("suspend, another district's officer", xishanDO, post, "/v1/centres/c1/suspend", `{"reason":"检查"}`, 404, apperr.NotFound),
		call("suspend", binhuDO, post, "/v1/centres/c1/suspend", `{"reason":"消防检查未通过"}`, 200, ""),
		call("suspend again (resumes)", binhuDO, post, "/v1/centres/c1/suspend", `{"reason":"消防检查未通过"}`, 200, ""),
		call("publish at a suspended centre", staff, post, "/v1/centres/c1/offerings", `{"kind":"evening_course","title":"锡青夜校 · 摄影入门","starts_on":"2025-09-01","ends_on":"2025-09-15",
			"schedule":{"text":"每周一 19:00","sessions":["2025-09-01"]},"capacity":20,"status":"published"}`, 409, apperr.CentreNotActive),
		call("audit shows it", binhuDO, get, "/v1/centres/c1/audit", "", 200, ""),
		call("reinstate", officer, patch, "/v1/centres/c1", `{"status":"active"}`, 200, ""),

		// The registry list.
		call("registry, city", officer, get, "/v1/city/centres?status=draft&limit=5", "", 200, ""),
		call("registry, bad status", officer, get, "/v1/city/centres?status=closed", "", 422, apperr.ValidationFailed),
		call("registry, bad district", officer, get, "/v1/city/centres?district=suzhou", "", 422, apperr.ValidationFailed),
		call("registry, district officer", binhuDO, get, "/v1/city/centres", "", 200, ""),
		call("registry, another district", binhuDO, get, "/v1/city/centres?district=xishan", "", 403, apperr.Forbidden),
		call("registry, staff", staff, get, "/v1/city/centres", "", 403, apperr.Forbidden),
		call("registry, resident", resident, get, "/v1/city/centres", "", 403, apperr.Forbidden),
		call("registry, no token", nil, get, "/v1/city/centres", "", 401, apperr.Unauthorized),
	})

	// What the routes wrote: the district officer's list, the audit trail.
	w = lambdafntest.Serve(h, call("", binhuDO, get, "/v1/city/centres", "", 0, ""))
	var list struct{ Items []domain.Centre }
	if err := json.Unmarshal(w.Body.Bytes(), &list); err != nil {
		t.Fatal(err)
	}
	byID := map[string]domain.Centre{}
	for _, c := range list.Items {
		if c.District != "binhu" {
			t.Errorf("binhu's registry lists %s in %s", c.ID, c.District)
		}
		byID[c.ID] = c
	}
	if byID[id].Status != domain.CentreActive || byID[id].Location != nil || byID["c1"].Status != domain.CentreActive || len(byID) != 2 {
		t.Fatalf("binhu's registry: %s", w.Body)
	}
	w = lambdafntest.Serve(h, call("", officer, get, "/v1/centres/c1/audit", "", 0, ""))
	for _, action := range []string{"centre.suspend", "centre.reinstate", "offering.centre_suspended", "offering.centre_reinstated"} {
		if !strings.Contains(w.Body.String(), `"action":"`+action+`"`) {
			t.Errorf("audit has no %s: %s", action, w.Body)
		}
	}
}
