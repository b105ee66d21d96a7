package samtemplate

import (
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// toValue turns a yaml.Node into plain Go values (map[string]any, []any,
// string, int, float64, bool, nil). Working at the node level is what keeps
// CloudFormation short tags (!Ref, !Sub, …) from breaking the parse: each
// tagged node becomes the long form, e.g. {"Ref": "X"} or {"Fn::Sub": "…"}.
func toValue(n *yaml.Node) (any, error) {
	if n == nil {
		return nil, nil
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return toValue(n.Content[0])
	case yaml.AliasNode:
		return toValue(n.Alias)
	}
	v, err := plainValue(n)
	if err != nil {
		return nil, err
	}
	if name, ok := intrinsicName(n.Tag); ok {
		return intrinsic(name, v), nil
	}
	return v, nil
}

// plainValue converts a node ignoring any custom tag on it.
func plainValue(n *yaml.Node) (any, error) {
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, vn := n.Content[i], n.Content[i+1]
			if k.Value == "<<" && k.Tag == "!!merge" {
				// YAML merge keys: copy the merged mapping(s) under ours.
				merged, err := toValue(vn)
				if err != nil {
					return nil, err
				}
				mergeInto(m, merged)
				continue
			}
			v, err := toValue(vn)
			if err != nil {
				return nil, err
			}
			m[k.Value] = v
		}
		return m, nil
	case yaml.SequenceNode:
		s := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := toValue(c)
			if err != nil {
				return nil, err
			}
			s = append(s, v)
		}
		return s, nil
	case yaml.ScalarNode:
		return scalar(n), nil
	case yaml.AliasNode, yaml.DocumentNode:
		return toValue(n)
	}
	return nil, fmt.Errorf("line %d: unexpected YAML node kind %d", n.Line, n.Kind)
}

func mergeInto(dst map[string]any, src any) {
	switch s := src.(type) {
	case map[string]any:
		for k, v := range s {
			if _, ok := dst[k]; !ok {
				dst[k] = v
			}
		}
	case []any:
		for _, e := range s {
			mergeInto(dst, e)
		}
	}
}

// scalar keeps CloudFormation-friendly types: dates and other exotic tags stay
// the text as written (a template version "2010-09-09" is a string, not a time).
func scalar(n *yaml.Node) any {
	tag := n.ShortTag()
	if _, custom := intrinsicName(n.Tag); custom {
		// A tagged scalar ("!Ref X") is always text; resolve as if untagged
		// would turn "!Ref 5" into a number, which CloudFormation never means.
		return n.Value
	}
	switch tag {
	case "!!null":
		return nil
	case "!!bool":
		if b, err := strconv.ParseBool(strings.ToLower(n.Value)); err == nil {
			return b
		}
		var b bool
		if n.Decode(&b) == nil {
			return b
		}
	case "!!int":
		var i int
		if n.Decode(&i) == nil {
			return i
		}
	case "!!float":
		var f float64
		if n.Decode(&f) == nil {
			return f
		}
	}
	return n.Value
}

// intrinsicName reports the CloudFormation function a local tag stands for.
// Standard YAML tags ("!!str", "tag:yaml.org,2002:…") and the empty tag are
// not intrinsics.
func intrinsicName(tag string) (string, bool) {
	if !strings.HasPrefix(tag, "!") || strings.HasPrefix(tag, "!!") || len(tag) < 2 {
		return "", false
	}
	return tag[1:], true
}

// intrinsic builds the long form of a short tag. Unknown tags still become
// {"Fn::Name": …} so a future intrinsic never breaks the reader.
func intrinsic(name string, v any) map[string]any {
	switch name {
	case "Ref", "Condition":
		return map[string]any{name: v}
	case "GetAtt":
		// "!GetAtt A.B.C" is ["A", "B.C"]: logical ids have no dots, attributes may.
		if s, ok := v.(string); ok {
			if id, attr, found := strings.Cut(s, "."); found {
				return map[string]any{"Fn::GetAtt": []any{id, attr}}
			}
		}
	}
	return map[string]any{"Fn::" + name: v}
}
