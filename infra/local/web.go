package local

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"mime"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/wuxi-enrol/enrol/infra/local/gateway"
)

// webConfig is the front end's /config.json on the local stack: the API on
// the same origin, sign-in through /_local/token and, as AuthMode cognito,
// the user pools API for enrolling an authenticator app at
// /_local/cognito (the stand-in's UserAPI, same origin so no CORS); the
// city's provider (oidc) handles MFA itself, so it has none. On AWS
// infra/deploy/web.sh writes config.json from the stack's outputs.
func webConfig(oidc bool) map[string]any {
	c := map[string]any{"mode": "local", "apiUrl": ""}
	if !oidc {
		c["cognitoEndpoint"] = cognitoPath
	}
	return c
}

// webHandler serves the built front end from dir as CloudFront serves it
// from the bucket: files as they are, compressed when the browser accepts
// it (CloudFront compresses too), any other path the app's index.html so the
// app's own routes load, and /config.json. The directory is read at request
// time, so a rebuild shows without a restart.
func webHandler(dir string, config map[string]any) http.Handler {
	gz := &gzipCache{entries: map[string]gzipEntry{}}
	cfg, _ := json.Marshal(config)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/config.json" && r.Method == http.MethodGet {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			_, _ = w.Write(cfg)
			return
		}
		name := path.Clean("/" + r.URL.Path)
		if name == "/v1" || strings.HasPrefix(name, "/v1/") || strings.HasPrefix(name, "/_local/") {
			// An API path no route matches is the API's 404, not the app.
			gateway.WriteProblem(w, r, http.StatusNotFound, "not_found", "没有这个接口", "No such route")
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		file := filepath.Join(dir, filepath.FromSlash(name))
		st, err := os.Stat(file)
		if err != nil || st.IsDir() {
			if path.Ext(name) != "" && name != "/index.html" {
				http.NotFound(w, r) // a missing asset is not the app
				return
			}
			file = filepath.Join(dir, "index.html")
			if st, err = os.Stat(file); err != nil {
				w.Header().Set("Content-Type", "text/plain; charset=utf-8")
				w.WriteHeader(http.StatusServiceUnavailable)
				_, _ = w.Write([]byte("前端尚未构建：运行 make web（make run 会自动构建）。\nThe front end is not built: run make web (make run builds it).\n"))
				return
			}
		}
		ctype := mime.TypeByExtension(filepath.Ext(file))
		if ctype == "" {
			ctype = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ctype)
		// Hashed assets never change; the page itself must be fetched fresh.
		if strings.HasPrefix(name, "/assets/") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		w.Header().Add("Vary", "Accept-Encoding")
		if compressible(ctype) && strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
			if body, err := gz.get(file, st.ModTime()); err == nil {
				w.Header().Set("Content-Encoding", "gzip")
				http.ServeContent(w, r, "", st.ModTime(), bytes.NewReader(body))
				return
			}
		}
		http.ServeFile(w, r, file)
	})
}

func compressible(ctype string) bool {
	for _, p := range []string{"text/", "application/javascript", "application/json", "image/svg+xml", "application/manifest+json"} {
		if strings.HasPrefix(ctype, p) {
			return true
		}
	}
	return false
}

// gzipCache keeps each file's compressed form until the file changes.
type gzipCache struct {
	mu      sync.Mutex
	entries map[string]gzipEntry
}

type gzipEntry struct {
	mod  time.Time
	body []byte
}

func (c *gzipCache) get(file string, mod time.Time) ([]byte, error) {
	c.mu.Lock()
	e, ok := c.entries[file]
	c.mu.Unlock()
	if ok && e.mod.Equal(mod) {
		return e.body, nil
	}
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	_, _ = zw.Write(raw)
	if err := zw.Close(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	c.entries[file] = gzipEntry{mod: mod, body: b.Bytes()}
	c.mu.Unlock()
	return b.Bytes(), nil
}
