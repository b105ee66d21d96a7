package templatecheck

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TestBookingStream: the table streams new images, and the one mapping
// that reads it (DispatcherFunction's BookingStream) reports failed
// records, retries a bounded number of times, has somewhere to send what
// it gives up on, and starts at the latest record; its filter lets through
// exactly the new bookings a resident made, confirmed or waitlisted, which
// are what store.BookingNotice announces.
func TestBookingStream(t *testing.T) {
	tpl := loadTemplate(t)
	in, err := tpl.Table(localdb.TableLogicalID)
	if err != nil {
		t.Fatal(err)
	}
	if in.StreamSpecification == nil || in.StreamSpecification.StreamViewType != types.StreamViewTypeNewImage {
		t.Fatalf("EnrolTable's stream: %+v, want NEW_IMAGE", in.StreamSpecification)
	}
	streams := tpl.Streams()
	if len(streams) != 1 || streams[0].FunctionID != "DispatcherFunction" {
		t.Fatalf("DynamoDB events %+v, want DispatcherFunction's alone", streams)
	}
	ev := streams[0]
	if !ev.ReportBatchItemFailures || ev.MaximumRetryAttempts < 0 || ev.OnFailure == "" || ev.StartingPosition != "LATEST" || len(ev.Filters) != 1 {
		t.Fatalf("%s: %+v", ev.EventName, ev)
	}
	f, err := samtemplate.ParseFilter(ev.Filters[0])
	if err != nil {
		t.Fatal(err)
	}
	record := func(event, id, status string, edit ...func(map[string]any)) map[string]any {
		img := map[string]any{"PK": map[string]any{"S": "ACCOUNT#a"}, "SK": map[string]any{"S": "BOOKING#" + id},
			"type": map[string]any{"S": "booking"}, "id": map[string]any{"S": id}, "status": map[string]any{"S": status}}
		for _, e := range edit {
			e(img)
		}
		return map[string]any{"eventName": event, "eventSource": "aws:dynamodb", "dynamodb": map[string]any{"NewImage": img}}
	}
	for _, c := range []struct {
		name   string
		record map[string]any
		want   bool
	}{
		{"a confirmed booking", record("INSERT", "bk_1", "confirmed"), true},
		{"a waitlisted booking", record("INSERT", "bk_1", "waitlisted"), true},
		{"a booking changed", record("MODIFY", "bk_1", "confirmed"), false},
		{"a booking removed", record("REMOVE", "bk_1", "confirmed"), false},
		{"a draw's booking", record("INSERT", "bkg_1", "waitlisted"), false},
		{"an offer", record("INSERT", "bk_1", "offered"), false},
		{"a notice", record("INSERT", "ntc_1", "confirmed", func(m map[string]any) { m["type"] = map[string]any{"S": "notice"} }), false},
		{"no type", record("INSERT", "bk_1", "confirmed", func(m map[string]any) { delete(m, "type") }), false},
	} {
		if got := f.Matches(c.record); got != c.want {
			t.Errorf("%s: passes %v, want %v", c.name, got, c.want)
		}
		img := map[string]string{}
		for k, v := range c.record["dynamodb"].(map[string]any)["NewImage"].(map[string]any) {
			img[k] = v.(map[string]any)["S"].(string)
		}
		// What the filter passes is what the handler announces (a MODIFY
		// or REMOVE it skips by event name).
		if _, announced := store.BookingNotice(img); c.want && !announced || !c.want && announced && c.record["eventName"] == "INSERT" {
			t.Errorf("%s: store.BookingNotice announces it: %v", c.name, announced)
		}
	}
}
