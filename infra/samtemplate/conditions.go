package samtemplate

import (
	"errors"
	"fmt"
	"os"
)

// Values are the parameter values, and pseudo parameters such as
// AWS::Region, that a template is read for (ParseFor). A parameter not
// given keeps its Default only if Defaults is asked for; otherwise every
// condition that depends on it stays unknown, and its Fn::If stays as
// written.
type Values map[string]string

// noValue is the pseudo parameter that removes a property or list element.
const noValue = "AWS::NoValue"

// LoadFor reads a template file for v (ParseFor).
func LoadFor(path string, v Values) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := ParseFor(data, v)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// ParseFor parses template text as CloudFormation would deploy it with v:
// each condition whose parameters v gives is evaluated (Fn::Equals, Fn::Not,
// Fn::And, Fn::Or, Condition); a resource or output whose condition is false
// is left out; an Fn::If on a known condition becomes its chosen branch; and
// !Ref AWS::NoValue leaves out its property or list element. Conditions v
// does not decide are kept as written, as Parse keeps them all.
func ParseFor(data []byte, v Values) (*Template, error) {
	top, err := parseTop(data)
	if err != nil {
		return nil, err
	}
	known, err := evalConditions(mapOf(top["Conditions"]), v)
	if err != nil {
		return nil, fmt.Errorf("samtemplate: %w", err)
	}
	for _, section := range []string{"Resources", "Outputs"} {
		m := mapOf(top[section])
		for id, r := range m {
			name := str(mapOf(r), "Condition")
			if on, ok := known[name]; name != "" && ok && !on {
				delete(m, id)
			}
		}
	}
	for k, x := range top {
		if k == "Conditions" || k == "Rules" {
			continue
		}
		top[k], _ = specialize(x, known)
	}
	t, err := fromTop(top)
	if err != nil {
		return nil, err
	}
	t.Conditions = known
	return t, nil
}

// specialize applies the known conditions to v; keep is false when v is
// !Ref AWS::NoValue, or an Fn::If that chose it.
func specialize(v any, known map[string]bool) (out any, keep bool) {
	switch x := v.(type) {
	case map[string]any:
		if ref, ok := RefTarget(x); ok && ref == noValue {
			return nil, false
		}
		if args, ok := x["Fn::If"].([]any); ok && len(x) == 1 && len(args) == 3 {
			if name, ok := args[0].(string); ok {
				if on, ok := known[name]; ok {
					if on {
						return specialize(args[1], known)
					}
					return specialize(args[2], known)
				}
				// Undecided: both branches stay, AWS::NoValue included.
				for i := 1; i < 3; i++ {
					if s, ok := specialize(args[i], known); ok {
						args[i] = s
					}
				}
				return x, true
			}
		}
		for k, e := range x {
			if s, ok := specialize(e, known); ok {
				x[k] = s
			} else {
				delete(x, k)
			}
		}
		return x, true
	case []any:
		out := x[:0]
		for _, e := range x {
			if s, ok := specialize(e, known); ok {
				out = append(out, s)
			}
		}
		return out, true
	}
	return v, true
}

// evalConditions is the value of every condition v decides.
func evalConditions(conds map[string]any, v Values) (map[string]bool, error) {
	known := map[string]bool{}
	visiting := map[string]bool{}
	var cond func(name string) (bool, bool, error)
	var eval func(expr any) (bool, bool, error)
	cond = func(name string) (bool, bool, error) {
		if on, ok := known[name]; ok {
			return on, true, nil
		}
		expr, ok := conds[name]
		if !ok {
			return false, false, fmt.Errorf("condition %q is not declared", name)
		}
		if visiting[name] {
			return false, false, fmt.Errorf("condition %q refers to itself", name)
		}
		visiting[name] = true
		defer delete(visiting, name)
		on, ok, err := eval(expr)
		if ok && err == nil {
			known[name] = on
		}
		return on, ok, err
	}
	eval = func(expr any) (bool, bool, error) {
		m, _ := expr.(map[string]any)
		name, arg, ok := asIntrinsic(m)
		if !ok {
			return false, false, fmt.Errorf("%s is not a condition function", Render(expr))
		}
		args, _ := arg.([]any)
		switch name {
		case "Condition":
			s, _ := arg.(string)
			return cond(s)
		case "Equals":
			if len(args) != 2 {
				return false, false, errors.New("condition: Fn::Equals takes two values")
			}
			a, aok := scalarValue(args[0], v)
			b, bok := scalarValue(args[1], v)
			return a == b, aok && bok, nil
		case "Not":
			if len(args) != 1 {
				return false, false, errors.New("condition: Fn::Not takes one condition")
			}
			on, ok, err := eval(args[0])
			return !on, ok, err
		case "And", "Or":
			// And is false once one is known false, Or true once one is
			// known true, whatever the unknown ones are.
			decisive := name == "Or"
			all := true
			for _, a := range args {
				on, ok, err := eval(a)
				if err != nil {
					return false, false, err
				}
				if ok && on == decisive {
					return decisive, true, nil
				}
				all = all && ok
			}
			return !decisive, all, nil
		}
		return false, false, fmt.Errorf("condition: Fn::%s is not a condition function", name)
	}
	for name := range conds {
		if _, _, err := cond(name); err != nil {
			return nil, err
		}
	}
	return known, nil
}

// scalarValue is a literal, or the value v gives a Ref; ok is false for a
// Ref v does not give.
func scalarValue(x any, v Values) (string, bool) {
	if ref, isRef := RefTarget(x); isRef {
		val, ok := v[ref]
		return val, ok
	}
	if m, isMap := x.(map[string]any); isMap && len(m) > 0 {
		return "", false
	}
	return Render(x), true
}
