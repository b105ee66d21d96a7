package domain

import (
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// 锡银学堂: 55 and over by default; a centre may raise the minimum, never
// lower it.
func TestSeniorCourseMinimumAge(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, CityZone)
	c := Centre{ID: "c1", Name: "梁溪区老年大学锡银学堂", District: "liangxi", Kinds: []Kind{SeniorCourse}}
	ptr := func(i int) *int { return &i }
	tests := []struct {
		name     string
		min, max *int
		wantMin  int
		field    string // the field refused, "" when accepted
	}{
		{"default 55+", nil, nil, 660, ""},
		{"exactly 55", ptr(660), nil, 660, ""},
		{"65 and over", ptr(780), nil, 780, ""},
		{"65 to 80", ptr(780), ptr(960), 780, ""},
		{"50 and over", ptr(600), nil, 0, "min_age_months"},
		{"one month short", ptr(659), nil, 0, "min_age_months"},
		{"evening ages", ptr(216), ptr(551), 0, "min_age_months"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := NewOffering{Kind: SeniorCourse, Title: "书法", StartsOn: "2026-12-07", EndsOn: "2026-12-21", Capacity: 30,
				Schedule:     Schedule{Text: "周一上午", Sessions: []string{"2026-12-07", "2026-12-14", "2026-12-21"}},
				MinAgeMonths: tc.min, MaxAgeMonths: tc.max}
			o, err := Create(in, c, now)
			if tc.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				if o.MinAgeMonths != tc.wantMin || o.MaxPerParticipantPerTerm != 2 || o.NoShowRule == nil || o.NoShowRule.MaxUnexcused != 2 {
					t.Fatalf("offering: %+v", o)
				}
				return
			}
			e := apperr.As(err)
			if e.Code != apperr.ValidationFailed || e.Code.Status() != 422 {
				t.Fatalf("err = %v, want validation_failed", err)
			}
			for _, f := range e.Fields {
				if f.Field == tc.field && strings.Contains(f.Text.ZH, "锡银学堂") && strings.Contains(f.Text.ZH, "55 岁") &&
					strings.Contains(f.Text.EN, "55 years and over") {
					return
				}
			}
			t.Fatalf("fields %+v, want %s naming 锡银学堂 and 55", e.Fields, tc.field)
		})
	}
}

// The age that counts is the age on starts_on: 55 on that very day is in.
func TestSeniorCourseAgeOnStart(t *testing.T) {
	const starts = "2027-03-02"
	tests := []struct {
		name, birth string
		minMonths   int
		ok          bool
	}{
		{"55 on the first day", "1972-03-02", 660, true},
		{"55 the day after", "1972-03-03", 660, false},
		{"54", "1973-01-10", 660, false},
		{"60", "1967-05-20", 660, true},
		{"99", "1927-06-01", 660, true},
		{"60 at a 65+ course", "1967-05-20", 780, false},
		{"65 at a 65+ course", "1962-03-02", 780, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := Offering{Kind: SeniorCourse, StartsOn: starts, MinAgeMonths: tc.minMonths, MaxAgeMonths: 1200}
			err := CheckAge(o, Participant{BirthDate: tc.birth})
			if tc.ok && err != nil || !tc.ok && !apperr.Is(err, apperr.NotEligible) {
				t.Fatalf("CheckAge = %v, want ok %v", err, tc.ok)
			}
		})
	}
}

func TestKindChoicesNameEveryKind(t *testing.T) {
	zh, en := KindChoices()
	for _, k := range Kinds {
		if !strings.Contains(zh, string(k)) || !strings.Contains(en, string(k)) {
			t.Errorf("%s missing from %q / %q", k, zh, en)
		}
	}
	if !strings.HasSuffix(zh, " 或 senior_course") || !strings.HasSuffix(en, ", evening_course or senior_course") {
		t.Errorf("%q / %q", zh, en)
	}
}

// A 锡银学堂 course carries the evening courses' rules: two a term, and two
// unexcused absences block the kind's next term (autumn → spring).
func TestSeniorCourseRules(t *testing.T) {
	now := time.Date(2026, 8, 1, 9, 0, 0, 0, CityZone)
	c := Centre{ID: "c1", Name: "江阴市老年大学锡银学堂", District: "jiangyin", Kinds: []Kind{SeniorCourse}}
	for _, tc := range []struct{ starts, ends, term, blocks string }{
		{"2026-09-15", "2026-11-03", "2026-autumn", "2027-spring"},
		{"2027-03-02", "2027-04-20", "2027-spring", "2027-autumn"},
	} {
		o, err := Create(NewOffering{Kind: SeniorCourse, Title: "太极拳", StartsOn: tc.starts, EndsOn: tc.ends, Capacity: 40,
			Schedule: Schedule{Text: "每周二上午", Sessions: []string{tc.starts, tc.ends}}}, c, now)
		if err != nil {
			t.Fatal(err)
		}
		term, limit, ok := o.BlockedTerm()
		if o.Term != tc.term || !ok || term != tc.blocks || limit != 2 || o.MaxPerParticipantPerTerm != 2 {
			t.Errorf("%s: term %s, blocks %s (limit %d, %v), %d a term", tc.starts, o.Term, term, limit, ok, o.MaxPerParticipantPerTerm)
		}
	}
}
