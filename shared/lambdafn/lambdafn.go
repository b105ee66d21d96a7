// Package lambdafn wires an enrol function: its dependencies, read once from
// the environment, and the adapter that turns its http.Handler into the
// Lambda handler that both AWS and the local gateway invoke.
package lambdafn

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/wuxi-enrol/enrol/shared/beacon"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/keycustody"
	"github.com/wuxi-enrol/enrol/shared/metrics"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Deps are what every function is built from.
type Deps struct {
	Store *store.Store
	// Identities turns ID numbers into identities (KMS GenerateMac); nil in
	// a function whose configuration names no identity key.
	Identities *keycustody.Identities
	// Config is the function's configuration, read once, for what only
	// some functions build (BookingsFunction's Cognito client, signin).
	Config config.Config
	Log    *slog.Logger
	Now    func() time.Time
	// Beacon is the public randomness lottery draws wait for: drand's
	// quicknet through cfg.DrandRelays (the local stack sets its stand-in).
	Beacon beacon.Beacon
	// Metrics receives each invocation's counts as EMF lines (standard
	// output in Lambda; the local stack's choice there); nil discards.
	Metrics *metrics.Sink
}

// Load builds Deps from a Config, the drand beacon included; opts
// configure the DynamoDB client further (the local stack's tests inject
// faults).
func Load(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...func(*dynamodb.Options)) (Deps, error) {
	d, err := load(ctx, cfg, log, opts...)
	return withDrand(d), err
}

// load is Load without the beacon: a function's entry point adds it only
// where WithBeacon asks, since drand's verification (BLS12-381) is linked
// only into the bootstraps that call it.
func load(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...func(*dynamodb.Options)) (Deps, error) {
	db, err := store.NewClient(ctx, cfg, opts...)
	if err != nil {
		return Deps{}, err
	}
	st, ids, err := Custody(ctx, cfg, db)
	if err != nil {
		return Deps{}, err
	}
	return Deps{Store: st, Identities: ids, Config: cfg, Log: log, Now: time.Now}, nil
}

func withDrand(d Deps) Deps {
	d.Beacon = beacon.NewDrand(&http.Client{Timeout: 5 * time.Second}, d.Config.DrandRelays)
	return d
}

// WithBeacon is build given the drand beacon the configuration names
// (Deps.Beacon): the entry point of a function that fixes or runs draws
// (centres, city, draws) wraps its constructor in it. The others go
// without, and their bootstraps without its code (README, "Cold start and
// size"); infra/templatecheck holds the two together.
func WithBeacon[T any](build func(Deps) T) func(Deps) T {
	return func(d Deps) T { return build(withDrand(d)) }
}

// Custody is the store over db and the identities, with the keys cfg names:
// personal fields sealed under a data key wrapped by cfg.PersonalDataKeyID
// (kept in the table's keyring), identities from cfg.IdentityKeyID. A key
// cfg does not name is not there: that function cannot use it.
func Custody(ctx context.Context, cfg config.Config, db *dynamodb.Client) (*store.Store, *keycustody.Identities, error) {
	if cfg.IdentityKeyID == "" && cfg.PersonalDataKeyID == "" {
		return store.New(db, cfg.TableName, nil), nil, nil
	}
	k, err := keycustody.NewClient(ctx, cfg)
	if err != nil {
		return nil, nil, err
	}
	var (
		sealer store.Sealer
		ids    *keycustody.Identities
	)
	if cfg.PersonalDataKeyID != "" {
		sealer = keycustody.NewSealer(k, cfg.PersonalDataKeyID, store.NewKeyring(db, cfg.TableName))
	}
	if cfg.IdentityKeyID != "" {
		ids = keycustody.NewIdentities(k, cfg.IdentityKeyID)
	}
	return store.New(db, cfg.TableName, sealer), ids, nil
}

// Handler is the Lambda handler for h: an API Gateway payload 2.0 event in,
// a response out, through aws-lambda-go-api-proxy's V2 adapter. Each
// invocation (one request) counts into a fresh recorder, flushed to m once
// it has answered.
func Handler(h http.Handler, m *metrics.Sink) lambda.Handler {
	a := httpadapter.NewV2(h)
	return lambda.NewHandler(func(ctx context.Context, ev events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
		ctx, rec := metrics.With(ctx)
		defer flush(m, rec)
		return a.ProxyWithContext(ctx, ev)
	})
}

// flush writes an invocation's metrics; failing to is logged nowhere but
// standard error, as the line it could not write would have been.
func flush(m *metrics.Sink, rec *metrics.Recorder) {
	if err := m.Flush(rec); err != nil {
		fmt.Fprintln(os.Stderr, "metrics:", err)
	}
}

// Main is a function's whole entry point: read the environment, build the
// handler, serve Lambda invocations.
func Main(build func(Deps) http.Handler) {
	deps := fromEnv()
	lambda.Start(Handler(build(deps), deps.Metrics))
}

// fromEnv reads the configuration once and builds Deps, or exits: a function
// that cannot start should fail its cold start loudly.
func fromEnv() Deps {
	cfg, err := config.FromEnv()
	log := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel}))
	if err != nil {
		log.Error("configuration", "error", err.Error())
		os.Exit(1)
	}
	deps, err := load(context.Background(), cfg, log)
	if err != nil {
		log.Error("start", "error", err.Error())
		os.Exit(1)
	}
	// EMF lines go to standard output beside the log lines, whatever
	// LOG_LEVEL is: CloudWatch Logs extracts the metrics from there.
	deps.Metrics = metrics.NewSink(os.Stdout, cfg.MetricsNamespace, cfg.Function, deps.Now)
	return deps
}
