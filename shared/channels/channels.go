// Package channels sends a resident's message: SMS through AWS End User
// Messaging (pinpointsmsvoicev2), e-mail through SES v2, WeChat subscription
// messages through WeChat's HTTP API, and, locally, a recorder that keeps
// every call in memory (GET /_local/messages). Each is a delivery.Channel;
// a provider's refusal that no retry mends is an error whose Permanent()
// is true.
package channels

import (
	"errors"
	"fmt"

	"github.com/aws/smithy-go"
)

// Error is a provider's failure, and whether retrying may mend it.
type Error struct {
	Channel string
	Err     error
	// IsPermanent: the provider refused the message itself (an invalid or
	// opted-out number, an unverified identity, a user who declined).
	IsPermanent bool
}

func (e *Error) Error() string   { return fmt.Sprintf("%s: %v", e.Channel, e.Err) }
func (e *Error) Unwrap() error   { return e.Err }
func (e *Error) Permanent() bool { return e.IsPermanent }

// awsError classifies an AWS SDK error: a client fault whose code is in
// permanent is permanent; throttling, the service's own faults, network
// trouble and anything unknown are worth a retry.
func awsError(channel string, err error, permanentCodes map[string]bool) error {
	e := &Error{Channel: channel, Err: err}
	if apiErr, ok := errors.AsType[smithy.APIError](err); ok {
		e.IsPermanent = apiErr.ErrorFault() == smithy.FaultClient && permanentCodes[apiErr.ErrorCode()]
	}
	return e
}
