// Package metrics counts what a request or a scheduled run did (bookings,
// refusals, messages…) and writes the counts, once at its end, as one
// CloudWatch embedded-metric-format (EMF) line per dimension value to the
// function's standard output, which CloudWatch Logs turns into metrics
// (README, "运维 / Operations"). Counts travel in the context, as
// shared/dbcalls' tally does, so code deep in a service counts without a
// global; without a recorder in the context, counting does nothing.
//
// EMF: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
// (a directive holds at most 100 metrics; a dimension set at most 30 names).
package metrics

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"slices"
	"sync"
	"time"
)

// Namespace is the CloudWatch namespace of enrol's metrics when the
// deployment names none; a stack's are enrol-<Stage>, so that two stages in
// one account keep their figures apart.
const Namespace = "enrol"

// FunctionDimension names the function (its template logical id) on every metric.
const FunctionDimension = "Function"

// The metrics, all counts (unit Count). The dimension each may carry
// besides Function is named beside it.
const (
	Bookings       = "Bookings"       // a booking made (not a replay); Status: confirmed, waitlisted
	Applications   = "Applications"   // an application to a lottery offering or a round
	Refusals       = "Refusals"       // a 4xx answered; Code: the apperr code
	Unavailable    = "Unavailable"    // a 503 answered (the store was too busy)
	Promotions     = "Promotions"     // a waiting booking moved up; To: confirmed, offered
	OffersMade     = "OffersMade"     // a place offered with a deadline
	OffersAccepted = "OffersAccepted" // an offer accepted
	OffersExpired  = "OffersExpired"  // an offer let lapse
	MessagesSent   = "MessagesSent"   // Channel: sms, email, wechat, bus
	MessagesFailed = "MessagesFailed" // Channel: as MessagesSent; a failed attempt
	DeadLetters    = "DeadLetters"    // a message given up on
	StoreRetries   = "StoreRetries"   // DynamoDB attempts beyond each call's first
	DrawFailures   = "DrawFailures"   // a lottery draw that failed in a run
)

// The limits of the EMF specification.
const (
	MaxMetricsPerDirective = 100
	MaxDimensionsPerSet    = 30
)

// Dim is a dimension beyond Function: a name and its value.
type Dim struct{ Name, Value string }

type series struct {
	name string
	dim  Dim
}

// Recorder is one request's or one run's counts.
type Recorder struct {
	mu sync.Mutex
	m  map[series]float64
}

// Add counts n of metric name, with at most one dimension besides Function.
func (r *Recorder) Add(name string, n float64, dim ...Dim) {
	s := series{name: name}
	if len(dim) > 0 {
		s.dim = dim[0]
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.m == nil {
		r.m = map[series]float64{}
	}
	r.m[s] += n
}

// Get is the count of name with dim (none: the count without a dimension).
func (r *Recorder) Get(name string, dim ...Dim) float64 {
	s := series{name: name}
	if len(dim) > 0 {
		s.dim = dim[0]
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.m[s]
}

type key struct{}

// With returns ctx carrying a fresh recorder.
func With(ctx context.Context) (context.Context, *Recorder) {
	r := &Recorder{}
	return context.WithValue(ctx, key{}, r), r
}

// From is the recorder ctx carries, or nil.
func From(ctx context.Context) *Recorder {
	r, _ := ctx.Value(key{}).(*Recorder)
	return r
}

// Count adds one of name to ctx's recorder, if it carries one.
func Count(ctx context.Context, name string, dim ...Dim) { Add(ctx, name, 1, dim...) }

// Add adds n of name to ctx's recorder, if it carries one.
func Add(ctx context.Context, name string, n float64, dim ...Dim) {
	if r := From(ctx); r != nil && n != 0 {
		r.Add(name, n, dim...)
	}
}

// Sink writes a function's recorders as EMF lines.
type Sink struct {
	mu                  sync.Mutex
	w                   io.Writer
	namespace, function string
	now                 func() time.Time
}

// NewSink writes to w (the function's standard output in Lambda) in
// namespace ("": Namespace) for the function named function, stamped by now
// (the injected clock). A nil w discards.
func NewSink(w io.Writer, namespace, function string, now func() time.Time) *Sink {
	return &Sink{w: w, namespace: cmp.Or(namespace, Namespace), function: function, now: now}
}

// Flush writes r's counts, one line per dimension value (an EMF line gives
// a dimension one value), none when nothing was counted. A nil sink or
// recorder writes nothing.
func (s *Sink) Flush(r *Recorder) error {
	if s == nil || s.w == nil || r == nil {
		return nil
	}
	lines, err := Lines(r, s.namespace, s.function, s.now())
	if err != nil || len(lines) == 0 {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range lines {
		if _, err := s.w.Write(append(l, '\n')); err != nil {
			return err
		}
	}
	return nil
}

// Lines are r's counts as EMF documents: grouped by dimension, in a stable
// order, at most MaxMetricsPerDirective metrics a line. A metric with a
// dimension is published twice, by Function alone and by Function and the
// dimension, so the alarms and the dashboard read the total without
// knowing every value.
func Lines(r *Recorder, namespace, function string, at time.Time) ([][]byte, error) {
	if function == "" || namespace == "" {
		return nil, errors.New("metrics: no namespace or function name")
	}
	r.mu.Lock()
	groups := map[Dim]map[string]float64{}
	for s, v := range r.m {
		if v == 0 {
			continue
		}
		if groups[s.dim] == nil {
			groups[s.dim] = map[string]float64{}
		}
		groups[s.dim][s.name] += v
	}
	r.mu.Unlock()
	dims := slices.SortedFunc(maps.Keys(groups), func(a, b Dim) int {
		return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.Value, b.Value))
	})
	var out [][]byte
	for _, d := range dims {
		if d.Name != "" && (d.Value == "" || d.Name == FunctionDimension || d.Name == "_aws") {
			return nil, errors.New("metrics: dimension " + d.Name + " needs a value and a name of its own")
		}
		names := slices.Sorted(maps.Keys(groups[d]))
		for chunk := range slices.Chunk(names, MaxMetricsPerDirective) {
			b, err := json.Marshal(document(namespace, function, d, chunk, groups[d], at))
			if err != nil {
				return nil, err
			}
			out = append(out, b)
		}
	}
	return out, nil
}

type metricDef struct {
	Name string `json:"Name"`
	Unit string `json:"Unit"`
}

type directive struct {
	Namespace  string      `json:"Namespace"`
	Dimensions [][]string  `json:"Dimensions"`
	Metrics    []metricDef `json:"Metrics"`
}

type metadata struct {
	Timestamp         int64       `json:"Timestamp"`
	CloudWatchMetrics []directive `json:"CloudWatchMetrics"`
}

func document(namespace, function string, d Dim, names []string, values map[string]float64, at time.Time) map[string]any {
	sets := [][]string{{FunctionDimension}}
	doc := map[string]any{FunctionDimension: function}
	if d.Name != "" {
		sets = append(sets, []string{FunctionDimension, d.Name})
		doc[d.Name] = d.Value
	}
	defs := make([]metricDef, 0, len(names))
	for _, n := range names {
		defs = append(defs, metricDef{Name: n, Unit: "Count"})
		doc[n] = values[n]
	}
	doc["_aws"] = metadata{Timestamp: at.UnixMilli(), CloudWatchMetrics: []directive{{Namespace: namespace, Dimensions: sets, Metrics: defs}}}
	return doc
}
