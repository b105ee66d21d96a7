package local_test

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

const policyPath = "/v1/city/priority-policies/childcare"

// policyTiers is a request's tiers: one claimable tier per label, then
// everyone else.
func policyTiers(labels ...string) []map[string]any {
	var out []map[string]any
	for i, l := range labels {
		out = append(out, map[string]any{"code": fmt.Sprintf("tier_%d", i+1), "zh": "优先" + l, "en": "Priority " + l, "evidence": "证明材料" + l})
	}
	return append(out, map[string]any{"code": "general", "zh": "其他申请人", "en": "Everyone else", "evidence": ""})
}

// firstTier is the Chinese name of a policy answer's first tier.
func firstTier(r reply) string {
	ts, _ := r.json["tiers"].([]any)
	if len(ts) == 0 {
		return ""
	}
	s, _ := ts[0].(map[string]any)["zh"].(string)
	return s
}

// versionsOf lists "v<n> <status>" newest first, as an officer sees them.
func (e *env) versionsOf(token string) []string {
	e.t.Helper()
	r := e.do("GET", policyPath+"/versions", token, nil)
	e.expect(r, 200, "")
	var out []string
	items, _ := r.json["items"].([]any)
	for _, it := range items {
		m := it.(map[string]any)
		out = append(out, fmt.Sprintf("v%v %v", m["version"], m["status"]))
	}
	return out
}

// Priority policies through the gateway: anyone reads the version in force
// without a token; only officers write (residents and staff 403) and list
// versions; each PUT is a new version and old ones stay readable; bad
// tiers are 422 naming each field, in Chinese by default and in English
// when asked; a version scheduled for later is listed but the old one stays
// current until the stack's clock passes its time.
func TestPolicies(t *testing.T) {
	clk := newMovableClock(time.Date(2026, 9, 1, 10, 0, 0, 0, domain.CityZone))
	e := start(t, clk.option())
	officerTok, resident := e.officerToken(), e.token("acc-policy", "residents")
	staff := e.tokenFor("staff-policy", []string{"centre-staff"}, e.centre.ID)

	e.expect(e.do("GET", policyPath, "", nil), 404, "not_found") // none yet
	v1 := e.do("PUT", policyPath, officerTok, map[string]any{"tiers": policyTiers("一", "二")})
	e.expect(v1, 201, "")
	if v1.num("version") != 1 || v1.str("status") != "in_force" || v1.header.Get("Location") != policyPath+"/versions/1" {
		t.Fatalf("version 1: %s %v", v1.body, v1.header)
	}

	for who, tok := range map[string]string{"the public": "", "a resident": resident} {
		cur := e.do("GET", policyPath, tok, nil)
		e.expect(cur, 200, "")
		if cur.num("version") != 1 || firstTier(cur) != "优先一" || cur.json["created_by"] != nil || strings.Contains(string(cur.body), officer) {
			t.Errorf("%s reads %s", who, cur.body)
		}
	}
	for _, tok := range []string{resident, staff} {
		e.expect(e.do("PUT", policyPath, tok, map[string]any{"tiers": policyTiers("x")}), 403, "forbidden")
		e.expect(e.do("GET", policyPath+"/versions", tok, nil), 403, "forbidden")
		e.expect(e.do("GET", policyPath+"/versions/1", tok, nil), 403, "forbidden")
	}
	if r := e.do("PUT", policyPath, "", map[string]any{"tiers": policyTiers("x")}); r.status != 401 {
		t.Errorf("PUT without a token: %d %s", r.status, r.body)
	}
	e.expect(e.do("GET", "/v1/city/priority-policies/yoga", "", nil), 404, "not_found")
	e.expect(e.do("PUT", "/v1/city/priority-policies/yoga", officerTok, map[string]any{"tiers": policyTiers("x")}), 404, "not_found")
	e.expect(e.do("PUT", policyPath, officerTok, map[string]any{"tiers": policyTiers("x"), "colour": "red"}), 400, "invalid_request")

	v2 := e.do("PUT", policyPath, officerTok, map[string]any{"tiers": policyTiers("甲", "乙", "丙")})
	e.expect(v2, 201, "")
	if v2.num("version") != 2 {
		t.Fatalf("version 2: %s", v2.body)
	}
	if cur := e.do("GET", policyPath, "", nil); cur.num("version") != 2 || firstTier(cur) != "优先甲" {
		t.Errorf("current after v2: %s", cur.body)
	}
	old := e.do("GET", policyPath+"/versions/1", officerTok, nil)
	e.expect(old, 200, "")
	if old.num("version") != 1 || old.str("status") != "superseded" || firstTier(old) != "优先一" {
		t.Errorf("version 1 after v2: %s", old.body)
	}
	e.expect(e.do("GET", policyPath+"/versions/3", officerTok, nil), 404, "not_found")

	// Bad tiers and a time in the past: every field named, in either language.
	bad := policyTiers("一", "二")
	bad[0]["code"], bad[2]["evidence"] = "Tier One", "户口簿"
	past := e.st.Now().Add(-time.Hour)
	for _, lang := range []string{"", "en"} {
		r := e.do("PUT", policyPath, officerTok, map[string]any{"effective_from": past, "tiers": bad}, "Accept-Language", lang)
		e.expect(r, 422, "validation_failed")
		var fields []string
		errs, _ := r.json["errors"].([]any)
		for _, f := range errs {
			m := f.(map[string]any)
			fields = append(fields, m["field"].(string))
			if msg, _ := m["message"].(string); strings.ContainsFunc(msg, func(r rune) bool { return unicode.Is(unicode.Han, r) }) == (lang == "en") {
				t.Errorf("Accept-Language %q: message %q for %v", lang, msg, m["field"])
			}
		}
		if want := []string{"effective_from", "tiers[0].code", "tiers[2].evidence"}; !slices.Equal(fields, want) {
			t.Errorf("Accept-Language %q: fields %v, want %v", lang, fields, want)
		}
	}
	one := e.do("PUT", policyPath, officerTok, map[string]any{"tiers": policyTiers()})
	e.expect(one, 422, "validation_failed")

	// Version 3 from two hours on: scheduled, v2 stays current until then.
	from := e.st.Now().Add(2 * time.Hour)
	v3 := e.do("PUT", policyPath, officerTok, map[string]any{"effective_from": from, "tiers": policyTiers("新")})
	e.expect(v3, 201, "")
	if v3.num("version") != 3 || v3.str("status") != "scheduled" {
		t.Fatalf("version 3: %s", v3.body)
	}
	if got := e.versionsOf(officerTok); !slices.Equal(got, []string{"v3 scheduled", "v2 in_force", "v1 superseded"}) {
		t.Errorf("versions before v3's time: %v", got)
	}
	if cur := e.do("GET", policyPath, "", nil); cur.num("version") != 2 {
		t.Errorf("current before v3's time: %s", cur.body)
	}
	clk.move(from.Sub(e.st.Now()) + time.Second)
	officerTok = e.officerToken()
	if cur := e.do("GET", policyPath, "", nil); cur.num("version") != 3 || firstTier(cur) != "优先新" || cur.str("status") != "in_force" {
		t.Errorf("current after v3's time: %s", cur.body)
	}
	if got := e.versionsOf(officerTok); !slices.Equal(got, []string{"v3 in_force", "v2 superseded", "v1 superseded"}) {
		t.Errorf("versions after v3's time: %v", got)
	}
	if p, err := e.st.Store.PolicyVersion(t.Context(), domain.Childcare, 3); err != nil || p.CreatedBy != officer {
		t.Errorf("version 3 as stored: %+v %v, want written by %s", p, err, officer)
	}
}

// Officers writing at once through the gateway each get their own version,
// numbered one after another: none is lost or overwritten.
func TestPoliciesConcurrentPuts(t *testing.T) {
	e := start(t)
	tok := e.officerToken()
	e.expect(e.do("PUT", policyPath, tok, map[string]any{"tiers": policyTiers("起")}), 201, "")
	const n = 6
	versions := make([]int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			r := e.do("PUT", policyPath, tok, map[string]any{"tiers": policyTiers(fmt.Sprint(i))})
			if r.status != 201 {
				t.Errorf("writer %d: %d %s", i, r.status, r.body)
			}
			versions[i] = r.num("version")
		})
	}
	wg.Wait()
	slices.Sort(versions)
	if !slices.Equal(versions, []int{2, 3, 4, 5, 6, 7}) {
		t.Errorf("versions %v, want 2..7", versions)
	}
	labels := map[string]bool{}
	for v := 2; v <= n+1; v++ {
		r := e.do("GET", fmt.Sprint(policyPath, "/versions/", v), tok, nil)
		e.expect(r, 200, "")
		labels[firstTier(r)] = true
	}
	if len(labels) != n {
		t.Errorf("%d distinct versions stored, want %d: %v", len(labels), n, labels)
	}
	if got := e.versionsOf(tok); len(got) != n+1 || got[0] != "v7 in_force" {
		t.Errorf("versions %v", got)
	}
}
