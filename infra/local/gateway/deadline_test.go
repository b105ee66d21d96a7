package gateway

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

// deadlineFn answers with how long its context had left when invoked.
type deadlineFn struct{ left chan time.Duration }

func (f deadlineFn) Invoke(ctx context.Context, _ []byte) ([]byte, error) {
	d, ok := ctx.Deadline()
	if !ok {
		f.left <- -1
	} else {
		f.left <- time.Until(d)
	}
	return json.Marshal(events.APIGatewayV2HTTPResponse{StatusCode: 204})
}

// TestInvocationDeadlineIsTheFunctionTimeout: as on Lambda, a handler's
// context ends at its function's Timeout from template.yaml, not at API
// Gateway's 30 s; a function the gateway has no Timeout for gets the 30 s.
func TestInvocationDeadlineIsTheFunctionTimeout(t *testing.T) {
	quick, slow := deadlineFn{make(chan time.Duration, 1)}, deadlineFn{make(chan time.Duration, 1)}
	g, err := New(Config{
		Routes: []samtemplate.Route{
			{FunctionID: "Quick", Method: "GET", Path: "/quick", Authorizer: "NONE"},
			{FunctionID: "Untold", Method: "GET", Path: "/untold", Authorizer: "NONE"},
		},
		Handlers: map[string]lambda.Handler{"Quick": quick, "Untold": slow},
		Timeouts: map[string]time.Duration{"Quick": 3 * time.Second},
		Logger:   slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		path string
		fn   deadlineFn
		want time.Duration
	}{{"/quick", quick, 3 * time.Second}, {"/untold", slow, invokeTimeout}} {
		w := serve(g, httptest.NewRequest("GET", c.path, nil))
		left := <-c.fn.left
		// The request is served at once: the deadline is the timeout from
		// the invocation, give or take the time serving took.
		if w.Code != 204 || left > c.want || left < c.want-time.Second {
			t.Errorf("%s: status %d, %v left, want about %v", c.path, w.Code, left, c.want)
		}
	}
}
