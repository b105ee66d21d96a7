package lambdaruntime_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/wuxi-enrol/enrol/infra/lambdaruntime"
	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

// coldStart is one function's figures.
type coldStart struct {
	id, event    string
	memorySize   int   // MB, the template's
	arm64        int64 // bytes of the Lambda build's bootstrap
	init, invoke []time.Duration
	status       string
	peak         []int64 // VmHWM after the first invocation, bytes
}

// BenchmarkColdStart starts every template function's bootstrap, built for
// this machine as the Lambda build builds it (-tags lambda.norpc -trimpath
// -ldflags="-s -w"), as Lambda would, behind lambdaruntime's runtime API,
// with the environment the local stack gives it (its DynamoDB, KMS and
// Cognito stand-ins; a table holding one centre). Each iteration is a new process:
// init (start to its first /next), one first invocation (a GET route of
// the function's, the most common trigger, or a scheduled run), memory.
// It prints a table of medians with each arm64 bootstrap's size (make
// build-<Id>). Nothing is asserted of times: they are this machine's.
func BenchmarkColdStart(b *testing.B) {
	root := filepath.Dir(localdb.TemplatePath())
	tmpl, err := samtemplate.Load(localdb.TemplatePath())
	if err != nil {
		b.Fatal(err)
	}
	st, err := local.Start(context.Background(), local.Options{Addr: "127.0.0.1:0"})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	// One centre, whose staff the GET routes' caller is (custom:centre_ids).
	if err := st.Store.PutCentre(context.Background(), dbtest.Centre("bench", "binhu"), false); err != nil {
		b.Fatal(err)
	}

	ids := make([]string, 0, len(tmpl.Functions))
	for id := range tmpl.Functions {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	dir := b.TempDir()
	var figures []*coldStart
	for _, id := range ids {
		f := tmpl.Functions[id]
		pkg := "./functions/" + strings.ToLower(strings.TrimSuffix(id, "Function")) + "/lambda"
		host := filepath.Join(dir, id, "host", "bootstrap")
		run(b, root, nil, "go", "build", "-tags", "lambda.norpc", "-trimpath", "-ldflags=-s -w", "-o", host, pkg)
		arm64 := filepath.Join(dir, id, "arm64")
		run(b, root, nil, "make", "--no-print-directory", "build-"+id, "ARTIFACTS_DIR="+arm64)
		fi, err := os.Stat(filepath.Join(arm64, "bootstrap"))
		if err != nil {
			b.Fatal(err)
		}
		env, err := st.FunctionEnv(id)
		if err != nil {
			b.Fatal(err)
		}
		// What Lambda sets beside the template's variables: the execution
		// role's credentials (dummies: every endpoint here is a stand-in),
		// the function's name, memory and log group.
		env["AWS_ACCESS_KEY_ID"], env["AWS_SECRET_ACCESS_KEY"], env["AWS_SESSION_TOKEN"] = "bench", "bench", "bench"
		env["AWS_LAMBDA_FUNCTION_NAME"], env["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = id, strconv.Itoa(f.MemorySize)
		env["AWS_LAMBDA_LOG_GROUP_NAME"], env["TZ"] = "/aws/lambda/enrol-bench/"+id, ":UTC"
		name, event := firstEvent(f, st.Now())
		cs := &coldStart{id: id, event: name, memorySize: f.MemorySize, arm64: fi.Size()}
		figures = append(figures, cs)
		b.Run(id, func(b *testing.B) {
			cs.init, cs.invoke, cs.peak = nil, nil, nil
			for range b.N {
				measure(b, cs, host, env, event, time.Duration(f.Timeout)*time.Second)
			}
			b.ReportMetric(ms(median(cs.init)), "init-ms")
			b.ReportMetric(ms(median(cs.invoke)), "first-invoke-ms")
			b.ReportMetric(float64(median(cs.peak))/(1<<20), "max-RSS-MiB")
			b.ReportMetric(float64(cs.arm64)/(1<<20), "arm64-MiB")
		})
	}

	w := tabwriter.NewWriter(os.Stdout, 2, 0, 2, ' ', 0)
	fmt.Fprintln(os.Stdout, "cold start, medians of the iterations above (bootstrap built for this host; sizes of the arm64 Lambda build):")
	fmt.Fprintln(w, "function\tarm64 bootstrap MiB\tinit ms\tfirst invoke ms\tmax RSS MiB\tMemorySize MB\tfirst invocation\t")
	for _, cs := range figures {
		fmt.Fprintf(w, "%s\t%.2f\t%.1f\t%.1f\t%.1f\t%d\t%s → %s\t\n", cs.id, float64(cs.arm64)/(1<<20),
			ms(median(cs.init)), ms(median(cs.invoke)), float64(median(cs.peak))/(1<<20), cs.memorySize, cs.event, cs.status)
	}
	w.Flush()
}

// measure is one cold start of cs's function.
func measure(b *testing.B, cs *coldStart, bin string, env map[string]string, event []byte, timeout time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var out strings.Builder
	p, err := lambdaruntime.Start(bin, lambdaruntime.Options{Env: env, Timeout: timeout, Stdout: &out, Stderr: &out})
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	init, err := p.WaitInit(ctx)
	if err != nil {
		b.Fatalf("%s: %v\n%s", cs.id, err, out.String())
	}
	res, err := p.Invoke(ctx, event)
	if err != nil {
		b.Fatalf("%s: %v\n%s", cs.id, err, out.String())
	}
	m, err := p.Memory()
	if err != nil {
		b.Fatal(err)
	}
	cs.init, cs.invoke, cs.peak = append(cs.init, init), append(cs.invoke, res.Duration), append(cs.peak, m.Peak)
	cs.status = outcome(res)
}

// firstEvent is the event of a first invocation: for an API function, its
// GET route with the fewest path parameters (public if it has one), from a
// caller in every group; for a scheduled one, its schedule firing now; for
// a user pool trigger, a resident's own sign-up.
func firstEvent(f *samtemplate.Function, now time.Time) (string, []byte) {
	var routes []samtemplate.Route
	for _, r := range f.Routes {
		if r.Method == "GET" {
			routes = append(routes, r)
		}
	}
	slices.SortStableFunc(routes, func(a, b samtemplate.Route) int {
		return strings.Count(a.Path, "{") - strings.Count(b.Path, "{")
	})
	var ev any
	name := ""
	switch {
	case len(routes) > 0:
		r := routes[0]
		path, params := r.Path, map[string]string{}
		for strings.Contains(path, "{") {
			i, j := strings.Index(path, "{"), strings.Index(path, "}")
			params[path[i+1:j]] = "bench"
			path = path[:i] + "bench" + path[j+1:]
		}
		req := events.APIGatewayV2HTTPRequest{
			Version: "2.0", RouteKey: r.Key(), RawPath: path, PathParameters: params,
			Headers: map[string]string{"host": "api.local", "accept": "application/json"},
			RequestContext: events.APIGatewayV2HTTPRequestContext{
				RouteKey: r.Key(), Stage: "$default", RequestID: "bench", APIID: "bench", DomainName: "api.local",
				TimeEpoch: now.UnixMilli(),
				HTTP:      events.APIGatewayV2HTTPRequestContextHTTPDescription{Method: "GET", Path: path, Protocol: "HTTP/1.1", SourceIP: "127.0.0.1"},
			},
		}
		if !r.Public() {
			req.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
				JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: map[string]string{
					"sub": "bench-user", "token_use": "id", "cognito:groups": "[residents centre-staff city-officers]", "custom:centre_ids": "bench",
				}},
			}
		}
		ev, name = req, r.Key()
	case len(f.Schedules) > 0:
		ev = events.CloudWatchEvent{DetailType: "Scheduled Event", Source: "aws.events", Time: now.UTC(), Detail: json.RawMessage(`{}`)}
		name = "scheduled run"
	default:
		ev = map[string]any{
			"version": "1", "triggerSource": "PreSignUp_SignUp", "region": "cn-north-1", "userPoolId": "cn-north-1_bench", "userName": "bench-user",
			"request":  map[string]any{"userAttributes": map[string]string{"phone_number": "+8613800000000"}},
			"response": map[string]any{},
		}
		name = "PreSignUp_SignUp"
	}
	body, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return name, body
}

// outcome is an answer in a word: the HTTP status an API function gave,
// or ok / failed.
func outcome(res lambdaruntime.Result) string {
	if res.Failed {
		return "failed"
	}
	var r struct {
		StatusCode int `json:"statusCode"`
	}
	if json.Unmarshal(res.Body, &r) == nil && r.StatusCode != 0 {
		return strconv.Itoa(r.StatusCode)
	}
	return "ok"
}

func run(b *testing.B, dir string, env []string, name string, args ...string) {
	b.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir, cmd.Env = dir, append(os.Environ(), env...)
	if out, err := cmd.CombinedOutput(); err != nil {
		b.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}

func median[T int64 | time.Duration](xs []T) T {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
