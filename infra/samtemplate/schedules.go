package samtemplate

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Event types that run a function on a schedule: Schedule is an EventBridge
// rule (always UTC), ScheduleV2 an EventBridge Scheduler schedule (which may
// name a time zone).
const (
	EventSchedule   = "Schedule"
	EventScheduleV2 = "ScheduleV2"
)

// Schedule is one Schedule or ScheduleV2 event of a function.
type Schedule struct {
	FunctionID, EventName string
	// Type is EventSchedule or EventScheduleV2.
	Type string
	// Expression is as written: "cron(55 15 * * ? *)", "rate(5 minutes)", or
	// an intrinsic rendered ("!Ref Expr"), which no parser accepts.
	Expression string
	// Timezone is ScheduleV2's ScheduleExpressionTimezone; "" means UTC.
	Timezone string
	// Enabled is false only when the template says so (Enabled: false or
	// State: DISABLED); a value that is not a literal (a !Ref) counts as
	// enabled, as the template's default stage would most likely have it.
	Enabled bool
}

// Schedules lists every schedule event of every function, sorted by
// function, then event.
func (t *Template) Schedules() []Schedule {
	var out []Schedule
	for _, f := range t.Functions {
		out = append(out, f.Schedules...)
	}
	sortSchedules(out)
	return out
}

func sortSchedules(ss []Schedule) {
	slices.SortFunc(ss, func(a, b Schedule) int {
		return cmp.Or(cmp.Compare(a.FunctionID, b.FunctionID), cmp.Compare(a.EventName, b.EventName))
	})
}

func functionSchedules(fnID string, props map[string]any) []Schedule {
	var out []Schedule
	for name, e := range mapOf(props["Events"]) {
		em := mapOf(e)
		typ := str(em, "Type")
		p := mapOf(em["Properties"])
		s := Schedule{FunctionID: fnID, EventName: name, Type: typ, Enabled: enabled(p)}
		switch typ {
		case EventSchedule:
			s.Expression = strings.TrimSpace(str(p, "Schedule"))
		case EventScheduleV2:
			s.Expression = strings.TrimSpace(str(p, "ScheduleExpression"))
			s.Timezone = strings.TrimSpace(str(p, "ScheduleExpressionTimezone"))
		default:
			continue
		}
		out = append(out, s)
	}
	sortSchedules(out)
	return out
}

// enabled reads SAM's Enabled (Schedule) and State (both types); either may
// turn a schedule off.
func enabled(p map[string]any) bool {
	switch v := p["Enabled"].(type) {
	case bool:
		if !v {
			return false
		}
	case string:
		if b, err := strconv.ParseBool(v); err == nil && !b {
			return false
		}
	}
	return !strings.EqualFold(str(p, "State"), "DISABLED")
}
