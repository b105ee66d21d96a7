package citybus_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/wuxi-enrol/enrol/shared/citybus"
	"github.com/wuxi-enrol/enrol/shared/notices"
)

// TestPublish: PutEvents on the named bus with source enrol, the detail
// type and the detail as JSON (ids only); a failed entry in a 200 answer
// is an error, so the dispatcher retries it.
func TestPublish(t *testing.T) {
	var target string
	var in struct {
		Entries []struct{ EventBusName, Source, DetailType, Detail string }
	}
	answers := []string{`{"FailedEntryCount":0,"Entries":[{"EventId":"e1"}]}`,
		`{"FailedEntryCount":1,"Entries":[{"ErrorCode":"InternalFailure","ErrorMessage":"try again"}]}`}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		target = r.Header.Get("X-Amz-Target")
		b, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(b, &in)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		_, _ = io.WriteString(w, answers[0])
		answers = answers[1:]
	}))
	defer srv.Close()
	bus := &citybus.Bus{Name: "enrol-city-test", Client: eventbridge.NewFromConfig(aws.Config{Region: "cn-north-1",
		BaseEndpoint: aws.String(srv.URL), RetryMaxAttempts: 1, Credentials: credentials.NewStaticCredentialsProvider("k", "s", "")})}
	n := notices.New(notices.Promoted, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	n.Account, n.OfferingID, n.Title = "sub-1", "o1", "托班"
	detailType, detail, _ := n.Bus()
	if err := bus.Publish(context.Background(), detailType, detail); err != nil {
		t.Fatal(err)
	}
	if target != "AWSEvents.PutEvents" || len(in.Entries) != 1 {
		t.Fatalf("%s %+v", target, in)
	}
	e := in.Entries[0]
	var d map[string]any
	if err := json.Unmarshal([]byte(e.Detail), &d); err != nil {
		t.Fatal(err)
	}
	if e.EventBusName != "enrol-city-test" || e.Source != "enrol" || e.DetailType != "enrol.booking.promoted" ||
		d["id"] != n.ID || d["account"] != "sub-1" || d["offering_id"] != "o1" || d["title"] != nil {
		t.Fatalf("entry %+v", e)
	}
	if err := bus.Publish(context.Background(), detailType, detail); err == nil {
		t.Fatal("a failed entry is not an error")
	}
}
