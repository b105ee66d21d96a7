package local_test

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/wuxi-enrol/enrol/infra/localdb"
)

// The OpenAPI document is held to what the system really answers: every
// response an end-to-end test receives from an API route is validated
// against api/openapi.yaml (status, content type, headers, body schema).
var (
	contractOnce sync.Once
	contract     validator.Validator
	contractErr  error
	contractMu   sync.Mutex // the validator caches per path; keep it to one caller
)

func openAPI(t testing.TB) validator.Validator {
	contractOnce.Do(func() {
		spec, err := os.ReadFile(filepath.Join(filepath.Dir(localdb.TemplatePath()), "api", "openapi.yaml"))
		if err != nil {
			contractErr = err
			return
		}
		doc, err := libopenapi.NewDocument(spec)
		if err != nil {
			contractErr = err
			return
		}
		v, errs := validator.NewValidator(doc)
		if len(errs) > 0 {
			contractErr = fmt.Errorf("%v", errs)
			return
		}
		contract = v
	})
	if contractErr != nil {
		t.Fatalf("api/openapi.yaml: %v", contractErr)
	}
	return contract
}

// checkContract validates one response; violations fail the test.
func (e *env) checkContract(req *http.Request, resp *http.Response, body []byte) {
	if strings.HasPrefix(req.URL.Path, "/_local") {
		return
	}
	v := openAPI(e.t)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	contractMu.Lock()
	ok, errs := v.ValidateHttpResponse(req, resp)
	contractMu.Unlock()
	if ok {
		return
	}
	var msgs []string
	for _, err := range errs {
		msg := err.Message
		if err.Reason != "" {
			msg += ": " + err.Reason
		}
		for _, se := range err.SchemaValidationErrors {
			msg += " [" + se.FieldPath + ": " + se.Reason + "]"
		}
		msgs = append(msgs, msg)
	}
	e.t.Errorf("%s %s → %d breaks api/openapi.yaml:\n  %s\n  body: %.300s", req.Method, req.URL.RequestURI(), resp.StatusCode, strings.Join(msgs, "\n  "), body)
}

// TestContractCheckBites: the check above fails a response that breaks the
// document, so its silence means something.
func TestContractCheckBites(t *testing.T) {
	v := openAPI(t)
	cases := []struct {
		name, method, path string
		status             int
		ctype, body        string
		ok                 bool
	}{
		{"a real centre", "GET", "/v1/centres/c1", 200, "application/json", `{"id":"c1","name":"n","district":"binhu","address":"a","phone":"p","kinds":["childcare"]}`, true},
		{"a centre without a name", "GET", "/v1/centres/c1", 200, "application/json", `{"id":"c1","district":"binhu","address":"a","phone":"p","kinds":[]}`, false},
		{"an unknown district", "GET", "/v1/centres/c1", 200, "application/json", `{"id":"c1","name":"n","district":"pudong","address":"a","phone":"p","kinds":[]}`, false},
		{"a problem with an unknown code", "GET", "/v1/centres/c1", 404, "application/problem+json", `{"type":"about:blank","title":"Not Found","status":404,"code":"gone","detail":"x"}`, false},
		{"an undocumented status", "GET", "/v1/centres/c1", 418, "application/json", `{}`, false},
		// The stack's port is chosen at random: matching must not depend on it.
		{"any port, good", "GET", ":45678/v1/centres/c1", 200, "application/json", `{"id":"c1","name":"n","district":"binhu","address":"a","phone":"p","kinds":["childcare"]}`, true},
		{"a roster with an empty offering", "GET", ":45678/v1/offerings/o1/roster?format=json", 200, "application/json", `{"offering":{},"items":[]}`, false},
		{"any port, bad", "GET", ":45678/v1/centres/c1", 200, "application/json", `{"id":1}`, false},
	}
	for _, c := range cases {
		url := "http://127.0.0.1:3000" + c.path
		if strings.HasPrefix(c.path, ":") {
			url = "http://127.0.0.1" + c.path
		}
		req, _ := http.NewRequest(c.method, url, nil)
		resp := &http.Response{StatusCode: c.status, Header: http.Header{"Content-Type": {c.ctype}}, Body: io.NopCloser(strings.NewReader(c.body))}
		contractMu.Lock()
		ok, errs := v.ValidateHttpResponse(req, resp)
		contractMu.Unlock()
		if ok != c.ok {
			t.Errorf("%s: valid = %v (%d errors), want %v", c.name, ok, len(errs), c.ok)
		}
	}
}
