package templatecheck

import (
	"slices"
	"testing"
)

// TestCORSAllowsEveryRouteMethod: the web front end calls the API from its
// CloudFront origin, so a browser asks first (a CORS preflight) before any
// method but GET, HEAD or a plain POST; a method the HttpApi's CORS
// configuration does not allow fails in the browser, though every
// server-side test passes (DELETE /v1/me, /v1/me/calendar-feed).
func TestCORSAllowsEveryRouteMethod(t *testing.T) {
	tpl := loadTemplate(t)
	for _, r := range tpl.Routes() {
		api, ok := tpl.Resources[r.APIID]
		if !ok {
			continue // TestRoutesBelongToFunctions says why
		}
		cors := mapOf(api.Properties["CorsConfiguration"])
		if cors == nil {
			continue // no CORS at all: not called from a browser on another origin
		}
		var allowed []string
		for _, m := range cors["AllowMethods"].([]any) {
			s, _ := m.(string)
			allowed = append(allowed, s)
		}
		if !slices.Contains(allowed, r.Method) && !slices.Contains(allowed, "*") {
			t.Errorf("route %s: %s's CorsConfiguration.AllowMethods %v lacks %s", routeName(r), r.APIID, allowed, r.Method)
		}
	}
}
