// Package lambdafntest drives a function's http.Handler in a test as API
// Gateway would reach it: over a store on the embedded DynamoDB, with the
// caller's claims in the request's context as the JWT authorizer and
// aws-lambda-go-api-proxy put them there, so a handler test checks the
// status codes of its routes without the local gateway.
package lambdafntest

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// Deps are a function's dependencies as lambdafn.Load builds them, over a
// fresh table (deleted when t ends) and the KMS stand-in, on now's clock.
func Deps(t testing.TB, now func() time.Time) lambdafn.Deps {
	t.Helper()
	d, err := lambdafn.Load(context.Background(), dbtest.Config(t), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	d.Now = now
	return d
}

// Put stores the centres, then the offerings, as they are.
func Put(t testing.TB, d lambdafn.Deps, centres []domain.Centre, offerings ...domain.Offering) {
	t.Helper()
	ctx := context.Background()
	for _, c := range centres {
		if err := d.Store.PutCentre(ctx, c, false); err != nil {
			t.Fatal(err)
		}
	}
	for _, o := range offerings {
		if err := d.Store.PutOffering(ctx, o, false); err != nil {
			t.Fatal(err)
		}
	}
}

// Resident is a resident.
func Resident(sub string) *auth.Caller {
	return &auth.Caller{Sub: sub, Groups: []string{auth.Residents}}
}

// Staff is a member of centre staff managing centreIDs.
func Staff(sub string, centreIDs ...string) *auth.Caller {
	return &auth.Caller{Sub: sub, Groups: []string{auth.CentreStaff}, CentreIDs: centreIDs}
}

// Officer is a city officer.
func Officer(sub string) *auth.Caller {
	return &auth.Caller{Sub: sub, Groups: []string{auth.CityOfficers}}
}

// DistrictOfficer is the district officer of district.
func DistrictOfficer(sub, district string) *auth.Caller {
	return &auth.Caller{Sub: sub, Groups: []string{auth.DistrictOfficers}, District: district}
}

// As is r as the function receives it from API Gateway for c: the claims
// flattened as payload 2.0 flattens them ("[a b]" for the groups). A nil c
// sends no authorizer, as on a public route.
func As(r *http.Request, c *auth.Caller) *http.Request {
	rc := events.APIGatewayV2HTTPRequestContext{RequestID: "test-request"}
	if c != nil {
		claims := map[string]string{"sub": c.Sub}
		if len(c.Groups) > 0 {
			claims["cognito:groups"] = "[" + strings.Join(c.Groups, " ") + "]"
		}
		if len(c.CentreIDs) > 0 {
			claims["custom:centre_ids"] = strings.Join(c.CentreIDs, ",")
		}
		if c.District != "" {
			claims["custom:district"] = c.District
		}
		rc.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	withContext, err := (&core.RequestAccessorV2{}).EventToRequestWithContext(r.Context(), events.APIGatewayV2HTTPRequest{RequestContext: rc})
	if err != nil {
		panic(err) // an empty event always converts
	}
	return r.WithContext(withContext.Context())
}

// Case is one request and the answer it must get.
type Case struct {
	Name         string
	As           *auth.Caller // nil: no claims
	Method, Path string
	Body         string
	Header       map[string]string
	Status       int
	// Code is the apperr code of the problem answered; "" for a success.
	Code apperr.Code
}

// Run sends each case's request to h in order (a case may depend on what
// an earlier one did) and checks the status and the problem's code.
func Run(t *testing.T, h http.Handler, cases []Case) {
	t.Helper()
	for _, c := range cases {
		w := Serve(h, c)
		if got := CodeOf(w); w.Code != c.Status || got != c.Code {
			t.Errorf("%s: %s %s answered %d %q, want %d %q\n%s", c.Name, c.Method, c.Path, w.Code, got, c.Status, c.Code, w.Body)
		}
	}
}

// Serve sends c's request to h.
func Serve(h http.Handler, c Case) *httptest.ResponseRecorder {
	var r *http.Request
	if c.Body == "" {
		r = httptest.NewRequest(c.Method, c.Path, nil)
	} else {
		r = httptest.NewRequest(c.Method, c.Path, strings.NewReader(c.Body))
		r.Header.Set("Content-Type", "application/json")
	}
	for k, v := range c.Header {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, As(r, c.As))
	return w
}

// CodeOf is the apperr code of a problem answer, "" for any other.
func CodeOf(w *httptest.ResponseRecorder) apperr.Code {
	if !strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") {
		return ""
	}
	var p struct {
		Code apperr.Code `json:"code"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &p); err != nil {
		return "unreadable problem"
	}
	return p.Code
}
