package staffaccounts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	"github.com/wuxi-enrol/enrol/functions/staffaccounts"
	"github.com/wuxi-enrol/enrol/infra/localcognito"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// setup is the function over a fresh table and a Cognito stand-in, with
// centres c1 and c2 in binhu and c3 in xishan.
func setup(t *testing.T) (http.Handler, lambdafn.Deps, *localcognito.Server) {
	t.Helper()
	srv, err := localcognito.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	// A minute on at every reading, so audit records fall in order.
	var mu sync.Mutex
	at := time.Date(2026, 9, 1, 9, 0, 0, 0, domain.CityZone)
	d := lambdafntest.Deps(t, func() time.Time { mu.Lock(); defer mu.Unlock(); at = at.Add(time.Minute); return at })
	d.Config.UserPoolID, d.Config.CognitoEndpoint = srv.PoolID, srv.URL
	lambdafntest.Put(t, d, []domain.Centre{dbtest.Centre("c1", "binhu"), dbtest.Centre("c2", "binhu"), dbtest.Centre("c3", "xishan")})
	return staffaccounts.New(d), d, srv
}

// userOf is the user the pool holds for phone.
func userOf(t *testing.T, srv *localcognito.Server, h http.Handler, centre string) string {
	t.Helper()
	w := lambdafntest.Serve(h, lambdafntest.Case{As: lambdafntest.Officer("o"), Method: "GET", Path: "/v1/centres/" + centre + "/staff"})
	var out struct {
		Items []struct {
			UserID string `json:"user_id"`
		} `json:"items"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &out); err != nil || len(out.Items) == 0 {
		t.Fatalf("staff of %s: %s", centre, w.Body)
	}
	return out.Items[0].UserID
}

// TestRoutes: who may list, invite and remove, for every role of the
// matrix; bad input; an invitation twice is 200 with created false; an
// e-mail address finds an account but cannot make one.
func TestRoutes(t *testing.T) {
	h, _, srv := setup(t)
	officer, district, otherDistrict := lambdafntest.Officer("officer-1"), lambdafntest.DistrictOfficer("do-binhu", "binhu"), lambdafntest.DistrictOfficer("do-xishan", "xishan")
	own, other, resident := lambdafntest.Staff("staff-1", "c1"), lambdafntest.Staff("staff-2", "c3"), lambdafntest.Resident("res-1")
	body := `{"phone":"139 1234 0001","name":"王老师"}`
	call := func(name string, as *auth.Caller, method, path, body string, status int, code apperr.Code) lambdafntest.Case {
		return lambdafntest.Case{Name: name, As: as, Method: method, Path: path, Body: body, Status: status, Code: code}
	}
	lambdafntest.Run(t, h, []lambdafntest.Case{
		call("no token", nil, "GET", "/v1/centres/c1/staff", "", 401, apperr.Unauthorized),
		call("resident lists", resident, "GET", "/v1/centres/c1/staff", "", 403, apperr.Forbidden),
		call("resident invites", resident, "POST", "/v1/centres/c1/staff", body, 403, apperr.Forbidden),
		call("own staff lists", own, "GET", "/v1/centres/c1/staff", "", 200, ""),
		call("own staff invites", own, "POST", "/v1/centres/c1/staff", body, 403, apperr.Forbidden),
		call("own staff removes", own, "DELETE", "/v1/centres/c1/staff/x", "", 403, apperr.Forbidden),
		call("other staff lists", other, "GET", "/v1/centres/c1/staff", "", 404, apperr.NotFound),
		call("other district invites", otherDistrict, "POST", "/v1/centres/c1/staff", body, 404, apperr.NotFound),
		call("other district lists", otherDistrict, "GET", "/v1/centres/c1/staff", "", 404, apperr.NotFound),
		call("no such centre", officer, "POST", "/v1/centres/c9/staff", body, 404, apperr.NotFound),
		call("no contact", officer, "POST", "/v1/centres/c1/staff", `{"name":"王老师"}`, 422, apperr.ValidationFailed),
		call("a number abroad", officer, "POST", "/v1/centres/c1/staff", `{"phone":"+12025550123","name":"王老师"}`, 422, apperr.ValidationFailed),
		call("no name", officer, "POST", "/v1/centres/c1/staff", `{"phone":"13912340001"}`, 422, apperr.ValidationFailed),
		call("bad e-mail", officer, "POST", "/v1/centres/c1/staff", `{"email":"nope","name":"王老师"}`, 422, apperr.ValidationFailed),
		call("unknown field", officer, "POST", "/v1/centres/c1/staff", `{"phone":"13912340001","name":"王老师","role":"admin"}`, 400, apperr.InvalidRequest),
		call("e-mail of no account", officer, "POST", "/v1/centres/c1/staff", `{"email":"new@example.cn","name":"王老师"}`, 422, apperr.ValidationFailed),
		call("district officer invites", district, "POST", "/v1/centres/c1/staff", `{"phone":"13912340001","email":"Wang@Example.cn","name":"王老师"}`, 201, ""),
		call("again", officer, "POST", "/v1/centres/c1/staff", body, 200, ""),
		call("by e-mail now", officer, "POST", "/v1/centres/c2/staff", `{"email":"wang@example.cn","name":"王老师"}`, 201, ""),
		call("city officer lists", officer, "GET", "/v1/centres/c1/staff", "", 200, ""),
		call("district officer lists", district, "GET", "/v1/centres/c2/staff?limit=5", "", 200, ""),
		call("remove, not staff", officer, "DELETE", "/v1/centres/c1/staff/nobody", "", 404, apperr.NotFound),
	})
	sub := userOf(t, srv, h, "c1")
	if g := srv.Groups(sub); !slices.Equal(g, []string{"centre-staff"}) {
		t.Errorf("groups %v, want [centre-staff]", g)
	}
	if a := srv.Attributes(sub)["custom:centre_ids"]; a != "c1,c2" {
		t.Errorf("custom:centre_ids %q, want c1,c2", a)
	}
	lambdafntest.Run(t, h, []lambdafntest.Case{
		call("other district removes", otherDistrict, "DELETE", "/v1/centres/c1/staff/"+sub, "", 404, apperr.NotFound),
		call("district officer removes", district, "DELETE", "/v1/centres/c1/staff/"+sub, "", 204, ""),
		call("removes again", district, "DELETE", "/v1/centres/c1/staff/"+sub, "", 404, apperr.NotFound),
	})
	if a := srv.Attributes(sub)["custom:centre_ids"]; a != "c2" || srv.SignOuts(sub) != 1 {
		t.Errorf("after removal from c1: custom:centre_ids %q, sign-outs %d; want c2, 1", a, srv.SignOuts(sub))
	}
	lambdafntest.Run(t, h, []lambdafntest.Case{call("last centre", officer, "DELETE", "/v1/centres/c2/staff/"+sub, "", 204, "")})
	if g, a := srv.Groups(sub), srv.Attributes(sub); len(g) != 0 || a["custom:centre_ids"] != "" {
		t.Errorf("with no centre left: groups %v, attributes %v; want none", g, a)
	}
}

// TestInviteAnswer: the first invitation makes the account (201, created
// true), the same again changes nothing (200, created false, the first
// added_at and added_by); the list shows the number masked; both actions
// are in the centre's audit log, the number masked there too.
func TestInviteAnswer(t *testing.T) {
	h, d, _ := setup(t)
	invite := func(as *auth.Caller) (int, map[string]any) {
		w := lambdafntest.Serve(h, lambdafntest.Case{As: as, Method: "POST", Path: "/v1/centres/c1/staff", Body: `{"phone":"+8613912340001","name":"王老师"}`})
		var out map[string]any
		_ = json.Unmarshal(w.Body.Bytes(), &out)
		return w.Code, out
	}
	code, first := invite(lambdafntest.Officer("officer-1"))
	if code != 201 || first["created"] != true || first["phone_masked"] != "139****0001" || first["added_by"] != "officer-1" || first["name"] != "王老师" {
		t.Fatalf("first invitation: %d %v", code, first)
	}
	code, again := invite(lambdafntest.DistrictOfficer("do-binhu", "binhu"))
	if code != 200 || again["created"] != false || again["added_by"] != "officer-1" || again["user_id"] != first["user_id"] {
		t.Fatalf("again: %d %v", code, again)
	}
	w := lambdafntest.Serve(h, lambdafntest.Case{As: lambdafntest.Officer("o"), Method: "DELETE", Path: fmt.Sprintf("/v1/centres/c1/staff/%s", first["user_id"])})
	if w.Code != 204 {
		t.Fatalf("remove: %d %s", w.Code, w.Body)
	}
	entries, _, err := d.Store.ListAudit(context.Background(), "c1", paging.Page{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Action != "staff.remove" || entries[1].Action != "staff.add" {
		t.Fatalf("audit %+v, want staff.remove, staff.add", entries)
	}
	if first["email_masked"] != nil {
		t.Errorf("an invitation by number alone shows an e-mail address: %v", first)
	}
	for _, e := range entries {
		raw := string(e.Before) + string(e.After)
		if strings.Contains(raw, "13912340001") || !strings.Contains(raw, "139****0001") {
			t.Errorf("%s audit record %s: want the number masked", e.Action, raw)
		}
	}
}

// TestConcurrentCentres: two officers add two centres to one person at the
// same moment; both centres end up in the pool's custom:centre_ids.
func TestConcurrentCentres(t *testing.T) {
	for round := range 5 {
		h, _, srv := setup(t)
		num := fmt.Sprintf("+861391234%04d", round)
		var wg sync.WaitGroup
		codes := make([]int, 2)
		for i, centre := range []string{"c1", "c2"} {
			wg.Go(func() {
				w := lambdafntest.Serve(h, lambdafntest.Case{As: lambdafntest.Officer(fmt.Sprint("officer-", i)), Method: "POST",
					Path: "/v1/centres/" + centre + "/staff", Body: `{"phone":"` + num + `","name":"李老师"}`})
				codes[i] = w.Code
			})
		}
		wg.Wait()
		if codes[0] != 201 || codes[1] != 201 {
			t.Fatalf("round %d: answers %v, want 201 twice", round, codes)
		}
		sub := userOf(t, srv, h, "c1")
		if a := srv.Attributes(sub)["custom:centre_ids"]; a != "c1,c2" {
			t.Fatalf("round %d: custom:centre_ids %q, want c1,c2", round, a)
		}
	}
}

// TestOIDC: with no user pool (AuthMode oidc) every staff route, and the
// counter's, answers accounts_external, after the caller's rights are
// checked.
func TestOIDC(t *testing.T) {
	d := lambdafntest.Deps(t, clock.Fixed(time.Date(2026, 9, 1, 9, 0, 0, 0, domain.CityZone)))
	lambdafntest.Put(t, d, []domain.Centre{dbtest.Centre("c1", "binhu")})
	h := staffaccounts.New(d)
	lambdafntest.Run(t, h, []lambdafntest.Case{
		{Name: "list", As: lambdafntest.Officer("o"), Method: "GET", Path: "/v1/centres/c1/staff", Status: 409, Code: apperr.AccountsExternal},
		{Name: "invite", As: lambdafntest.Officer("o"), Method: "POST", Path: "/v1/centres/c1/staff", Body: `{"phone":"13912340001","name":"王"}`, Status: 409, Code: apperr.AccountsExternal},
		{Name: "remove", As: lambdafntest.Officer("o"), Method: "DELETE", Path: "/v1/centres/c1/staff/u", Status: 409, Code: apperr.AccountsExternal},
		{Name: "find at the counter", As: lambdafntest.Staff("s", "c1"), Method: "POST", Path: "/v1/centres/c1/assisted", Body: `{"phone":"13912340001","name":"王"}`, Status: 409, Code: apperr.AccountsExternal},
		{Name: "resident at the counter", As: lambdafntest.Resident("r"), Method: "POST", Path: "/v1/centres/c1/assisted", Body: `{}`, Status: 403, Code: apperr.Forbidden},
		{Name: "resident", As: lambdafntest.Resident("r"), Method: "POST", Path: "/v1/centres/c1/staff", Body: `{}`, Status: 403, Code: apperr.Forbidden},
	})
}

// TestPoolFailure: a pool that fails answers 503 (safe to retry); the
// retried invitation, once the pool is back, finishes it.
func TestPoolFailure(t *testing.T) {
	h, _, srv := setup(t)
	srv.Fail("InternalErrorException")
	c := lambdafntest.Case{Name: "pool down", As: lambdafntest.Officer("o"), Method: "POST", Path: "/v1/centres/c1/staff", Body: `{"phone":"13912340001","name":"王"}`, Status: 503, Code: apperr.Unavailable}
	lambdafntest.Run(t, h, []lambdafntest.Case{c})
	srv.Fail("")
	c.Name, c.Status, c.Code = "pool back", 201, ""
	lambdafntest.Run(t, h, []lambdafntest.Case{c})
}

func TestMasks(t *testing.T) {
	for in, want := range map[string]string{"+8613912345678": "139****5678", "13912345678": "139****5678", "+12025550123": ""} {
		if got := staffaccounts.MaskPhone(in); got != want {
			t.Errorf("MaskPhone(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{"wang@example.cn": "w***@example.cn", "王@例子.cn": "王***@例子.cn", "nope": ""} {
		if got := staffaccounts.MaskEmail(in); got != want {
			t.Errorf("MaskEmail(%q) = %q, want %q", in, got, want)
		}
	}
}

// lateWriter is the pool as two officers' writes reach it in the worst
// order: when the invitation to c1 writes custom:centre_ids = "c1", another
// officer has just added c2 to the same person (in the table) and written
// "c1,c2" to the pool; the "c1" write lands after it.
type lateWriter struct {
	staffaccounts.Cognito
	t    *testing.T
	d    lambdafn.Deps
	once sync.Once
}

func (l *lateWriter) AdminUpdateUserAttributes(ctx context.Context, in *cip.AdminUpdateUserAttributesInput, opts ...func(*cip.Options)) (*cip.AdminUpdateUserAttributesOutput, error) {
	if aws.ToString(in.UserAttributes[0].Value) == "c1" {
		l.once.Do(func() {
			sub := aws.ToString(in.Username)
			m := store.StaffMember{CentreID: "c2", UserID: sub, Username: sub, Name: "王老师", AddedAt: l.d.Now(), AddedBy: "officer-2"}
			if _, err := l.d.Store.AddStaff(ctx, m, store.Audit("c2", "officer-2", "staff.add", sub, nil, nil, l.d.Now())); err != nil {
				l.t.Error(err)
			}
			theirs := *in
			theirs.UserAttributes = []types.AttributeType{{Name: aws.String("custom:centre_ids"), Value: aws.String("c1,c2")}}
			if _, err := l.Cognito.AdminUpdateUserAttributes(ctx, &theirs, opts...); err != nil {
				l.t.Error(err)
			}
		})
	}
	return l.Cognito.AdminUpdateUserAttributes(ctx, in, opts...)
}

// TestLateWriteRewritten: an invitation whose pool write lands after a
// concurrent one's, carrying the older set, reads the set again, sees it
// changed, and writes it again: the pool ends with both centres.
func TestLateWriteRewritten(t *testing.T) {
	_, d, srv := setup(t)
	awsCfg, err := config.AWS(context.Background(), "cn-north-1", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	h := staffaccounts.NewOn(d, &lateWriter{Cognito: cip.NewFromConfig(awsCfg), t: t, d: d})
	lambdafntest.Run(t, h, []lambdafntest.Case{{Name: "invite", As: lambdafntest.Officer("officer-1"), Method: "POST", Path: "/v1/centres/c1/staff",
		Body: `{"phone":"13912340055","name":"王老师"}`, Status: 201}})
	sub := userOf(t, srv, h, "c1")
	if a := srv.Attributes(sub)["custom:centre_ids"]; a != "c1,c2" {
		t.Fatalf("custom:centre_ids %q, want c1,c2 (the late write of c1 alone rewritten)", a)
	}
}
