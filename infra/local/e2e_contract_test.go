package local_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"gopkg.in/yaml.v3"

	"github.com/wuxi-enrol/enrol/infra/localdb"
)

// The OpenAPI document is held to what the system really answers: every
// response an end-to-end test receives from an API route must be a status
// the operation documents, in a documented media type, and a JSON body must
// validate against the documented schema (JSON Schema 2020-12, as OpenAPI
// 3.1 schemas are).
type contractDoc struct {
	doc      map[string]any
	paths    []contractPath
	compiler *jsonschema.Compiler
	mu       sync.Mutex // the compiler and its cache are not for concurrent use
	compiled map[string]*jsonschema.Schema
}

type contractPath struct {
	template string
	re       *regexp.Regexp
}

const contractURL = "file:///openapi.json"

var (
	contractOnce sync.Once
	contract     *contractDoc
	contractErr  error
)

func openAPI(t testing.TB) *contractDoc {
	contractOnce.Do(func() { contract, contractErr = loadContract() })
	if contractErr != nil {
		t.Fatalf("api/openapi.yaml: %v", contractErr)
	}
	return contract
}

func loadContract() (*contractDoc, error) {
	raw, err := os.ReadFile(filepath.Join(filepath.Dir(localdb.TemplatePath()), "api", "openapi.yaml"))
	if err != nil {
		return nil, err
	}
	var doc map[string]any
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	// Through JSON, so the schema library sees JSON types.
	js, err := json.Marshal(doc)
	if err != nil {
		return nil, err
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(js))
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(contractURL, inst); err != nil {
		return nil, err
	}
	cd := &contractDoc{doc: doc, compiler: c, compiled: map[string]*jsonschema.Schema{}}
	for p := range doc["paths"].(map[string]any) {
		pattern := "^" + regexp.MustCompile(`\\{[^}]+\\}`).ReplaceAllString(regexp.QuoteMeta(p), `[^/]+`) + "$"
		cd.paths = append(cd.paths, contractPath{template: p, re: regexp.MustCompile(pattern)})
	}
	return cd, nil
}

// pointer escapes a JSON-pointer segment.
func pointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

// resolve follows a local $ref, returning the object and its pointer.
func (cd *contractDoc) resolve(obj map[string]any, ptr string) (map[string]any, string) {
	for {
		ref, ok := obj["$ref"].(string)
		if !ok {
			return obj, ptr
		}
		ptr = strings.TrimPrefix(ref, "#")
		var cur any = cd.doc
		for _, seg := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
			seg = strings.ReplaceAll(strings.ReplaceAll(seg, "~1", "/"), "~0", "~")
			cur = cur.(map[string]any)[seg]
		}
		obj = cur.(map[string]any)
	}
}

// check returns what is wrong with a response, or "".
func (cd *contractDoc) check(method, path string, status int, contentType string, body []byte) string {
	var template string
	for _, p := range cd.paths {
		// A literal path beats a templated one (/v1/centres/x vs /v1/centres/{id}).
		if p.re.MatchString(path) && (template == "" || !strings.Contains(p.template, "{")) {
			template = p.template
		}
	}
	if template == "" {
		return "no path in the document matches " + path
	}
	op, ok := cd.doc["paths"].(map[string]any)[template].(map[string]any)[strings.ToLower(method)].(map[string]any)
	if !ok {
		return "the document has no " + method + " " + template
	}
	responses := op["responses"].(map[string]any)
	code := fmt.Sprint(status)
	resp, ok := responses[code].(map[string]any)
	if !ok {
		if resp, ok = responses["default"].(map[string]any); !ok {
			return fmt.Sprintf("status %d is not documented for %s %s", status, method, template)
		}
		code = "default"
	}
	resp, ptr := cd.resolve(resp, "/paths/"+pointer(template)+"/"+strings.ToLower(method)+"/responses/"+code)
	content, _ := resp["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) > 0 {
			return "a body where the document has none"
		}
		return ""
	}
	mt, _, _ := mime.ParseMediaType(contentType)
	media, ok := content[mt].(map[string]any)
	if !ok {
		return fmt.Sprintf("content type %q is not documented for %d", mt, status)
	}
	if _, hasSchema := media["schema"]; !hasSchema || !strings.HasSuffix(mt, "json") {
		return ""
	}
	loc := contractURL + "#" + ptr + "/content/" + pointer(mt) + "/schema"
	cd.mu.Lock()
	sch, ok := cd.compiled[loc]
	if !ok {
		var err error
		if sch, err = cd.compiler.Compile(loc); err != nil {
			cd.mu.Unlock()
			return "the document's schema does not compile: " + err.Error()
		}
		cd.compiled[loc] = sch
	}
	cd.mu.Unlock()
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return "the body is not JSON: " + err.Error()
	}
	if err := sch.Validate(inst); err != nil {
		return err.Error()
	}
	return ""
}

// checkContract validates one response; a violation fails the test.
func (e *env) checkContract(req *http.Request, resp *http.Response, body []byte) {
	if strings.HasPrefix(req.URL.Path, "/_local") {
		return
	}
	if problem := openAPI(e.t).check(req.Method, req.URL.Path, resp.StatusCode, resp.Header.Get("Content-Type"), body); problem != "" {
		e.t.Errorf("%s %s → %d breaks api/openapi.yaml: %s\n  body: %.300s", req.Method, req.URL.RequestURI(), resp.StatusCode, problem, body)
	}
}

// TestContractCheckBites: the check fails a response that breaks the
// document, so its silence means something.
func TestContractCheckBites(t *testing.T) {
	cd := openAPI(t)
	centre := `{"id":"c1","name":"n","district":"binhu","address":"a","phone":"p","kinds":["childcare"],"licence_no":"320211-TY-0001","status":"active"}`
	cases := []struct {
		name, method, path string
		status             int
		ctype, body        string
		ok                 bool
	}{
		{"a real centre", "GET", "/v1/centres/c1", 200, "application/json; charset=utf-8", centre, true},
		{"a centre without a name", "GET", "/v1/centres/c1", 200, "application/json", `{"id":"c1","district":"binhu","address":"a","phone":"p","kinds":[]}`, false},
		{"an unknown district", "GET", "/v1/centres/c1", 200, "application/json", strings.Replace(centre, "binhu", "pudong", 1), false},
		{"a problem with an unknown code", "GET", "/v1/centres/c1", 404, "application/problem+json", `{"type":"about:blank","title":"Not Found","status":404,"code":"gone","detail":"x"}`, false},
		{"a real problem", "GET", "/v1/centres/c1", 404, "application/problem+json", `{"type":"about:blank","title":"Not Found","status":404,"code":"not_found","detail":"x"}`, true},
		{"an undocumented status", "GET", "/v1/centres/c1", 418, "application/json", `{}`, false},
		{"an undocumented media type", "GET", "/v1/centres/c1", 200, "text/html", `<p>`, false},
		{"a roster with an empty offering", "GET", "/v1/offerings/o1/roster", 200, "application/json", `{"offering":{},"items":[]}`, false},
		{"an undocumented method", "DELETE", "/v1/centres/c1", 200, "application/json", centre, false},
		{"an undocumented path", "GET", "/v1/centres/c1/secrets", 200, "application/json", `{}`, false},
	}
	for _, c := range cases {
		problem := cd.check(c.method, c.path, c.status, c.ctype, []byte(c.body))
		if (problem == "") != c.ok {
			t.Errorf("%s: problem %q, want ok=%v", c.name, problem, c.ok)
		}
	}
}
