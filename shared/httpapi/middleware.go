package httpapi

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/awslabs/aws-lambda-go-api-proxy/core"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/dbcalls"
)

type recorder struct {
	http.ResponseWriter
	status int
	err    *apperr.Error
}

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
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
// DynamoDB calls it made, panics turned into a 500 that reveals nothing, and
// a problem body whenever the mux has no route.
func Serve(log *slog.Logger, mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &recorder{ResponseWriter: w}
		calls := dbcalls.From(r.Context())
		if calls == nil {
			var ctx context.Context
			ctx, calls = dbcalls.With(r.Context())
			r = r.WithContext(ctx)
		}
		defer func() {
			if p := recover(); p != nil {
				log.ErrorContext(r.Context(), "panic", "request_id", RequestID(r), "panic", fmt.Sprint(p))
				if rec.status == 0 {
					WriteError(rec, r, fmt.Errorf("panic: %v", p))
				}
			}
			attrs := []any{
				"request_id", RequestID(r),
				"route", Route(r),
				"method", r.Method,
				"status", rec.status,
				"latency_ms", float64(time.Since(start).Microseconds()) / 1000,
				"ddb_calls", calls.Snapshot(),
			}
			level := slog.LevelInfo
			if rec.err != nil {
				attrs = append(attrs, "code", rec.err.Code)
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

// Handle adapts a handler that returns an error to the mux.
func Handle(fn func(w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			WriteError(w, r, err)
		}
	}
}
