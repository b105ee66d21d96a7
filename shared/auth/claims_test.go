package auth

import (
	"context"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/wuxi-enrol/enrol/shared/apperr"
)

func TestParseList(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"[residents centre-staff]", []string{"residents", "centre-staff"}},
		{"[residents]", []string{"residents"}},
		{`["a","b"]`, []string{"a", "b"}},
		{"c1,c2", []string{"c1", "c2"}},
		{"", nil},
		{"[]", nil},
	}
	for _, c := range cases {
		if got := ParseList(c.in); !slices.Equal(got, c.want) {
			t.Errorf("ParseList(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func withClaims(claims map[string]string) context.Context {
	rc := events.APIGatewayV2HTTPRequestContext{RequestID: "r1"}
	if claims != nil {
		rc.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	req := events.APIGatewayV2HTTPRequest{RequestContext: rc}
	r, err := (&core.RequestAccessorV2{}).EventToRequestWithContext(context.Background(), req)
	if err != nil {
		panic(err)
	}
	return r.Context()
}

func TestRequire(t *testing.T) {
	cases := []struct {
		name   string
		claims map[string]string
		groups []string
		want   apperr.Code
	}{
		{"no claims", nil, []string{Residents}, apperr.Unauthorized},
		{"no sub", map[string]string{"cognito:groups": "[residents]"}, []string{Residents}, apperr.Unauthorized},
		{"resident", map[string]string{"sub": "u1", "cognito:groups": "[residents]"}, []string{Residents}, ""},
		{"staff on resident route", map[string]string{"sub": "u1", "cognito:groups": "[centre-staff]"}, []string{Residents}, apperr.Forbidden},
		{"two groups", map[string]string{"sub": "u1", "cognito:groups": "[centre-staff city-officers]"}, []string{CityOfficers}, ""},
		{"id token", map[string]string{"sub": "u1", "cognito:groups": "[centre-staff]", "token_use": "id"}, []string{CentreStaff}, ""},
		// An access token keeps the groups the TOTP check takes out of the ID token.
		{"access token", map[string]string{"sub": "u1", "cognito:groups": "[centre-staff]", "token_use": "access"}, []string{CentreStaff}, apperr.Unauthorized},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil).WithContext(withClaims(c.claims))
			_, err := Claims{}.Require(r, c.groups...)
			if c.want == "" && err != nil || c.want != "" && !apperr.Is(err, c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
		})
	}
}

// TestClaimNames: with an OIDC provider's claim names, the groups (a JSON
// array, which API Gateway flattens to "[a b]") and centres are read from
// them, and Cognito's names no longer count.
func TestClaimNames(t *testing.T) {
	oidc := Claims{Groups: "groups", Centres: "centre_ids"}
	cases := []struct {
		name    string
		names   Claims
		claims  map[string]string
		want    apperr.Code
		centres []string
	}{
		{"oidc staff", oidc, map[string]string{"sub": "u1", "groups": "[centre-staff residents]", "centre_ids": "[c1 c2]"}, "", []string{"c1", "c2"}},
		{"oidc comma list", oidc, map[string]string{"sub": "u1", "groups": "centre-staff", "centre_ids": "c1,c2"}, "", []string{"c1", "c2"}},
		{"cognito names under oidc", oidc, map[string]string{"sub": "u1", "cognito:groups": "[centre-staff]", "custom:centre_ids": "c1"}, apperr.Forbidden, nil},
		{"oidc names under cognito", Claims{}, map[string]string{"sub": "u1", "groups": "[centre-staff]"}, apperr.Forbidden, nil},
		{"cognito", Claims{Groups: CognitoGroupsClaim, Centres: CognitoCentresClaim}, map[string]string{"sub": "u1", "cognito:groups": "[centre-staff]", "custom:centre_ids": "c1"}, "", []string{"c1"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil).WithContext(withClaims(c.claims))
			got, err := c.names.Require(r, CentreStaff)
			if c.want == "" && err != nil || c.want != "" && !apperr.Is(err, c.want) {
				t.Fatalf("err = %v, want %q", err, c.want)
			}
			if c.want == "" && !slices.Equal(got.CentreIDs, c.centres) {
				t.Errorf("centres %q, want %q", got.CentreIDs, c.centres)
			}
		})
	}
}

func TestManagesCentre(t *testing.T) {
	staff := Caller{Sub: "s", Groups: []string{CentreStaff}, CentreIDs: []string{"c1"}}
	officer := Caller{Sub: "o", Groups: []string{CityOfficers}}
	resident := Caller{Sub: "r", Groups: []string{Residents}, CentreIDs: []string{"c1"}}
	if !staff.ManagesCentre("c1") || staff.ManagesCentre("c2") || !officer.ManagesCentre("c2") || resident.ManagesCentre("c1") {
		t.Fatal("centre management rule")
	}
}
