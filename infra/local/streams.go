package local

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/wuxi-enrol/enrol/infra/eventsource"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
)

// The local stand-ins for the template's event source mappings: for each
// mapping of the table's stream to a function (samtemplate.Streams: the
// mapping resource BookingStream, to DispatcherFunction), a mapping
// (infra/eventsource) reads the table's stream and runs the function's
// stream handler, as Lambda would; a batch it gives up on is logged and
// kept in StreamFailures (the on-failure destination).

// streamFeeds holds the running mappings and the batches they gave up.
type streamFeeds struct {
	stop    context.CancelFunc
	running sync.WaitGroup
	mu      sync.Mutex
	failed  []eventsource.Failure
}

// StreamFailures are the batches sent to an on-failure destination so far.
func (s *Stack) StreamFailures() []eventsource.Failure {
	s.streams.mu.Lock()
	defer s.streams.mu.Unlock()
	return slices.Clone(s.streams.failed)
}

// startStreams starts a mapping for each of the template's mappings of the
// table's stream, reading from now on (the events' StartingPosition).
func (s *Stack) startStreams(ctx context.Context, tmpl *samtemplate.Template, base config.Config, db *dynamodb.Client, table string, handlers map[string]lambdafn.StreamHandler) error {
	awsCfg, err := config.AWS(ctx, base.Region, base.DynamoDBEndpoint)
	if err != nil {
		return err
	}
	client := dynamodbstreams.NewFromConfig(awsCfg)
	runCtx, cancel := context.WithCancel(context.Background())
	s.streams.stop = cancel
	for _, ev := range tmpl.Streams() {
		h := handlers[ev.FunctionID]
		if h == nil {
			return fmt.Errorf("template function %s reads a stream (%s) but has no local constructor in Streams in infra/local/functions.go", ev.FunctionID, ev.EventName)
		}
		r, err := eventsource.Open(ctx, db, client, table, ev.StartingPosition, ev.Filters)
		if err != nil {
			return fmt.Errorf("%s.%s: the table's stream: %w", ev.FunctionID, ev.EventName, err)
		}
		m := &eventsource.Mapping{Event: ev, Reader: r, Handler: h, Timeout: time.Duration(tmpl.Functions[ev.FunctionID].Timeout) * time.Second,
			Log: s.log.With("function", ev.FunctionID, "event", ev.EventName), Failed: s.streamFailed, Backoff: 100 * time.Millisecond}
		s.streams.running.Go(func() { m.Run(runCtx) })
	}
	return nil
}

// stopStreams ends the mappings, after the batch each is handing over.
func (s *Stack) stopStreams() {
	if s.streams.stop != nil {
		s.streams.stop()
		s.streams.running.Wait()
	}
}

func (s *Stack) streamFailed(f eventsource.Failure) {
	s.log.Error("stream batch sent to its on-failure destination", "function", f.FunctionID, "event", f.EventName,
		"first_sequence", f.FirstSequence, "last_sequence", f.LastSequence, "records", f.Records, "err", f.Error)
	s.streams.mu.Lock()
	defer s.streams.mu.Unlock()
	s.streams.failed = append(s.streams.failed, f)
}
