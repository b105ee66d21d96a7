package gateway

import (
	"context"
	"fmt"
	"net/http"
	"strings"
)

// requestIDKey carries the request id to Config.Local handlers.
type requestIDKey struct{}

// RequestID is the gateway's request id (the Apigw-Requestid header) in a
// Config.Local handler's request context; "" elsewhere.
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// WriteProblem answers a Config.Local request with the contract's
// problem+json, in the client's language, naming the request id.
func WriteProblem(w http.ResponseWriter, r *http.Request, status int, code, zh, en string) {
	writeProblem(w, r, status, code, text{zh, en})
}

// localMux serves Config.Local. A pattern must name its method and stay
// under /_local/, so no local endpoint can shadow a template route, and it
// may not take over one of the gateway's own.
func localMux(handlers map[string]http.Handler) (mux *http.ServeMux, err error) {
	if len(handlers) == 0 {
		return nil, nil
	}
	mux = http.NewServeMux()
	// ServeMux.Handle panics on a bad or conflicting pattern; that is a
	// configuration error here.
	defer func() {
		if p := recover(); p != nil {
			mux, err = nil, fmt.Errorf("gateway: local endpoint: %v", p)
		}
	}()
	for pattern, h := range handlers {
		method, path, ok := strings.Cut(pattern, " ")
		switch {
		case !ok || method == "" || strings.Contains(method, "/"):
			return nil, fmt.Errorf("gateway: local endpoint %q must name its method (\"POST /_local/…\")", pattern)
		case !strings.HasPrefix(path, "/_local/"):
			return nil, fmt.Errorf("gateway: local endpoint %q is not under /_local/", pattern)
		case path == tokenPath || path == healthPath || path == jwksPath || path == admissionPath:
			return nil, fmt.Errorf("gateway: local endpoint %q is the gateway's own", pattern)
		case h == nil:
			return nil, fmt.Errorf("gateway: local endpoint %q has no handler", pattern)
		}
		mux.Handle(pattern, h)
	}
	return mux, nil
}
