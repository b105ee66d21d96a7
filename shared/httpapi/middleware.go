package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/dbcalls"
	"github.com/wuxi-enrol/enrol/shared/metrics"
)

// StatusRecorder remembers the status a handler answered with, for the
// access log (the functions' and the local gateway's).
type StatusRecorder struct {
	http.ResponseWriter
	Status int
}

// WriteHeader records the first status.
func (r *StatusRecorder) WriteHeader(status int) {
	if r.Status == 0 {
		r.Status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

// Write records 200 when nothing was written before.
func (r *StatusRecorder) Write(b []byte) (int, error) {
	if r.Status == 0 {
		r.Status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the writer underneath.
func (r *StatusRecorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// recorder also keeps the error a handler answered with.
type recorder struct {
	StatusRecorder
	err *apperr.Error
}

// RequestID is API Gateway's id of the request, or "" outside it.
func RequestID(r *http.Request) string {
	if rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok {
		return rc.RequestID
	}
	return ""
}

// Route is the API Gateway route key (e.g. "GET /v1/offerings/{offering_id}").
func Route(r *http.Request) string {
	if rc, ok := core.GetAPIGatewayV2ContextFromContext(r.Context()); ok && rc.RouteKey != "" {
		return rc.RouteKey
	}
	return r.Method + " " + r.URL.Path
}

// Serve wraps a function's mux: one JSON log line per request with the
// caller (sub and role, never the token), the DynamoDB calls it made and
// the read and write capacity units they consumed (rcu, wcu),
// refusals and 503s counted in the request's metrics, panics turned into a
// 500 that reveals nothing, and a problem body whenever the mux has no route.
// claims names the token's claims the caller's groups are read from.
func Serve(log *slog.Logger, claims auth.Claims, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{StatusRecorder: StatusRecorder{ResponseWriter: w}}
		calls := dbcalls.From(r.Context())
		if calls == nil {
			var ctx context.Context
			ctx, calls = dbcalls.With(r.Context())
			r = r.WithContext(ctx)
		}
		defer func() {
			if p := recover(); p != nil {
				log.ErrorContext(r.Context(), "panic", "request_id", RequestID(r), "panic", fmt.Sprint(p))
				if rec.Status == 0 {
					WriteError(rec, r, fmt.Errorf("panic: %v", p))
				}
			}
			sub, role := caller(r, claims)
			attrs := []any{
				"request_id", RequestID(r),
				"route", Route(r),
				"method", r.Method,
				"sub", sub,
				"role", role,
				"status", rec.Status,
				"latency_ms", float64(time.Since(start).Microseconds()) / 1000,
				"ddb_calls", calls.Snapshot(),
			}
			// The capacity units the calls consumed (shared/dbcalls), in all
			// and by table and index: what the request costs on DynamoDB.
			units := calls.TotalUnits()
			attrs = append(attrs, "rcu", units.Read, "wcu", units.Write, "ddb_units", calls.Units())
			level := slog.LevelInfo
			if rec.err != nil {
				attrs = append(attrs, "code", rec.err.Code)
				countAnswer(r.Context(), rec.err)
				if rec.err.Code.Status() >= 500 {
					level = slog.LevelError
					// The cause is logged for us, never sent to the client.
					attrs = append(attrs, "error", rec.err.Error())
				}
			}
			log.Log(context.WithoutCancel(r.Context()), level, "request", attrs...)
		}()
		if _, pattern := mux.Handler(r); pattern == "" {
			WriteError(rec, r, apperr.New(apperr.NotFound, "没有这个接口", "No such route"))
			return
		}
		mux.ServeHTTP(rec, r)
	})
}

// caller is the request's sub and role for the log line: "" and "public"
// without a token's claims.
func caller(r *http.Request, claims auth.Claims) (string, string) {
	c, err := claims.FromRequest(r)
	if err != nil {
		return "", auth.Public
	}
	return c.Sub, c.Role()
}

// countAnswer counts a refusal (4xx) under its code, and a 503.
func countAnswer(ctx context.Context, e *apperr.Error) {
	switch st := e.Code.Status(); {
	case st >= 400 && st < 500:
		metrics.Count(ctx, metrics.Refusals, metrics.Dim{Name: "Code", Value: string(e.Code)})
	case st == http.StatusServiceUnavailable:
		metrics.Count(ctx, metrics.Unavailable)
	}
}

// Handle adapts a handler that returns an error to the mux.
func Handle(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			WriteError(w, r, err)
		}
	}
}
