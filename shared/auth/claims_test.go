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
	staff := Caller{Sub: "s", Groups: []string{CentreStaff}, CentreIDs: []string{"c1", "c3"}}
	officer := Caller{Sub: "o", Groups: []string{CityOfficers}}
	district := Caller{Sub: "d", Groups: []string{DistrictOfficers}, District: "binhu"}
	noDistrict := Caller{Sub: "d2", Groups: []string{DistrictOfficers}}
	resident := Caller{Sub: "r", Groups: []string{Residents}, CentreIDs: []string{"c1"}, District: "binhu"}
	cases := []struct {
		who              string
		c                Caller
		centre, district string
		want             bool
	}{
		{"staff, own centre", staff, "c1", "liangxi", true},
		{"staff, second centre", staff, "c3", "xishan", true},
		{"staff, other centre", staff, "c2", "liangxi", false},
		{"city officer", officer, "c2", "yixing", true},
		{"district officer, own district", district, "c9", "binhu", true},
		{"district officer, other district", district, "c9", "liangxi", false},
		{"district officer, centre of no district", district, "c9", "", false},
		{"district officer without a district", noDistrict, "c9", "", false},
		{"resident with claims", resident, "c1", "binhu", false},
	}
	for _, c := range cases {
		if got := c.c.ManagesCentre(c.centre, c.district); got != c.want {
			t.Errorf("%s: ManagesCentre(%q, %q) = %v, want %v", c.who, c.centre, c.district, got, c.want)
		}
	}
}

func TestCityScope(t *testing.T) {
	officer := Caller{Sub: "o", Groups: []string{CityOfficers}}
	district := Caller{Sub: "d", Groups: []string{DistrictOfficers}, District: "binhu"}
	cases := []struct {
		who, asked, want string
		c                Caller
		ok               bool
	}{
		{"city officer, whole city", "", "", officer, true},
		{"city officer, a district", "xishan", "xishan", officer, true},
		{"district officer, unasked", "", "binhu", district, true},
		{"district officer, own", "binhu", "binhu", district, true},
		{"district officer, another", "xishan", "", district, false},
		{"district officer without a district", "", "", Caller{Sub: "x", Groups: []string{DistrictOfficers}}, false},
		{"staff", "", "", Caller{Sub: "s", Groups: []string{CentreStaff}, District: "binhu"}, false},
	}
	for _, c := range cases {
		got, ok := c.c.CityScope(c.asked)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: CityScope(%q) = %q, %v; want %q, %v", c.who, c.asked, got, ok, c.want, c.ok)
		}
	}
}

// A district officer's district is read from custom:district, or from the
// claim an OIDC provider names.
func TestDistrictClaim(t *testing.T) {
	cases := []struct {
		name   string
		names  Claims
		claims map[string]string
		want   string
	}{
		{"cognito", Claims{}, map[string]string{"sub": "d1", "cognito:groups": "[district-officers]", "custom:district": "binhu"}, "binhu"},
		{"oidc", Claims{Groups: "groups", Centres: "centre_ids", District: "district"}, map[string]string{"sub": "d1", "groups": "[district-officers]", "district": " xishan "}, "xishan"},
		{"oidc ignores cognito's", Claims{Groups: "groups", Centres: "centre_ids", District: "district"}, map[string]string{"sub": "d1", "groups": "[district-officers]", "custom:district": "binhu"}, ""},
	}
	for _, c := range cases {
		r := httptest.NewRequest("GET", "/", nil).WithContext(withClaims(c.claims))
		got, err := c.names.Require(r, DistrictOfficers)
		if err != nil || got.District != c.want || got.Role() != DistrictOfficers {
			t.Errorf("%s: %+v %v, want district %q", c.name, got, err, c.want)
		}
	}
}
