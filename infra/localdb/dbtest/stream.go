package dbtest

import (
	"context"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-sdk-go-v2/service/dynamodbstreams"
	"github.com/wuxi-enrol/enrol/infra/eventsource"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Stream reads a test table's stream as the template's mapping of it
// (BookingStream, to DispatcherFunction) does, with its filter: a test hands
// what it reads to the function's stream handler (dispatcher.NewStream) as
// Lambda would, when it likes, and as often as it likes.
type Stream struct {
	t testing.TB
	r *eventsource.Reader
}

// StreamOf opens st's table's stream at its end: Next reads what is written
// from now on.
func StreamOf(t testing.TB, st *store.Store) *Stream {
	t.Helper()
	once.Do(setup)
	if err != nil {
		t.Fatalf("DynamoDB for tests: %v", err)
	}
	ctx := context.Background()
	streams := tmpl.Streams()
	if len(streams) != 1 {
		t.Fatalf("template.yaml maps its stream %d times; dbtest.Stream reads as the one mapping would", len(streams))
	}
	ev := streams[0]
	db, err := store.NewClient(ctx, config.Config{DynamoDBEndpoint: endpoint, Region: Region, DynamoDBNoCapacity: true})
	if err != nil {
		t.Fatal(err)
	}
	awsCfg, err := config.AWS(ctx, Region, endpoint)
	if err != nil {
		t.Fatal(err)
	}
	r, err := eventsource.Open(ctx, db, dynamodbstreams.NewFromConfig(awsCfg), st.Table(), "LATEST", ev.Filters)
	if err != nil {
		t.Fatalf("the stream of %s: %v", st.Table(), err)
	}
	return &Stream{t: t, r: r}
}

// Next is every record written since the last call (or the opening) that
// the filter passes, as one event.
func (s *Stream) Next() events.DynamoDBEvent {
	s.t.Helper()
	var all []map[string]any
	for {
		batch, read, err := s.r.Read(context.Background(), 1000)
		if err != nil {
			s.t.Fatal(err)
		}
		all = append(all, batch...)
		if read == 0 {
			break
		}
	}
	ev, err := eventsource.Event(all)
	if err != nil {
		s.t.Fatal(err)
	}
	return ev
}
