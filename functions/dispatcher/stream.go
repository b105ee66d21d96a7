package dispatcher

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// NewStream is the dispatcher's handler of the table's stream
// (template.yaml, BookingStream): each new booking a resident made becomes
// its notice (booking_confirmed or booking_waitlisted, store.BookingNotice)
// in the outbox, which the next drain sends, with its retries and leases.
// The notice's id is the booking's, so a record delivered again while the
// notice waits puts nothing new. Records are taken in order; the first
// that fails is reported and the rest left, so Lambda retries from it.
func NewStream(d lambdafn.Deps) lambdafn.StreamHandler {
	return func(ctx context.Context, ev events.DynamoDBEvent) (events.DynamoDBEventResponse, error) {
		var resp events.DynamoDBEventResponse
		put := 0
		for _, r := range ev.Records {
			if r.EventName != string(events.DynamoDBOperationTypeInsert) {
				continue // the filter keeps these out; nothing to announce
			}
			n, ok := store.BookingNotice(stringAttrs(r.Change.NewImage))
			if !ok {
				continue
			}
			if err := d.Store.PutNotice(ctx, n); err != nil {
				d.Log.Error("booking notices", "booking", n.BookingID, "sequence", r.Change.SequenceNumber, "error", err.Error())
				resp.BatchItemFailures = []events.DynamoDBBatchItemFailure{{ItemIdentifier: r.Change.SequenceNumber}}
				break
			}
			put++
		}
		// At DEBUG: a line per batch at INFO would add one for nearly every
		// booking (the failure is logged above, at ERROR).
		d.Log.Debug("booking notices", "records", len(ev.Records), "put", put, "failed", len(resp.BatchItemFailures))
		return resp, nil
	}
}

// stringAttrs are an image's string attributes, all a booking's notice
// reads.
func stringAttrs(image map[string]events.DynamoDBAttributeValue) map[string]string {
	out := make(map[string]string, len(image))
	for k, v := range image {
		if v.DataType() == events.DataTypeString {
			out[k] = v.String()
		}
	}
	return out
}
