package local_test

import (
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/local"
)

// TestWebBesideTheAPI: the built front end is served at / next to the API,
// compressed, with the app's page for its own routes and /config.json.
func TestWebBesideTheAPI(t *testing.T) {
	dir := t.TempDir()
	page := "<!doctype html><title>enrol</title><script src=/assets/app-1a2b.js></script>"
	script := strings.Repeat("console.log('托育');\n", 200)
	if err := os.MkdirAll(filepath.Join(dir, "assets"), 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range map[string]string{"index.html": page, "assets/app-1a2b.js": script} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e := start(t, func(o *local.Options) { o.WebDir = dir })
	get := func(path string, gz bool) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest("GET", e.st.URL+path, nil)
		if gz {
			req.Header.Set("Accept-Encoding", "gzip")
		}
		// A bare transport: the client must not decompress for us.
		resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var rd io.Reader = resp.Body
		if resp.Header.Get("Content-Encoding") == "gzip" {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			rd = zr
		}
		b, _ := io.ReadAll(rd)
		return resp, string(b)
	}
	tests := []struct {
		path     string
		gz       bool
		status   int
		body     string
		ctype    string
		encoding string
	}{
		{"/", false, 200, page, "text/html", ""},
		{"/", true, 200, page, "text/html", "gzip"},
		{"/staff/offerings", true, 200, page, "text/html", "gzip"}, // the app's own route
		{"/assets/app-1a2b.js", true, 200, script, "text/javascript", "gzip"},
		{"/assets/app-1a2b.js", false, 200, script, "text/javascript", ""},
		{"/assets/gone.js", true, 404, "", "", ""},
		{"/config.json", false, 200, `{"apiUrl":"","cognitoEndpoint":"/_local/cognito","mode":"local"}`, "application/json", ""},
	}
	for _, tt := range tests {
		resp, body := get(tt.path, tt.gz)
		if resp.StatusCode != tt.status || (tt.body != "" && body != tt.body) ||
			!strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) || resp.Header.Get("Content-Encoding") != tt.encoding {
			t.Errorf("GET %s (gzip %v): %d %q %q, body %.60q", tt.path, tt.gz, resp.StatusCode,
				resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding"), body)
		}
	}
	if resp, _ := get("/assets/app-1a2b.js", false); !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("hashed assets should be cached for good: %q", resp.Header.Get("Cache-Control"))
	}
	// The API is still the API.
	e.expect(e.do("GET", "/v1/offerings", "", nil), 200, "")
	if resp, body := get("/v1/nothing-here", false); resp.StatusCode != 404 || !strings.Contains(body, `"code":"not_found"`) {
		t.Errorf("an unknown API path: %d %s", resp.StatusCode, body)
	}
	resp, err := http.Post(e.st.URL+"/", "text/plain", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d", resp.StatusCode)
	}
}
