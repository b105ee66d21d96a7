package samtemplate

import (
	"cmp"
	"slices"
	"strings"
)

// AuthNone is the authorizer name SAM uses for a public route.
const AuthNone = "NONE"

// DefaultRoutePath is the Path of a HttpApi event that names no path and
// method: SAM then wires the function to the API's "$default" route.
const DefaultRoutePath = "$default"

// Route is one HttpApi event of a function.
type Route struct {
	FunctionID, EventName, Method, Path string
	// APIID is the logical id of the HttpApi the route belongs to; "" for
	// SAM's implicit API.
	APIID string
	// Authorizer is effective: "NONE" when the route is public, else the
	// authorizer name, defaulting to the API's DefaultAuthorizer; "" if the
	// API has no authorizer at all.
	Authorizer string
}

// Public reports whether the route runs without a token.
func (r Route) Public() bool {
	return r.Authorizer == "" || r.Authorizer == AuthNone
}

// Key is API Gateway's route key, e.g. "GET /v1/centres/{centre_id}".
func (r Route) Key() string {
	if r.Path == DefaultRoutePath {
		return DefaultRoutePath
	}
	return r.Method + " " + r.Path
}

// Routes lists every HttpApi route of every function, sorted by path, then
// method, then function.
func (t *Template) Routes() []Route {
	var out []Route
	for _, f := range t.Functions {
		out = append(out, f.Routes...)
	}
	sortRoutes(out)
	return out
}

func sortRoutes(rs []Route) {
	slices.SortFunc(rs, func(a, b Route) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Method, b.Method),
			cmp.Compare(a.FunctionID, b.FunctionID), cmp.Compare(a.EventName, b.EventName))
	})
}

func (t *Template) functionRoutes(fnID string, props map[string]any) []Route {
	var out []Route
	for name, e := range mapOf(props["Events"]) {
		em := mapOf(e)
		if str(em, "Type") != "HttpApi" {
			continue
		}
		p := mapOf(em["Properties"])
		r := Route{
			FunctionID: fnID,
			EventName:  name,
			Method:     strings.ToUpper(str(p, "Method")),
			Path:       str(p, "Path"),
			APIID:      apiID(p["ApiId"]),
		}
		if r.Path == "" {
			r.Path = DefaultRoutePath
		}
		if r.Method == "" {
			r.Method = "ANY"
		}
		r.Authorizer = str(mapOf(p["Auth"]), "Authorizer")
		if r.Authorizer == "" {
			r.Authorizer = t.defaultAuthorizer(r.APIID)
		}
		out = append(out, r)
	}
	sortRoutes(out)
	return out
}

// apiID is the logical id an event's ApiId refers to ("!Ref HttpApi").
func apiID(v any) string {
	if id, ok := RefTarget(v); ok {
		return id
	}
	return Render(v)
}

// defaultAuthorizer is the API's own DefaultAuthorizer, else the one in
// Globals.HttpApi (which SAM applies to every HttpApi, implicit or not).
func (t *Template) defaultAuthorizer(api string) string {
	if api != "" {
		if d := str(mapOf(t.Resources[api].Properties["Auth"]), "DefaultAuthorizer"); d != "" {
			return d
		}
	}
	return str(mapOf(t.Globals.HttpAPI["Auth"]), "DefaultAuthorizer")
}

// JWTAuthorizer is one JWT authorizer of an HttpApi; Issuer and Audience are
// rendered as written ("!Sub https://cognito-idp.${AWS::Region}…").
type JWTAuthorizer struct {
	Name, APIID, IdentitySource, Issuer string
	Audience                            []string
}

// HttpAPIAuthorizers lists the JWT authorizers by name, from Globals.HttpApi
// and every AWS::Serverless::HttpApi (an API's own definition wins).
// Lambda authorizers are left out.
func (t *Template) HttpAPIAuthorizers() map[string]JWTAuthorizer {
	out := map[string]JWTAuthorizer{}
	add := func(api string, props map[string]any) {
		for name, a := range mapOf(mapOf(props["Auth"])["Authorizers"]) {
			am := mapOf(a)
			jc := mapOf(am["JwtConfiguration"])
			if jc == nil {
				continue
			}
			src := or(str(am, "IdentitySource"), "$request.header.Authorization")
			out[name] = JWTAuthorizer{
				Name:           name,
				APIID:          api,
				IdentitySource: src,
				Issuer:         or(str(jc, "issuer"), str(jc, "Issuer")),
				Audience:       strs(or2(jc, "audience", "Audience")),
			}
		}
	}
	add("", t.Globals.HttpAPI)
	for _, id := range t.ResourceIDs(TypeHTTPAPI) {
		add(id, t.Resources[id].Properties)
	}
	return out
}

// or2 is m[a], else m[b]: SAM documents lower-case JwtConfiguration keys but
// CloudFormation's own resource uses upper case.
func or2(m map[string]any, a, b string) any {
	if v, ok := m[a]; ok {
		return v
	}
	return m[b]
}
