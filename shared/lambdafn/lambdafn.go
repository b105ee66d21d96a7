// Package lambdafn wires an enrol function: its dependencies, read once from
// the environment, and the adapter that turns its http.Handler into the
// Lambda handler that both AWS and the local gateway invoke.
package lambdafn

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Deps are what every function is built from.
type Deps struct {
	Store  *store.Store
	Hasher *idnumber.Hasher
	Log    *slog.Logger
	Now    func() time.Time
}

// Load builds Deps from a Config; opts configure the DynamoDB client
// further (the local stack's tests inject faults).
func Load(ctx context.Context, cfg config.Config, log *slog.Logger, opts ...func(*dynamodb.Options)) (Deps, error) {
	db, err := store.NewClient(ctx, cfg, opts...)
	if err != nil {
		return Deps{}, err
	}
	h, err := idnumber.NewHasher(cfg.IDHashKey)
	if err != nil {
		return Deps{}, err
	}
	return Deps{Store: store.New(db, cfg.TableName), Hasher: h, Log: log, Now: time.Now}, nil
}

// Handler is the Lambda handler for h: an API Gateway payload 2.0 event in,
// a response out, through aws-lambda-go-api-proxy's V2 adapter.
func Handler(h http.Handler) lambda.Handler {
	return lambda.NewHandler(httpadapter.NewV2(h).ProxyWithContext)
}

// Main is a function's whole entry point: read the environment, build the
// handler, serve Lambda invocations.
func Main(build func(Deps) http.Handler) {
	lambda.Start(Handler(build(fromEnv())))
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
	deps, err := Load(context.Background(), cfg, log)
	if err != nil {
		log.Error("start", "error", err.Error())
		os.Exit(1)
	}
	return deps
}
