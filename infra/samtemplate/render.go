package samtemplate

import (
	"fmt"
	"sort"
	"strings"
)

// Render turns a template value into readable text. Plain scalars are their
// text; intrinsics come back in short-tag form ("!Ref EnrolTable",
// "!GetAtt EnrolTable.Arn", "!Sub ${EnrolTable.Arn}/index/GSI1") so callers can
// show or match them without knowing CloudFormation's long form.
func Render(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case map[string]any:
		if name, arg, ok := asIntrinsic(x); ok {
			return renderIntrinsic(name, arg)
		}
		return renderFlow(x)
	case []any:
		return renderFlow(x)
	}
	return fmt.Sprint(v)
}

// asIntrinsic recognises the long form {"Ref": …} / {"Fn::X": …} / {"Condition": …}.
func asIntrinsic(m map[string]any) (name string, arg any, ok bool) {
	if len(m) != 1 {
		return "", nil, false
	}
	for k, v := range m {
		switch {
		case k == "Ref" || k == "Condition":
			return k, v, true
		case strings.HasPrefix(k, "Fn::"):
			return strings.TrimPrefix(k, "Fn::"), v, true
		}
	}
	return "", nil, false
}

func renderIntrinsic(name string, arg any) string {
	switch name {
	case "GetAtt":
		if parts, ok := arg.([]any); ok && len(parts) == 2 {
			return "!GetAtt " + Render(parts[0]) + "." + Render(parts[1])
		}
	case "Sub":
		// The one-argument form is by far the commonest; show it bare.
		if parts, ok := arg.([]any); ok && len(parts) == 1 {
			arg = parts[0]
		}
	}
	if s, ok := arg.(string); ok {
		return "!" + name + " " + s
	}
	return "!" + name + " " + renderFlow(arg)
}

// renderFlow writes YAML-ish flow style: [a, b] and {k: v} with sorted keys.
func renderFlow(v any) string {
	switch x := v.(type) {
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = Render(e)
		}
		return "[" + strings.Join(parts, ", ") + "]"
	case map[string]any:
		if name, arg, ok := asIntrinsic(x); ok {
			return renderIntrinsic(name, arg)
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			parts[i] = k + ": " + Render(x[k])
		}
		return "{" + strings.Join(parts, ", ") + "}"
	}
	return Render(v)
}

// RefTarget is the logical id a {"Ref": id} value points at.
func RefTarget(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", false
	}
	s, ok := m["Ref"].(string)
	return s, ok
}

// GetAttTarget is the logical id of a "!GetAtt X.Arn"-style value (any
// attribute), and whether v is one.
func GetAttTarget(v any) (string, bool) {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return "", false
	}
	ga, ok := m["Fn::GetAtt"].([]any)
	if !ok || len(ga) != 2 {
		return "", false
	}
	s, ok := ga[0].(string)
	return s, ok
}
