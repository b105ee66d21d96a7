package samtemplate

import "sort"

// Statement is one IAM policy statement of a function; Resources keep
// intrinsics rendered ("!GetAtt EnrolTable.Arn").
type Statement struct {
	Effect    string
	Actions   []string
	Resources []string
}

// policies splits SAM's Policies property, which may be a managed policy name,
// a policy document, a SAM policy template ({"DynamoDBCrudPolicy": …}) or a
// list of any of these.
func policies(v any) (stmts []Statement, named []string) {
	var items []any
	switch x := v.(type) {
	case nil:
		return nil, nil
	case []any:
		items = x
	default:
		items = []any{x}
	}
	for _, item := range items {
		m, ok := item.(map[string]any)
		if !ok {
			named = append(named, Render(item))
			continue
		}
		if _, _, isFn := asIntrinsic(m); isFn {
			named = append(named, Render(m))
			continue
		}
		if _, isDoc := m["Statement"]; !isDoc {
			// SAM policy templates: {"DynamoDBCrudPolicy": {"TableName": …}}.
			keys := make([]string, 0, len(m))
			for k := range m {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			named = append(named, keys...)
			continue
		}
		stmts = append(stmts, statements(m["Statement"])...)
	}
	return stmts, named
}

func statements(v any) []Statement {
	var list []any
	switch x := v.(type) {
	case nil:
		return nil
	case []any:
		list = x
	default:
		list = []any{x}
	}
	out := make([]Statement, 0, len(list))
	for _, s := range list {
		m := mapOf(s)
		out = append(out, Statement{
			Effect:    str(m, "Effect"),
			Actions:   strs(m["Action"]),
			Resources: strs(m["Resource"]),
		})
	}
	return out
}
