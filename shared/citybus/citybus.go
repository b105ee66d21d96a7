// Package citybus publishes enrol's events on the city's EventBridge bus
// (api/events.md documents them), and, locally, records them in memory
// (GET /_local/events).
package citybus

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// EventBridge is what the bus calls; *eventbridge.Client has it.
type EventBridge interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Bus publishes on one event bus.
type Bus struct {
	Client EventBridge
	// Name is the bus's name or ARN.
	Name string
}

// Publish puts one event: source notices.Source, the detail type, the
// detail as JSON. PutEvents answers 200 with a failed entry rather than an
// error, so a failed entry is an error too (to retry).
func (b *Bus) Publish(ctx context.Context, detailType string, detail notices.Detail) error {
	body, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	out, err := b.Client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []types.PutEventsRequestEntry{{
		EventBusName: aws.String(b.Name), Source: aws.String(notices.Source), DetailType: aws.String(detailType),
		Detail: aws.String(string(body)), Time: aws.Time(detail.At),
	}}})
	if err != nil {
		return fmt.Errorf("eventbridge PutEvents: %w", err)
	}
	if out.FailedEntryCount > 0 && len(out.Entries) > 0 {
		return fmt.Errorf("eventbridge PutEvents: entry failed: %s %s", aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage))
	}
	return nil
}

// Event is one event as the recorder keeps it.
type Event struct {
	Source     string         `json:"source"`
	DetailType string         `json:"detail_type"`
	Detail     notices.Detail `json:"detail"`
	At         time.Time      `json:"published_at"`
}

// Recorder is the local bus: it keeps every event published. Safe for
// concurrent use.
type Recorder struct {
	Now    func() time.Time
	mu     sync.Mutex
	events []Event
}

// Publish records one event.
func (r *Recorder) Publish(_ context.Context, detailType string, detail notices.Detail) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, Event{Source: notices.Source, DetailType: detailType, Detail: detail, At: r.Now()})
	return nil
}

// Events is every event so far, oldest first.
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.events)
}
