package gateway

import (
	"fmt"
	"net/url"
	"strings"

	"github.com/wuxi-enrol/enrol/infra/samtemplate"
)

type segKind int

// Ranked so a larger kind is more specific, as API Gateway prefers literal
// segments over {param} over {proxy+}.
const (
	segGreedy segKind = iota
	segParam
	segLiteral
)

type segment struct {
	kind segKind
	text string // literal text, or the parameter name
}

type compiledRoute struct {
	samtemplate.Route
	segs []segment
}

// routeMatch is the route chosen for a request, with its path parameters.
type routeMatch struct {
	route  *compiledRoute
	params map[string]string
}

// routeTable answers which template route serves a request.
type routeTable struct {
	routes []*compiledRoute
	def    *compiledRoute // the "$default" route, if any
}

func compileRoutes(rs []samtemplate.Route) (*routeTable, error) {
	t := &routeTable{}
	seen := map[string]bool{}
	for _, r := range rs {
		key := r.Key()
		if seen[key] {
			return nil, fmt.Errorf("gateway: duplicate route %q", key)
		}
		seen[key] = true
		cr := &compiledRoute{Route: r}
		if r.Path == samtemplate.DefaultRoutePath {
			t.def = cr
			continue
		}
		segs, err := parsePath(r.Path)
		if err != nil {
			return nil, fmt.Errorf("gateway: route %q: %w", key, err)
		}
		cr.segs = segs
		t.routes = append(t.routes, cr)
	}
	return t, nil
}

func splitPath(p string) []string {
	p = strings.TrimPrefix(p, "/")
	if p == "" {
		return nil
	}
	return strings.Split(p, "/")
}

func parsePath(p string) ([]segment, error) {
	if !strings.HasPrefix(p, "/") {
		return nil, fmt.Errorf("path must start with /")
	}
	parts := splitPath(p)
	segs := make([]segment, 0, len(parts))
	for i, s := range parts {
		inner, isVar := strings.CutPrefix(s, "{")
		if !isVar {
			if strings.ContainsAny(s, "{}") {
				return nil, fmt.Errorf("segment %q mixes text and a variable", s)
			}
			segs = append(segs, segment{segLiteral, s})
			continue
		}
		inner, closed := strings.CutSuffix(inner, "}")
		if !closed || inner == "" || strings.ContainsAny(inner, "{}") {
			return nil, fmt.Errorf("bad variable segment %q", s)
		}
		if name, greedy := strings.CutSuffix(inner, "+"); greedy {
			if i != len(parts)-1 {
				return nil, fmt.Errorf("greedy variable %q must be last", s)
			}
			segs = append(segs, segment{segGreedy, name})
			continue
		}
		segs = append(segs, segment{segParam, inner})
	}
	return segs, nil
}

// match picks the most specific route for method and the escaped path:
// segment by segment literal beats {param} beats {proxy+}, then an exact
// method beats ANY. No match falls to "$default", else nil.
func (t *routeTable) match(method, escapedPath string) *routeMatch {
	parts := splitPath(escapedPath)
	var best *routeMatch
	for _, r := range t.routes {
		if r.Method != method && r.Method != "ANY" {
			continue
		}
		params, ok := r.bind(parts)
		if !ok {
			continue
		}
		if best == nil || moreSpecific(r, best.route) {
			best = &routeMatch{route: r, params: params}
		}
	}
	if best == nil && t.def != nil {
		return &routeMatch{route: t.def}
	}
	return best
}

// bind matches path segments, returning decoded path parameters.
func (r *compiledRoute) bind(parts []string) (map[string]string, bool) {
	var params map[string]string
	set := func(name, raw string) {
		if params == nil {
			params = map[string]string{}
		}
		if v, err := url.PathUnescape(raw); err == nil {
			raw = v
		}
		params[name] = raw
	}
	for i, s := range r.segs {
		switch s.kind {
		case segGreedy:
			if i >= len(parts) {
				return nil, false
			}
			rest := strings.Join(parts[i:], "/")
			if rest == "" {
				return nil, false
			}
			set(s.text, rest)
			return params, true
		case segParam:
			if i >= len(parts) || parts[i] == "" {
				return nil, false
			}
			set(s.text, parts[i])
		case segLiteral:
			if i >= len(parts) || parts[i] != s.text {
				return nil, false
			}
		}
	}
	return params, len(parts) == len(r.segs)
}

func moreSpecific(a, b *compiledRoute) bool {
	for i := 0; i < len(a.segs) && i < len(b.segs); i++ {
		if a.segs[i].kind != b.segs[i].kind {
			return a.segs[i].kind > b.segs[i].kind
		}
	}
	if len(a.segs) != len(b.segs) {
		// Same shape up to a greedy tail: the longer route is more specific.
		return len(a.segs) > len(b.segs)
	}
	return a.Method != "ANY" && b.Method == "ANY"
}

// has reports whether key is one of the table's route keys.
func (t *routeTable) has(key string) bool {
	if t.def != nil && t.def.Key() == key {
		return true
	}
	for _, r := range t.routes {
		if r.Key() == key {
			return true
		}
	}
	return false
}
