package staffaccounts_test

import (
	"context"
	"encoding/json"
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
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// creations records the AdminCreateUser calls on their way to the pool.
type creations struct {
	staffaccounts.Cognito
	mu    sync.Mutex
	calls []*cip.AdminCreateUserInput
}

func (c *creations) AdminCreateUser(ctx context.Context, in *cip.AdminCreateUserInput, opts ...func(*cip.Options)) (*cip.AdminCreateUserOutput, error) {
	c.mu.Lock()
	c.calls = append(c.calls, in)
	c.mu.Unlock()
	return c.Cognito.AdminCreateUser(ctx, in, opts...)
}

// counter is the function over a fresh table and pool (centres c1, c2 in
// binhu, c3 in xishan) at the clock's instant *at, which a test moves;
// AdminCreateUser calls are recorded.
func counter(t *testing.T) (h http.Handler, d lambdafn.Deps, srv *localcognito.Server, at *time.Time, made *creations) {
	t.Helper()
	srv, err := localcognito.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	var mu sync.Mutex
	now := time.Date(2026, 9, 1, 9, 0, 0, 0, domain.CityZone)
	at = &now
	d = lambdafntest.Deps(t, func() time.Time { mu.Lock(); defer mu.Unlock(); return *at })
	d.Config.UserPoolID, d.Config.CognitoEndpoint = srv.PoolID, srv.URL
	lambdafntest.Put(t, d, []domain.Centre{dbtest.Centre("c1", "binhu"), dbtest.Centre("c2", "binhu"), dbtest.Centre("c3", "xishan")})
	awsCfg, err := config.AWS(context.Background(), "cn-north-1", srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	made = &creations{Cognito: cip.NewFromConfig(awsCfg)}
	return staffaccounts.NewOn(d, made), d, srv, at, made
}

// TestAssistAccess: who may find a resident at a centre's counter (the
// centre's staff, city officers, the centre's district officer), who may
// not, and what is refused as input (422 with the field named; an
// unknown field 400). Nothing refused writes a link.
func TestAssistAccess(t *testing.T) {
	h, d, _, _, _ := counter(t)
	path := "/v1/centres/c1/assisted"
	body := `{"phone":"13912340001","name":"王奶奶"}`
	call := func(name string, as *auth.Caller, path, body string, status int, code apperr.Code) lambdafntest.Case {
		return lambdafntest.Case{Name: name, As: as, Method: "POST", Path: path, Body: body, Status: status, Code: code}
	}
	officer := lambdafntest.Officer("officer-1")
	lambdafntest.Run(t, h, []lambdafntest.Case{
		call("no token", nil, path, body, 401, apperr.Unauthorized),
		call("resident", lambdafntest.Resident("res-1"), path, body, 403, apperr.Forbidden),
		call("staff of another district's centre", lambdafntest.Staff("staff-3", "c3"), path, body, 404, apperr.NotFound),
		call("staff of another centre of the district", lambdafntest.Staff("staff-2", "c2"), path, body, 404, apperr.NotFound),
		call("another district's officer", lambdafntest.DistrictOfficer("do-xishan", "xishan"), path, body, 404, apperr.NotFound),
		call("no such centre", officer, "/v1/centres/c9/assisted", body, 404, apperr.NotFound),
		call("unknown field", officer, path, `{"phone":"13912340001","name":"王奶奶","sub":"x"}`, 400, apperr.InvalidRequest),
		call("not JSON", officer, path, `{"phone":`, 400, apperr.InvalidRequest),
		call("own staff", lambdafntest.Staff("staff-1", "c1"), path, body, 201, ""),
		call("city officer", officer, path, body, 201, ""),
		call("the district's officer", lambdafntest.DistrictOfficer("do-binhu", "binhu"), path, body, 201, ""),
		call("staff of two centres", lambdafntest.Staff("staff-12", "c2", "c1"), path, body, 201, ""),
	})
	long := strings.Repeat("王", 41)
	for _, c := range []struct{ name, body, field string }{
		{"no phone", `{"name":"王奶奶"}`, "phone"},
		{"a number abroad", `{"phone":"+12025550123","name":"王奶奶"}`, "phone"},
		{"ten digits", `{"phone":"1391234000","name":"王奶奶"}`, "phone"},
		{"not a mobile (12…)", `{"phone":"12912340001","name":"王奶奶"}`, "phone"},
		{"a landline", `{"phone":"0510-82345678","name":"王奶奶"}`, "phone"},
		{"letters", `{"phone":"1391234000a","name":"王奶奶"}`, "phone"},
		{"no name", `{"phone":"13912340001"}`, "name"},
		{"a blank name", `{"phone":"13912340001","name":"   "}`, "name"},
		{"a name of 41 characters", `{"phone":"13912340001","name":"` + long + `"}`, "name"},
		{"a name on two lines", `{"phone":"13912340001","name":"王\n奶奶"}`, "name"},
	} {
		w := lambdafntest.Serve(h, call(c.name, officer, path, c.body, 0, ""))
		var p struct {
			Code   apperr.Code `json:"code"`
			Errors []struct {
				Field string `json:"field"`
			} `json:"errors"`
		}
		_ = json.Unmarshal(w.Body.Bytes(), &p)
		if w.Code != 422 || p.Code != apperr.ValidationFailed || len(p.Errors) != 1 || p.Errors[0].Field != c.field {
			t.Errorf("%s: %d %s, want 422 validation_failed on %s", c.name, w.Code, w.Body, c.field)
		}
	}
	lambdafntest.Run(t, h, []lambdafntest.Case{
		call("a name of 40 characters, the number spelt with +86, spaces and dashes", officer, path,
			`{"phone":" +86 139-1234-0002 ","name":"`+strings.Repeat("王", 40)+`"}`, 201, ""),
		call("86 without +, brackets", officer, path, `{"phone":"86 (139) 1234 0003","name":"李"}`, 201, ""),
	})
	for _, centre := range []string{"c2", "c3"} {
		out, _, err := d.Store.ListAudit(context.Background(), centre, paging.Page{Limit: 10})
		if err != nil || len(out) != 0 {
			t.Errorf("%s: audit %+v %v; a refused request wrote", centre, out, err)
		}
	}
}

// TestAssistAnswer: a new number makes the account (created true: named,
// number verified, in residents, made without Cognito's message); the same
// number again, spelt otherwise and at another centre, finds it (created
// false, the name the account has); an account signed up online and not
// yet in residents is found and put in residents, its attributes left as
// they are. Each finding writes the centre's link (until = the clock's now
// + 12 h, renewed by the next), its assist.find audit record (the last 4
// digits only) and the resident's notice naming the centre and its phone.
func TestAssistAnswer(t *testing.T) {
	h, d, srv, at, made := counter(t)
	ctx := context.Background()
	srv.SignUp("online-1", "+8613912340002")
	start := *at
	type answer struct {
		AccountID  string    `json:"account_id"`
		PhoneLast4 string    `json:"phone_last4"`
		Created    bool      `json:"created"`
		Name       string    `json:"name"`
		ValidUntil time.Time `json:"valid_until"`
	}
	steps := []struct {
		name     string
		as       *auth.Caller
		centre   string
		body     string
		created  bool
		account  string // "" for the first step's new account
		wantName string
	}{
		{"a new number", lambdafntest.Staff("staff-1", "c1"), "c1", `{"phone":"139 1234 0001","name":"王奶奶"}`, true, "", "王奶奶"},
		{"again, at another centre, spelt +86", lambdafntest.Officer("officer-1"), "c2", `{"phone":"+8613912340001","name":"王阿姨"}`, false, "", "王奶奶"},
		{"again at the first centre: renewed", lambdafntest.Staff("staff-9", "c1"), "c1", `{"phone":"13912340001","name":"王奶奶"}`, false, "", "王奶奶"},
		{"signed up online, not in residents", lambdafntest.DistrictOfficer("do-binhu", "binhu"), "c1", `{"phone":"8613912340002","name":"李爷爷"}`, false, "online-1", "李爷爷"},
	}
	var first string
	for i, s := range steps {
		*at = start.Add(time.Duration(i) * 37 * time.Minute)
		now := *at
		w := lambdafntest.Serve(h, lambdafntest.Case{As: s.as, Method: "POST", Path: "/v1/centres/" + s.centre + "/assisted", Body: s.body})
		var got answer
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil || w.Code != 201 {
			t.Fatalf("%s: %d %s", s.name, w.Code, w.Body)
		}
		if i == 0 {
			first = got.AccountID
		}
		want := answer{AccountID: s.account, PhoneLast4: last4(s.body), Created: s.created, Name: s.wantName, ValidUntil: now.Add(12 * time.Hour)}
		if want.AccountID == "" {
			want.AccountID = first
		}
		if got.AccountID != want.AccountID || got.PhoneLast4 != want.PhoneLast4 || got.Created != want.Created || got.Name != want.Name || !got.ValidUntil.Equal(want.ValidUntil) {
			t.Fatalf("%s: answer %+v, want %+v", s.name, got, want)
		}
		if g := srv.Groups(got.AccountID); !slices.Equal(g, []string{"residents"}) {
			t.Errorf("%s: groups %v, want [residents]", s.name, g)
		}

		link, err := d.Store.GetAssistLink(ctx, s.centre, got.AccountID)
		if err != nil || link.Staff != s.as.Sub || link.PhoneLast4 != want.PhoneLast4 || !link.At.Equal(now) || !link.Until.Equal(now.Add(staffaccounts.AssistFor)) || staffaccounts.AssistFor != 12*time.Hour {
			t.Errorf("%s: link %+v %v, want by %s from %v for 12 h", s.name, link, err, s.as.Sub, now)
		}

		entries, _, err := d.Store.ListAudit(ctx, s.centre, paging.Page{Limit: 10})
		if err != nil || len(entries) == 0 {
			t.Fatalf("%s: audit %v %v", s.name, entries, err)
		}
		e := entries[0]
		var after map[string]any
		_ = json.Unmarshal(e.After, &after)
		if e.Action != "assist.find" || e.Actor != s.as.Sub || e.Target != got.AccountID || !e.At.Equal(now) ||
			len(after) != 2 || after["phone_last4"] != want.PhoneLast4 || after["created"] != s.created || e.Before != nil {
			t.Errorf("%s: audit record %+v (after %s)", s.name, e, e.After)
		}
		if strings.Contains(string(e.After), "139123400") {
			t.Errorf("%s: the audit record holds the number: %s", s.name, e.After)
		}

		outbox, err := d.Store.OutboxEntries(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var told []notices.Notice
		for _, o := range outbox {
			if o.Event == notices.AssistedAtCounter {
				told = append(told, o.Notice)
			}
		}
		if len(told) != i+1 {
			t.Fatalf("%s: %d counter notices, want one a finding (%d)", s.name, len(told), i+1)
		}
		j := slices.IndexFunc(told, func(n notices.Notice) bool { return n.At.Equal(now) })
		if j < 0 {
			t.Fatalf("%s: no notice at %v: %+v", s.name, now, told)
		}
		n := told[j]
		text, _ := n.Text()
		centreName := "测试托育中心 " + s.centre
		if n.Account != got.AccountID || n.CentreID != s.centre || n.CentreName != centreName || n.CentrePhone != "0510-80000000" ||
			!strings.HasPrefix(text.ZH, centreName+"工作人员正在柜台") || !strings.Contains(text.ZH, "请致电0510-80000000") || !strings.Contains(text.EN, "Call 0510-80000000") {
			t.Errorf("%s: notice %+v, text %+v", s.name, n, text)
		}
	}

	if len(made.calls) != 1 {
		t.Fatalf("%d AdminCreateUser calls, want 1 (the first step's)", len(made.calls))
	}
	c := made.calls[0]
	attrs := map[string]string{}
	for _, a := range c.UserAttributes {
		attrs[aws.ToString(a.Name)] = aws.ToString(a.Value)
	}
	if c.MessageAction != types.MessageActionTypeSuppress || len(c.DesiredDeliveryMediums) != 0 || aws.ToString(c.Username) != "+8613912340001" ||
		attrs["phone_number"] != "+8613912340001" || attrs["phone_number_verified"] != "true" || attrs["name"] != "王奶奶" || len(attrs) != 3 {
		t.Errorf("AdminCreateUser %+v with %v: want SUPPRESS, the number verified and the name", c, attrs)
	}
	if a := srv.Attributes(first)["name"]; a != "王奶奶" {
		t.Errorf("the new account's name %q", a)
	}
	if a := srv.Attributes("online-1"); a["name"] != "" {
		t.Errorf("an account found had its attributes changed: %v", a)
	}
}

// last4 is the last four digits of the body's phone.
func last4(body string) string {
	var in struct{ Phone string }
	_ = json.Unmarshal([]byte(body), &in)
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, in.Phone)
	return digits[len(digits)-4:]
}

// TestAssistPoolFailure: a pool that fails is a 503 and nothing is
// written: no link, no audit record, no notice; the retry, once the pool
// is back, finds or makes the account and writes them.
func TestAssistPoolFailure(t *testing.T) {
	h, d, srv, _, _ := counter(t)
	ctx := context.Background()
	srv.Fail("InternalErrorException")
	c := lambdafntest.Case{Name: "pool down", As: lambdafntest.Staff("staff-1", "c1"), Method: "POST", Path: "/v1/centres/c1/assisted",
		Body: `{"phone":"13912340001","name":"王奶奶"}`, Status: 503, Code: apperr.Unavailable}
	lambdafntest.Run(t, h, []lambdafntest.Case{c})
	if out, err := d.Store.OutboxEntries(ctx); err != nil || len(out) != 0 {
		t.Fatalf("outbox %+v %v after a failure", out, err)
	}
	if a, _, err := d.Store.ListAudit(ctx, "c1", paging.Page{Limit: 10}); err != nil || len(a) != 0 {
		t.Fatalf("audit %+v %v after a failure", a, err)
	}
	srv.Fail("")
	c.Name, c.Status, c.Code = "pool back", 201, ""
	lambdafntest.Run(t, h, []lambdafntest.Case{c})
	if out, err := d.Store.OutboxEntries(ctx); err != nil || len(out) != 1 {
		t.Fatalf("outbox %+v %v after the retry, want the one notice", out, err)
	}
}
