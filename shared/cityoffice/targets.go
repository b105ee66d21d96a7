package cityoffice

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// TargetInput is an officer's target for a year and kind (PUT
// /v1/city/targets/{year}/{kind}). Pointers tell a field left out from a zero.
type TargetInput struct {
	Target *int `json:"target"`
	// Baseline is the first day counted (YYYY-MM-DD, a day of the year), as
	// the targets view shows it; left out, 1 January.
	Baseline *string `json:"baseline"`
	Title    *string `json:"title"`
}

// Bounds of a target.
const (
	MinTargetYear = 2020
	MaxTargetYear = 2100
	MaxTarget     = 1_000_000 // more places than the city has people of any age group
	minTitle      = 2
	maxTitle      = 80
)

// TargetSet is what SetTarget did: the target's progress as the targets view
// shows it, and whether it was new.
type TargetSet struct {
	Progress cityfigures.Progress
	Created  bool
}

// SetTarget makes the city's target for the year and kind (as the path
// names them) what in says, as a change by officer at now. The metric is
// new places, the only one targets measure (cityfigures.NewPlaces). A
// change another officer made meanwhile is read again and this one applied
// after it, so both are kept, in order; the same values again change
// nothing and add no history.
func (s *Service) SetTarget(ctx context.Context, year, kind string, in TargetInput, officer string, now time.Time) (TargetSet, error) {
	t, err := validateTarget(year, kind, in)
	if err != nil {
		return TargetSet{}, err
	}
	var res store.TargetSet
	err = s.Retry.Do(ctx, func(int) error {
		res, err = s.Store.SetTarget(ctx, t, officer, now)
		return err
	})
	if err != nil {
		return TargetSet{}, err
	}
	today := cityfigures.Date(now)
	var changes []cityfigures.Change
	if from, to := t.Window(today); from <= to {
		if changes, err = s.Store.Changes(ctx, from, to, store.ChangeFilter{}); err != nil {
			return TargetSet{}, err
		}
	}
	return TargetSet{Progress: cityfigures.Measure(t, changes, today), Created: res.Created}, nil
}

// TargetHistory is every change of every target, by Target.Key, oldest
// first: one Query.
func (s *Service) TargetHistory(ctx context.Context) (map[string][]cityfigures.TargetChange, error) {
	all, err := s.Store.TargetHistory(ctx, "")
	if err != nil {
		return nil, err
	}
	out := map[string][]cityfigures.TargetChange{}
	for _, c := range all {
		out[c.Key] = append(out[c.Key], c)
	}
	return out, nil
}

// validateTarget checks the request whole, every bad field named at once.
func validateTarget(year, kind string, in TargetInput) (cityfigures.Target, error) {
	var v apperr.Validation
	t := cityfigures.Target{Kind: domain.Kind(kind), Metric: cityfigures.NewPlaces}
	y, err := strconv.Atoi(year)
	switch {
	case err != nil || strconv.Itoa(y) != year:
		v.Add("year", "年度应为四位数字的年份", "year must be a four-digit year")
		y = 0
	case y < MinTargetYear || y > MaxTargetYear:
		v.Add("year", "年度应在 2020 至 2100 之间", "year must be from 2020 to 2100")
	}
	t.Year = y
	if !t.Kind.Valid() {
		zh, en := domain.KindChoices()
		v.Add("kind", "类型应为 "+zh, "kind must be "+en)
	}
	switch {
	case in.Target == nil:
		v.Add("target", "请填写目标数", "target is required")
	case *in.Target <= 0 || *in.Target > MaxTarget:
		v.Add("target", "目标数应为 1 至 1000000 的整数", "target must be a whole number from 1 to 1000000")
	default:
		t.Target = *in.Target
	}
	switch {
	case in.Baseline == nil || *in.Baseline == "":
		t.Baseline = fmt.Sprintf("%04d-01-01", y)
	default:
		b, err := time.Parse(time.DateOnly, *in.Baseline)
		switch {
		case err != nil:
			v.Add("baseline", "起算日应为 YYYY-MM-DD 格式的日期", "baseline must be a date, YYYY-MM-DD")
		case y != 0 && b.Year() != y:
			v.Add("baseline", "起算日应在目标年度之内", "baseline must be a day of the target's year")
		default:
			t.Baseline = *in.Baseline
		}
	}
	if in.Title == nil {
		v.Add("title", "请填写目标名称", "title is required")
	} else {
		t.Title = strings.TrimSpace(*in.Title)
		switch n := utf8.RuneCountInString(t.Title); {
		case n < minTitle || n > maxTitle:
			v.Add("title", "目标名称应为 2 至 80 个字", "title must be 2 to 80 characters")
		case strings.ContainsFunc(t.Title, unicode.IsControl):
			v.Add("title", "目标名称不能含控制字符（如换行）", "title must not contain control characters (such as line breaks)")
		}
	}
	if err := v.Err(); err != nil {
		return t, err
	}
	return t, nil
}
