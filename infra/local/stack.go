package local

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/wuxi-enrol/enrol/infra/local/gateway"
	"github.com/wuxi-enrol/enrol/infra/localcognito"
	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/infra/localkms"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/infra/seed"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/beacon"
	"github.com/wuxi-enrol/enrol/shared/channels"
	"github.com/wuxi-enrol/enrol/shared/citybus"
	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/keycustody"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/metrics"
	"github.com/wuxi-enrol/enrol/shared/residents"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Audience is the local stand-in for the Cognito app client id.
const Audience = "enrol-local"

// oidcClaims are the claim names of the local stack's OIDC mode, the
// template's defaults of OidcGroupsClaim and OidcCentresClaim.
var oidcClaims = auth.Claims{Groups: "groups", Centres: "centre_ids", District: "district"}

// Options say how to run the stack.
type Options struct {
	Addr string // listen address; "127.0.0.1:0" picks a free port
	// DynamoDBEndpoint, if set, is used instead of the embedded server;
	// NoConsumedCapacity, that DynamoDB (moto) is not asked for consumed
	// capacity (config.Config.DynamoDBNoCapacity).
	DynamoDBEndpoint   string
	NoConsumedCapacity bool
	TableName          string
	Seed               bool
	TemplatePath       string
	// FunctionLog receives the functions' request lines; Log the stack's own.
	FunctionLog *slog.Logger
	Log         *slog.Logger
	// Metrics receives the functions' EMF metric lines, one per request or
	// scheduled run that counted something (standard output in Lambda);
	// nil discards them, so tests read them only where they ask.
	Metrics  io.Writer
	Progress func(format string, args ...any)
	// WebDir, if set, is the built front end (web/dist), served at / beside
	// the API with /config.json, as CloudFront serves it on AWS.
	WebDir string
	// RunSchedules runs each scheduled function once at start, so that
	// today's snapshot exists, then at its template schedule's fire times
	// until Close (make run). Without it, jobs run only when asked:
	// RunJob, POST /_local/schedule/{FunctionId}.
	RunSchedules bool
	// Now is the stack's clock (nil: the wall clock). Every function's
	// Deps.Now, the booking service, the seed, the schedules, the tokens and
	// the gateway read it, so a stack can run at any date: make run takes
	// ENROL_NOW, tests clock.From(a date).
	Now func() time.Time
	// Jobs are the scheduled functions' constructors by logical id; nil
	// means this package's Jobs. Tests put fake jobs here.
	Jobs map[string]func(lambdafn.Deps) lambdafn.Job
	// DynamoDBOptions configure every DynamoDB client the stack makes
	// further; tests inject faults here (infra/localdb/faults).
	DynamoDBOptions []func(*dynamodb.Options)
	// DataDir, if set, is the folder the stack keeps its data in across
	// restarts (data.go): the embedded DynamoDB's items (not an external
	// one's: DynamoDBEndpoint holds those), the KMS and signing keys, the
	// deleted users and the clock. The demo data is seeded only when the
	// folder is new. "" keeps everything in memory.
	DataDir string
	// OIDC runs the stack as AuthMode oidc deploys it (make run's
	// ENROL_AUTH=oidc): tokens carry the groups and centres in the claims
	// groups and centre_ids, which the functions read (GROUPS_CLAIM,
	// CENTRES_CLAIM); no function is told the user pool, so DELETE /v1/me
	// deletes no sign-in account and messages are in the app only.
	OIDC bool
	// Fresh empties DataDir first (make run FRESH=1).
	Fresh bool
	// NowAt is the ENROL_NOW instant Now was started from (zero: none), so
	// a restart on DataDir can tell whether to continue the kept clock.
	NowAt time.Time
	// Faults, if set, is a fault spec (faults.Parse; make run's
	// ENROL_FAULTS): the functions' DynamoDB calls meet those faults once
	// the stack is ready. The seed, the scheduled functions' start-up run
	// and the stack's own Store go without, so the demo data is whole.
	Faults string
	// Limits, if set, are the throttles and reserved concurrency the
	// gateway enforces instead of the template's at its parameters'
	// defaults (README, "Throttles and reserved concurrency"); tests set
	// small ones to see them bite.
	Limits *samtemplate.Limits
}

// Stack is a running enrol.
type Stack struct {
	URL    string
	Issuer *gateway.Issuer
	// Store and Booking reach the same table the functions use, for tests
	// and the seed.
	Store   *store.Store
	Booking *residents.Service
	Seeded  seed.Summary
	Routes  []samtemplate.Route
	// Cognito is the user pool stand-in: it records the users DELETE /v1/me
	// deleted, and the Issuer signs none of them in again.
	Cognito *localcognito.Server
	// Messages and Events record what the dispatcher sent to residents and
	// published on the city's bus (GET /_local/messages, /_local/events).
	Messages *channels.Recorder
	Events   *citybus.Recorder
	// Beacon is the stand-in for drand that lottery draws wait for, on the
	// stack's clock; its rounds are served at /_local/beacon/public/{round}.
	Beacon beacon.Local
	// Loaded is what the embedded DynamoDB found in DataDir (nil without
	// one, or with an external DynamoDB); Restarted, whether DataDir had
	// been set up by an earlier start (nothing was seeded now).
	Loaded    *localdb.Loaded
	Restarted bool

	db       *localdb.Server
	data     *dataFolder
	nowAt    time.Time
	kms      *localkms.Server
	endpoint string
	// env is what the stack hands its functions, before each takes the
	// variables its template entry declares.
	env  map[string]string
	tmpl *samtemplate.Template
	srv  *http.Server
	log  *slog.Logger
	now  func() time.Time
	// clock is what now reads: POST /_local/clock moves it on.
	clock *movedClock
	// ready is set once Start has seeded and run the jobs: until then
	// /_local/health answers 503.
	ready atomic.Bool
	// faults is the injector on the functions' clients when Options.Faults
	// is set, else nil.
	faults     *faults.Injector
	faultsSpec string

	jobs      map[string]*job
	schedules []JobSchedule
	// triggers are the user pool's trigger handlers (accounts.go).
	triggers poolTriggers
	// stopSchedules ends the RunSchedules goroutines; scheduling waits for them.
	stopSchedules context.CancelFunc
	scheduling    sync.WaitGroup
	// streams are the stand-ins for the event source mappings (streams.go).
	streams streamFeeds
}

// DynamoDBEndpoint is the DynamoDB the stack uses.
func (s *Stack) DynamoDBEndpoint() string { return s.endpoint }

// Now is the time on the stack's clock.
func (s *Stack) Now() time.Time { return s.now() }

// Start brings the stack up: DynamoDB, table, functions, gateway, seed.
func Start(ctx context.Context, o Options) (*Stack, error) {
	o = withDefaults(o)
	clk := &movedClock{base: o.Now}
	o.Now = clk.now
	progress := o.Progress
	tmpl, err := samtemplate.Load(o.TemplatePath)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", o.TemplatePath, err)
	}
	// A function without a constructor or a schedule this stack cannot keep
	// stops it here, before anything has started.
	if err := checkFunctions(tmpl, o.Jobs); err != nil {
		return nil, err
	}
	limits := o.Limits
	if limits == nil {
		if limits, err = templateLimits(o.TemplatePath, tmpl); err != nil {
			return nil, err
		}
	}
	schedules, err := parseSchedules(tmpl)
	if err != nil {
		return nil, err
	}
	st := &Stack{log: o.Log, schedules: schedules, now: o.Now, clock: clk, tmpl: tmpl, nowAt: o.NowAt,
		Messages: &channels.Recorder{Now: o.Now}, Events: &citybus.Recorder{Now: o.Now}}
	// The functions' clients carry the injector from the start, with no
	// rule until the stack is ready.
	var applyFaults func(*faults.Injector)
	fnDB := o.DynamoDBOptions
	if o.Faults != "" {
		if applyFaults, err = faults.Parse(o.Faults); err != nil {
			return nil, fmt.Errorf("ENROL_FAULTS: %w", err)
		}
		st.faults, st.faultsSpec = &faults.Injector{}, o.Faults
		fnDB = append(slices.Clone(o.DynamoDBOptions), st.faults.Option)
	}
	o.Jobs = st.withLocalOutlets(o.Jobs)
	fail := func(err error) (*Stack, error) { st.Close(); return nil, err }
	var setup *setupState
	if o.DataDir != "" {
		if st.data, err = openDataFolder(o.DataDir, o.Fresh, progress); err != nil {
			return nil, err
		}
		if setup, err = st.data.setup(); err != nil {
			return fail(err)
		}
		if err := st.data.restoreClock(clk, o.NowAt, progress); err != nil {
			return fail(err)
		}
		progress("数据目录 / data folder: %s", o.DataDir)
	}
	endpoint := o.DynamoDBEndpoint
	switch {
	case endpoint != "":
		progress("使用 DynamoDB / using DynamoDB at %s（数据由它保存 / it holds the data）", endpoint)
	case st.data != nil:
		if st.db, st.Loaded, err = localdb.Open("127.0.0.1:0", st.data.path(dynamoDBDir)); err != nil {
			return fail(fmt.Errorf("embedded DynamoDB: %w", err))
		}
		endpoint = st.db.URL
		progress("内嵌 DynamoDB / embedded DynamoDB: %s, %s", endpoint, loadedLine(st.Loaded))
		if st.Loaded.TornNote != "" {
			progress("%s", st.Loaded.TornNote)
		}
	default:
		if st.db, err = localdb.Start("127.0.0.1:0"); err != nil {
			return nil, fmt.Errorf("embedded DynamoDB: %w", err)
		}
		endpoint = st.db.URL
		progress("内嵌 DynamoDB / embedded DynamoDB: %s（仅在内存中 / in memory only）", endpoint)
	}
	st.endpoint = endpoint
	// The KMS stand-in: the identity and personal-data keys exist only in
	// its memory, for as long as the stack runs, or are kept in the data
	// folder, without which what was sealed could not be opened again.
	if st.data != nil {
		st.kms, err = localkms.Open("127.0.0.1:0", st.data.path(kmsKeysFile))
	} else {
		st.kms, err = localkms.Start("127.0.0.1:0")
	}
	if err != nil {
		return fail(fmt.Errorf("KMS stand-in: %w", err))
	}
	progress("KMS 替身 / KMS stand-in: %s", st.kms.URL)
	if st.data != nil {
		st.Cognito, err = localcognito.Open("127.0.0.1:0", st.data.path(deletedFile))
		if err == nil {
			err = st.Cognito.KeepUsers(st.data.path(usersFile))
		}
	} else {
		st.Cognito, err = localcognito.Start("127.0.0.1:0")
	}
	if err != nil {
		return fail(fmt.Errorf("the Cognito stand-in: %w", err))
	}
	progress("Cognito 替身 / Cognito stand-in: %s", st.Cognito.URL)

	// Listening first: the functions are told the stack's address
	// (API_URL, which calendar feed addresses start with).
	ln, err := net.Listen("tcp", o.Addr)
	if err != nil {
		return fail(fmt.Errorf("listening on %s: %w", o.Addr, err))
	}
	st.URL = "http://" + ln.Addr().String()
	fail = func(err error) (*Stack, error) { ln.Close(); st.Close(); return nil, err }
	st.Beacon = newBeacon(o.Now, st.URL)
	env := map[string]string{
		"API_URL":    st.URL,
		"TABLE_NAME": o.TableName, "LOG_LEVEL": "INFO",
		"DYNAMODB_ENDPOINT": endpoint, "AWS_REGION": "cn-north-1",
		"KMS_ENDPOINT": st.kms.URL, "IDENTITY_KEY_ID": st.kms.IdentityKey, "PERSONAL_DATA_KEY_ID": st.kms.PersonalDataKey,
		"COGNITO_ENDPOINT": st.Cognito.URL, "USER_POOL_ID": st.Cognito.PoolID,
		// The local issuer's tokens name the claims as Cognito does.
		"GROUPS_CLAIM": auth.CognitoGroupsClaim, "CENTRES_CLAIM": auth.CognitoCentresClaim, "DISTRICT_CLAIM": auth.CognitoDistrictClaim,
	}
	maps.Copy(env, localEnv)
	if o.NoConsumedCapacity {
		env["DYNAMODB_NO_CONSUMED_CAPACITY"] = "1"
	}
	if o.OIDC {
		env["GROUPS_CLAIM"], env["CENTRES_CLAIM"], env["DISTRICT_CLAIM"], env["USER_POOL_ID"] = oidcClaims.Groups, oidcClaims.Centres, oidcClaims.District, ""
	}
	st.env = env
	base, err := config.FromLookup(lookup(env))
	if err != nil {
		return fail(err)
	}
	db, err := store.NewClient(ctx, base, o.DynamoDBOptions...)
	if err != nil {
		return fail(err)
	}
	if err := localdb.CreateTable(ctx, db, tmpl, o.TableName); err != nil {
		return fail(fmt.Errorf("creating table %s: %w", o.TableName, err))
	}
	progress("数据表 / table: %s（定义取自 template.yaml）", o.TableName)
	// The stack's own store (tests, the seed) holds the keys as the
	// bookings function does.
	var ids *keycustody.Identities
	if st.Store, ids, err = lambdafn.Custody(ctx, base, db); err != nil {
		return fail(err)
	}
	st.Booking = &residents.Service{Store: st.Store, Now: o.Now}

	fnOpts := o
	fnOpts.DynamoDBOptions = fnDB
	handlers, jobs, streams, err := buildFunctions(ctx, tmpl, env, fnOpts, st.Beacon)
	if err != nil {
		return fail(err)
	}
	st.jobs = jobs
	// Before the seed, as the mapping exists before any booking on AWS.
	if err := st.startStreams(ctx, tmpl, base, db, o.TableName, streams); err != nil {
		return fail(err)
	}
	st.triggers = newPoolTriggers(tmpl, handlers)
	if st.data != nil {
		st.Issuer, err = gateway.OpenIssuer(st.URL+"/_local", Audience, o.Now, st.data.path(signingKeyFile))
	} else {
		st.Issuer, err = gateway.NewIssuer(st.URL+"/_local", Audience, o.Now)
	}
	if err != nil {
		return fail(err)
	}
	st.Issuer.RefuseDeleted(st.Cognito.Deleted)
	// The stand-in takes the local ID token as the access token, verified
	// as the gateway verifies it: an expired or forged one is refused as
	// Cognito refuses a bad access token, so the web's "sign in again" path
	// is the real one. Codes are checked at the stack's clock.
	st.Cognito.SetClock(o.Now)
	st.Cognito.VerifyAccessTokens(func(tok string) (string, error) {
		c, err := st.Issuer.Verify("Bearer " + tok)
		return c["sub"], err
	})
	if o.OIDC {
		st.Issuer.NameClaims(oidcClaims)
	} else {
		// Cognito's tokens pass through the pool's PreTokenGeneration trigger;
		// the city's provider has none of ours.
		st.Issuer.BeforeMint(st.preTokenGeneration)
	}
	st.Routes = tmpl.Routes()
	var web http.Handler
	if o.WebDir != "" {
		web = webHandler(o.WebDir, webConfig(o.OIDC))
	}
	timeouts := map[string]time.Duration{}
	for id, f := range tmpl.Functions {
		timeouts[id] = time.Duration(f.Timeout) * time.Second
	}
	gw, err := gateway.New(gateway.Config{
		Routes: st.Routes, Handlers: handlers, Timeouts: timeouts, Issuer: st.Issuer, Logger: o.Log, Fallback: web,
		Local: map[string]http.Handler{runJobPattern: http.HandlerFunc(st.serveRunJob),
			messagesPattern: http.HandlerFunc(st.serveMessages), eventsPattern: http.HandlerFunc(st.serveEvents),
			beaconPattern: http.HandlerFunc(st.serveBeacon), clockPattern: http.HandlerFunc(st.serveClock),
			faultsPattern: http.HandlerFunc(st.serveFaults), signupPattern: http.HandlerFunc(st.serveSignup),
			"POST " + cognitoPath: st.Cognito.UserAPI()},
		Now: o.Now, Ready: st.ready.Load, Limits: limits,
	})
	if err != nil {
		return fail(err)
	}
	st.srv = &http.Server{Handler: gw, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = st.srv.Serve(ln) }()
	progress("网关 / gateway: %s（就绪前 /_local/health 答 503 / answers 503 until ready）", st.URL)
	progress("限流 / admission: %s（GET /_local/admission）", limitsText(limits))

	switch {
	case setup != nil:
		st.Restarted, st.Seeded = true, setup.Seeded
		progress("沿用数据目录中的数据，不再写入演示数据 / the data folder's data carries on; no demo data is seeded (ENROL_FRESH=1 starts afresh)")
	case o.Seed:
		t0 := time.Now()
		st.Seeded, err = seed.Run(ctx, seed.Deps{Store: st.Store, Booking: st.Booking, Identities: ids, Now: o.Now, Progress: o.Progress, Beacon: st.Beacon})
		if err != nil {
			return fail(fmt.Errorf("seeding: %w", err))
		}
		progress("演示数据就绪 / demo data ready in %s", time.Since(t0).Round(time.Millisecond))
	}
	if st.data != nil && setup == nil {
		if err := st.data.saveSetup(setupState{DemoData: o.Seed, Seeded: st.Seeded}); err != nil {
			return fail(err)
		}
	}
	// After the seed, so no job reads a half-seeded table.
	if o.RunSchedules {
		st.runJobsOnce(ctx, progress)
		st.startSchedules(stackClock{o.Now})
	}
	if applyFaults != nil {
		st.faults.Clear() // count from here: the start-up runs met no fault
		applyFaults(st.faults)
		progress("故障注入已开启 / fault injection on: %s（ENROL_FAULTS=%s）", st.faults, o.Faults)
	}
	st.ready.Store(true)
	return st, nil
}

// limitsText says the limits in force in a line.
func limitsText(l *samtemplate.Limits) string {
	var parts []string
	rates := map[samtemplate.Throttle]int{}
	for _, th := range l.Routes {
		rates[th]++
	}
	for th, n := range rates {
		parts = append(parts, fmt.Sprintf("%d 条路由另设 / %d routes of their own %g/s 突发 / burst %d", n, n, th.Rate, th.Burst))
	}
	for fn, c := range l.Reserved {
		parts = append(parts, fmt.Sprintf("%s 预留并发 / reserved concurrency %d", fn, c))
	}
	slices.Sort(parts)
	if l.Default != nil {
		parts = append([]string{fmt.Sprintf("每条路由 / every route %g/s 突发 / burst %d", l.Default.Rate, l.Default.Burst)}, parts...)
	}
	if len(parts) == 0 {
		return "无 / none"
	}
	return strings.Join(parts, "；")
}

// templateLimits are the template's throttles and reservations as a
// deployment that sets no parameter gets them.
func templateLimits(path string, tmpl *samtemplate.Template) (*samtemplate.Limits, error) {
	v := tmpl.ParameterDefaults()
	deployed, err := samtemplate.LoadFor(path, v)
	if err != nil {
		return nil, err
	}
	l, err := deployed.Limits(v)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return &l, nil
}

// checkFunctions: every template function is either an HTTP function (in
// Functions), a scheduled one (in Jobs) or a user pool trigger (in
// Triggers, named by the pool's LambdaConfig), and one with Schedule events
// is a job: Lambda gives a function one handler, which takes one kind of
// event.
func checkFunctions(tmpl *samtemplate.Template, jobs map[string]func(lambdafn.Deps) lambdafn.Job) error {
	triggers := tmpl.TriggerFunctions()
	for _, id := range tmpl.FunctionLogicalIDs() {
		f := tmpl.Functions[id]
		_, isHTTP := Functions[id]
		_, isJob := jobs[id]
		_, isTrigger := Triggers[id]
		switch {
		case triggers[id] && (len(f.Routes) > 0 || len(f.Schedules) > 0 || isHTTP || isJob):
			return fmt.Errorf("template function %s is a user pool trigger and so takes Cognito's events alone", id)
		case triggers[id] && !isTrigger:
			return fmt.Errorf("template function %s is a user pool trigger but has no local constructor in Triggers in infra/local/functions.go", id)
		case triggers[id]:
			continue
		case len(f.Routes) > 0 && len(f.Schedules) > 0:
			return fmt.Errorf("template function %s has both HttpApi and Schedule events; a function is one or the other", id)
		case isHTTP && isJob:
			return fmt.Errorf("%s is in both Functions and Jobs in infra/local/functions.go", id)
		case len(f.Schedules) > 0 && !isJob:
			return fmt.Errorf("template function %s runs on a schedule but has no local constructor in Jobs in infra/local/functions.go", id)
		case len(f.Routes) > 0 && !isHTTP:
			return fmt.Errorf("template function %s has HttpApi routes but no local constructor in Functions in infra/local/functions.go", id)
		case !isHTTP && !isJob:
			return fmt.Errorf("template function %s has no local constructor in infra/local/functions.go", id)
		}
	}
	return nil
}

// buildFunctions gives every template function its handler, configured from
// the environment variables the template declares for it, so a variable the
// template adds without a local value stops the stack instead of drifting.
// HTTP functions are for the gateway; jobs for the scheduler and RunJob.
func buildFunctions(ctx context.Context, tmpl *samtemplate.Template, env map[string]string, o Options, bc beacon.Beacon) (map[string]lambda.Handler, map[string]*job, map[string]lambdafn.StreamHandler, error) {
	jobCtors, log, now := o.Jobs, o.FunctionLog, o.Now
	handlers := map[string]lambda.Handler{}
	jobs := map[string]*job{}
	streams := map[string]lambdafn.StreamHandler{}
	reads := map[string]bool{} // the functions a stream mapping invokes
	for _, ev := range tmpl.Streams() {
		reads[ev.FunctionID] = true
	}
	for _, id := range tmpl.FunctionLogicalIDs() {
		f := tmpl.Functions[id]
		fnEnv, err := functionEnv(f, env)
		if err != nil {
			return nil, nil, nil, err
		}
		cfg, err := config.FromLookup(lookup(fnEnv))
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", id, err)
		}
		deps, err := lambdafn.Load(ctx, cfg, log.With("function", id), o.DynamoDBOptions...)
		if err != nil {
			return nil, nil, nil, fmt.Errorf("%s: %w", id, err)
		}
		deps.Now, deps.Beacon = now, bc
		deps.Metrics = metrics.NewSink(o.Metrics, "enrol-local", id, now)
		if build, ok := Streams[id]; ok && reads[id] {
			streams[id] = build(deps)
		}
		if build, ok := Triggers[id]; ok {
			handlers[id] = build(deps)
			continue
		}
		if build, ok := jobCtors[id]; ok {
			jobs[id] = newJob(id, lambdafn.JobHandler(build(deps), now, deps.Metrics), f.Timeout)
			continue
		}
		build, ok := Functions[id]
		if !ok {
			return nil, nil, nil, fmt.Errorf("template function %s has no local constructor in infra/local/functions.go", id)
		}
		handlers[id] = lambdafn.Handler(build(deps), deps.Metrics)
	}
	return handlers, jobs, streams, nil
}

// functionEnv is the environment the stack gives function f: the local
// endpoints and region, and the variables its template entry declares, with
// local values (a key is named by its ARN on the KMS stand-in; no function
// gets a key its template entry does not name).
func functionEnv(f *samtemplate.Function, env map[string]string) (map[string]string, error) {
	fnEnv := map[string]string{}
	for _, name := range []string{"DYNAMODB_ENDPOINT", "AWS_REGION", "KMS_ENDPOINT", "COGNITO_ENDPOINT"} {
		fnEnv[name] = env[name]
	}
	for name := range f.Environment {
		v, ok := env[name]
		if !ok {
			return nil, fmt.Errorf("%s: no local value for environment variable %s", f.LogicalID, name)
		}
		fnEnv[name] = v
	}
	return fnEnv, nil
}

// FunctionEnv is the environment the stack gave the function with logical
// id id (the attacker test reads what a function's configuration holds).
func (s *Stack) FunctionEnv(id string) (map[string]string, error) {
	f, ok := s.tmpl.Functions[id]
	if !ok {
		return nil, fmt.Errorf("no function %s in the template", id)
	}
	return functionEnv(f, s.env)
}

// Token mints a local JWT, as Cognito would issue after sign-in; a user
// deleted from the pool cannot sign in (gateway.ErrDeleted).
func (s *Stack) Token(sub string, groups []string, centreIDs ...string) (string, error) {
	return s.Issuer.Mint(sub, groups, centreIDs, time.Hour)
}

// DistrictToken is an hour's token for a district officer of district.
func (s *Stack) DistrictToken(sub, district string) (string, error) {
	return s.Issuer.MintDistrict(sub, []string{"district-officers"}, nil, district, time.Hour)
}

// Close stops the stream mappings and the schedules (cancelling a job or a
// batch they run), the gateway and the embedded DynamoDB.
func (s *Stack) Close() error {
	s.stopStreams()
	if s.stopSchedules != nil {
		s.stopSchedules()
		s.scheduling.Wait()
	}
	var errs []error
	if s.srv != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		errs = append(errs, s.srv.Shutdown(ctx))
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	if s.kms != nil {
		errs = append(errs, s.kms.Close())
	}
	if s.Cognito != nil {
		errs = append(errs, s.Cognito.Close())
	}
	if s.data != nil {
		errs = append(errs, s.data.unlock())
	}
	return errors.Join(errs...)
}

func withDefaults(o Options) Options {
	if o.Addr == "" {
		o.Addr = "127.0.0.1:3000"
	}
	if o.TableName == "" {
		o.TableName = "enrol-local"
	}
	if o.TemplatePath == "" {
		o.TemplatePath = localdb.TemplatePath()
	}
	if o.Jobs == nil {
		o.Jobs = Jobs
	}
	discard := slog.New(slog.DiscardHandler)
	if o.Log == nil {
		o.Log = discard
	}
	if o.FunctionLog == nil {
		o.FunctionLog = discard
	}
	if o.Progress == nil {
		o.Progress = func(string, ...any) {}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

func lookup(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

// Getenv reads the stack's settings from the environment, once: PORT,
// DYNAMODB_ENDPOINT, TABLE_NAME, WEB_DIR (default web/dist); ENROL_NOW, an
// instant (RFC 3339, or a date for its midnight in Wuxi) at which the
// stack's clock starts, to advance in real time from there (default: the
// wall clock); ENROL_DATA, the data folder (default build/local-data;
// "none": keep nothing); ENROL_FRESH=1, empty it first; ENROL_SEED=0, no
// demo data in a new folder; ENROL_FAULTS, a fault spec (faults.Parse:
// "5%", "rate=0.05,kinds=throttling,conflict", …; default none);
// ENROL_AUTH=oidc, tokens and functions as AuthMode oidc (Options.OIDC).
func Getenv() (Options, error) {
	o := Options{
		DynamoDBEndpoint: os.Getenv("DYNAMODB_ENDPOINT"),
		TableName:        os.Getenv("TABLE_NAME"),
		Seed:             true,
		WebDir:           os.Getenv("WEB_DIR"),
		DataDir:          cmp.Or(os.Getenv("ENROL_DATA"), DefaultDataDir),
	}
	if o.DataDir == noDataDirMarker {
		o.DataDir = ""
	}
	for name, to := range map[string]*bool{"ENROL_FRESH": &o.Fresh, "ENROL_SEED": &o.Seed} {
		switch v := os.Getenv(name); v {
		case "":
		case "1", "true", "yes":
			*to = true
		case "0", "false", "no":
			*to = false
		default:
			return o, fmt.Errorf("%s=%q: 应为 1 或 0 / want 1 or 0", name, v)
		}
	}
	if o.WebDir == "" {
		o.WebDir = filepath.Join("web", "dist") // make run runs in the repo's root
	}
	port := os.Getenv("PORT")
	if port == "" {
		port = "3000"
	}
	o.Addr = "127.0.0.1:" + port
	if v := os.Getenv("ENROL_NOW"); v != "" {
		at, err := clock.Parse(v)
		if err != nil {
			return o, fmt.Errorf("ENROL_NOW: %w", err)
		}
		o.Now, o.NowAt = clock.From(at), at
	}
	switch a := os.Getenv("ENROL_AUTH"); a {
	case "", "cognito":
	case "oidc":
		o.OIDC = true
	default:
		return o, fmt.Errorf("ENROL_AUTH=%q: 应为 cognito 或 oidc / want cognito or oidc", a)
	}
	if o.Faults = os.Getenv("ENROL_FAULTS"); o.Faults != "" {
		if _, err := faults.Parse(o.Faults); err != nil {
			return o, fmt.Errorf("ENROL_FAULTS: %w", err)
		}
	}
	return o, nil
}
