package retry_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/retry"
)

// clock is a fake time that only sleeping moves; every wait is recorded.
type clock struct {
	now   time.Time
	waits []time.Duration
}

func (c *clock) policy(p retry.Policy) retry.Policy {
	p.Now = func() time.Time { return c.now }
	p.Sleep = func(ctx context.Context, d time.Duration) error {
		c.waits = append(c.waits, d)
		c.now = c.now.Add(d)
		return nil
	}
	return p
}

var errLost = fmt.Errorf("lost a race: %w", retry.ErrAgain)

// always loses and counts the attempts.
func always(n *int) func(int) error {
	return func(attempt int) error {
		if attempt != *n {
			panic("attempts out of order")
		}
		*n++
		return errLost
	}
}

func TestDoStopsAtOnceOnSuccessOrAFinalError(t *testing.T) {
	final := errors.New("a rule")
	for _, tc := range []struct {
		name  string
		errs  []error
		want  error
		tries int
	}{
		{"success first", []error{nil}, nil, 1},
		{"success after two errLost races", []error{errLost, errLost, nil}, nil, 3},
		{"a final error is answered, not retried", []error{errLost, final}, final, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{now: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
			n := 0
			err := c.policy(retry.Policy{}).Do(context.Background(), func(int) error { n++; return tc.errs[n-1] })
			if !errors.Is(err, tc.want) || (tc.want == nil) != (err == nil) || n != tc.tries {
				t.Fatalf("err %v after %d tries, want %v after %d", err, n, tc.want, tc.tries)
			}
		})
	}
}

// TestBackoffIsExponentialWithFullJitter: each wait is drawn below
// min(Cap, Base·2^attempt); with the draw at its top the waits double.
func TestBackoffIsExponentialWithFullJitter(t *testing.T) {
	c := &clock{now: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	var ceilings []int64
	p := c.policy(retry.Policy{MaxAttempts: 8, Base: 4 * time.Millisecond, Cap: 100 * time.Millisecond})
	p.Rand = func(n int64) int64 { ceilings = append(ceilings, n); return n - 1 }
	n := 0
	err := p.Do(context.Background(), always(&n))
	if !apperr.Is(err, apperr.Unavailable) || n != 8 {
		t.Fatalf("%v after %d attempts", err, n)
	}
	ms := time.Millisecond
	want := []time.Duration{8 * ms, 16 * ms, 32 * ms, 64 * ms, 100 * ms, 100 * ms, 100 * ms}
	if fmt.Sprint(ceilings) != fmt.Sprint(durations(want)) {
		t.Fatalf("ceilings %v, want %v", ceilings, durations(want))
	}
	for i, w := range c.waits {
		if w != want[i]-1 {
			t.Fatalf("wait %d is %v, want %v", i, w, want[i]-1)
		}
	}
}

func durations(ds []time.Duration) []int64 {
	out := make([]int64, len(ds))
	for i, d := range ds {
		out[i] = int64(d)
	}
	return out
}

// TestGivesUpBeforeTheDeadline: a wait that would end within Reserve of the
// context's deadline is not started; the answer is the one 503, with
// Retry-After, and it comes while the handler still has Reserve left.
func TestGivesUpBeforeTheDeadline(t *testing.T) {
	start := time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)
	c := &clock{now: start}
	// The context's own timer is an hour away in real time, so only the
	// fake clock decides; the deadline is 3 s of it.
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(time.Hour))
	defer cancel()
	deadline, _ := ctx.Deadline()
	c.now = deadline.Add(-3 * time.Second)
	p := c.policy(retry.Policy{Reserve: time.Second})
	p.Rand = func(n int64) int64 { return n - 1 } // the longest waits
	n := 0
	err := p.Do(ctx, always(&n))
	e, ok := errors.AsType[*apperr.Error](err)
	if !ok || e.Code != apperr.Unavailable || e.RetryAfter < 1 {
		t.Fatalf("gave up with %v", err)
	}
	if left := deadline.Sub(c.now); left < time.Second {
		t.Fatalf("gave up with %v left, less than the reserve", left)
	}
	if n >= retry.Default.MaxAttempts {
		t.Fatalf("%d attempts: the deadline did not bound them", n)
	}
	// 2 s to wait in at the longest: 8+16+32+64+128 = 248 ms, then seven
	// of 250 ms (1,998 ms); an eighth would end within the reserve. Twelve
	// waits, thirteen attempts.
	if n != 13 || len(c.waits) != 12 {
		t.Fatalf("%d attempts, %d waits in 2 s; want 13 and 12", n, len(c.waits))
	}
	if errors.Is(err, retry.ErrAgain) {
		t.Fatal("the 503 wraps ErrAgain: a loop around this one would go round again")
	}
}

// TestCancelledContextStopsAtOnce: no further attempt and no wait once the
// request's context is done.
func TestCancelledContextStopsAtOnce(t *testing.T) {
	c := &clock{now: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)}
	ctx, cancel := context.WithCancel(context.Background())
	n := 0
	err := c.policy(retry.Policy{}).Do(ctx, func(int) error { n++; cancel(); return errLost })
	if !apperr.Is(err, apperr.Unavailable) || !errors.Is(err, context.Canceled) || n != 1 || len(c.waits) != 0 {
		t.Fatalf("%v after %d attempts and %d waits", err, n, len(c.waits))
	}
}

// TestDefaultSleepWakesOnCancel: the real sleep returns when the context is
// cancelled, not when its timer fires.
func TestDefaultSleepWakesOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	started, done := make(chan struct{}, 1), make(chan error, 1)
	p := retry.Policy{Base: time.Hour, Cap: time.Hour, Rand: func(n int64) int64 { return n - 1 }}
	go func() {
		done <- p.Do(ctx, func(int) error {
			select {
			case started <- struct{}{}:
			default:
			}
			return errLost
		})
	}()
	<-started
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("%v", err)
	}
}
