package domain

import (
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// Bounds of a round's members.
const (
	MinRoundOfferings = 2
	MaxRoundOfferings = 10
)

// NewRound is an officer's request for a round, as given.
type NewRound struct {
	TitleZH     string   `json:"title_zh"`
	TitleEN     string   `json:"title_en"`
	Kind        Kind     `json:"kind"`
	Term        string   `json:"term"`
	OfferingIDs []string `json:"offering_ids"`
	MaxChoices  *int     `json:"max_choices"`
}

// CheckNewRound checks a round's own fields (before its members are read):
// titles, kind, term, 2..10 distinct offerings, max_choices 1..3 (absent:
// 3). It returns the number of choices.
func CheckNewRound(r NewRound) (int, error) {
	var v apperr.Validation
	for _, t := range []struct{ field, value string }{{"title_zh", r.TitleZH}, {"title_en", r.TitleEN}} {
		if c := utf8.RuneCountInString(t.value); c == 0 || c > 100 {
			v.Add(t.field, "标题必填，不超过 100 字", "the title is required, at most 100 characters")
		}
	}
	if !slices.Contains(Kinds, r.Kind) {
		v.Add("kind", "类型无效", "kind is not one of the kinds")
	}
	if c := utf8.RuneCountInString(r.Term); c == 0 || c > 40 {
		v.Add("term", "学期必填，不超过 40 字", "term is required, at most 40 characters")
	}
	if n := len(r.OfferingIDs); n < MinRoundOfferings || n > MaxRoundOfferings {
		v.Add("offering_ids", fmt.Sprintf("一轮应有 %d 到 %d 个项目", MinRoundOfferings, MaxRoundOfferings),
			fmt.Sprintf("a round has %d to %d offerings", MinRoundOfferings, MaxRoundOfferings))
	} else {
		seen := map[string]bool{}
		for _, id := range r.OfferingIDs {
			if seen[id] {
				v.Add("offering_ids", "项目重复："+id, "an offering is listed twice: "+id)
			}
			seen[id] = true
		}
	}
	choices := MaxChoices
	if r.MaxChoices != nil {
		choices = *r.MaxChoices
		if choices < 1 || choices > MaxChoices {
			v.Add("max_choices", fmt.Sprintf("志愿数应为 1 到 %d", MaxChoices), fmt.Sprintf("max_choices is 1 to %d", MaxChoices))
		}
	}
	return choices, v.Err()
}

// CheckRoundMembers checks the offerings a round would hold (as read, in
// the request's order): each a lottery of the round's kind and term, not
// cancelled, not in another round, taking no applications yet, with no
// term limit of its own (the round gives each child one place at most), and
// all with the same window and draw time. Each finding names the member as
// offering_ids[i].
func CheckRoundMembers(r NewRound, members []Offering, now time.Time) error {
	var v apperr.Validation
	for i, o := range members {
		f := fmt.Sprintf("offering_ids[%d]", i)
		switch {
		case !o.IsLottery() || o.ApplicationsOpenAt == nil || o.ApplicationsCloseAt == nil || o.DrawAt == nil:
			v.Add(f, "不是抽签项目", "not a lottery offering")
			continue
		case o.Status == OfferingCancelled:
			v.Add(f, "项目已取消", "the offering is cancelled")
		case o.RoundID != "":
			v.Add(f, "已属于另一轮："+o.RoundID, "already in round "+o.RoundID)
		case !now.Before(*o.ApplicationsOpenAt):
			v.Add(f, "申请已开始，不能再编入一轮", "applications have opened; it can no longer join a round")
		}
		if o.Kind != r.Kind {
			v.Add(f, "类型与本轮不同", "its kind is not the round's")
		}
		if o.Term != r.Term {
			v.Add(f, "学期与本轮不同", "its term is not the round's")
		}
		if o.MaxPerParticipantPerTerm != 0 {
			v.Add(f, "每学期限额应为 0（一轮最多给每个孩子一个名额）", "max_per_participant_per_term must be 0 (a round gives each child one place at most)")
		}
		if first := members[0]; i > 0 && first.IsLottery() && first.ApplicationsOpenAt != nil && first.ApplicationsCloseAt != nil && first.DrawAt != nil &&
			(!o.ApplicationsOpenAt.Equal(*first.ApplicationsOpenAt) || !o.ApplicationsCloseAt.Equal(*first.ApplicationsCloseAt) || !o.DrawAt.Equal(*first.DrawAt)) {
			v.Add(f, "申请时间或抽签时间与第一个项目不同", "its application window or draw time differs from the first offering's")
		}
	}
	return v.Err()
}

// ChoicesFor checks an application's ranked choices against round r:
// 1..MaxChoices distinct members.
func ChoicesFor(r Round, choices []string) error {
	var v apperr.Validation
	if len(choices) < 1 || len(choices) > r.MaxChoices {
		v.Add("choices", fmt.Sprintf("请按志愿顺序选择 1 到 %d 个项目", r.MaxChoices), fmt.Sprintf("choose 1 to %d offerings in order of preference", r.MaxChoices))
		return v.Err()
	}
	seen := map[string]bool{}
	for i, id := range choices {
		f := fmt.Sprintf("choices[%d]", i)
		switch {
		case !slices.Contains(r.OfferingIDs, id):
			v.Add(f, "不是本轮的项目", "not an offering of this round")
		case seen[id]:
			v.Add(f, "志愿重复", "chosen twice")
		}
		seen[id] = true
	}
	return v.Err()
}

// InRound refuses applying straight to a round's member: its places are
// given by the round.
func InRound(o Offering) error {
	if o.RoundID == "" {
		return nil
	}
	e := apperr.New(apperr.Conflict, "该项目属于统一招生轮次，请通过该轮申请（/v1/rounds/"+o.RoundID+"/applications）",
		"This offering is allocated in a round; apply to the round instead (/v1/rounds/"+o.RoundID+"/applications)")
	e.Extra = map[string]any{"round_id": o.RoundID}
	return e
}
