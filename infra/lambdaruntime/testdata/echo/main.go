// Command echo is a Lambda function for lambdaruntime's tests: it answers
// an event with itself, fails one that says "fail", and exits during init
// when ECHO_EXIT is set.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

func main() {
	if os.Getenv("ECHO_EXIT") != "" {
		os.Exit(3)
	}
	lambda.Start(func(ctx context.Context, ev json.RawMessage) (map[string]any, error) {
		if string(ev) == `"fail"` {
			return nil, errors.New("asked to fail")
		}
		lc, _ := lambdacontext.FromContext(ctx)
		dl, _ := ctx.Deadline()
		return map[string]any{"event": ev, "request": lc.AwsRequestID, "deadline": !dl.IsZero(), "greeting": os.Getenv("GREETING")}, nil
	})
}
