// Package gateway is the local stand-in for API Gateway's HTTP API with its
// Cognito JWT authorizer: it routes requests to Lambda handlers exactly as
// template.yaml declares, checks tokens like the authorizer, and speaks
// payload format 2.0 to the functions, JSON-encoded as Lambda would.
package gateway

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

const (
	// maxBody is API Gateway's payload limit; the functions enforce the
	// contract's much smaller one themselves.
	maxBody = 10 << 20
	// invokeTimeout is API Gateway's maximum integration timeout, the
	// deadline of a function whose Timeout the gateway was not told.
	invokeTimeout = 30 * time.Second
	// requestIDHeader is the response header API Gateway adds.
	requestIDHeader = "Apigw-Requestid"
)

// Config is what the gateway serves.
type Config struct {
	Routes []samtemplate.Route
	// Handlers by function logical id.
	Handlers map[string]lambda.Handler
	// Timeouts are the functions' Timeout in template.yaml, by logical id:
	// the deadline of the context each invocation gets, as on Lambda.
	Timeouts map[string]time.Duration
	// Issuer verifies tokens on non-public routes and mints them at
	// POST /_local/token. Required when any route needs a token.
	Issuer *Issuer
	Logger *slog.Logger
	// Fallback, if set, serves whatever no route matches (the web front end).
	Fallback http.Handler
	// Now is the time requests arrive at, as the events say (nil: the wall
	// clock); the Issuer keeps its own for tokens.
	Now func() time.Time
	// Ready, if set, says whether the stack behind the gateway is up:
	// until it is, GET /_local/health answers 503 {"status":"starting"}.
	Ready func() bool
	// Local adds local-only endpoints beside /_local/token, by http.ServeMux
	// pattern with a method ("POST /_local/schedule/{FunctionId}"), each
	// under /_local/. They never reach a function or the authorizer; they
	// get the request id (RequestID) and answer errors with WriteProblem.
	Local map[string]http.Handler
	// Limits are the stage's throttles and the functions' reserved
	// concurrency, enforced as AWS would (samtemplate.Limits, read from the
	// template for the parameters' defaults); nil enforces none. GET
	// /_local/admission reports them and what they turned away.
	Limits *samtemplate.Limits
	// Tick is the clock the throttles' buckets refill by (nil: the wall
	// clock), apart from Now: a stack's Now may stand still at a date.
	Tick func() time.Time
}

// Gateway is an http.Handler.
type Gateway struct {
	routes    *routeTable
	handlers  map[string]lambda.Handler
	timeouts  map[string]time.Duration
	issuer    *Issuer
	log       *slog.Logger
	fallback  http.Handler
	extra     *http.ServeMux // Config.Local; nil when there is none
	maxBody   int64          // maxBody, but tests may lower it
	now       func() time.Time
	ready     func() bool // nil: always ready
	admission *admission
}

// New checks the config: every route needs a handler, and routes behind an
// authorizer need an Issuer.
func New(cfg Config) (*Gateway, error) {
	rt, err := compileRoutes(cfg.Routes)
	if err != nil {
		return nil, err
	}
	for _, r := range cfg.Routes {
		if cfg.Handlers[r.FunctionID] == nil {
			return nil, fmt.Errorf("gateway: route %q names function %q, which has no handler", r.Key(), r.FunctionID)
		}
		if !r.Public() && cfg.Issuer == nil {
			return nil, fmt.Errorf("gateway: route %q needs authorizer %q but no Issuer is configured", r.Key(), r.Authorizer)
		}
	}
	extra, err := localMux(cfg.Local)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	tick := cfg.Tick
	if tick == nil {
		tick = time.Now
	}
	return &Gateway{routes: rt, handlers: cfg.Handlers, timeouts: cfg.Timeouts, issuer: cfg.Issuer, log: log, fallback: cfg.Fallback, extra: extra,
		maxBody: maxBody, now: now, ready: cfg.Ready, admission: newAdmission(cfg.Limits, tick)}, nil
}

func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	id := newRequestID()
	w.Header().Set(requestIDHeader, id)
	sw := &httpapi.StatusRecorder{ResponseWriter: w}
	route := "-"
	defer func() {
		// One line per request; never headers or bodies, so no token is logged.
		g.log.Info("request",
			"method", r.Method, "path", r.URL.Path, "route", route,
			"status", sw.Status, "latency_ms", time.Since(start).Milliseconds(), "request_id", id)
	}()

	if strings.HasPrefix(r.URL.Path, "/_local/") {
		if g.local(sw, r) {
			route = r.Method + " " + r.URL.Path
			return
		}
		if g.extra != nil {
			if _, pattern := g.extra.Handler(r); pattern != "" {
				route = pattern
				g.extra.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), requestIDKey{}, id)))
				return
			}
		}
	}
	m := g.routes.match(r.Method, r.URL.EscapedPath())
	if m == nil {
		// API Gateway answers 404 for a known path with another method too.
		if g.fallback != nil {
			route = "fallback"
			g.fallback.ServeHTTP(sw, r)
			return
		}
		writeProblem(sw, r, http.StatusNotFound, "not_found", msgNotFound)
		return
	}
	route = m.route.Key()
	g.invoke(sw, r, m, id, g.now())
}

// invoke authorizes, builds the event, calls the function and writes its answer.
func (g *Gateway) invoke(w http.ResponseWriter, r *http.Request, m *routeMatch, id string, now time.Time) {
	// API Gateway throttles before it authorizes or reads the body.
	if status, ok := g.admission.admit(m.route.Key()); !ok {
		refuse(w, r, status)
		return
	}
	var claims map[string]string
	if !m.route.Public() {
		c, err := g.issuer.Verify(r.Header.Get("Authorization"))
		if err != nil {
			var af *authFailure
			if !errors.As(err, &af) {
				af = errInvalid
			}
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
			writeProblem(w, r, http.StatusUnauthorized, "unauthorized", af.msg)
			return
		}
		claims = c
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, g.maxBody+1))
	if err != nil {
		writeProblem(w, r, http.StatusBadRequest, "invalid_request", msgBadJSON)
		return
	}
	if int64(len(body)) > g.maxBody {
		writeProblem(w, r, http.StatusRequestEntityTooLarge, "payload_too_large", msgTooLarge)
		return
	}
	ev := buildEvent(r, m, body, claims, id, now)

	fn := m.route.FunctionID
	release, ok := g.admission.acquire(fn)
	if !ok {
		g.log.Warn("function throttled", "function", fn, "route", m.route.Key(), "request_id", id)
		refuse(w, r, http.StatusInternalServerError)
		return
	}
	out, err := g.call(r.Context(), fn, id, ev)
	release()
	if err == nil {
		resp, respBody, derr := decodeResponse(out)
		if derr == nil {
			writeResponse(w, resp, respBody)
			return
		}
		err = derr
	}
	// The error stays in the log: a client only learns that something failed.
	g.log.Error("function failed", "function", fn, "route", m.route.Key(), "request_id", id, "err", err)
	writeProblem(w, r, http.StatusBadGateway, "internal", msgInternal)
}

// call invokes the handler with the JSON event, the way the Lambda runtime
// would, including a Lambda context and a deadline; a panic is an error.
func (g *Gateway) call(ctx context.Context, fn, id string, ev any) (out []byte, err error) {
	payload, err := jsonMarshal(ev)
	if err != nil {
		return nil, err
	}
	// Lambda's deadline is the function's own Timeout (10 s for most), not
	// API Gateway's 30 s, and handlers plan their retries by it.
	timeout := g.timeouts[fn]
	if timeout <= 0 {
		timeout = invokeTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{
		AwsRequestID:       id,
		InvokedFunctionArn: "arn:aws:lambda:local:000000000000:function:" + fn,
	})
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("function panicked: %v", p)
		}
	}()
	return g.handlers[fn].Invoke(ctx, payload)
}

// newRequestID is unique per request, like API Gateway's request id.
func newRequestID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}
