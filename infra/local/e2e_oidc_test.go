package local_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/shared/auth"
)

// TestOIDCMode: the stack as AuthMode oidc deploys it (make run
// ENROL_AUTH=oidc). Its tokens carry the groups and centres in the
// provider's claims (groups, centre_ids, JSON arrays), which the functions
// read: a member of staff reaches their centre's route and not another's,
// a resident their own; DELETE /v1/me deletes the data and no sign-in
// account (the provider keeps it).
func TestOIDCMode(t *testing.T) {
	e := start(t, func(o *local.Options) { o.OIDC = true })
	e.offering("o-oidc", 5)
	staff, err := e.st.Token("staff-oidc", []string{auth.CentreStaff}, e.centre.ID)
	if err != nil {
		t.Fatal(err)
	}
	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(staff, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if _, ok := claims["groups"].([]any); !ok || claims["cognito:groups"] != nil || claims["custom:centre_ids"] != nil {
		t.Fatalf("token claims %v, want groups and centre_ids as arrays", claims)
	}
	if _, ok := claims["centre_ids"].([]any); !ok {
		t.Fatalf("token claims %v, want centre_ids as an array", claims)
	}
	e.expect(e.do("GET", "/v1/centres/"+e.centre.ID+"/offerings", staff, nil), 200, "")
	e.expect(e.do("GET", "/v1/offerings/o-oidc/roster", staff, nil), 200, "")
	e.expect(e.do("GET", "/v1/centres/c-elsewhere/offerings", staff, nil), 404, "not_found")

	resident, _, _ := e.resident("res-oidc")
	e.expect(e.do("GET", "/v1/centres/"+e.centre.ID+"/offerings", resident, nil), 403, "forbidden")
	e.expect(e.do("GET", "/v1/me/participants", resident, nil), 200, "")
	e.expect(e.do("DELETE", "/v1/me", resident, nil), 204, "")
	if e.st.Cognito.Deleted("res-oidc") {
		t.Error("DELETE /v1/me deleted a user pool's user in oidc mode")
	}
	if r := e.do("GET", "/v1/me/participants", resident, nil); r.status != 200 || len(r.json["items"].([]any)) != 0 {
		t.Errorf("after DELETE /v1/me: %d %s", r.status, r.body)
	}
}
