package bookings_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/wuxi-enrol/enrol/functions/bookings"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

// TestMessageAndCalendarRoutes: the messages, preferences, calendar and
// feed routes are the resident's own (401 without a caller, 403 for
// staff); bad input is refused with its code; the feed's address answers
// without a caller until it is replaced or revoked, then 404.
func TestMessageAndCalendarRoutes(t *testing.T) {
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	d := lambdafntest.Deps(t, clock.Fixed(now))
	d.Config.APIURL = "https://api.enrol.example.cn/prod"
	ctx := context.Background()
	c := dbtest.Centre("c1", "binhu")
	lambdafntest.Put(t, d, []domain.Centre{c}, dbtest.Offering("o1", c, 10, now))
	ps := &residents.Participants{Store: d.Store, Identities: d.Identities, Now: d.Now}
	birth := time.Date(1995, 3, 1, 0, 0, 0, 0, domain.CityZone)
	svc := &residents.Service{Store: d.Store, Now: d.Now}
	book := func(account string, seq int) string {
		p, err := ps.Register(ctx, account, domain.NewParticipant{Name: "居民", BirthDate: birth.Format(domain.DateLayout), IDNumber: idnumber.Make("320202", birth, seq)})
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.Book(ctx, residents.Request{Account: account, OfferingID: "o1", ParticipantID: p.ID})
		if err != nil {
			t.Fatal(err)
		}
		return res.Booking.ID
	}
	mine, theirs := book("acct-1", 1), book("acct-2", 2)

	h := bookings.New(d)
	me, staff := lambdafntest.Resident("acct-1"), lambdafntest.Staff("s1", "c1")
	call := func(name string, as *auth.Caller, method, path, body string, status int, code apperr.Code) lambdafntest.Case {
		return lambdafntest.Case{Name: name, As: as, Method: method, Path: path, Body: body, Status: status, Code: code}
	}
	const get, post, put, del = http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete
	lambdafntest.Run(t, h, []lambdafntest.Case{
		call("messages, no caller", nil, get, "/v1/me/messages", "", 401, apperr.Unauthorized),
		call("messages, staff", staff, get, "/v1/me/messages", "", 403, apperr.Forbidden),
		call("messages", me, get, "/v1/me/messages?limit=5", "", 200, ""),
		call("messages, bad limit", me, get, "/v1/me/messages?limit=0", "", 400, apperr.InvalidRequest),
		call("messages, forged cursor", me, get, "/v1/me/messages?cursor=abc", "", 400, apperr.InvalidRequest),
		call("messages, unknown parameter", me, get, "/v1/me/messages?event=promoted", "", 400, apperr.InvalidRequest),

		call("preferences, no caller", nil, get, "/v1/me/message-preferences", "", 401, apperr.Unauthorized),
		call("set preferences, staff", staff, put, "/v1/me/message-preferences", `{"channels":["sms"]}`, 403, apperr.Forbidden),
		call("preferences", me, get, "/v1/me/message-preferences", "", 200, ""),
		call("set preferences", me, put, "/v1/me/message-preferences", `{"channels":["wechat","sms"]}`, 200, ""),
		call("set none", me, put, "/v1/me/message-preferences", `{"channels":[]}`, 422, apperr.ValidationFailed),
		call("set no list", me, put, "/v1/me/message-preferences", `{}`, 422, apperr.ValidationFailed),
		call("set an unknown channel", me, put, "/v1/me/message-preferences", `{"channels":["fax"]}`, 422, apperr.ValidationFailed),
		call("set one twice", me, put, "/v1/me/message-preferences", `{"channels":["sms","sms"]}`, 422, apperr.ValidationFailed),
		call("set not a list", me, put, "/v1/me/message-preferences", `{"channels":"sms"}`, 400, apperr.InvalidRequest),
		call("set an unknown field", me, put, "/v1/me/message-preferences", `{"channels":["sms"],"phone":"1"}`, 400, apperr.InvalidRequest),

		call("calendar, no caller", nil, get, "/v1/me/calendar.ics", "", 401, apperr.Unauthorized),
		call("calendar, staff", staff, get, "/v1/me/calendar.ics", "", 403, apperr.Forbidden),
		call("calendar", me, get, "/v1/me/calendar.ics", "", 200, ""),
		call("one booking's calendar", me, get, "/v1/me/calendar.ics?booking_id="+mine, "", 200, ""),
		call("another account's booking", me, get, "/v1/me/calendar.ics?booking_id="+theirs, "", 404, apperr.NotFound),
		call("a booking id that cannot be", me, get, "/v1/me/calendar.ics?booking_id=a%2Fb", "", 404, apperr.NotFound),
		call("calendar, unknown parameter", me, get, "/v1/me/calendar.ics?from=2025-01-01", "", 400, apperr.InvalidRequest),

		call("feed, no caller", nil, post, "/v1/me/calendar-feed", "", 401, apperr.Unauthorized),
		call("revoke, staff", staff, del, "/v1/me/calendar-feed", "", 403, apperr.Forbidden),
		call("revoke without a feed", me, del, "/v1/me/calendar-feed", "", 204, ""),
		call("feed with a body", me, post, "/v1/me/calendar-feed", `{"name":"x"}`, 400, apperr.InvalidRequest),
		call("an unknown feed", nil, get, "/v1/calendar-feeds/"+strings.Repeat("A", 43), "", 404, apperr.NotFound),
		call("a malformed feed token", nil, get, "/v1/calendar-feeds/x", "", 404, apperr.NotFound),
	})

	// The calendar download.
	w := lambdafntest.Serve(h, call("", me, get, "/v1/me/calendar.ics?booking_id="+mine, "", 0, ""))
	if ct, cd := w.Header().Get("Content-Type"), w.Header().Get("Content-Disposition"); ct != "text/calendar; charset=utf-8" ||
		!strings.Contains(cd, "enrol-"+mine+".ics") || !strings.Contains(w.Body.String(), "UID:"+mine+"-20250901@enrol.wuxi\r\n") {
		t.Errorf("calendar: %s; %s\n%s", ct, cd, w.Body)
	}
	// A feed, its address, and the address after a new feed and a revoke.
	feed := func() string {
		t.Helper()
		w := lambdafntest.Serve(h, call("", me, post, "/v1/me/calendar-feed", "", 0, ""))
		var out struct{ URL string }
		if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &out) != nil || !strings.HasPrefix(out.URL, d.Config.APIURL+"/v1/calendar-feeds/") {
			t.Fatalf("feed: %d %s", w.Code, w.Body)
		}
		return strings.TrimPrefix(out.URL, d.Config.APIURL)
	}
	first := feed()
	lambdafntest.Run(t, h, []lambdafntest.Case{call("the feed, no caller", nil, get, first, "", 200, "")})
	second := feed()
	lambdafntest.Run(t, h, []lambdafntest.Case{
		call("the replaced feed", nil, get, first, "", 404, apperr.NotFound),
		call("the new feed", nil, get, second, "", 200, ""),
		call("revoke", me, del, "/v1/me/calendar-feed", "", 204, ""),
		call("the revoked feed", nil, get, second, "", 404, apperr.NotFound),
	})
}

// TestFeedAddressWithoutAPIURL: a deployment that names no public address
// gives the address API Gateway was called at (its request context, not
// the client's Host header); with neither, a 500 that reveals nothing.
func TestFeedAddressWithoutAPIURL(t *testing.T) {
	d := lambdafntest.Deps(t, clock.Fixed(time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)))
	h := bookings.New(d)
	post := func(domainName, stage string) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/v1/me/calendar-feed", nil)
		r.Host = "attacker.example"
		rc := events.APIGatewayV2HTTPRequestContext{RequestID: "test-request", DomainName: domainName, Stage: stage,
			Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{
				Claims: map[string]string{"sub": "acct-1", "cognito:groups": "[" + auth.Residents + "]"}}}}
		withContext, err := (&core.RequestAccessorV2{}).EventToRequestWithContext(r.Context(), events.APIGatewayV2HTTPRequest{RequestContext: rc})
		if err != nil {
			t.Fatal(err)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r.WithContext(withContext.Context()))
		return w
	}
	for _, c := range []struct{ domain, stage, want string }{
		{"abc123.execute-api.cn-north-1.amazonaws.com.cn", "prod", "https://abc123.execute-api.cn-north-1.amazonaws.com.cn/prod/v1/calendar-feeds/"},
		{"api.enrol.example.cn", "$default", "https://api.enrol.example.cn/v1/calendar-feeds/"},
	} {
		w := post(c.domain, c.stage)
		var out struct{ URL string }
		if w.Code != http.StatusCreated || json.Unmarshal(w.Body.Bytes(), &out) != nil || !strings.HasPrefix(out.URL, c.want) {
			t.Errorf("%s %s: %d %s, want a URL starting %s", c.domain, c.stage, w.Code, w.Body, c.want)
		}
	}
	if w := post("", ""); w.Code != http.StatusInternalServerError || strings.Contains(w.Body.String(), "API_URL") {
		t.Errorf("no address at all: %d %s", w.Code, w.Body)
	}
}
