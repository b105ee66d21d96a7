// Package delivery drains the outbox: every notice whose time has come is
// taken up under a lease, sent to the resident on the channels their
// account chose (where they have a verified address) and to the city's bus,
// each send recorded as it happens, and the notice deleted once everything
// is sent. A failure puts the notice back with exponential backoff; eight
// attempts, or a failure no retry can mend, make it a dead letter that
// officers see.
//
// At least once, with one window: each send has a key (<notice id>#sms,
// #email, #wechat, #bus), a retry sends only the keys not yet recorded, and
// the channels pass the key to the provider where it takes one. A send the
// provider accepted whose record was then lost (the dispatcher died or its
// lease ran out between the two) is sent once more by the next run, after
// the lease: at most one duplicate per channel, never a lost message.
package delivery

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/wuxi-enrol/enrol/shared/contacts"
	"github.com/wuxi-enrol/enrol/shared/metrics"
	"github.com/wuxi-enrol/enrol/shared/notices"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Channel sends a resident's message on one medium. key is the send's
// idempotency key. An error whose Permanent() is true (a number the
// provider refuses) will not be mended by retrying.
type Channel interface {
	Name() string
	Send(ctx context.Context, to contacts.Contact, n notices.Notice, key string) error
}

// Contacts finds a resident's verified addresses.
type Contacts interface {
	Contact(ctx context.Context, sub string) (contacts.Contact, error)
}

// Bus publishes an event for the city's other systems.
type Bus interface {
	Publish(ctx context.Context, detailType string, detail notices.Detail) error
}

// Defaults of a Service.
const (
	DefaultLease    = 5 * time.Minute
	DefaultBatch    = 200
	DefaultWorkers  = 4
	MaxAttempts     = 8
	firstBackoff    = time.Minute
	maxBackoff      = time.Hour
	reasonNoContact = "no verified contact"
)

// Service drains the outbox.
type Service struct {
	Store    *store.Store
	Channels []Channel
	// Contacts is nil where there is no directory of residents' addresses
	// (AuthMode oidc: the city's identity provider holds them): a
	// resident's notice is then a message in the app only (InApp), and
	// Channels are not used.
	Contacts Contacts
	// Bus is nil where no bus is configured: bus keys are then not sent.
	Bus Bus
	Now func() time.Time
	Log *slog.Logger
	// Lease is how long a taken notice is this run's (longer than sending
	// one notice takes); Batch how many notices one read takes; Workers
	// how many notices are sent at once (the providers' rate limits bound
	// it: a throttled send is retried after the backoff).
	Lease   time.Duration
	Batch   int
	Workers int
}

// Result counts what one Drain did.
type Result struct {
	Due, Finished, Retried, Dead, Lost, Sent int
	// Delays are, for each finished notice, the time from its change to
	// its last send.
	Delays []time.Duration
}

// Backoff is how long to wait after the attempt-th failed attempt: a
// minute, doubling, at most an hour.
func Backoff(attempt int) time.Duration {
	d := firstBackoff
	for range attempt - 1 {
		if d *= 2; d >= maxBackoff {
			return maxBackoff
		}
	}
	return d
}

// permanent reports whether err says retrying cannot help.
func permanent(err error) bool {
	p, ok := errors.AsType[interface {
		error
		Permanent() bool
	}](err)
	return ok && p.Permanent()
}

// Drain sends every due notice, a batch at a time, Workers notices at
// once, until a batch is not full or the run's time is nearly up (the rest
// wait for the next run). A store error on one notice leaves it to its
// lease and a later run; Drain goes on and returns the errors it met. A
// panic in one notice's send ends the run once the other workers have
// finished the notices in hand, and is raised again in Drain's caller (a
// panic left in a worker would end the whole process, the local stack
// with it); the notice it had taken waits out its lease.
func (s *Service) Drain(ctx context.Context) (Result, error) {
	var (
		res     Result
		errs    []error
		mu      sync.Mutex
		crashed any
	)
	for {
		due, err := s.Store.DueNotices(ctx, s.Now(), s.batch())
		if err != nil {
			return res, errors.Join(append(errs, err)...)
		}
		res.Due += len(due)
		work, halt := make(chan store.OutboxEntry), make(chan struct{})
		var wg sync.WaitGroup
		for range min(s.workers(), len(due)) {
			wg.Go(func() {
				defer func() {
					if p := recover(); p != nil {
						mu.Lock()
						if crashed == nil {
							crashed = p
							close(halt)
						}
						mu.Unlock()
					}
				}()
				for e := range work {
					var r Result
					err := s.deliver(ctx, e, &r)
					mu.Lock()
					res.add(r)
					if err != nil {
						errs = append(errs, fmt.Errorf("notice %s: %w", e.ID, err))
					}
					mu.Unlock()
				}
			})
		}
	feed:
		for _, e := range due {
			select {
			case work <- e:
			case <-halt:
				break feed
			case <-ctx.Done():
				break feed
			}
		}
		close(work)
		wg.Wait()
		if crashed != nil {
			panic(crashed)
		}
		if err := ctx.Err(); err != nil {
			return res, errors.Join(append(errs, err)...)
		}
		if len(due) < s.batch() || nearlyOut(ctx) {
			return res, errors.Join(errs...)
		}
	}
}

func (r *Result) add(o Result) {
	r.Finished += o.Finished
	r.Retried += o.Retried
	r.Dead += o.Dead
	r.Lost += o.Lost
	r.Sent += o.Sent
	r.Delays = append(r.Delays, o.Delays...)
}

func (s *Service) workers() int {
	if s.Workers > 0 {
		return s.Workers
	}
	return DefaultWorkers
}

// nearlyOut reports whether ctx's deadline (Lambda's timeout) is less than
// half a minute away: a real-time budget, not the business clock.
func nearlyOut(ctx context.Context) bool {
	d, ok := ctx.Deadline()
	return ok && time.Until(d) < 30*time.Second
}

func (s *Service) batch() int {
	if s.Batch > 0 {
		return s.Batch
	}
	return DefaultBatch
}

func (s *Service) lease() time.Duration {
	if s.Lease > 0 {
		return s.Lease
	}
	return DefaultLease
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.New(slog.DiscardHandler)
}

// send is one thing to send: a channel to a contact, or the bus.
type send struct {
	key     string
	channel Channel // nil for the bus
}

// deliver takes e up and sends what is left of it.
func (s *Service) deliver(ctx context.Context, e store.OutboxEntry, res *Result) error {
	e, err := s.Store.TakeNotice(ctx, e, s.Now().Add(s.lease()))
	if errors.Is(err, store.ErrLeaseLost) {
		res.Lost++
		return nil
	}
	if err != nil {
		return err
	}
	sends, to, failure := s.plan(ctx, e)
	if failure.err != nil {
		return s.fail(ctx, e, failure, res)
	}
	// Every send left is tried; then a permanent failure is a dead letter,
	// a transient one a retry of what is left. The last send, when all went
	// well, deletes the notice in the same write that records it.
	pending := slices.DeleteFunc(sends, func(sd send) bool { return slices.Contains(e.Done, sd.key) })
	var permanentFailure, transient failed
	finished := false
	for i, sd := range pending {
		last := i == len(pending)-1 && permanentFailure.err == nil && transient.err == nil
		err := s.sendOne(ctx, e, sd, to, last)
		switch {
		case err == nil:
			res.Sent++
			metrics.Count(ctx, metrics.MessagesSent, metrics.Dim{Name: "Channel", Value: sd.name()})
			finished = last
		case errors.Is(err, store.ErrLeaseLost):
			res.Lost++
			return nil
		case permanent(err):
			permanentFailure = failed{err: fmt.Errorf("%s: %w", sd.name(), err), permanent: true, channel: sd.name()}
			metrics.Count(ctx, metrics.MessagesFailed, metrics.Dim{Name: "Channel", Value: sd.name()})
		default:
			transient = failed{err: fmt.Errorf("%s: %w", sd.name(), err), channel: sd.name()}
			metrics.Count(ctx, metrics.MessagesFailed, metrics.Dim{Name: "Channel", Value: sd.name()})
		}
	}
	if permanentFailure.err != nil {
		return s.fail(ctx, e, permanentFailure, res)
	}
	if transient.err != nil {
		return s.fail(ctx, e, transient, res)
	}
	if !finished {
		switch err := s.Store.FinishNotice(ctx, e); {
		case errors.Is(err, store.ErrLeaseLost):
			res.Lost++
			return nil
		case err != nil:
			return err
		}
	}
	res.Finished++
	res.Delays = append(res.Delays, s.Now().Sub(e.At))
	return nil
}

func (sd send) name() string {
	if sd.channel == nil {
		return "bus"
	}
	return sd.channel.Name()
}

// failed is why an attempt failed.
type failed struct {
	err       error
	permanent bool
	channel   string
}

// plan is what e is sent to: the resident's chosen channels where they
// have a verified address (and SMS for a notice that goes by SMS always:
// notices.BySMSAlways), and the bus. A resident with no verified address
// on any chosen channel is a permanent failure.
func (s *Service) plan(ctx context.Context, e store.OutboxEntry) ([]send, contacts.Contact, failed) {
	var sends []send
	var to contacts.Contact
	switch {
	case e.ToResident() && s.Contacts == nil:
		sends = append(sends, send{key: sendKey(e.ID, InApp), channel: inApp{}})
	case e.ToResident():
		chosen, err := s.Store.MessagePreferences(ctx, e.Account)
		if err != nil {
			return nil, to, failed{err: fmt.Errorf("preferences: %w", err)}
		}
		if e.BySMSAlways() && !slices.Contains(chosen, "sms") {
			chosen = append(slices.Clone(chosen), "sms") // about the number: to the number
		}
		if to, err = s.Contacts.Contact(ctx, e.Account); err != nil {
			return nil, to, failed{err: fmt.Errorf("contacts: %w", err)}
		}
		for _, c := range s.Channels {
			if carrier, ok := c.(interface{ Carries(notices.Event) bool }); ok && !carrier.Carries(e.Event) {
				continue // WeChat has a template for some events only
			}
			if slices.Contains(chosen, c.Name()) && to.Address(c.Name()) != "" {
				sends = append(sends, send{key: sendKey(e.ID, c.Name()), channel: c})
			}
		}
		// No address left, but an earlier attempt reached them: done.
		reached := slices.ContainsFunc(e.Done, func(k string) bool { return k != sendKey(e.ID, "bus") })
		if len(sends) == 0 && !reached {
			ch := "sms"
			if len(chosen) > 0 {
				ch = chosen[0]
			}
			return nil, to, failed{err: errors.New(reasonNoContact), permanent: true, channel: ch}
		}
	}
	if _, _, ok := e.Bus(); ok && s.Bus != nil {
		sends = append(sends, send{key: sendKey(e.ID, "bus")})
	}
	return sends, to, failed{}
}

func sendKey(id, to string) string { return id + "#" + to }

// InApp is the channel of a message recorded in the resident's messages
// (GET /v1/me/messages) and sent nowhere else.
const InApp = "app"

// inApp sends nothing: the message record its send writes is the message.
type inApp struct{}

func (inApp) Name() string { return InApp }

func (inApp) Send(context.Context, contacts.Contact, notices.Notice, string) error { return nil }

// sendOne sends sd and records it: the key as done (or, last, the notice
// as finished) and, for a resident's message, its record in their account.
func (s *Service) sendOne(ctx context.Context, e store.OutboxEntry, sd send, to contacts.Contact, last bool) error {
	if sd.channel == nil {
		detailType, detail, _ := e.Bus()
		if err := s.Bus.Publish(ctx, detailType, detail); err != nil {
			return err
		}
		return s.Store.RecordSend(ctx, e, sd.key, nil, last)
	}
	if err := sd.channel.Send(ctx, to, e.Notice, sd.key); err != nil {
		return err
	}
	msg := s.message(e.Notice, sd.channel.Name(), "sent")
	return s.Store.RecordSend(ctx, e, sd.key, &msg, last)
}

// message is the resident's record of n on channel.
func (s *Service) message(n notices.Notice, channel, status string) store.Message {
	text, _ := n.Text()
	return store.NewMessage(string(n.Event), channel, status, text, s.Now())
}

// fail ends an attempt that failed: a dead letter for a permanent failure
// or the last attempt, else another try after the backoff.
func (s *Service) fail(ctx context.Context, e store.OutboxEntry, f failed, res *Result) error {
	reason := f.err.Error()
	log := s.log().With("notice", e.ID, "event", e.Event, "attempts", e.Attempts, "error", reason)
	var err error
	if f.permanent || e.Attempts >= MaxAttempts {
		var msg *store.Message
		if e.ToResident() {
			ch := f.channel
			if ch == "bus" || ch == "" {
				ch = "sms"
			}
			m := s.message(e.Notice, ch, "failed")
			msg = &m
		}
		if err = s.Store.DeadLetter(ctx, e, reason, s.Now(), msg); err == nil {
			res.Dead++
			metrics.Count(ctx, metrics.DeadLetters)
			log.Warn("notice dead-lettered")
		}
	} else {
		next := s.Now().Add(Backoff(e.Attempts))
		if err = s.Store.RetryNotice(ctx, e, next, reason); err == nil {
			res.Retried++
			log.Info("notice to retry", "at", next)
		}
	}
	if errors.Is(err, store.ErrLeaseLost) {
		res.Lost++
		return nil
	}
	return err
}
