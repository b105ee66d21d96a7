// Package auth reads who is calling from the claims API Gateway's JWT
// authorizer has already checked; functions never re-parse the token.
package auth

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// The Cognito groups of the contract.
const (
	Residents    = "residents"
	CentreStaff  = "centre-staff"
	CityOfficers = "city-officers"
	// DistrictOfficers read what city officers read, for their district
	// (custom:district) only, and manage the centres in it.
	DistrictOfficers = "district-officers"
)

// Public is the role of a request without a token (the request log's role).
const Public = "public"

// Caller is the account behind a request.
type Caller struct {
	Sub       string
	Groups    []string
	CentreIDs []string
	// District is a district officer's district ("" for anyone else, and
	// for a district officer whose token names none: they see nothing).
	District string
}

// In reports whether the caller belongs to group.
func (c Caller) In(group string) bool { return slices.Contains(c.Groups, group) }

// Role is the caller's highest group (city-officers, district-officers,
// centre-staff, then residents), for the request log; "none" for a caller
// in none of them.
func (c Caller) Role() string {
	for _, g := range []string{CityOfficers, DistrictOfficers, CentreStaff, Residents} {
		if c.In(g) {
			return g
		}
	}
	return "none"
}

// ManagesCentre: city officers manage every centre, district officers
// those in their district, staff only their own.
func (c Caller) ManagesCentre(id, district string) bool {
	return c.In(CityOfficers) || c.OfficerOf(district) || (c.In(CentreStaff) && slices.Contains(c.CentreIDs, id))
}

// OfficerOf reports whether the caller is the district officer of district.
func (c Caller) OfficerOf(district string) bool {
	return district != "" && c.In(DistrictOfficers) && c.District == district
}

// CityScope is the district a city view answers for: "" (the whole city)
// for a city officer; a district officer's own district, whatever they
// asked for; ok is false when a district officer asks for another district
// (or their token names none).
func (c Caller) CityScope(asked string) (district string, ok bool) {
	if c.In(CityOfficers) {
		return asked, true
	}
	if c.District == "" || !c.In(DistrictOfficers) || (asked != "" && asked != c.District) {
		return "", false
	}
	return c.District, true
}

// Cognito's names of the claims with the caller's groups and centres.
const (
	CognitoGroupsClaim   = "cognito:groups"
	CognitoCentresClaim  = "custom:centre_ids"
	CognitoDistrictClaim = "custom:district"
)

// Claims names the JWT claims a caller's groups and centres are read from:
// Cognito's, or those an OpenID Connect provider gives (template parameters
// OidcGroupsClaim, OidcCentresClaim, OidcDistrictClaim; GROUPS_CLAIM,
// CENTRES_CLAIM, DISTRICT_CLAIM). A name
// left "" is Cognito's, so the zero Claims reads a Cognito token.
type Claims struct {
	Groups, Centres, District string
}

// FromRequest reads the caller from the API Gateway v2 request context.
func (n Claims) FromRequest(r *http.Request) (Caller, error) {
	rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context())
	if !ok || rc.Authorizer == nil || rc.Authorizer.JWT == nil {
		return Caller{}, unauthorized()
	}
	claims := rc.Authorizer.JWT.Claims
	// API Gateway's JWT authorizer also takes a Cognito access token (its
	// client_id is the audience), but the PreTokenGeneration trigger that
	// drops staff and officer groups until TOTP is enrolled changes only the
	// ID token: an access token would carry them untouched. ID tokens only.
	if claims["token_use"] == "access" {
		return Caller{}, unauthorized()
	}
	c := Caller{
		Sub:       claims["sub"],
		Groups:    ParseList(claims[cmp.Or(n.Groups, CognitoGroupsClaim)]),
		CentreIDs: ParseList(claims[cmp.Or(n.Centres, CognitoCentresClaim)]),
		District:  strings.TrimSpace(claims[cmp.Or(n.District, CognitoDistrictClaim)]),
	}
	if c.Sub == "" {
		return Caller{}, unauthorized()
	}
	return c, nil
}

// Require answers 401 without claims and 403 when the caller is in none of groups.
func (n Claims) Require(r *http.Request, groups ...string) (Caller, error) {
	c, err := n.FromRequest(r)
	if err != nil {
		return c, err
	}
	for _, g := range groups {
		if c.In(g) {
			return c, nil
		}
	}
	return c, apperr.New(apperr.Forbidden, "您的账号无权使用此功能", "Your account's role may not use this")
}

func unauthorized() error {
	return apperr.New(apperr.Unauthorized, "请先登录", "Please sign in")
}

// ParseList reads a claim that may be "[a b]" (how API Gateway flattens a JWT
// array, such as an OIDC provider's groups), a JSON-ish `["a","b"]`, or "a,b".
func ParseList(s string) []string {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(s, "[")
	s = strings.TrimSuffix(s, "]")
	var out []string
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' }) {
		f = strings.Trim(f, `"`)
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}
