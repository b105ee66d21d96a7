package domain

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// tiers is a valid list of n tiers: tier_1 … and the default, general.
func tiers(n int) []PolicyTier {
	out := make([]PolicyTier, n)
	for i := range out {
		out[i] = PolicyTier{Code: "tier_" + string(rune('a'+i)), ZH: "第" + string(rune('一'+i)) + "档", EN: "tier", Evidence: "证明"}
	}
	out[n-1] = PolicyTier{Code: "general", ZH: "其他申请人", EN: "Everyone else"}
	return out
}

func TestValidatePolicyTiers(t *testing.T) {
	cases := []struct {
		name   string
		edit   func([]PolicyTier) []PolicyTier
		fields []string // the fields named, in order; nil: valid
	}{
		{"valid, numbered by position", func(ts []PolicyTier) []PolicyTier { return ts }, nil},
		{"numbers given in order", func(ts []PolicyTier) []PolicyTier {
			for i := range ts {
				ts[i].Tier = i + 1
			}
			return ts
		}, nil},
		{"ten tiers", func([]PolicyTier) []PolicyTier { return tiers(10) }, nil},
		{"one tier", func(ts []PolicyTier) []PolicyTier { return ts[2:] }, []string{"tiers"}},
		{"eleven tiers", func([]PolicyTier) []PolicyTier { return tiers(11) }, []string{"tiers"}},
		{"none", func([]PolicyTier) []PolicyTier { return nil }, []string{"tiers"}},
		{"a number out of place", func(ts []PolicyTier) []PolicyTier { ts[1].Tier = 3; return ts }, []string{"tiers[1].tier"}},
		{"a negative number", func(ts []PolicyTier) []PolicyTier { ts[0].Tier = -1; return ts }, []string{"tiers[0].tier"}},
		{"codes", func(ts []PolicyTier) []PolicyTier {
			ts[0].Code, ts[1].Code = "Dual", "x"
			return ts
		}, []string{"tiers[0].code", "tiers[1].code"}},
		{"a code too long, one starting with a digit", func(ts []PolicyTier) []PolicyTier {
			ts[0].Code, ts[1].Code = "a"+strings.Repeat("b", 32), "1st"
			return ts
		}, []string{"tiers[0].code", "tiers[1].code"}},
		{"a code twice", func(ts []PolicyTier) []PolicyTier { ts[1].Code = ts[0].Code; return ts }, []string{"tiers[1].code"}},
		{"names missing or blank", func(ts []PolicyTier) []PolicyTier {
			ts[0].ZH, ts[2].EN = "", " \u200b "
			return ts
		}, []string{"tiers[0].zh", "tiers[2].en"}},
		{"names too long", func(ts []PolicyTier) []PolicyTier {
			ts[1].ZH, ts[1].EN = strings.Repeat("长", 61), strings.Repeat("x", 61)
			return ts
		}, []string{"tiers[1].zh", "tiers[1].en"}},
		{"a name of 60, evidence of 200", func(ts []PolicyTier) []PolicyTier {
			ts[1].ZH, ts[1].Evidence = strings.Repeat("长", 60), strings.Repeat("证", 200)
			return ts
		}, nil},
		{"control characters and direction overrides", func(ts []PolicyTier) []PolicyTier {
			ts[0].ZH, ts[1].Evidence = "双职工\u202e家庭", "证明\x00"
			return ts
		}, []string{"tiers[0].zh", "tiers[1].evidence"}},
		{"evidence missing, too long, on the last", func(ts []PolicyTier) []PolicyTier {
			ts[0].Evidence, ts[1].Evidence, ts[2].Evidence = "", strings.Repeat("证", 201), "户口簿"
			return ts
		}, []string{"tiers[0].evidence", "tiers[1].evidence", "tiers[2].evidence"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := c.edit(tiers(3))
			got, err := ValidatePolicyTiers(slices.Clone(in))
			if c.fields == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				for i, tr := range got {
					want := in[i]
					want.Tier = i + 1
					if tr != want {
						t.Errorf("tier %d: %+v, want %+v", i, tr, want)
					}
				}
				return
			}
			e := apperr.As(err)
			if got != nil || e.Code != apperr.ValidationFailed {
				t.Fatalf("%+v, %v: want validation_failed naming %v", got, err, c.fields)
			}
			var named []string
			for _, f := range e.Fields {
				if f.Text.ZH == "" || f.Text.EN == "" {
					t.Errorf("field %s: a message missing in a language: %+v", f.Field, f.Text)
				}
				named = append(named, f.Field)
			}
			if !slices.Equal(named, c.fields) {
				t.Errorf("named %v, want %v", named, c.fields)
			}
		})
	}
}

// TestValidatePolicyTiersTrims: names and evidence are stored trimmed; the
// last tier's blank evidence is none.
func TestValidatePolicyTiersTrims(t *testing.T) {
	in := tiers(2)
	in[0].ZH, in[0].Evidence, in[1].Evidence = "  双职工家庭\u200b", "\t劳动合同 ", "  "
	got, err := ValidatePolicyTiers(in)
	if err != nil {
		t.Fatal(err)
	}
	if got[0].ZH != "双职工家庭" || got[0].Evidence != "劳动合同" || got[1].Evidence != "" {
		t.Errorf("stored %+v, want trimmed", got)
	}
}

func TestPolicyTiers(t *testing.T) {
	ts, err := ValidatePolicyTiers([]PolicyTier{
		{Code: "hardship", ZH: "困境", EN: "Hardship", Evidence: "证明"},
		{Code: "dual_worker", ZH: "双职工", EN: "Dual worker", Evidence: "合同"},
		{Code: "sibling", ZH: "兄弟姐妹", EN: "Sibling", Evidence: "在园证明"},
		{Code: "general", ZH: "其他", EN: "Everyone else"},
	})
	if err != nil {
		t.Fatal(err)
	}
	p := PriorityPolicy{Kind: Childcare, Version: 2, Tiers: ts}
	if p.DefaultTier() != 4 {
		t.Errorf("default tier %d, want 4", p.DefaultTier())
	}
	if tr, ok := p.Tier("dual_worker"); !ok || tr.Tier != 2 {
		t.Errorf("dual_worker: %+v %v", tr, ok)
	}
	if _, ok := p.Tier("nobody"); ok {
		t.Error("an unknown code was found")
	}
	for code, want := range map[string]bool{"hardship": true, "sibling": true, "general": false, "nobody": false, "": false} {
		if p.Claimable(code) != want {
			t.Errorf("claimable %q: %v, want %v", code, !want, want)
		}
	}
	for _, c := range []struct {
		confirmed []string
		tier      int
		code      string
	}{
		{nil, 4, ""},
		{[]string{"sibling"}, 3, "sibling"},
		{[]string{"sibling", "hardship", "dual_worker"}, 1, "hardship"},
		{[]string{"gone", "general"}, 4, ""},
		{[]string{"gone", "dual_worker"}, 2, "dual_worker"},
	} {
		if tier, code := p.TierOf(c.confirmed); tier != c.tier || code != c.code {
			t.Errorf("TierOf(%v) = %d %q, want %d %q", c.confirmed, tier, code, c.tier, c.code)
		}
	}
	if NotChosenTier(&p) != 5 || NotChosenTier(nil) != 2 {
		t.Errorf("not chosen: %d with the policy, %d without; want 5, 2", NotChosenTier(&p), NotChosenTier(nil))
	}
}

// TestPriorityPolicyJSON: times in the city's zone; the officer who wrote
// it never shown.
func TestPriorityPolicyJSON(t *testing.T) {
	at := time.Date(2025, 6, 30, 16, 0, 0, 0, time.UTC)
	b, err := json.Marshal(PriorityPolicy{Kind: Childcare, Version: 1, EffectiveFrom: at, CreatedAt: at, CreatedBy: "officer-sub", Tiers: tiers(2)})
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b, &got); err != nil {
		t.Fatal(err)
	}
	if got["effective_from"] != "2025-07-01T00:00:00+08:00" || got["created_at"] != "2025-07-01T00:00:00+08:00" {
		t.Errorf("times %v %v, want the city's midnight", got["effective_from"], got["created_at"])
	}
	if strings.Contains(string(b), "officer-sub") {
		t.Errorf("the officer is shown: %s", b)
	}
	keys := make([]string, 0, len(got))
	for k := range got {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"created_at", "effective_from", "kind", "tiers", "version"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("members %v, want %v", keys, want)
	}
}

func TestNoPolicy(t *testing.T) {
	for _, v := range []int{0, 3} {
		e := NoPolicy(Childcare, v)
		if e.Code != apperr.NotFound || !strings.Contains(e.Text.ZH, "普惠性托位") || !strings.Contains(e.Text.EN, "childcare") {
			t.Errorf("NoPolicy(childcare, %d) = %+v", v, e)
		}
	}
}
