// Package retry holds enrol's one retry policy: try again after a lost race
// or a partial batch, with exponential backoff and full jitter, sleeping on
// the request's context, and give up in time for the handler to answer
// before the function's deadline.
package retry

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// ErrAgain marks an attempt's error as worth another attempt (a lost race, keys
// left unprocessed); wrap it. Any other error ends Do at once.
var ErrAgain = errors.New("retry: try again")

// Policy is how Do tries again. Zero fields take Default's values.
type Policy struct {
	// MaxAttempts bounds the attempts, the first included.
	MaxAttempts int
	// Base is the ceiling of the first wait; it doubles each attempt up to Cap.
	Base, Cap time.Duration
	// Reserve is the time before the context's deadline that Do leaves the
	// handler: it does not start a wait that would end later than that, so
	// the attempt after the wait and the answer still fit.
	Reserve time.Duration

	// Sleep waits d or until ctx is done (then it returns ctx's error).
	Sleep func(ctx context.Context, d time.Duration) error
	// Rand is uniform in [0, n), n > 0.
	Rand func(n int64) int64
	// Now is the clock the context's deadline is read against.
	Now func() time.Time
}

// Default is the policy of every retry loop in enrol. With a Lambda's 10 s
// the deadline stops it long before 40 attempts do, when the store is slow.
var Default = Policy{
	MaxAttempts: 40,
	Base:        4 * time.Millisecond,
	Cap:         250 * time.Millisecond,
	Reserve:     time.Second,
	Sleep:       sleep,
	Rand:        rand.Int64N,
	Now:         time.Now,
}

func (p Policy) withDefaults() Policy {
	d := Default
	if p.MaxAttempts > 0 {
		d.MaxAttempts = p.MaxAttempts
	}
	if p.Base > 0 {
		d.Base = p.Base
	}
	if p.Cap > 0 {
		d.Cap = p.Cap
	}
	if p.Reserve > 0 {
		d.Reserve = p.Reserve
	}
	if p.Sleep != nil {
		d.Sleep = p.Sleep
	}
	if p.Rand != nil {
		d.Rand = p.Rand
	}
	if p.Now != nil {
		d.Now = p.Now
	}
	return d
}

// Do calls try (attempt 0, 1, …) until it returns nil or an error that does
// not wrap ErrAgain, and returns that. Between attempts it waits a random time
// below min(Cap, Base·2^attempt), so that losers of a race spread out
// instead of colliding again in step. It gives up with Busy when the
// attempts are spent, when the next wait would end within Reserve of the
// context's deadline, or at once when the context is done.
func (p Policy) Do(ctx context.Context, try func(attempt int) error) error {
	p = p.withDefaults()
	var err error
	for attempt := 0; ; attempt++ {
		if err = try(attempt); err == nil || !errors.Is(err, ErrAgain) {
			return err
		}
		// The last error is kept as text only: a Busy must not wrap ErrAgain,
		// or a loop around this one would go round again.
		if attempt+1 >= p.MaxAttempts {
			return Busy(fmt.Errorf("gave up after %d attempts: %v", attempt+1, err))
		}
		ceiling := min(p.Cap, p.Base<<min(attempt+1, 30))
		wait := time.Duration(p.Rand(int64(ceiling)))
		if deadline, ok := ctx.Deadline(); ok && p.Now().Add(wait+p.Reserve).After(deadline) {
			return Busy(fmt.Errorf("gave up after %d attempts, %s before the deadline: %v",
				attempt+1, deadline.Sub(p.Now()).Round(time.Millisecond), err))
		}
		serr := ctx.Err() // a done context stops here, whatever Sleep would do
		if serr == nil {
			serr = p.Sleep(ctx, wait)
		}
		if serr != nil {
			return Busy(fmt.Errorf("gave up after %d attempts: %w (last: %v)", attempt+1, serr, err))
		}
	}
}

// Busy is the one answer of a request that could not finish now: 503
// unavailable, safe to retry after Retry-After. cause stays in the log.
func Busy(cause error) *apperr.Error {
	e := apperr.Wrap(apperr.Unavailable, cause, "服务繁忙，请稍后重试（可安全重试）", "The service is busy; please retry shortly (safe to retry)")
	e.RetryAfter = 1
	return e
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
