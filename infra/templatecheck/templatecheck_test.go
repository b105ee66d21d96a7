package templatecheck

import (
	"context"
	"debug/buildinfo"
	"debug/elf"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/local/schedule"
	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/dbcalls"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

const modulePath = "github.com/wuxi-enrol/enrol"

// checkNow is the functions' clock in these checks: what they call does not
// depend on the day.
var checkNow = time.Date(2027, 1, 1, 0, 30, 0, 0, domain.CityZone)

// constructors and jobs are the local stack's own tables of every HTTP
// function's handler and every scheduled function's job, by template
// logical id — the constructors the Lambda entry points call — so each
// function's routes are probed against its real handler and each job's
// DynamoDB calls are held to its policy.
var (
	constructors = local.Functions
	jobs         = local.Jobs
)

// justifiedActions are IAM actions outside dynamodb: that a function may
// have, each with the reason it needs it (and keys_test.go says which
// functions may have each on which key).
var justifiedActions = map[string]string{
	"kms:GenerateMac":     "an ID number's identity is an HMAC computed in KMS (keycustody.Identities)",
	"kms:GenerateDataKey": "the data key that seals personal fields is made once per table (keycustody.Sealer)",
	"kms:Decrypt":         "the wrapped data key is unwrapped once per cold start to read personal fields",
	// signin_test.go says who may, on which pool.
	"cognito-idp:AdminDeleteUser": "DELETE /v1/me deletes the caller's sign-in account, which holds the phone number (signin.Accounts)",
	"cognito-idp:ListUsers":       "the dispatcher reads a resident's verified phone and e-mail by sub (contacts.Directory); the staff accounts function finds an invited person by number or e-mail",
	// Issue 19: inviting staff (functions/staffaccounts); signin_test.go
	// holds them to StaffAccountsFunction alone.
	"cognito-idp:AdminCreateUser":           "an invited number with no account gets one (Cognito texts the invitation)",
	"cognito-idp:AdminAddUserToGroup":       "an invited person joins centre-staff",
	"cognito-idp:AdminRemoveUserFromGroup":  "a person with no centre left leaves centre-staff",
	"cognito-idp:AdminUpdateUserAttributes": "custom:centre_ids is written from the table's centre set",
	"cognito-idp:AdminDeleteUserAttributes": "custom:centre_ids is removed when no centre is left",
	"cognito-idp:AdminUserGlobalSignOut":    "a removed staff member's refresh tokens stop",
	"cognito-idp:AdminSetUserPassword":      "a resident made at the counter gets a password nobody knows, so Cognito lets them reset it by SMS code",
	// The dispatcher's outlets, each on the one resource messagingResources names.
	"sms-voice:SendTextMessage":     "the dispatcher sends residents' SMS from the origination identity (channels.SMS)",
	"ses:SendEmail":                 "the dispatcher sends residents' e-mail from the verified identity (channels.Email)",
	"secretsmanager:GetSecretValue": "the dispatcher reads the WeChat app secret to get an access token (channels.WeChat)",
	"events:PutEvents":              "the dispatcher publishes enrol's events on the city's bus (citybus.Bus)",
	"sqs:SendMessage":               "the booking stream's mapping, acting with the dispatcher's role, sends the batches it gives up on to BookingStreamFailures",
}

// streamActions are what Lambda's mapping of a table's stream does with
// the role of the function it invokes, allowed on that stream alone
// (streamStatement), to a function a mapping invokes.
var streamActions = map[string]bool{"DescribeStream": true, "GetRecords": true, "GetShardIterator": true, "ListStreams": true}

// streamStatement reports whether s allows stream reads only.
func streamStatement(s samtemplate.Statement) bool {
	return !slices.ContainsFunc(s.Actions, func(a string) bool {
		name, ok := strings.CutPrefix(a, "dynamodb:")
		return !ok || !streamActions[name]
	})
}

// streamResources are each table's stream, or the stream of the table
// DataTableName names.
func streamResources(tpl *samtemplate.Template) map[string]bool {
	ok := map[string]bool{}
	for _, id := range tpl.ResourceIDs(samtemplate.TypeTable) {
		ok["!If [UseDataTable, !Sub "+dataTableARN+"/stream/${DataTableStreamLabel}, !GetAtt "+id+".StreamArn]"] = true
	}
	return ok
}

// messagingResources is the one resource each of the dispatcher's
// non-DynamoDB actions may name.
var messagingResources = map[string]string{
	"sms-voice:SendTextMessage":     "!Ref SmsOriginationIdentity",
	"ses:SendEmail":                 "!Sub arn:${AWS::Partition}:ses:${AWS::Region}:${AWS::AccountId}:identity/${EmailIdentity}",
	"secretsmanager:GetSecretValue": "!Ref WeChatCredentialsArn",
	"events:PutEvents":              "!GetAtt CityBus.Arn",
	"sqs:SendMessage":               "!GetAtt BookingStreamFailures.Arn",
}

const (
	typeUserPool       = "AWS::Cognito::UserPool"
	typeUserPoolClient = "AWS::Cognito::UserPoolClient"
	typeUserPoolGroup  = "AWS::Cognito::UserPoolGroup"
)

// repoRoot is the repository root, found from infra/localdb's source file.
func repoRoot() string { return filepath.Dir(localdb.TemplatePath()) }

// cognitoMode is the deployment most checks read the template for: the
// default AuthMode (a Cognito user pool) outside the China regions, every
// message channel on (modes_test.go reads the others).
var cognitoMode = samtemplate.Values{
	"AuthMode": "cognito", "AWS::Region": "us-east-1",
	"SmsOriginationIdentity": "arn:aws:sms-voice:us-east-1:000000000000:sender-id/ENROL/CN",
	"EmailIdentity":          "enrol.example", "WeChatCredentialsArn": "arn:aws:secretsmanager:us-east-1:000000000000:secret:wechat",
}

// loadTemplate is template.yaml as deployed in cognitoMode: the conditions
// it decides applied, the others (UseDataTable) kept as written.
func loadTemplate(t *testing.T) *samtemplate.Template {
	t.Helper()
	tpl, err := samtemplate.LoadFor(localdb.TemplatePath(), cognitoMode)
	if err != nil {
		t.Fatalf("load template.yaml: %v", err)
	}
	return tpl
}

// sortedKeys lists a map's keys in order, for stable messages.
func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

func routeName(r samtemplate.Route) string {
	return fmt.Sprintf("%s (%s.%s)", r.Key(), r.FunctionID, r.EventName)
}

func truthy(v any) bool {
	if b, ok := v.(bool); ok {
		return b
	}
	return strings.EqualFold(samtemplate.Render(v), "true")
}

func mapOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// ---------- 1. routes belong to functions ----------

func TestRoutesBelongToFunctions(t *testing.T) {
	tpl := loadTemplate(t)
	routes := tpl.Routes()
	if len(routes) == 0 {
		t.Fatal("template.yaml has no HttpApi routes")
	}
	seen := map[string]samtemplate.Route{}
	for _, r := range routes {
		if res, ok := tpl.Resources[r.FunctionID]; !ok || res.Type != samtemplate.TypeFunction {
			t.Errorf("route %s: %s is a %q, not an %s", routeName(r), r.FunctionID, res.Type, samtemplate.TypeFunction)
		}
		if api, ok := tpl.Resources[r.APIID]; !ok || api.Type != samtemplate.TypeHTTPAPI {
			t.Errorf("route %s: ApiId %q is not an %s of the template (a route on the implicit API escapes its authorizer settings)",
				routeName(r), r.APIID, samtemplate.TypeHTTPAPI)
		}
		if r.Path == samtemplate.DefaultRoutePath || !strings.HasPrefix(r.Path, "/") {
			t.Errorf("route %s: Path %q must be an explicit path starting with /", routeName(r), r.Path)
		}
		if r.Method == "ANY" {
			t.Errorf("route %s: Method ANY serves every method; name the one method", routeName(r))
		}
		if prev, dup := seen[r.Key()]; dup {
			t.Errorf("route %s: %s is also %s", r.Key(), routeName(r), routeName(prev))
		}
		seen[r.Key()] = r
	}
}

// ---------- 2. authorization ----------

// catalogueRead reports whether a route is one of the public catalogue reads
// of the contract: "Catalogue reads (GET /v1/centres…, GET /v1/offerings…)
// need no token" — the centres and offerings themselves, not what hangs
// below them (a centre's offerings in every status, its audit log, a
// roster), which are the staff's.
func catalogueRead(r samtemplate.Route) bool {
	if r.Method != http.MethodGet {
		return false
	}
	switch r.Path {
	case "/v1/centres", "/v1/centres/{centre_id}", "/v1/offerings", "/v1/offerings/{offering_id}":
		return true
	case privacyNotice: // public too (contract part 2), read by guardians before they sign in
		return true
	case calendarFeed: // public too (issue 12): calendar apps cannot sign in; the secret address is the key
		return true
	case drawDocument: // public too (issue 13): anyone may check a lottery's draw
		return true
	case "/v1/rounds", "/v1/rounds/{round_id}", "/v1/rounds/{round_id}/draw": // public too (issue 14): rounds and their draw
		return true
	case priorityPolicy: // public too (issue 14): families read who comes first before applying
		return true
	}
	return false
}

// privacyNotice is served from the function's embedded files, without DynamoDB.
const privacyNotice = "/v1/privacy-notice"

// drawDocument is a lottery offering's public draw document.
const drawDocument = "/v1/offerings/{offering_id}/draw"

// priorityPolicy is a kind's priority policy in force (its versions are
// officers').
const priorityPolicy = "/v1/city/priority-policies/{kind}"

// calendarFeed is a resident's secret calendar address.
const calendarFeed = "/v1/calendar-feeds/{token}"

var (
	// !Sub https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}
	issuerSubRe = regexp.MustCompile(`^!Sub https://cognito-idp\.\$\{AWS::Region\}\.(?:amazonaws\.com|amazonaws\.com\.cn|\$\{AWS::URLSuffix\})/\$\{([A-Za-z0-9]+)\}$`)
	// !Sub https://${UserPool.ProviderURL}
	issuerProviderRe = regexp.MustCompile(`^!Sub https://\$\{([A-Za-z0-9]+)\.ProviderURL\}$`)
)

// issuerPool is the user pool a JWT issuer points at.
func issuerPool(issuer string) (string, bool) {
	for _, re := range []*regexp.Regexp{issuerSubRe, issuerProviderRe} {
		if m := re.FindStringSubmatch(issuer); m != nil {
			return m[1], true
		}
	}
	return "", false
}

// checkJWTAuthorizer reports what is wrong with authorizer name on api, or "".
func checkJWTAuthorizer(tpl *samtemplate.Template, api, name string) []string {
	a, ok := tpl.HttpAPIAuthorizers()[name]
	if !ok {
		return []string{fmt.Sprintf("authorizer %q is not a JWT authorizer in %s's Auth.Authorizers", name, api)}
	}
	var problems []string
	if a.APIID != api {
		problems = append(problems, fmt.Sprintf("authorizer %q is declared on %q, not on %q", name, a.APIID, api))
	}
	if a.IdentitySource != "$request.header.Authorization" {
		problems = append(problems, fmt.Sprintf("authorizer %q IdentitySource = %q, want $request.header.Authorization", name, a.IdentitySource))
	}
	pool, ok := issuerPool(a.Issuer)
	if !ok {
		problems = append(problems, fmt.Sprintf("authorizer %q issuer %q is not the Cognito issuer URL of a user pool (!Sub https://cognito-idp.${AWS::Region}.${AWS::URLSuffix}/${Pool})", name, a.Issuer))
	} else if tpl.Resources[pool].Type != typeUserPool {
		problems = append(problems, fmt.Sprintf("authorizer %q issuer points at %q, which is not an %s", name, pool, typeUserPool))
	}
	if len(a.Audience) == 0 {
		problems = append(problems, fmt.Sprintf("authorizer %q has no audience", name))
	}
	for _, aud := range a.Audience {
		client, ok := strings.CutPrefix(aud, "!Ref ")
		res := tpl.Resources[client]
		switch {
		case !ok || res.Type != typeUserPoolClient:
			problems = append(problems, fmt.Sprintf("authorizer %q audience %q is not !Ref of an %s", name, aud, typeUserPoolClient))
		case pool != "":
			if p, _ := samtemplate.RefTarget(res.Properties["UserPoolId"]); p != pool {
				problems = append(problems, fmt.Sprintf("authorizer %q audience %s belongs to user pool %q, not to the issuer's %q", name, client, p, pool))
			}
		}
	}
	return problems
}

func TestRouteAuthorization(t *testing.T) {
	tpl := loadTemplate(t)
	// Each authorizer is checked once, naming the routes that use it.
	usedBy := map[[2]string][]string{} // {ApiId, authorizer} → routes
	for _, r := range tpl.Routes() {
		t.Run(r.Method+" "+r.Path, func(t *testing.T) {
			if strings.HasPrefix(r.Path, "/_local") {
				t.Errorf("route %s: /_local routes belong to the local gateway only and must never be deployed", routeName(r))
			}
			switch {
			case r.Public() && r.Method != http.MethodGet:
				t.Errorf("route %s is public (Authorizer %q) but is not a GET: only catalogue reads may skip the JWT authorizer", routeName(r), r.Authorizer)
			case r.Public() && !catalogueRead(r):
				t.Errorf("route %s is public (Authorizer %q) but is not a catalogue read (GET /v1/centres…, GET /v1/offerings, GET /v1/offerings/{offering_id})", routeName(r), r.Authorizer)
			case !r.Public() && catalogueRead(r):
				t.Errorf("route %s is a catalogue read but requires authorizer %q; the contract says catalogue reads need no token (Auth.Authorizer: NONE)", routeName(r), r.Authorizer)
			case !r.Public():
				k := [2]string{r.APIID, r.Authorizer}
				usedBy[k] = append(usedBy[k], routeName(r))
			}
		})
	}
	for k, routes := range usedBy {
		for _, p := range checkJWTAuthorizer(tpl, k[0], k[1]) {
			t.Errorf("%s (used by %d routes: %s)", p, len(routes), strings.Join(routes, ", "))
		}
	}
	// A route that forgets Auth must get the JWT authorizer, not be public.
	for _, api := range tpl.ResourceIDs(samtemplate.TypeHTTPAPI) {
		def := samtemplate.Render(mapOf(tpl.Resources[api].Properties["Auth"])["DefaultAuthorizer"])
		if def == "" || def == samtemplate.AuthNone {
			t.Errorf("%s has no Auth.DefaultAuthorizer: a new route would be public by default", api)
			continue
		}
		for _, p := range checkJWTAuthorizer(tpl, api, def) {
			t.Errorf("%s Auth.DefaultAuthorizer: %s", api, p)
		}
	}
}

// ---------- 3. functions: runtime and build ----------

// functionDir is functions/<name> for <Name>Function, as the Makefile's
// build-%Function rule expects.
func functionDir(id string) string {
	return "functions/" + strings.ToLower(strings.TrimSuffix(id, "Function"))
}

func TestFunctionsRuntimeAndBuild(t *testing.T) {
	tpl := loadTemplate(t)
	root := repoRoot()
	ids := sortedKeys(tpl.Functions)
	if len(ids) == 0 {
		t.Fatal("template.yaml has no functions")
	}
	for _, id := range ids {
		f := tpl.Functions[id]
		// One after another, not in parallel: on a cold build cache,
		// parallel builds would each compile the same arm64 dependencies
		// (measured: 158 s for five on two cores); in turn, the first
		// fills the cache and the rest link.
		t.Run(id, func(t *testing.T) {
			if f.Runtime != "provided.al2023" {
				t.Errorf("%s Runtime = %q, want provided.al2023", id, f.Runtime)
			}
			if !slices.Equal(f.Architectures, []string{"arm64"}) {
				t.Errorf("%s Architectures = %q, want [arm64]", id, f.Architectures)
			}
			if f.Handler != "bootstrap" {
				t.Errorf("%s Handler = %q, want bootstrap", id, f.Handler)
			}
			if f.BuildMethod != "makefile" {
				t.Errorf("%s Metadata.BuildMethod = %q, want makefile", id, f.BuildMethod)
			}
			if !strings.HasSuffix(id, "Function") || id == "Function" {
				t.Fatalf("%s: logical id must be <Name>Function for the Makefile's build-%%Function rule", id)
			}
			pkg := functionDir(id) + "/lambda"
			checkMainPackage(t, id, filepath.Join(root, filepath.FromSlash(pkg)), modulePath+"/"+functionDir(id))

			if f.CodeURI == "" {
				t.Fatalf("%s has no CodeUri: SAM would not know where to run make", id)
			}
			codeDir := filepath.Join(root, filepath.FromSlash(f.CodeURI))
			if _, err := os.Stat(filepath.Join(codeDir, "Makefile")); err != nil {
				t.Fatalf("%s CodeUri %q has no Makefile for BuildMethod makefile: %v", id, f.CodeURI, err)
			}
			out := t.TempDir()
			cmd := exec.CommandContext(t.Context(), "make", "--no-print-directory", "-C", codeDir, "build-"+id, "ARTIFACTS_DIR="+out)
			cmd.Env = cleanMakeEnv()
			start := time.Now()
			if b, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("make build-%s ARTIFACTS_DIR=%s failed: %v\n%s", id, out, err, b)
			}
			took := time.Since(start).Round(time.Millisecond)
			if st, err := os.Stat(filepath.Join(out, "bootstrap")); err == nil {
				t.Logf("make build-%s took %v: bootstrap %.2f MiB (README, \"Cold start and size\")", id, took, float64(st.Size())/(1<<20))
			}
			checkBootstrap(t, id, filepath.Join(out, "bootstrap"), modulePath+"/"+pkg)
		})
	}
}

// cleanMakeEnv drops an outer make's flags (jobserver, -n, …) so the
// build runs the same whether the tests run under `make test` or not.
func cleanMakeEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEFILES", "ARTIFACTS_DIR":
			continue
		}
		env = append(env, kv)
	}
	return env
}

// checkMainPackage: dir holds package main with func main, importing the
// function's handler package.
func checkMainPackage(t *testing.T, id, dir, handlerPkg string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil || len(files) == 0 {
		t.Errorf("%s: no Go files in %s, which the Makefile builds for it", id, mustRel(dir))
		return
	}
	fset := token.NewFileSet()
	hasMain, importsHandler := false, false
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Errorf("%s: %v", id, err)
			continue
		}
		if f.Name.Name != "main" {
			t.Errorf("%s: %s is package %s, want package main", id, mustRel(file), f.Name.Name)
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == handlerPkg {
				importsHandler = true
			}
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && fn.Name.Name == "main" {
				hasMain = true
			}
		}
	}
	if !hasMain {
		t.Errorf("%s: %s has no func main", id, mustRel(dir))
	}
	if !importsHandler {
		t.Errorf("%s: %s does not import its handler package %s", id, mustRel(dir), handlerPkg)
	}
}

func mustRel(path string) string {
	if rel, err := filepath.Rel(repoRoot(), path); err == nil {
		return filepath.ToSlash(rel)
	}
	return path
}

// checkBootstrap: an arm64 Linux ELF executable built from pkg.
func checkBootstrap(t *testing.T, id, path, pkg string) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatalf("%s: make build-%s did not produce bootstrap: %v", id, id, err)
	}
	if st.Mode()&0o111 == 0 {
		t.Errorf("%s: bootstrap is not executable (mode %v)", id, st.Mode())
	}
	f, err := elf.Open(path)
	if err != nil {
		t.Fatalf("%s: bootstrap is not an ELF file: %v", id, err)
	}
	defer f.Close()
	if f.Machine != elf.EM_AARCH64 {
		t.Errorf("%s: bootstrap machine = %v, want %v (Architectures [arm64])", id, f.Machine, elf.EM_AARCH64)
	}
	if f.Class != elf.ELFCLASS64 {
		t.Errorf("%s: bootstrap class = %v, want ELFCLASS64", id, f.Class)
	}
	if f.Type != elf.ET_EXEC && f.Type != elf.ET_DYN {
		t.Errorf("%s: bootstrap ELF type = %v, want an executable", id, f.Type)
	}
	bi, err := buildinfo.ReadFile(path)
	if err != nil {
		t.Fatalf("%s: bootstrap has no Go build info: %v", id, err)
	}
	if bi.Path != pkg {
		t.Errorf("%s: bootstrap is built from %s, want %s", id, bi.Path, pkg)
	}
	settings := map[string]string{}
	for _, s := range bi.Settings {
		settings[s.Key] = s.Value
	}
	if settings["GOOS"] != "linux" || settings["GOARCH"] != "arm64" {
		t.Errorf("%s: bootstrap built for %s/%s, want linux/arm64", id, settings["GOOS"], settings["GOARCH"])
	}
}

// TestMakeBuildListsEveryFunction: `make build` builds exactly the
// template's functions, so its zips are what SAM would deploy.
func TestMakeBuildListsEveryFunction(t *testing.T) {
	tpl := loadTemplate(t)
	data, err := os.ReadFile(filepath.Join(repoRoot(), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^FUNCTIONS\s*:?=\s*(.*)$`).FindSubmatch(data)
	if m == nil {
		t.Fatal("the Makefile has no FUNCTIONS := … line for `make build`")
	}
	listed := strings.Fields(string(m[1]))
	slices.Sort(listed)
	if want := tpl.FunctionLogicalIDs(); !slices.Equal(listed, want) {
		t.Errorf("Makefile FUNCTIONS = %v, want the template's functions %v", listed, want)
	}
}

func TestMakeRejectsUnknownFunction(t *testing.T) {
	t.Parallel()
	out := t.TempDir()
	cmd := exec.CommandContext(t.Context(), "make", "--no-print-directory", "-C", repoRoot(), "build-NoSuchThingFunction", "ARTIFACTS_DIR="+out)
	cmd.Env = cleanMakeEnv()
	if b, err := cmd.CombinedOutput(); err == nil {
		t.Errorf("make build-NoSuchThingFunction succeeded; the rule must fail for a function without functions/<name>/lambda:\n%s", b)
	}
	if _, err := os.Stat(filepath.Join(out, "bootstrap")); err == nil {
		t.Error("make build-NoSuchThingFunction produced a bootstrap")
	}
}

// ---------- 4. least privilege ----------

// dataPlane are the DynamoDB actions a request handler may need; readOnly the
// subset that writes nothing.
var (
	dataPlane = map[string]bool{
		"GetItem": true, "BatchGetItem": true, "Query": true, "Scan": true, "ConditionCheckItem": true,
		"PutItem": true, "UpdateItem": true, "DeleteItem": true, "BatchWriteItem": true,
		"DescribeTable": true, "PartiQLSelect": true, "PartiQLInsert": true, "PartiQLUpdate": true, "PartiQLDelete": true,
	}
	readOnly = map[string]bool{
		"GetItem": true, "BatchGetItem": true, "Query": true, "Scan": true, "ConditionCheckItem": true,
		"DescribeTable": true, "PartiQLSelect": true,
	}
	// DynamoDB has no such IAM actions: transactions are authorised item by item.
	notIAMActions = map[string]string{
		"TransactWriteItems": "use the per-item actions PutItem, UpdateItem, DeleteItem and ConditionCheckItem",
		"TransactGetItems":   "use GetItem",
	}
)

// dataTableARN is the ARN of the table the DataTableName parameter names
// (the restore drill: README), in this account and region.
const dataTableARN = "arn:${AWS::Partition}:dynamodb:${AWS::Region}:${AWS::AccountId}:table/${DataTableName}"

// tableResources is every ARN form a statement may name: each table's
// !GetAtt T.Arn and each of its indexes, or the same of the table
// DataTableName names when it is set (UseDataTable), and nothing else.
func tableResources(t *testing.T, tpl *samtemplate.Template) map[string]bool {
	t.Helper()
	ok := map[string]bool{}
	for _, id := range tpl.ResourceIDs(samtemplate.TypeTable) {
		ok["!If [UseDataTable, !Sub "+dataTableARN+", !GetAtt "+id+".Arn]"] = true
		in, err := tpl.Table(id)
		if err != nil {
			t.Fatalf("table %s: %v", id, err)
		}
		for _, g := range in.GlobalSecondaryIndexes {
			ok["!If [UseDataTable, !Sub "+dataTableARN+"/index/"+*g.IndexName+", !Sub ${"+id+".Arn}/index/"+*g.IndexName+"]"] = true
		}
		for _, l := range in.LocalSecondaryIndexes {
			ok["!If [UseDataTable, !Sub "+dataTableARN+"/index/"+*l.IndexName+", !Sub ${"+id+".Arn}/index/"+*l.IndexName+"]"] = true
		}
	}
	return ok
}

func TestLeastPrivilege(t *testing.T) {
	tpl := loadTemplate(t)
	resources := tableResources(t, tpl)
	mapped := map[string]bool{} // functions a stream mapping invokes
	for _, ev := range tpl.Streams() {
		mapped[ev.FunctionID] = true
	}
	for _, id := range sortedKeys(tpl.Functions) {
		f := tpl.Functions[id]
		t.Run(id, func(t *testing.T) {
			if len(f.NamedPolicies) > 0 {
				t.Errorf("%s uses managed policies or SAM policy templates %q; write the statements out (templates like DynamoDBCrudPolicy grant far more than a function needs)", id, f.NamedPolicies)
			}
			readOnlyFn := len(f.Routes) > 0
			for _, r := range f.Routes {
				if r.Method != http.MethodGet {
					readOnlyFn = false
				}
			}
			for i, s := range f.Policies {
				where := fmt.Sprintf("%s policy statement %d (%s %v on %v)", id, i, s.Effect, s.Actions, s.Resources)
				if s.Effect != "Allow" && s.Effect != "Deny" {
					t.Errorf("%s: Effect %q, want Allow or Deny", where, s.Effect)
				}
				if len(s.Actions) == 0 || len(s.Resources) == 0 {
					t.Errorf("%s: a statement needs both Action and Resource (NotAction/NotResource are not allowed)", where)
				}
				for _, a := range s.Actions {
					if strings.ContainsAny(a, "*?") {
						t.Errorf("%s: Action %q has a wildcard", where, a)
						continue
					}
					name, isDynamo := strings.CutPrefix(a, "dynamodb:")
					if !isDynamo {
						if _, ok := justifiedActions[a]; !ok {
							t.Errorf("%s: Action %q is not a dynamodb: action and is not in justifiedActions", where, a)
						}
						continue
					}
					if fix, bad := notIAMActions[name]; bad {
						t.Errorf("%s: %q is not an IAM action (it grants nothing); %s", where, a, fix)
						continue
					}
					if streamActions[name] {
						if !mapped[id] || !streamStatement(s) {
							t.Errorf("%s: %q only for a function a stream mapping invokes, in a statement of stream reads alone", where, a)
						}
						continue
					}
					if !dataPlane[name] {
						t.Errorf("%s: %q is not a DynamoDB data-plane action a request handler needs", where, a)
					}
					if readOnlyFn && s.Effect == "Allow" && !readOnly[name] {
						t.Errorf("%s: %s serves only GET routes but is allowed the write action %q", where, id, a)
					}
				}
				for _, r := range s.Resources {
					if strings.ContainsAny(r, "*?") {
						t.Errorf("%s: Resource %q has a wildcard", where, r)
						continue
					}
					if streamStatement(s) {
						if !streamResources(tpl)[r] {
							t.Errorf("%s: Resource %q is not one of the template's tables' streams", where, r)
						}
						continue
					}
					if kmsStatement(s) {
						if !keyResources(tpl)[r] {
							t.Errorf("%s: Resource %q is not one of the template's KMS keys", where, r)
						}
						continue
					}
					if want, ok := messagingResources[s.Actions[0]]; ok {
						if len(s.Actions) != 1 || r != want {
							t.Errorf("%s: %v on %q, want %s alone on %s", where, s.Actions, r, s.Actions[0], want)
						}
						continue
					}
					if cognitoStatement(s) {
						if !userPoolResources(tpl)[r] {
							t.Errorf("%s: Resource %q is not one of the template's user pools", where, r)
						}
						continue
					}
					if !resources[r] {
						t.Errorf("%s: Resource %q is not one of the template's tables or indexes (%v)", where, r, sortedKeys(resources))
					}
				}
			}
		})
	}
}

// ---------- 5. table, outputs, user pool ----------

func TestTable(t *testing.T) {
	tpl := loadTemplate(t)
	tables := tpl.ResourceIDs(samtemplate.TypeTable)
	if len(tables) != 1 {
		t.Fatalf("template has %d %s resources %v, want exactly 1", len(tables), samtemplate.TypeTable, tables)
	}
	id := tables[0]
	if _, err := tpl.Table(id); err != nil {
		t.Errorf("Table(%s): %v", id, err)
	}
	p := tpl.Resources[id].Properties
	checks := []struct {
		what string
		ok   bool
		got  any
	}{
		{"BillingMode PAY_PER_REQUEST", samtemplate.Render(p["BillingMode"]) == "PAY_PER_REQUEST", p["BillingMode"]},
		{"PointInTimeRecoverySpecification.PointInTimeRecoveryEnabled true", truthy(mapOf(p["PointInTimeRecoverySpecification"])["PointInTimeRecoveryEnabled"]), p["PointInTimeRecoverySpecification"]},
		{"SSESpecification.SSEEnabled true", truthy(mapOf(p["SSESpecification"])["SSEEnabled"]), p["SSESpecification"]},
		{"TimeToLiveSpecification.Enabled true", truthy(mapOf(p["TimeToLiveSpecification"])["Enabled"]), p["TimeToLiveSpecification"]},
		{"TimeToLiveSpecification.AttributeName set", samtemplate.Render(mapOf(p["TimeToLiveSpecification"])["AttributeName"]) != "", p["TimeToLiveSpecification"]},
		{"DeletionProtectionEnabled true", truthy(p["DeletionProtectionEnabled"]), p["DeletionProtectionEnabled"]},
	}
	for _, c := range checks {
		if !c.ok {
			got := samtemplate.Render(c.got)
			if c.got == nil {
				got = "(missing)"
			}
			t.Errorf("table %s: want %s, got %s", id, c.what, got)
		}
	}
	for _, fid := range sortedKeys(tpl.Functions) {
		if got, want := tpl.Functions[fid].Environment["TABLE_NAME"], "!If [UseDataTable, !Ref DataTableName, !Ref "+id+"]"; got != want {
			t.Errorf("%s TABLE_NAME = %q, want %s", fid, got, want)
		}
	}
}

func onlyOne(t *testing.T, tpl *samtemplate.Template, typ string) string {
	t.Helper()
	ids := tpl.ResourceIDs(typ)
	if len(ids) != 1 {
		t.Fatalf("template has %d %s resources %v, want exactly 1", len(ids), typ, ids)
	}
	return ids[0]
}

func TestOutputs(t *testing.T) {
	tpl := loadTemplate(t)
	api := onlyOne(t, tpl, samtemplate.TypeHTTPAPI)
	pool := onlyOne(t, tpl, typeUserPool)
	client := onlyOne(t, tpl, typeUserPoolClient)
	tests := []struct {
		output string
		ok     func(string) bool
		want   string
	}{
		{"ApiUrl", func(v string) bool {
			return strings.Contains(v, "${"+api+"}") && strings.Contains(v, "execute-api")
		}, "the execute-api URL of " + api},
		{"UserPoolId", func(v string) bool { return v == "!Ref "+pool }, "!Ref " + pool},
		{"UserPoolClientId", func(v string) bool { return v == "!Ref "+client }, "!Ref " + client},
	}
	for _, tt := range tests {
		v, ok := tpl.Outputs[tt.output]
		switch {
		case !ok:
			t.Errorf("Outputs has no %s (have %v)", tt.output, sortedKeys(tpl.Outputs))
		case !tt.ok(v):
			t.Errorf("output %s = %q, want %s", tt.output, v, tt.want)
		}
	}
}

func TestUserPoolGroups(t *testing.T) {
	tpl := loadTemplate(t)
	pool := onlyOne(t, tpl, typeUserPool)
	groups := map[string]string{} // GroupName → logical id
	for _, id := range tpl.ResourceIDs(typeUserPoolGroup) {
		p := tpl.Resources[id].Properties
		name := samtemplate.Render(p["GroupName"])
		if prev, dup := groups[name]; dup {
			t.Errorf("groups %s and %s are both named %q", prev, id, name)
		}
		groups[name] = id
		if ref, _ := samtemplate.RefTarget(p["UserPoolId"]); ref != pool {
			t.Errorf("group %s (%q) is in user pool %q, want !Ref %s", id, name, samtemplate.Render(p["UserPoolId"]), pool)
		}
	}
	// The names the code checks claims against (shared/auth).
	for _, want := range []string{auth.Residents, auth.CentreStaff, auth.CityOfficers} {
		if _, ok := groups[want]; !ok {
			t.Errorf("no %s with GroupName %q (have %v)", typeUserPoolGroup, want, sortedKeys(groups))
		}
	}
}

// ---------- 6. OpenAPI ----------

func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	path := filepath.Join(repoRoot(), "api", "openapi.yaml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var doc any
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	m, ok := normalize(doc).(map[string]any)
	if !ok {
		t.Fatalf("%s is not a mapping", path)
	}
	return m
}

// normalize makes every mapping a map[string]any, whatever its keys.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			x[k] = normalize(e)
		}
		return x
	case map[any]any:
		m := make(map[string]any, len(x))
		for k, e := range x {
			m[fmt.Sprint(k)] = normalize(e)
		}
		return m
	case []any:
		for i, e := range x {
			x[i] = normalize(e)
		}
		return x
	}
	return v
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

type operation struct {
	key  string // "GET /v1/offerings"
	path string
	op   map[string]any
}

func operations(t *testing.T, doc map[string]any) map[string]operation {
	t.Helper()
	out := map[string]operation{}
	for path, item := range mapOf(doc["paths"]) {
		pi := mapOf(item)
		if ref, ok := pi["$ref"].(string); ok {
			target, err := resolve(doc, ref)
			if err != nil {
				t.Errorf("paths.%s: %v", path, err)
				continue
			}
			pi = mapOf(target)
		}
		for _, m := range httpMethods {
			if op, ok := pi[m]; ok {
				key := strings.ToUpper(m) + " " + path
				out[key] = operation{key: key, path: path, op: mapOf(op)}
			}
		}
	}
	return out
}

// resolve follows a local JSON pointer reference ("#/components/schemas/X").
func resolve(doc map[string]any, ref string) (any, error) {
	ptr, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, fmt.Errorf("$ref %q is not local to the document", ref)
	}
	var cur any = doc
	if ptr == "" {
		return cur, nil
	}
	if !strings.HasPrefix(ptr, "/") {
		return nil, fmt.Errorf("$ref %q is not a JSON pointer", ref)
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			next, ok := c[tok]
			if !ok {
				return nil, fmt.Errorf("$ref %q: no %q", ref, tok)
			}
			cur = next
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, fmt.Errorf("$ref %q: no element %q", ref, tok)
			}
			cur = c[i]
		default:
			return nil, fmt.Errorf("$ref %q: %q is inside a scalar", ref, tok)
		}
	}
	return cur, nil
}

// deref follows $ref chains.
func deref(doc map[string]any, v any) (map[string]any, error) {
	m := mapOf(v)
	for range 20 {
		ref, ok := m["$ref"].(string)
		if !ok {
			return m, nil
		}
		target, err := resolve(doc, ref)
		if err != nil {
			return nil, err
		}
		m = mapOf(target)
	}
	return nil, fmt.Errorf("$ref cycle")
}

func TestOpenAPI(t *testing.T) {
	tpl := loadTemplate(t)
	doc := loadOpenAPI(t)
	routes := map[string]samtemplate.Route{}
	for _, r := range tpl.Routes() {
		routes[r.Key()] = r
	}
	ops := operations(t, doc)

	t.Run("version", func(t *testing.T) {
		if v := fmt.Sprint(doc["openapi"]); !strings.HasPrefix(v, "3.1") {
			t.Errorf("openapi = %q, want 3.1.x", v)
		}
	})

	t.Run("operations equal routes", func(t *testing.T) {
		for _, k := range sortedKeys(routes) {
			if _, ok := ops[k]; !ok {
				t.Errorf("in template, not in OpenAPI: %s", routeName(routes[k]))
			}
		}
		for _, k := range sortedKeys(ops) {
			if _, ok := routes[k]; !ok {
				t.Errorf("in OpenAPI, not in template: %s (operationId %v)", k, ops[k].op["operationId"])
			}
		}
	})

	t.Run("operationId and x-function", func(t *testing.T) {
		seen := map[string]string{}
		for _, k := range sortedKeys(ops) {
			op := ops[k]
			id := samtemplate.Render(op.op["operationId"])
			if prev, dup := seen[id]; dup && id != "" {
				t.Errorf("%s and %s share operationId %q", prev, k, id)
			}
			seen[id] = k
			r, ok := routes[k]
			if !ok {
				continue // reported above
			}
			if id != r.EventName {
				t.Errorf("%s: operationId = %q, want the template event name %q", k, id, r.EventName)
			}
			if fn := samtemplate.Render(op.op["x-function"]); fn != r.FunctionID {
				t.Errorf("%s: x-function = %q, want %q", k, fn, r.FunctionID)
			}
		}
	})

	t.Run("security", func(t *testing.T) {
		schemes := mapOf(mapOf(doc["components"])["securitySchemes"])
		jwt := map[string]bool{}
		for name, s := range schemes {
			sm, err := deref(doc, s)
			if err != nil {
				t.Errorf("securitySchemes.%s: %v", name, err)
				continue
			}
			typ := samtemplate.Render(sm["type"])
			bearerJWT := typ == "http" && strings.EqualFold(samtemplate.Render(sm["scheme"]), "bearer") &&
				strings.EqualFold(samtemplate.Render(sm["bearerFormat"]), "JWT")
			if bearerJWT || typ == "openIdConnect" {
				jwt[name] = true
			}
		}
		if len(jwt) == 0 {
			t.Fatalf("components.securitySchemes has no JWT scheme (http bearer JWT or openIdConnect): %v", sortedKeys(schemes))
		}
		for _, k := range sortedKeys(ops) {
			r, ok := routes[k]
			if !ok {
				continue
			}
			own, declared := ops[k].op["security"]
			if r.Public() {
				if list, isList := own.([]any); !declared || !isList || len(list) != 0 {
					t.Errorf("%s is public in the template but its operation does not declare `security: []` (got %v)", k, own)
				}
				continue
			}
			eff := own
			if !declared {
				eff = doc["security"]
			}
			reqs, _ := eff.([]any)
			if len(reqs) == 0 {
				t.Errorf("%s needs the JWT authorizer (%s) but its effective OpenAPI security is %v", k, r.Authorizer, eff)
				continue
			}
			for _, req := range reqs {
				rm := mapOf(req)
				hasJWT := false
				for name := range rm {
					if _, ok := schemes[name]; !ok {
						t.Errorf("%s: security names %q, which is not in components.securitySchemes", k, name)
					}
					hasJWT = hasJWT || jwt[name]
				}
				if !hasJWT {
					t.Errorf("%s: security alternative %v does not require a JWT scheme %v (an empty or non-JWT alternative makes the token optional)", k, req, sortedKeys(jwt))
				}
			}
		}
	})

	t.Run("problem codes", func(t *testing.T) {
		problem, err := deref(doc, mapOf(mapOf(doc["components"])["schemas"])["Problem"])
		if err != nil || problem == nil {
			t.Fatalf("components.schemas.Problem: %v", err)
		}
		code, err := deref(doc, mapOf(problem["properties"])["code"])
		if err != nil {
			t.Fatalf("Problem.properties.code: %v", err)
		}
		enum, _ := code["enum"].([]any)
		if len(enum) == 0 {
			t.Fatalf("Problem.properties.code has no enum: %v", code)
		}
		inDoc := map[string]bool{}
		for _, e := range enum {
			inDoc[fmt.Sprint(e)] = true
		}
		inCode := map[string]bool{}
		for _, c := range apperr.Codes() {
			inCode[string(c)] = true
		}
		for _, c := range sortedKeys(inCode) {
			if !inDoc[c] {
				t.Errorf("apperr code %q is not in the OpenAPI Problem code enum", c)
			}
		}
		for _, c := range sortedKeys(inDoc) {
			if !inCode[c] {
				t.Errorf("OpenAPI Problem code %q is not an apperr code", c)
			}
		}
	})

	t.Run("refs resolve", func(t *testing.T) {
		n := 0
		var walk func(at string, v any)
		walk = func(at string, v any) {
			switch x := v.(type) {
			case map[string]any:
				if ref, ok := x["$ref"]; ok {
					n++
					s, isStr := ref.(string)
					if !isStr {
						t.Errorf("%s: $ref is %v, not a string", at, ref)
					} else if _, err := resolve(doc, s); err != nil {
						t.Errorf("%s: %v", at, err)
					}
				}
				for _, k := range sortedKeys(x) {
					walk(at+"/"+k, x[k])
				}
			case []any:
				for i, e := range x {
					walk(at+"/"+strconv.Itoa(i), e)
				}
			}
		}
		walk("#", doc)
		if n == 0 {
			t.Error("found no $ref at all; is the walk broken?")
		}
	})
}

// ---------- 7. the handlers serve the template's routes ----------

// TestConstructorTableCoversTemplate: every function is either an HTTP
// function (HttpApi routes, in constructors), a scheduled one (Schedule
// events, in jobs) or a user pool trigger (named by the pool's
// LambdaConfig, in local.Triggers), never two: Lambda gives a function one
// handler, and it takes one kind of event.
func TestConstructorTableCoversTemplate(t *testing.T) {
	tpl := loadTemplate(t)
	triggers := tpl.TriggerFunctions()
	for _, id := range sortedKeys(tpl.Functions) {
		f := tpl.Functions[id]
		_, isHTTP := constructors[id]
		_, isJob := jobs[id]
		_, isTrigger := local.Triggers[id]
		pkg := strings.TrimPrefix(functionDir(id), "functions/")
		switch {
		case triggers[id] && (len(f.Routes) > 0 || len(f.Schedules) > 0):
			t.Errorf("template function %s is a user pool trigger and has SAM events too; a function takes one kind of event", id)
		case triggers[id] && !isTrigger:
			t.Errorf("user pool trigger %s has no entry in Triggers in infra/local/functions.go: add %s → %s.New", id, id, pkg)
		case !triggers[id] && isTrigger:
			t.Errorf("infra/local Triggers has %s, which no user pool's LambdaConfig names", id)
		case triggers[id]:
		case len(f.Routes) > 0 && len(f.Schedules) > 0:
			t.Errorf("template function %s has both HttpApi routes and Schedule events; a function is one or the other", id)
		case len(f.Routes) == 0 && len(f.Schedules) == 0:
			t.Errorf("template function %s has neither HttpApi routes nor Schedule events nor a user pool trigger: nothing would invoke it", id)
		case len(f.Routes) > 0 && !isHTTP:
			t.Errorf("template function %s has routes but no entry in Functions in infra/local/functions.go: add %s → %s.New so its routes are probed", id, id, pkg)
		case len(f.Schedules) > 0 && !isJob:
			t.Errorf("template function %s runs on a schedule but has no entry in Jobs in infra/local/functions.go: add %s → %s.New", id, id, pkg)
		}
		if isHTTP && isJob {
			t.Errorf("%s is in both Functions and Jobs in infra/local/functions.go", id)
		}
	}
	for _, id := range sortedKeys(constructors) {
		if f, ok := tpl.Functions[id]; !ok {
			t.Errorf("infra/local Functions has %s, which is not a function in template.yaml", id)
		} else if len(f.Routes) == 0 {
			t.Errorf("infra/local Functions has %s, which has no HttpApi routes in template.yaml", id)
		}
	}
	for _, id := range sortedKeys(jobs) {
		if f, ok := tpl.Functions[id]; !ok {
			t.Errorf("infra/local Jobs has %s, which is not a function in template.yaml", id)
		} else if len(f.Schedules) == 0 {
			t.Errorf("infra/local Jobs has %s, which has no Schedule event in template.yaml", id)
		}
	}
}

// answer is the part of a response that tells routes apart.
type answer struct {
	Status int
	Code   string
	Detail string
}

// callLog is the handler's logger: it keeps the DynamoDB calls that
// httpapi.Serve reports in each request's log line ("ddb_calls").
type callLog struct {
	mu    sync.Mutex
	calls map[string]int
}

func (c *callLog) Enabled(context.Context, slog.Level) bool { return true }
func (c *callLog) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *callLog) WithGroup(string) slog.Handler            { return c }

func (c *callLog) Handle(_ context.Context, r slog.Record) error {
	r.Attrs(func(a slog.Attr) bool {
		if m, ok := a.Value.Any().(map[string]int); ok && a.Key == "ddb_calls" {
			c.mu.Lock()
			defer c.mu.Unlock()
			for op, n := range m {
				c.calls[op] += n
			}
		}
		return true
	})
	return nil
}

// call sends one request without any authorizer context and returns the
// answer and the DynamoDB calls it made (from a tally in the request's
// context and from the request log line, whichever carries them).
func call(t *testing.T, h http.Handler, log *callLog, method, path string) (answer, map[string]int) {
	t.Helper()
	log.mu.Lock()
	log.calls = map[string]int{}
	log.mu.Unlock()
	ctx, tally := dbcalls.With(t.Context())
	req := httptest.NewRequestWithContext(ctx, method, path, nil)
	req.Header.Set("Accept-Language", "en")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body struct {
		Code   string `json:"code"`
		Detail string `json:"detail"`
	}
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	log.mu.Lock()
	defer log.mu.Unlock()
	ops := log.calls
	for op, n := range tally.Snapshot() {
		ops[op] = max(ops[op], n)
	}
	return answer{rec.Code, body.Code, body.Detail}, ops
}

var pathParamRe = regexp.MustCompile(`\{[^}]+\}`)

func fillPath(p string) string { return pathParamRe.ReplaceAllString(p, "x") }

// allowedActions is every action an Allow statement of f grants.
func allowedActions(f *samtemplate.Function) map[string]bool {
	out := map[string]bool{}
	for _, s := range f.Policies {
		if s.Effect == "Allow" {
			for _, a := range s.Actions {
				out[a] = true
			}
		}
	}
	return out
}

func TestHandlersServeTemplateRoutes(t *testing.T) {
	tpl := loadTemplate(t)
	all := tpl.Routes()
	for _, id := range sortedKeys(tpl.Functions) {
		f := tpl.Functions[id]
		newHandler, ok := constructors[id]
		if !ok {
			continue // a job (TestJobCallsAllowedByPolicy), or TestConstructorTableCoversTemplate fails
		}
		// Not parallel: minidyn's server keeps its tables in a map without a
		// lock, so concurrent CreateTable/Query calls race.
		t.Run(id, func(t *testing.T) {
			st, ids, _ := dbtest.Custody(t)
			log := &callLog{}
			h := newHandler(lambdafn.Deps{Store: st, Identities: ids, Now: clock.Fixed(checkNow), Log: slog.New(log)})
			// What this handler answers for a path no mux pattern matches.
			noRoute, _ := call(t, h, log, http.MethodGet, "/__templatecheck/no/such/route")
			if noRoute.Status != http.StatusNotFound || noRoute.Code != string(apperr.NotFound) {
				t.Fatalf("%s answers an unrouted path with %+v, want 404 not_found", id, noRoute)
			}
			allowed := allowedActions(f)
			for _, r := range f.Routes {
				got, ops := call(t, h, log, r.Method, fillPath(r.Path))
				if got == noRoute {
					t.Errorf("%s: template route %s is not served by %s.New's mux (answered %+v)", id, routeName(r), functionDir(id), got)
					continue
				}
				if r.Public() {
					if got.Status == http.StatusUnauthorized || got.Status == http.StatusForbidden || got.Status >= 500 {
						t.Errorf("%s: public route %s answered %+v without a caller, want a catalogue answer", id, routeName(r), got)
					}
				} else if got.Status != http.StatusUnauthorized || got.Code != string(apperr.Unauthorized) {
					t.Errorf("%s: protected route %s answered %+v with no authorizer context, want 401 unauthorized", id, routeName(r), got)
				}
				if r.Public() && got.Status < 300 && len(ops) == 0 && r.Path != privacyNotice {
					t.Errorf("%s: public route %s answered %d but no DynamoDB call was observed; the policy coverage check is blind (did httpapi.Serve stop logging ddb_calls?)", id, routeName(r), got.Status)
				}
				checkAllowed(t, id+": "+routeName(r), ops, allowed)
			}
			// Another function's routes must not be served here.
			for _, r := range all {
				if r.FunctionID == id {
					continue
				}
				if got, _ := call(t, h, log, r.Method, fillPath(r.Path)); got != noRoute {
					t.Errorf("%s.New serves %s, which template.yaml routes to %s (answered %+v)", functionDir(id), r.Key(), r.FunctionID, got)
				}
			}
		})
	}
}

// TestMuxPatternsMatchTemplate reads each function package's source for the
// patterns it registers (mux.Handle("GET /v1/…", …)) and compares them with
// the function's template routes, so a route a handler serves but the
// template lacks (and API Gateway would never send) is caught.
func TestMuxPatternsMatchTemplate(t *testing.T) {
	tpl := loadTemplate(t)
	for _, id := range sortedKeys(tpl.Functions) {
		f := tpl.Functions[id]
		t.Run(id, func(t *testing.T) {
			dir := filepath.Join(repoRoot(), filepath.FromSlash(functionDir(id)))
			patterns := muxPatterns(t, dir)
			if len(f.Routes) == 0 && (len(f.Schedules) > 0 || tpl.TriggerFunctions()[id]) {
				// A scheduled function or a user pool trigger gets no HTTP
				// request: a route it registered would never be reached.
				for _, p := range sortedKeys(patterns) {
					t.Errorf("%s gets no HTTP requests, yet %s registers %q", id, mustRel(dir), p)
				}
				return
			}
			if len(patterns) == 0 {
				t.Fatalf("%s: found no mux.Handle(\"METHOD /path\", …) calls in %s", id, mustRel(dir))
			}
			inTemplate := map[string]bool{}
			for _, r := range f.Routes {
				inTemplate[r.Key()] = true
				if !patterns[r.Key()] {
					t.Errorf("%s: template route %s has no mux pattern %q in %s", id, routeName(r), r.Key(), mustRel(dir))
				}
			}
			for _, p := range sortedKeys(patterns) {
				if !inTemplate[p] {
					t.Errorf("%s: %s registers %q, which is not a route of %s in template.yaml", id, mustRel(dir), p, id)
				}
			}
		})
	}
}

// muxPatterns is every string-literal pattern passed to X.Handle / X.HandleFunc
// in the non-test files of dir.
func muxPatterns(t *testing.T, dir string) map[string]bool {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	fset := token.NewFileSet()
	out := map[string]bool{}
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, file, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			c, ok := n.(*ast.CallExpr)
			if !ok || len(c.Args) != 2 {
				return true
			}
			sel, ok := c.Fun.(*ast.SelectorExpr)
			if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
				return true
			}
			lit, ok := c.Args[0].(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				t.Errorf("%s: %s pattern is not a string literal; this check cannot see it", fset.Position(c.Pos()), sel.Sel.Name)
				return true
			}
			p, _ := strconv.Unquote(lit.Value)
			method, path, hasMethod := strings.Cut(p, " ")
			if !hasMethod || !strings.HasPrefix(strings.TrimSpace(path), "/") {
				t.Errorf("%s: pattern %q has no method: it serves every method", fset.Position(c.Pos()), p)
				return true
			}
			out[method+" "+strings.TrimSpace(path)] = true
			return true
		})
	}
	return out
}

// ---------- 8. schedules ----------

// TestSchedules: every schedule is one the local stack can keep exactly
// (infra/local/schedule rejects L, W and #), and the daily snapshot fires at
// 23:55 in Wuxi, every day, leap days and year ends included.
func TestSchedules(t *testing.T) {
	tpl := loadTemplate(t)
	all := tpl.Schedules()
	if len(all) == 0 {
		t.Fatal("template.yaml has no Schedule events")
	}
	parsed := map[string]*schedule.Schedule{}
	for _, s := range all {
		where := s.FunctionID + "." + s.EventName
		var loc *time.Location
		switch s.Type {
		case samtemplate.EventSchedule:
			if s.Timezone != "" {
				t.Errorf("%s: a Schedule event is always UTC but names time zone %q", where, s.Timezone)
			}
		case samtemplate.EventScheduleV2:
			if s.Timezone != "" {
				var err error
				if loc, err = time.LoadLocation(s.Timezone); err != nil {
					t.Errorf("%s: time zone %q: %v", where, s.Timezone, err)
					continue
				}
			}
		}
		sched, err := schedule.Parse(s.Expression, loc)
		if err != nil {
			t.Errorf("%s: %v", where, err)
			continue
		}
		parsed[where] = sched
	}

	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	snap := tpl.Functions["SnapshotFunction"]
	if snap == nil {
		t.Fatal("template.yaml has no SnapshotFunction")
	}
	if len(snap.Schedules) != 1 {
		t.Fatalf("SnapshotFunction has %d schedule events, want one daily: %+v", len(snap.Schedules), snap.Schedules)
	}
	ev := snap.Schedules[0]
	if !ev.Enabled {
		t.Errorf("SnapshotFunction.%s is disabled: no day would have its snapshot", ev.EventName)
	}
	sched := parsed["SnapshotFunction."+ev.EventName]
	if sched == nil {
		t.Fatalf("SnapshotFunction.%s: %q does not parse", ev.EventName, ev.Expression)
	}
	for _, from := range []time.Time{
		time.Date(2026, 6, 15, 12, 0, 0, 0, shanghai),
		time.Date(2027, 12, 31, 23, 55, 0, 0, shanghai), // a fire time itself
		time.Date(2028, 2, 28, 23, 56, 0, 0, shanghai),  // before a leap day
	} {
		prev := time.Time{}
		at := from
		for range 400 {
			next := sched.Next(at)
			local := next.In(shanghai)
			if local.Hour() != 23 || local.Minute() != 55 {
				t.Fatalf("SnapshotFunction %s: after %v fires at %v, want 23:55 Asia/Shanghai", ev.Expression, at.In(shanghai), local)
			}
			if !prev.IsZero() && next.Sub(prev) != 24*time.Hour {
				t.Fatalf("SnapshotFunction %s: fires at %v then %v, want every day", ev.Expression, prev.In(shanghai), local)
			}
			prev, at = next, next
		}
	}
}

// TestJobCallsAllowedByPolicy runs each job once against an empty table and
// holds the DynamoDB calls it makes to the function's policy, as
// TestHandlersServeTemplateRoutes does for the public routes.
func TestJobCallsAllowedByPolicy(t *testing.T) {
	tpl := loadTemplate(t)
	for _, id := range sortedKeys(jobs) {
		f := tpl.Functions[id]
		if f == nil {
			continue // TestConstructorTableCoversTemplate fails
		}
		t.Run(id, func(t *testing.T) {
			st, ids, _ := dbtest.Custody(t)
			job := jobs[id](lambdafn.Deps{Store: st, Identities: ids, Now: clock.Fixed(checkNow), Log: slog.New(slog.DiscardHandler)})
			ctx, tally := dbcalls.With(t.Context())
			// Whether the run succeeds on an empty table is the job's own
			// tests' business; what it called is this one's.
			_ = job(ctx, checkNow)
			ops := tally.Snapshot()
			t.Logf("%s made %v", id, ops)
			if len(ops) == 0 {
				t.Fatalf("%s made no DynamoDB call; the policy check is blind (is the tally still counted by the store's client?)", id)
			}
			checkAllowed(t, id, ops, allowedActions(f))
		})
	}
}

// checkAllowed fails for each DynamoDB operation in ops that the policy's
// allowed actions do not cover.
func checkAllowed(t *testing.T, who string, ops map[string]int, allowed map[string]bool) {
	t.Helper()
	for _, op := range sortedKeys(ops) {
		action := "dynamodb:" + op
		switch op {
		case "TransactGetItems":
			action = "dynamodb:GetItem"
		case "TransactWriteItems":
			continue // authorised item by item; not known from here
		}
		if !allowed[action] {
			t.Errorf("%s made DynamoDB %s, but the function's policy does not allow %s", who, op, action)
		}
	}
}

// TestWebHosting: the front end is a private bucket that only the site's
// CloudFront distribution reads (origin access control), over HTTPS, with
// the app's routes answered by index.html; sign-in comes back to that site,
// and the API lets that site (and no other) call it from a browser.
func TestWebHosting(t *testing.T) {
	tpl := loadTemplate(t)
	res := func(id, typ string) map[string]any {
		t.Helper()
		r, ok := tpl.Resources[id]
		if !ok || r.Type != typ {
			t.Fatalf("%s: want a %s, got %+v", id, typ, r)
		}
		return r.Properties
	}
	bucket := res("WebBucket", "AWS::S3::Bucket")
	block := mapOf(bucket["PublicAccessBlockConfiguration"])
	for _, k := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
		if block[k] != true {
			t.Errorf("WebBucket %s = %v, want true", k, block[k])
		}
	}
	if _, ok := bucket["WebsiteConfiguration"]; ok {
		t.Error("WebBucket must not be a public website endpoint")
	}

	policy := res("WebBucketPolicy", "AWS::S3::BucketPolicy")
	stmts, _ := mapOf(policy["PolicyDocument"])["Statement"].([]any)
	if len(stmts) != 1 {
		t.Fatalf("WebBucketPolicy: %d statements, want 1", len(stmts))
	}
	st := mapOf(stmts[0])
	cond := samtemplate.Render(mapOf(mapOf(st["Condition"])["StringEquals"])["AWS:SourceArn"])
	if samtemplate.Render(mapOf(st["Principal"])["Service"]) != "cloudfront.amazonaws.com" || st["Action"] != "s3:GetObject" ||
		!strings.Contains(cond, "distribution/${WebDistribution}") {
		t.Errorf("WebBucketPolicy must let only the WebDistribution read objects: %v", samtemplate.Render(st))
	}

	oac := mapOf(res("WebOriginAccessControl", "AWS::CloudFront::OriginAccessControl")["OriginAccessControlConfig"])
	if oac["OriginAccessControlOriginType"] != "s3" || oac["SigningBehavior"] != "always" || oac["SigningProtocol"] != "sigv4" {
		t.Errorf("origin access control %v", oac)
	}
	dist := mapOf(res("WebDistribution", "AWS::CloudFront::Distribution")["DistributionConfig"])
	origins, _ := dist["Origins"].([]any)
	if len(origins) != 1 {
		t.Fatalf("WebDistribution: %d origins, want the bucket", len(origins))
	}
	o := mapOf(origins[0])
	if samtemplate.Render(o["DomainName"]) != "!GetAtt WebBucket.RegionalDomainName" ||
		samtemplate.Render(o["OriginAccessControlId"]) != "!GetAtt WebOriginAccessControl.Id" ||
		mapOf(o["S3OriginConfig"])["OriginAccessIdentity"] != "" {
		t.Errorf("the origin must be the bucket through origin access control (no legacy OAI): %v", samtemplate.Render(o))
	}
	def := mapOf(dist["DefaultCacheBehavior"])
	if def["ViewerProtocolPolicy"] != "redirect-to-https" || def["Compress"] != true || dist["DefaultRootObject"] != "index.html" {
		t.Errorf("default behaviour %v, root %v", samtemplate.Render(def), dist["DefaultRootObject"])
	}
	spa := map[string]bool{}
	for _, e := range dist["CustomErrorResponses"].([]any) {
		m := mapOf(e)
		if m["ResponsePagePath"] == "/index.html" && fmt.Sprint(m["ResponseCode"]) == "200" {
			spa[fmt.Sprint(m["ErrorCode"])] = true
		}
	}
	if !spa["403"] || !spa["404"] {
		t.Errorf("the app's routes must answer index.html: %v", dist["CustomErrorResponses"])
	}

	client := res("UserPoolClient", "AWS::Cognito::UserPoolClient")
	for _, k := range []string{"CallbackURLs", "LogoutURLs"} {
		if got := samtemplate.Render(client[k]); got != "[!Sub https://${WebDistribution.DomainName}/]" {
			t.Errorf("UserPoolClient %s = %s, want the site", k, got)
		}
	}
	if samtemplate.Render(client["AllowedOAuthFlows"]) != "[code]" || client["GenerateSecret"] != false {
		t.Errorf("the web client is public and uses the authorization code flow (with PKCE): %v", samtemplate.Render(client))
	}
	res("UserPoolDomain", "AWS::Cognito::UserPoolDomain")
	cors := mapOf(res("HttpApi", "AWS::Serverless::HttpApi")["CorsConfiguration"])
	if got := samtemplate.Render(cors["AllowOrigins"]); got != "[!Sub https://${WebDistribution.DomainName}]" {
		t.Errorf("CORS origins %s, want only the site", got)
	}
	for _, out := range []string{"WebUrl", "WebBucketName", "WebDistributionId", "AuthDomain", "ApiUrl", "UserPoolId", "UserPoolClientId"} {
		if _, ok := tpl.Outputs[out]; !ok {
			t.Errorf("output %s missing: make deploy-web reads it", out)
		}
	}
}
