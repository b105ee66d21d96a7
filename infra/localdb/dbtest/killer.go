package dbtest

import (
	"context"
	"errors"
	"sync/atomic"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/smithy-go/middleware"
)

// ErrKilled is what a Killer's chosen call returns.
var ErrKilled = errors.New("killed")

// Killer fails the n-th TransactWriteItems a client sends after Arm(n),
// before the call is sent or, with After, after it landed, as a process
// killed there would see it: the resumption tests of the draws use it.
type Killer struct {
	calls, at atomic.Int64
	After     bool
}

// Option installs the killer on a client (dbtest.Custody's options).
func (k *Killer) Option(o *dynamodb.Options) {
	o.APIOptions = append(o.APIOptions, func(s *middleware.Stack) error {
		return s.Initialize.Add(middleware.InitializeMiddlewareFunc("killer", func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			if awsmiddleware.GetOperationName(ctx) != "TransactWriteItems" || k.at.Load() == 0 || k.calls.Add(1) != k.at.Load() {
				return next.HandleInitialize(ctx, in)
			}
			if k.After {
				out, md, err := next.HandleInitialize(ctx, in)
				if err == nil {
					err = ErrKilled
				}
				return out, md, err
			}
			return middleware.InitializeOutput{}, middleware.Metadata{}, ErrKilled
		}), middleware.After)
	})
}

// Arm fails the n-th transaction from now (0: never).
func (k *Killer) Arm(n int) { k.calls.Store(0); k.at.Store(int64(n)) }
