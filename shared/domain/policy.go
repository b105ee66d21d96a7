package domain

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// A priority policy (contract part 2, "Priority policies") says, per kind,
// who comes first in a lottery: ordered tiers, each with what staff check
// before a claim to it counts. Every change is a new version; a draw names
// the version in force when its applications closed.

// PolicyTier is one tier of a policy: Tier 1 is drawn first. Evidence is
// what staff check before confirming a claim to it; the last tier is
// everyone else, claimed by nobody, so its evidence is empty.
type PolicyTier struct {
	Tier     int    `json:"tier"`
	Code     string `json:"code"`
	ZH       string `json:"zh"`
	EN       string `json:"en"`
	Evidence string `json:"evidence"`
}

// PriorityPolicy is one version of a kind's tiers.
type PriorityPolicy struct {
	Kind          Kind         `json:"kind"`
	Version       int          `json:"version"`
	EffectiveFrom time.Time    `json:"effective_from"`
	Tiers         []PolicyTier `json:"tiers"`
	CreatedAt     time.Time    `json:"created_at"`
	// CreatedBy is the officer who wrote the version (kept for the record,
	// never shown to the public).
	CreatedBy string `json:"-"`
}

// MarshalJSON shows times in the city's zone.
func (p PriorityPolicy) MarshalJSON() ([]byte, error) {
	type plain PriorityPolicy
	q := plain(p)
	q.EffectiveFrom, q.CreatedAt = q.EffectiveFrom.In(CityZone), q.CreatedAt.In(CityZone)
	return json.Marshal(q)
}

// Bounds of a policy.
const (
	MinPolicyTiers = 2
	MaxPolicyTiers = 10
	// MaxClaims is how many tiers one application may claim.
	MaxClaims = 5
)

var policyCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,31}$`)

// ValidatePolicyTiers checks a new version's tiers and numbers them 1..n in
// order (a tier given must equal its position): codes well formed and
// distinct, names in both languages, evidence on every tier but the last,
// which is everyone else. Names and evidence are text people read (on the
// policy page, to staff checking a claim), so they pass the one text rule
// (TextRule.Check) and are stored trimmed.
func ValidatePolicyTiers(tiers []PolicyTier) ([]PolicyTier, error) {
	var v apperr.Validation
	if len(tiers) < MinPolicyTiers || len(tiers) > MaxPolicyTiers {
		v.Add("tiers", fmt.Sprintf("优先级应有 %d 到 %d 档", MinPolicyTiers, MaxPolicyTiers),
			fmt.Sprintf("a policy has %d to %d tiers", MinPolicyTiers, MaxPolicyTiers))
		return nil, v.Err()
	}
	out := make([]PolicyTier, len(tiers))
	seen := map[string]bool{}
	for i, t := range tiers {
		f := fmt.Sprintf("tiers[%d]", i)
		if t.Tier != 0 && t.Tier != i+1 {
			v.Add(f+".tier", fmt.Sprintf("第 %d 档的编号应为 %d（按顺序从 1 起）", i+1, i+1),
				fmt.Sprintf("tier %d must be numbered %d (in order from 1)", i+1, i+1))
		}
		if !policyCode.MatchString(t.Code) {
			v.Add(f+".code", "代码应为 2–32 位小写字母、数字或下划线，以字母开头", "code: 2–32 lowercase letters, digits or underscores, starting with a letter")
		} else if seen[t.Code] {
			v.Add(f+".code", "代码重复", "the code is used twice")
		}
		seen[t.Code] = true
		t.ZH = TextRule{Field: f + ".zh", ZH: "中文名称", Min: 1, Max: 60}.Check(&v, t.ZH)
		t.EN = TextRule{Field: f + ".en", ZH: "英文名称", Min: 1, Max: 60}.Check(&v, t.EN)
		if i == len(tiers)-1 {
			if strings.TrimFunc(t.Evidence, trimmable) != "" {
				v.Add(f+".evidence", "最后一档是其他所有申请人，不需证明材料，应留空", "the last tier is everyone else: it needs no evidence, leave it empty")
			}
			t.Evidence = ""
		} else {
			t.Evidence = TextRule{Field: f + ".evidence", ZH: "证明材料", Min: 1, Max: 200}.Check(&v, t.Evidence)
		}
		t.Tier = i + 1
		out[i] = t
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	return out, nil
}

// DefaultTier is the tier of an application without a confirmed claim: the
// last (everyone else).
func (p PriorityPolicy) DefaultTier() int { return len(p.Tiers) }

// Tier looks a code up.
func (p PriorityPolicy) Tier(code string) (PolicyTier, bool) {
	for _, t := range p.Tiers {
		if t.Code == code {
			return t, true
		}
	}
	return PolicyTier{}, false
}

// Claimable reports whether an application may claim code: a tier of the
// policy other than the last.
func (p PriorityPolicy) Claimable(code string) bool {
	t, ok := p.Tier(code)
	return ok && t.Tier < p.DefaultTier()
}

// TierOf is the tier the confirmed claims give: the best of them, and the
// code that set it; the default tier and "" when none counts (a code the
// policy no longer has counts for nothing).
func (p PriorityPolicy) TierOf(confirmed []string) (int, string) {
	best, code := p.DefaultTier(), ""
	for _, c := range confirmed {
		if t, ok := p.Tier(c); ok && t.Tier < best {
			best, code = t.Tier, c
		}
	}
	return best, code
}

// NotChosenTier is the tier a round's offering document gives the tickets
// of children who did not choose that offering: after every real tier, so
// they rank below all who did (contract part 2; plan: "not_chosen_tier").
// Without a policy everyone is tier 1, and the not-chosen are 2.
func NotChosenTier(p *PriorityPolicy) int {
	if p == nil {
		return 2
	}
	return p.DefaultTier() + 1
}

// ClaimStatus is where staff's check of a claim stands.
type ClaimStatus string

// Claim states: only a confirmed claim counts.
const (
	ClaimPending   ClaimStatus = "pending"
	ClaimConfirmed ClaimStatus = "confirmed"
	ClaimRejected  ClaimStatus = "rejected"
)

// Claim is an application's claim to a tier at one offering (a round's
// application claims at each offering it chose: each centre checks its own).
type Claim struct {
	Code       string      `json:"code"`
	OfferingID string      `json:"offering_id"`
	Status     ClaimStatus `json:"status"`
	// Note is staff's, with the decision (required when rejected).
	Note      string     `json:"note,omitempty"`
	DecidedAt *time.Time `json:"decided_at,omitempty"`
	// DecidedBy is the staff member's account (audited; not shown).
	DecidedBy string `json:"-"`
}

// NoPolicy is the answer when kind has no such version of its policy, or
// (version 0) none in force.
func NoPolicy(kind Kind, version int) *apperr.Error {
	if version == 0 {
		return apperr.New(apperr.NotFound, fmt.Sprintf("「%s」尚无生效的优先级政策", KindNames[kind]), fmt.Sprintf("No priority policy is in force for %s", kind))
	}
	return apperr.New(apperr.NotFound, fmt.Sprintf("「%s」的优先级政策没有第 %d 版", KindNames[kind], version), fmt.Sprintf("No version %d of the %s priority policy", version, kind))
}
