package domain

import (
	"fmt"
	"strings"
)

// Explain says why application a got its rank (issue 14, "Explained
// ranks"), under p, the policy version the close applied (nil: no policy,
// everyone tier 1): its lottery number, and per choice the tier, the
// confirmed claim that set it, the rank, the result and the place in line
// at the draw, with a summary in each language. Before the draw (no
// number yet) there is nothing to explain: nil.
func Explain(a Application, p *PriorityPolicy) *Explanation {
	if a.Number == "" {
		return nil
	}
	e := &Explanation{Number: a.Number, Choices: []ExplainedChoice{}}
	if p != nil {
		e.PolicyVersion = p.Version
	}
	choices := a.Choices
	if len(choices) == 0 {
		choices = []Choice{{Preference: 1, OfferingID: a.OfferingID, Offering: a.Offering}}
	}
	for _, c := range choices {
		ec := ExplainedChoice{Preference: c.Preference, OfferingID: c.OfferingID, Title: c.Offering.Title, Centre: c.Offering.Centre,
			Tier: c.Tier, Claim: c.TierCode, Rank: c.Rank, Result: c.Result, WaitlistPosition: c.WaitlistPosition}
		if ec.Result == "" && len(choices) == 1 {
			// A record drawn before choices carried their outcome: the
			// application's own fields are its one choice's.
			ec.Tier, ec.Rank, ec.Result = a.Tier, a.Rank, resultOf(a.Status)
		}
		if ec.Tier == 0 {
			ec.Tier = 1
		}
		if p != nil && ec.Tier >= 1 && ec.Tier <= len(p.Tiers) {
			t := p.Tiers[ec.Tier-1]
			ec.TierCode, ec.TierZH, ec.TierEN = t.Code, t.ZH, t.EN
		}
		e.Choices = append(e.Choices, ec)
	}
	e.SummaryZH, e.SummaryEN = summaries(e, p)
	return e
}

// resultOf is a one-choice application's result from its status.
func resultOf(s ApplicationStatus) ChoiceResult {
	switch s {
	case ApplicationOffered:
		return ChoiceOffered
	case ApplicationWaitlisted:
		return ChoiceWaitlisted
	default:
		return ChoiceNotDrawn
	}
}

var (
	ordinalsZH = []string{"第一", "第二", "第三", "第四", "第五"}
	ordinalsEN = []string{"1st", "2nd", "3rd", "4th", "5th"}
)

// summaries are the explanation in a sentence per language, for example
// 第 2 优先级「双职工家庭」（政策第 1 版）；抽签号 3f2a…；第一志愿候补第 12 位；第二志愿录取.
// The tier is said once when every choice has the same, else per choice.
func summaries(e *Explanation, p *PriorityPolicy) (string, string) {
	var zh, en []string
	sameTier := true
	for _, c := range e.Choices {
		sameTier = sameTier && c.Tier == e.Choices[0].Tier
	}
	switch {
	case p == nil:
		zh, en = append(zh, "无优先级政策，所有申请人同为第 1 优先级"), append(en, "No priority policy: every applicant is tier 1")
	case sameTier:
		z, n := tierText(e.Choices[0])
		zh = append(zh, fmt.Sprintf("%s（政策第 %d 版）", z, p.Version))
		en = append(en, fmt.Sprintf("%s (policy v%d)", n, p.Version))
	default:
		var zs, ns []string
		for i, c := range e.Choices {
			z, n := tierText(c)
			zs, ns = append(zs, choiceZH(i, len(e.Choices))+z), append(ns, choiceEN(i, len(e.Choices))+n)
		}
		zh = append(zh, fmt.Sprintf("%s（政策第 %d 版）", strings.Join(zs, "，"), p.Version))
		en = append(en, fmt.Sprintf("%s (policy v%d)", strings.Join(ns, ", "), p.Version))
	}
	short := e.Number
	if len(short) > 4 {
		short = short[:4] + "…"
	}
	zh, en = append(zh, "抽签号 "+short), append(en, "lottery number "+short)
	for i, c := range e.Choices {
		z, n := resultText(c)
		zh, en = append(zh, choiceZH(i, len(e.Choices))+z), append(en, choiceEN(i, len(e.Choices))+n)
	}
	return strings.Join(zh, "；"), strings.Join(en, "; ")
}

// choiceZH and choiceEN name the i-th of n choices; one choice needs no name.
func choiceZH(i, n int) string {
	if n == 1 || i >= len(ordinalsZH) {
		return ""
	}
	return ordinalsZH[i] + "志愿"
}

func choiceEN(i, n int) string {
	if n == 1 || i >= len(ordinalsEN) {
		return ""
	}
	return ordinalsEN[i] + " choice: "
}

func tierText(c ExplainedChoice) (string, string) {
	if c.TierZH == "" {
		return fmt.Sprintf("第 %d 优先级", c.Tier), fmt.Sprintf("Tier %d", c.Tier)
	}
	return fmt.Sprintf("第 %d 优先级「%s」", c.Tier, c.TierZH), fmt.Sprintf("Tier %d \"%s\"", c.Tier, c.TierEN)
}

func resultText(c ExplainedChoice) (string, string) {
	switch c.Result {
	case ChoiceOffered:
		return "录取", "offered"
	case ChoiceWaitlisted:
		if c.WaitlistPosition > 0 {
			return fmt.Sprintf("候补第 %d 位", c.WaitlistPosition), fmt.Sprintf("waitlist position %d", c.WaitlistPosition)
		}
		return "候补", "waitlisted"
	case ChoiceNotReached:
		return "未轮到（已在更优先的志愿录取）", "not reached (offered at a higher choice)"
	default:
		return "未获安排", "not drawn"
	}
}

// TierAt is application a's tier at offeringID under p, and the confirmed
// claim there that set it: the best of its confirmed claims at that
// offering, else p's default tier; without a policy (nil) tier 1 for all.
func TierAt(p *PriorityPolicy, a Application, offeringID string) (int, string) {
	if p == nil {
		return 1, ""
	}
	var confirmed []string
	for _, c := range a.Claims {
		if c.OfferingID == offeringID && c.Status == ClaimConfirmed {
			confirmed = append(confirmed, c.Code)
		}
	}
	return p.TierOf(confirmed)
}
