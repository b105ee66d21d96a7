package local_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/infra/local"
	"github.com/wuxi-enrol/enrol/infra/localdb/faults"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// TestOperationsLinesOverHTTP (issue 16): each request's log line names its
// caller by sub and role (never the token), and the functions' EMF lines
// count a booking by status, a refusal under its code and a 503, one line
// per request that counted something.
func TestOperationsLinesOverHTTP(t *testing.T) {
	var inj faults.Injector
	emf := &local.SyncBuffer{}
	e := start(t, withFaults(&inj), func(o *local.Options) { o.Metrics = emf })
	e.offering("o", 1)
	e.offering("nowait", 1, func(o *domain.Offering) { o.WaitlistEnabled = false; o.Confirmed = 1 })
	tok, p, _ := e.resident("ops-a")
	emf.Reset() // registering counts nothing, but start clean

	steps := []struct {
		name       string
		run        func() reply
		status     int
		sub, role  string
		metric     string
		dim, value string
	}{
		{"public read", func() reply { return e.do("GET", "/v1/offerings", "", nil) }, 200, "", "public", "", "", ""},
		{"booking", func() reply { return e.book(tok, "o", p, false) }, 201, "ops-a", "residents", "Bookings", "Status", "confirmed"},
		{"refusal", func() reply { return e.book(tok, "nowait", p, false) }, 409, "ops-a", "residents", "Refusals", "Code", "offering_full"},
		{"officer", func() reply {
			return e.do("GET", "/v1/city/capacity", e.token("ops-o", "residents", "city-officers"), nil)
		}, 200, "ops-o", "city-officers", "", "", ""},
		{"store too busy", func() reply {
			inj.Fail("BatchGetItem", 0, faults.Error("ThrottlingException"))
			defer inj.Clear()
			return e.book(tok, "o", p, true)
		}, 503, "ops-a", "residents", "Unavailable", "", ""},
	}
	for _, s := range steps {
		before := len(lines(emf.String()))
		r := s.run()
		if r.status != s.status {
			t.Fatalf("%s: %d %s", s.name, r.status, r.body)
		}
		line := e.lastLine()
		if line["sub"] != s.sub || line["role"] != s.role {
			t.Errorf("%s: log line sub %v role %v, want %q %q", s.name, line["sub"], line["role"], s.sub, s.role)
		}
		if strings.Contains(e.logs.String(), "Bearer") || strings.Contains(e.logs.String(), "eyJ") {
			t.Fatalf("%s: a token is in the log", s.name)
		}
		got := lines(emf.String())[before:]
		if s.metric == "" {
			if len(got) != 0 {
				t.Errorf("%s: counted %v", s.name, got)
			}
			continue
		}
		if len(got) != 1 {
			t.Fatalf("%s: %d metric lines, want 1: %v", s.name, len(got), got)
		}
		m := got[0]
		aws, _ := m["_aws"].(map[string]any)
		if m["Function"] != "BookingsFunction" || m[s.metric] != 1.0 || aws == nil || aws["Timestamp"] == nil {
			t.Errorf("%s: metric line %v, want %s=1 from BookingsFunction", s.name, m, s.metric)
		}
		if s.dim != "" && m[s.dim] != s.value {
			t.Errorf("%s: %s=%v, want %s", s.name, s.dim, m[s.dim], s.value)
		}
		dirs, _ := aws["CloudWatchMetrics"].([]any)
		if len(dirs) != 1 || dirs[0].(map[string]any)["Namespace"] != "enrol-local" {
			t.Errorf("%s: directives %v", s.name, dirs)
		}
	}
}

// lines are the JSON lines of s.
func lines(s string) []map[string]any {
	var out []map[string]any
	for l := range strings.SplitSeq(strings.TrimSpace(s), "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(l), &m) == nil {
			out = append(out, m)
		}
	}
	return out
}
