package metrics_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/clock"
	"github.com/wuxi-enrol/enrol/shared/metrics"
)

var at = time.Date(2026, 9, 1, 8, 30, 0, 0, time.UTC)

// emf is an EMF document as the specification lays it out.
type emf struct {
	AWS struct {
		Timestamp         int64 `json:"Timestamp"`
		CloudWatchMetrics []struct {
			Namespace  string     `json:"Namespace"`
			Dimensions [][]string `json:"Dimensions"`
			Metrics    []struct {
				Name string `json:"Name"`
				Unit string `json:"Unit"`
			} `json:"Metrics"`
		} `json:"CloudWatchMetrics"`
	} `json:"_aws"`
}

func decode(t *testing.T, line []byte) (emf, map[string]any) {
	t.Helper()
	var d emf
	var root map[string]any
	if err := json.Unmarshal(line, &d); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(line, &root); err != nil {
		t.Fatal(err)
	}
	return d, root
}

func TestDocumentShape(t *testing.T) {
	ctx, r := metrics.With(context.Background())
	metrics.Count(ctx, metrics.Refusals, metrics.Dim{Name: "Code", Value: "offering_full"})
	metrics.Count(ctx, metrics.Refusals, metrics.Dim{Name: "Code", Value: "offering_full"})
	metrics.Count(ctx, metrics.StoreRetries)
	metrics.Add(ctx, metrics.StoreRetries, 2)
	lines, err := metrics.Lines(r, "enrol-prod", "BookingsFunction", at)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 2 {
		t.Fatalf("%d lines, want 2 (one per dimension value):\n%s", len(lines), bytes.Join(lines, []byte("\n")))
	}
	tests := []struct {
		line    []byte
		sets    [][]string
		metric  string
		value   float64
		dimName string
		dimVal  string
	}{
		{lines[0], [][]string{{"Function"}}, "StoreRetries", 3, "", ""},
		{lines[1], [][]string{{"Function"}, {"Function", "Code"}}, "Refusals", 2, "Code", "offering_full"},
	}
	for _, tc := range tests {
		d, root := decode(t, tc.line)
		if d.AWS.Timestamp != at.UnixMilli() {
			t.Errorf("Timestamp %d, want %d (ms since the epoch, from the clock)", d.AWS.Timestamp, at.UnixMilli())
		}
		if len(d.AWS.CloudWatchMetrics) != 1 {
			t.Fatalf("%d directives", len(d.AWS.CloudWatchMetrics))
		}
		dir := d.AWS.CloudWatchMetrics[0]
		if dir.Namespace != "enrol-prod" {
			t.Errorf("Namespace %q", dir.Namespace)
		}
		if fmt.Sprint(dir.Dimensions) != fmt.Sprint(tc.sets) {
			t.Errorf("Dimensions %v, want %v", dir.Dimensions, tc.sets)
		}
		if len(dir.Metrics) != 1 || dir.Metrics[0].Name != tc.metric || dir.Metrics[0].Unit != "Count" {
			t.Errorf("Metrics %+v, want %s in Count", dir.Metrics, tc.metric)
		}
		// Every dimension named and every metric is a member of the root.
		if root["Function"] != "BookingsFunction" {
			t.Errorf("Function %v", root["Function"])
		}
		if root[tc.metric] != tc.value {
			t.Errorf("%s = %v, want %v", tc.metric, root[tc.metric], tc.value)
		}
		if tc.dimName != "" && root[tc.dimName] != tc.dimVal {
			t.Errorf("%s = %v, want %s", tc.dimName, root[tc.dimName], tc.dimVal)
		}
		wantMembers := 3 // _aws, Function, the metric
		if tc.dimName != "" {
			wantMembers++
		}
		if len(root) != wantMembers {
			t.Errorf("root has %d members, want %d: %v", len(root), wantMembers, root)
		}
	}
}

// A dimension's values each get their own line: an EMF line gives a
// dimension one value.
func TestDimensionValuesSeparate(t *testing.T) {
	ctx, r := metrics.With(context.Background())
	for _, ch := range []string{"sms", "email", "sms"} {
		metrics.Count(ctx, metrics.MessagesSent, metrics.Dim{Name: "Channel", Value: ch})
	}
	metrics.Count(ctx, metrics.MessagesFailed, metrics.Dim{Name: "Channel", Value: "sms"})
	lines, err := metrics.Lines(r, "enrol-prod", "DispatcherFunction", at)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]any{}
	for _, l := range lines {
		_, root := decode(t, l)
		got[root["Channel"].(string)] = root
	}
	if len(lines) != 2 || got["sms"]["MessagesSent"] != 2.0 || got["sms"]["MessagesFailed"] != 1.0 || got["email"]["MessagesSent"] != 1.0 {
		t.Errorf("lines:\n%s", bytes.Join(lines, []byte("\n")))
	}
	if _, ok := got["email"]["MessagesFailed"]; ok {
		t.Error("a metric counted zero times is written")
	}
}

// More metrics than a directive may hold are split over lines.
func TestMetricLimit(t *testing.T) {
	r := &metrics.Recorder{}
	const n = metrics.MaxMetricsPerDirective*2 + 5
	for i := range n {
		r.Add(fmt.Sprintf("M%03d", i), 1)
	}
	lines, err := metrics.Lines(r, "enrol-prod", "F", at)
	if err != nil {
		t.Fatal(err)
	}
	if len(lines) != 3 {
		t.Fatalf("%d lines, want 3", len(lines))
	}
	total := 0
	for _, l := range lines {
		d, root := decode(t, l)
		ms := d.AWS.CloudWatchMetrics[0].Metrics
		if len(ms) > metrics.MaxMetricsPerDirective {
			t.Errorf("%d metrics in one directive", len(ms))
		}
		for _, m := range ms {
			if root[m.Name] != 1.0 {
				t.Errorf("%s not in its line's root", m.Name)
			}
		}
		for _, set := range d.AWS.CloudWatchMetrics[0].Dimensions {
			if len(set) > metrics.MaxDimensionsPerSet {
				t.Errorf("dimension set of %d", len(set))
			}
		}
		total += len(ms)
	}
	if total != n {
		t.Errorf("%d metrics written, want %d", total, n)
	}
}

func TestBadDimensions(t *testing.T) {
	for _, d := range []metrics.Dim{{Name: "Code"}, {Name: "Function", Value: "x"}, {Name: "_aws", Value: "x"}} {
		r := &metrics.Recorder{}
		r.Add(metrics.Refusals, 1, d)
		if _, err := metrics.Lines(r, "enrol-prod", "F", at); err == nil {
			t.Errorf("dimension %+v accepted", d)
		}
	}
	if _, err := metrics.Lines(&metrics.Recorder{}, "enrol-prod", "", at); err == nil {
		t.Error("no function name accepted")
	}
}

// Counting without a recorder does nothing; a sink writes nothing for a run
// that counted nothing, and one line per dimension value otherwise, even
// from requests flushing at once.
func TestSink(t *testing.T) {
	metrics.Count(context.Background(), metrics.Bookings) // no recorder: no panic, nothing
	var buf syncBuffer
	s := metrics.NewSink(&buf, "enrol-prod", "BookingsFunction", clock.Fixed(at))
	if err := s.Flush(&metrics.Recorder{}); err != nil || buf.String() != "" {
		t.Fatalf("empty run wrote %q, %v", buf.String(), err)
	}
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			ctx, r := metrics.With(context.Background())
			metrics.Count(ctx, metrics.Bookings, metrics.Dim{Name: "Status", Value: "confirmed"})
			if err := s.Flush(r); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	if len(lines) != 20 {
		t.Fatalf("%d lines, want 20", len(lines))
	}
	for _, l := range lines {
		if _, root := decode(t, []byte(l)); root["Bookings"] != 1.0 || root["Status"] != "confirmed" {
			t.Errorf("line %s", l)
		}
	}
	var nilSink *metrics.Sink
	if err := nilSink.Flush(&metrics.Recorder{}); err != nil {
		t.Error(err)
	}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
