package domain

import (
	"reflect"
	"testing"
)

func explainPolicy() *PriorityPolicy {
	return &PriorityPolicy{Kind: Childcare, Version: 1, Tiers: []PolicyTier{
		{Tier: 1, Code: "hardship_special_needs", ZH: "困境及特殊需要儿童", EN: "Hardship or special needs", Evidence: "证明"},
		{Tier: 2, Code: "dual_worker", ZH: "双职工家庭", EN: "Dual-worker family", Evidence: "合同"},
		{Tier: 3, Code: "general", ZH: "其他申请人", EN: "Everyone else"},
	}}
}

func TestExplain(t *testing.T) {
	num := "3f2a9c0d"
	offering := func(id string) BookedOffering {
		return BookedOffering{Title: "托班 " + id, Centre: CentreRef{ID: "c_" + id}}
	}
	tests := []struct {
		name   string
		a      Application
		p      *PriorityPolicy
		zh, en string
		want   []ExplainedChoice // compared when set
	}{
		{name: "before the draw", a: Application{Status: ApplicationApplied}, p: explainPolicy()},
		{
			name: "round: waitlisted at the first choice, offered at the second",
			a: Application{Number: num, Status: ApplicationOffered, Choices: []Choice{
				{Preference: 1, OfferingID: "of_a", Offering: offering("a"), Tier: 2, TierCode: "dual_worker", Rank: 14, Result: ChoiceWaitlisted, WaitlistPosition: 12},
				{Preference: 2, OfferingID: "of_b", Offering: offering("b"), Tier: 2, TierCode: "dual_worker", Rank: 3, Result: ChoiceOffered},
			}},
			p:  explainPolicy(),
			zh: "第 2 优先级「双职工家庭」（政策第 1 版）；抽签号 3f2a…；第一志愿候补第 12 位；第二志愿录取",
			en: `Tier 2 "Dual-worker family" (policy v1); lottery number 3f2a…; 1st choice: waitlist position 12; 2nd choice: offered`,
			want: []ExplainedChoice{
				{Preference: 1, OfferingID: "of_a", Title: "托班 a", Centre: CentreRef{ID: "c_a"}, Tier: 2, TierCode: "dual_worker", TierZH: "双职工家庭", TierEN: "Dual-worker family", Claim: "dual_worker", Rank: 14, Result: ChoiceWaitlisted, WaitlistPosition: 12},
				{Preference: 2, OfferingID: "of_b", Title: "托班 b", Centre: CentreRef{ID: "c_b"}, Tier: 2, TierCode: "dual_worker", TierZH: "双职工家庭", TierEN: "Dual-worker family", Claim: "dual_worker", Rank: 3, Result: ChoiceOffered},
			},
		},
		{
			name: "one choice, default tier, offered: no claim, no choice named",
			a:    Application{Number: num, Status: ApplicationOffered, Choices: []Choice{{Preference: 1, OfferingID: "of_a", Offering: offering("a"), Tier: 3, Rank: 1, Result: ChoiceOffered}}},
			p:    explainPolicy(),
			zh:   "第 3 优先级「其他申请人」（政策第 1 版）；抽签号 3f2a…；录取",
			en:   `Tier 3 "Everyone else" (policy v1); lottery number 3f2a…; offered`,
			want: []ExplainedChoice{{Preference: 1, OfferingID: "of_a", Title: "托班 a", Centre: CentreRef{ID: "c_a"}, Tier: 3, TierCode: "general", TierZH: "其他申请人", TierEN: "Everyone else", Rank: 1, Result: ChoiceOffered}},
		},
		{
			name: "no policy: tier 1 for everyone",
			a:    Application{Number: num, Status: ApplicationWaitlisted, Choices: []Choice{{Preference: 1, OfferingID: "of_a", Tier: 1, Rank: 5, Result: ChoiceWaitlisted, WaitlistPosition: 3}}},
			zh:   "无优先级政策，所有申请人同为第 1 优先级；抽签号 3f2a…；候补第 3 位",
			en:   "No priority policy: every applicant is tier 1; lottery number 3f2a…; waitlist position 3",
		},
		{
			name: "three choices, tiers differ, the last not reached",
			a: Application{Number: num, Status: ApplicationOffered, Choices: []Choice{
				{Preference: 1, OfferingID: "of_a", Tier: 1, TierCode: "hardship_special_needs", Rank: 9, Result: ChoiceWaitlisted, WaitlistPosition: 2},
				{Preference: 2, OfferingID: "of_b", Tier: 3, Rank: 4, Result: ChoiceOffered},
				{Preference: 3, OfferingID: "of_c", Tier: 3, Rank: 1, Result: ChoiceNotReached},
			}},
			p:  explainPolicy(),
			zh: "第一志愿第 1 优先级「困境及特殊需要儿童」，第二志愿第 3 优先级「其他申请人」，第三志愿第 3 优先级「其他申请人」（政策第 1 版）；抽签号 3f2a…；第一志愿候补第 2 位；第二志愿录取；第三志愿未轮到（已在更优先的志愿录取）",
			en: `1st choice: Tier 1 "Hardship or special needs", 2nd choice: Tier 3 "Everyone else", 3rd choice: Tier 3 "Everyone else" (policy v1); lottery number 3f2a…; 1st choice: waitlist position 2; 2nd choice: offered; 3rd choice: not reached (offered at a higher choice)`,
		},
		{
			name: "a record drawn before choices carried outcomes",
			a:    Application{Number: num, Status: ApplicationNotDrawn, Tier: 1, Rank: 7, OfferingID: "of_a"},
			zh:   "无优先级政策，所有申请人同为第 1 优先级；抽签号 3f2a…；未获安排",
			en:   "No priority policy: every applicant is tier 1; lottery number 3f2a…; not drawn",
			want: []ExplainedChoice{{Preference: 1, OfferingID: "of_a", Tier: 1, Rank: 7, Result: ChoiceNotDrawn}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := Explain(tt.a, tt.p)
			if tt.zh == "" {
				if e != nil {
					t.Fatalf("Explain = %+v, want nil before the draw", e)
				}
				return
			}
			if e == nil {
				t.Fatal("Explain = nil after the draw")
			}
			if e.SummaryZH != tt.zh || e.SummaryEN != tt.en {
				t.Errorf("summaries\n got %s\n     %s\nwant %s\n     %s", e.SummaryZH, e.SummaryEN, tt.zh, tt.en)
			}
			if e.Number != num || len(e.Choices) != max(1, len(tt.a.Choices)) {
				t.Errorf("number %q, %d choices", e.Number, len(e.Choices))
			}
			if wantV := 0; tt.p != nil && e.PolicyVersion != tt.p.Version || tt.p == nil && e.PolicyVersion != wantV {
				t.Errorf("policy_version %d", e.PolicyVersion)
			}
			if tt.want != nil && !reflect.DeepEqual(e.Choices, tt.want) {
				t.Errorf("choices\n got %+v\nwant %+v", e.Choices, tt.want)
			}
		})
	}
}
