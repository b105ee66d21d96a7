package samtemplate

import (
	"fmt"
	"sort"
	"strconv"
)

// Throttle is one of API Gateway's token buckets: Rate requests a second
// refill it, and it holds at most Burst.
type Throttle struct {
	Rate  float64
	Burst int
}

// Limits are what a deployment admits: its HTTP APIs' stage throttles and
// its functions' reserved concurrency.
type Limits struct {
	// Default is the stage's DefaultRouteSettings throttle, which every
	// route without its own gets; nil when the template sets none.
	Default *Throttle
	// Routes are the RouteSettings throttles, by route key.
	Routes map[string]Throttle
	// Reserved is ReservedConcurrentExecutions by function logical id, for
	// the functions that reserve any.
	Reserved map[string]int
}

// ParameterDefaults are the parameters' Default values, the Values a
// deployment that sets no parameter gets (for LoadFor, Limits).
func (t *Template) ParameterDefaults() Values {
	v := Values{}
	for name, p := range t.Parameters {
		v[name] = p.Default
	}
	return v
}

// Limits reads the throttles and reservations with v's parameter values.
// Read the template with LoadFor(path, v) first, so that a reservation's
// !If on a condition is decided; one left undecided is an error.
func (t *Template) Limits(v Values) (Limits, error) {
	l := Limits{Routes: map[string]Throttle{}, Reserved: map[string]int{}}
	for _, id := range t.ResourceIDs(TypeHTTPAPI) {
		p := t.Resources[id].Properties
		if d := mapOf(p["DefaultRouteSettings"]); d != nil {
			th, ok, err := throttle(d, v)
			if err != nil {
				return l, fmt.Errorf("samtemplate: %s DefaultRouteSettings: %w", id, err)
			}
			if ok {
				l.Default = &th
			}
		}
		rs := mapOf(p["RouteSettings"])
		keys := make([]string, 0, len(rs))
		for k := range rs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, key := range keys {
			th, ok, err := throttle(mapOf(rs[key]), v)
			if err != nil {
				return l, fmt.Errorf("samtemplate: %s RouteSettings %q: %w", id, key, err)
			}
			if ok {
				l.Routes[key] = th
			}
		}
	}
	for _, id := range t.FunctionLogicalIDs() {
		x, set := t.Resources[id].Properties["ReservedConcurrentExecutions"]
		if !set {
			continue
		}
		n, err := number(x, v)
		if err != nil {
			return l, fmt.Errorf("samtemplate: %s ReservedConcurrentExecutions: %w", id, err)
		}
		if n > 0 {
			l.Reserved[id] = int(n)
		}
	}
	return l, nil
}

// throttle reads ThrottlingRateLimit and ThrottlingBurstLimit; ok is false
// when the settings have neither.
func throttle(m map[string]any, v Values) (Throttle, bool, error) {
	r, rok := m["ThrottlingRateLimit"]
	b, bok := m["ThrottlingBurstLimit"]
	if !rok && !bok {
		return Throttle{}, false, nil
	}
	if !rok || !bok {
		return Throttle{}, false, fmt.Errorf("sets only one of ThrottlingRateLimit and ThrottlingBurstLimit")
	}
	rate, err := number(r, v)
	if err != nil {
		return Throttle{}, false, err
	}
	burst, err := number(b, v)
	if err != nil {
		return Throttle{}, false, err
	}
	return Throttle{Rate: rate, Burst: int(burst)}, true, nil
}

// number is a literal number, or the value v gives the parameter a !Ref
// names.
func number(x any, v Values) (float64, error) {
	s, ok := scalarValue(x, v)
	if !ok {
		return 0, fmt.Errorf("%s is not a number the parameters decide", Render(x))
	}
	n, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("%q is not a number", s)
	}
	return n, nil
}
