package samtemplate

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// EventDynamoDB is the SAM event type that runs a function on a table's
// stream; TypeEventSourceMapping the resource that does it without SAM.
const (
	EventDynamoDB          = "DynamoDB"
	TypeEventSourceMapping = "AWS::Lambda::EventSourceMapping"
)

// StreamEvent is one mapping of a table's stream to a function (a SAM
// DynamoDB event, or an AWS::Lambda::EventSourceMapping on a stream), as
// far as a local stand-in for Lambda's event source mapping needs it.
type StreamEvent struct {
	// EventName is the SAM event's name, or the mapping resource's id.
	FunctionID, EventName string
	// Stream is as written, rendered ("!GetAtt EnrolTable.StreamArn", or
	// an !If of it).
	Stream           string
	StartingPosition string // LATEST or TRIM_HORIZON
	BatchSize        int    // 0: Lambda's default, 100
	// MaximumRetryAttempts: -1 (or absent) retries until the record expires.
	MaximumRetryAttempts int
	// ReportBatchItemFailures: the function answers which records failed.
	ReportBatchItemFailures bool
	// Filters are FilterCriteria's patterns (JSON text, ParseFilter): a
	// record reaches the function if any matches (none: every record does).
	Filters []string
	// OnFailure is DestinationConfig.OnFailure.Destination, rendered.
	OnFailure string
}

// Filter is one of Lambda's event filter patterns, parsed.
type Filter struct{ pattern map[string]any }

// ParseFilter reads a pattern as FilterCriteria holds it (JSON text).
func ParseFilter(text string) (Filter, error) {
	var p map[string]any
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		return Filter{}, fmt.Errorf("samtemplate: filter pattern %q: %w", text, err)
	}
	return Filter{p}, nil
}

// Matches reports whether record (the event's record as Lambda shows it to
// the filter: eventName, dynamodb.NewImage, ...) matches f. Covered: nested
// fields, lists of literal values, prefix, anything-but and exists, which
// is what the template's patterns use; another rule matches nothing, so a
// pattern the stand-in does not know shows as notices that never come.
func (f Filter) Matches(record map[string]any) bool { return matchObject(f.pattern, record) }

func matchObject(pattern, value map[string]any) bool {
	for k, p := range pattern {
		v, present := value[k]
		switch p := p.(type) {
		case map[string]any:
			sub, ok := v.(map[string]any)
			if !ok || !matchObject(p, sub) {
				return false
			}
		case []any:
			if !slices.ContainsFunc(p, func(rule any) bool { return matchRule(rule, v, present) }) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func matchRule(rule, v any, present bool) bool {
	r, ok := rule.(map[string]any)
	if !ok {
		return present && rule == v
	}
	for op, arg := range r {
		switch op {
		case "prefix":
			s, isStr := v.(string)
			p, _ := arg.(string)
			return isStr && strings.HasPrefix(s, p)
		case "exists":
			want, _ := arg.(bool)
			return present == want
		case "anything-but":
			list, isList := arg.([]any)
			if !isList {
				list = []any{arg}
			}
			return present && !slices.Contains(list, v)
		}
	}
	return false
}

func functionStreams(fnID string, props map[string]any) []StreamEvent {
	var out []StreamEvent
	for name, e := range mapOf(props["Events"]) {
		em := mapOf(e)
		if str(em, "Type") != EventDynamoDB {
			continue
		}
		p := mapOf(em["Properties"])
		out = append(out, streamEvent(fnID, name, str(p, "Stream"), p))
	}
	slices.SortFunc(out, func(a, b StreamEvent) int { return strings.Compare(a.EventName, b.EventName) })
	return out
}

// mappingStreams are the AWS::Lambda::EventSourceMapping resources on a
// DynamoDB stream (their EventSourceArn names a StreamArn or a stream/
// ARN) of a function of the template (FunctionName: !Ref it).
func (t *Template) mappingStreams() []StreamEvent {
	var out []StreamEvent
	for _, id := range t.ResourceIDs(TypeEventSourceMapping) {
		p := t.Resources[id].Properties
		src := str(p, "EventSourceArn")
		fn, isRef := strings.CutPrefix(str(p, "FunctionName"), "!Ref ")
		if !isRef || t.Functions[fn] == nil || !strings.Contains(src, "StreamArn") && !strings.Contains(src, ":dynamodb:") {
			continue
		}
		out = append(out, streamEvent(fn, id, src, p))
	}
	return out
}

// streamEvent reads the properties a SAM DynamoDB event and a mapping
// resource share.
func streamEvent(fnID, name, stream string, p map[string]any) StreamEvent {
	s := StreamEvent{FunctionID: fnID, EventName: name, Stream: stream,
		StartingPosition: str(p, "StartingPosition"), BatchSize: num(p, "BatchSize"), MaximumRetryAttempts: -1,
		ReportBatchItemFailures: slices.Contains(strs(p["FunctionResponseTypes"]), "ReportBatchItemFailures"),
		OnFailure:               str(mapOf(mapOf(p["DestinationConfig"])["OnFailure"]), "Destination")}
	if _, ok := p["MaximumRetryAttempts"]; ok {
		s.MaximumRetryAttempts = num(p, "MaximumRetryAttempts")
	}
	filters, _ := mapOf(p["FilterCriteria"])["Filters"].([]any)
	for _, f := range filters {
		s.Filters = append(s.Filters, str(mapOf(f), "Pattern"))
	}
	return s
}

// Streams lists every mapping of a table's stream to a function: each
// function's DynamoDB events, by function, then event, then the mapping
// resources, by id.
func (t *Template) Streams() []StreamEvent {
	var out []StreamEvent
	for _, id := range t.FunctionLogicalIDs() {
		out = append(out, t.Functions[id].Streams...)
	}
	return append(out, t.mappingStreams()...)
}
