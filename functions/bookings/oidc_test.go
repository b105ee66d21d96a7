package bookings_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/wuxi-enrol/enrol/functions/bookings"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/residents"
)

// asOIDC is r as API Gateway hands it over for a token of an OIDC provider
// whose claims are named groups and centre_ids (a JSON array flattened).
func asOIDC(r *http.Request, claims map[string]string) *http.Request {
	rc := events.APIGatewayV2HTTPRequestContext{RequestID: "test-request", Authorizer: &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
		JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims}}}
	withContext, err := (&core.RequestAccessorV2{}).EventToRequestWithContext(r.Context(), events.APIGatewayV2HTTPRequest{RequestContext: rc})
	if err != nil {
		panic(err)
	}
	return r.WithContext(withContext.Context())
}

// TestOIDCAccount: with AuthMode oidc the function reads the provider's
// claim names (Cognito's grant nothing), and DELETE /v1/me, with no user
// pool to delete from, deletes the table's data and answers 204: the
// provider keeps its own account.
func TestOIDCAccount(t *testing.T) {
	now := time.Date(2025, 8, 1, 10, 0, 0, 0, domain.CityZone)
	d := lambdafntest.Deps(t, clock.Fixed(now))
	d.Config.Claims = auth.Claims{Groups: "groups", Centres: "centre_ids"}
	if d.Config.UserPoolID != "" {
		t.Fatal("the test's function has a user pool")
	}
	ctx := context.Background()
	birth := time.Date(1995, 3, 1, 0, 0, 0, 0, domain.CityZone)
	ps := &residents.Participants{Store: d.Store, Identities: d.Identities, Now: d.Now}
	if _, err := ps.Register(ctx, "acct-oidc", domain.NewParticipant{Name: "居民", BirthDate: birth.Format(domain.DateLayout), IDNumber: idnumber.Make("320202", birth, 7)}); err != nil {
		t.Fatal(err)
	}
	h := bookings.New(d)
	cases := []struct {
		name, method, path string
		claims             map[string]string
		status             int
	}{
		{"cognito's claim names", "GET", "/v1/me/participants", map[string]string{"sub": "acct-oidc", "cognito:groups": "[residents]"}, 403},
		{"the provider's", "GET", "/v1/me/participants", map[string]string{"sub": "acct-oidc", "groups": "[residents]"}, 200},
		{"delete the account", "DELETE", "/v1/me", map[string]string{"sub": "acct-oidc", "groups": "[residents]"}, 204},
		{"and again", "DELETE", "/v1/me", map[string]string{"sub": "acct-oidc", "groups": "[residents]"}, 204},
	}
	for _, c := range cases {
		w := httptest.NewRecorder()
		h.ServeHTTP(w, asOIDC(httptest.NewRequest(c.method, c.path, nil), c.claims))
		if w.Code != c.status {
			t.Errorf("%s: %s %s answered %d, want %d: %s", c.name, c.method, c.path, w.Code, c.status, w.Body)
		}
	}
	left, _, err := d.Store.ListParticipants(ctx, "acct-oidc", paging.Page{Limit: 10})
	if err != nil || len(left) != 0 {
		t.Errorf("after DELETE /v1/me: participants %v %v, want none", left, err)
	}
}
