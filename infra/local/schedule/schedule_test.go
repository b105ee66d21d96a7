package schedule

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestNext(t *testing.T) {
	tests := []struct {
		name, expr, tz string
		after          string
		want           []string // successive fire times, RFC3339
	}{
		{"daily 15:55 UTC", "cron(55 15 * * ? *)", "", "2025-01-01T00:00:00Z",
			[]string{"2025-01-01T15:55:00Z", "2025-01-02T15:55:00Z", "2025-01-03T15:55:00Z"}},
		{"strictly after a fire time", "cron(55 15 * * ? *)", "", "2025-01-01T15:55:00Z",
			[]string{"2025-01-02T15:55:00Z"}},
		{"just before a fire time", "cron(55 15 * * ? *)", "", "2025-01-01T15:54:59.999Z",
			[]string{"2025-01-01T15:55:00Z"}},
		{"across the year end", "cron(55 15 * * ? *)", "", "2025-12-31T16:00:00Z",
			[]string{"2026-01-01T15:55:00Z"}},
		{"every 15 minutes", "cron(*/15 * * * ? *)", "", "2025-01-01T10:07:00Z",
			[]string{"2025-01-01T10:15:00Z", "2025-01-01T10:30:00Z", "2025-01-01T10:45:00Z", "2025-01-01T11:00:00Z"}},
		{"a/n runs to the field's end", "cron(5/20 * * * ? *)", "", "2025-01-01T10:06:00Z",
			[]string{"2025-01-01T10:25:00Z", "2025-01-01T10:45:00Z", "2025-01-01T11:05:00Z"}},
		{"a-b/n", "cron(0-30/15 8 * * ? *)", "", "2025-01-01T00:00:00Z",
			[]string{"2025-01-01T08:00:00Z", "2025-01-01T08:15:00Z", "2025-01-01T08:30:00Z", "2025-01-02T08:00:00Z"}},
		{"lists and ranges, weekdays by name", "cron(0 9-10,14 ? * MON-FRI *)", "", "2025-01-03T12:00:00Z", // a Friday
			[]string{"2025-01-03T14:00:00Z", "2025-01-06T09:00:00Z", "2025-01-06T10:00:00Z", "2025-01-06T14:00:00Z"}},
		{"day-of-week 1 is Sunday", "cron(0 8 ? * 1 *)", "", "2025-01-01T00:00:00Z",
			[]string{"2025-01-05T08:00:00Z", "2025-01-12T08:00:00Z"}},
		{"day-of-week 7 is Saturday", "cron(0 8 ? * 7 *)", "", "2025-01-01T00:00:00Z",
			[]string{"2025-01-04T08:00:00Z"}},
		{"lower-case names", "cron(0 8 ? * sun *)", "", "2025-01-01T00:00:00Z",
			[]string{"2025-01-05T08:00:00Z"}},
		{"months by name", "cron(0 0 1 JAN,JUL ? *)", "", "2025-02-01T00:00:00Z",
			[]string{"2025-07-01T00:00:00Z", "2026-01-01T00:00:00Z"}},
		{"the 31st skips short months", "cron(0 12 31 * ? *)", "", "2025-01-31T13:00:00Z",
			[]string{"2025-03-31T12:00:00Z", "2025-05-31T12:00:00Z"}},
		{"29 February waits for a leap year", "cron(0 0 29 2 ? *)", "", "2025-01-01T00:00:00Z",
			[]string{"2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"}},
		{"one year", "cron(0 0 1 1 ? 2030)", "", "2025-06-01T00:00:00Z",
			[]string{"2030-01-01T00:00:00Z", ""}},
		{"years with a step", "cron(0 0 1 1 ? 2026-2030/2)", "", "2025-06-01T00:00:00Z",
			[]string{"2026-01-01T00:00:00Z", "2028-01-01T00:00:00Z", "2030-01-01T00:00:00Z", ""}},
		{"after 2199 nothing fires", "cron(0 0 1 1 ? *)", "", "2199-06-01T00:00:00Z", []string{""}},
		{"before 1970", "cron(0 0 1 1 ? *)", "", "1960-06-01T00:00:00Z", []string{"1970-01-01T00:00:00Z"}},
		{"ScheduleV2 in Asia/Shanghai", "cron(55 23 * * ? *)", "Asia/Shanghai", "2025-01-01T00:00:00Z",
			[]string{"2025-01-01T15:55:00Z", "2025-01-02T15:55:00Z"}},
		{"ScheduleV2 day boundary is the zone's", "cron(0 1 ? * MON *)", "Asia/Shanghai", "2025-01-01T00:00:00Z",
			[]string{"2025-01-05T17:00:00Z"}}, // Monday 01:00 in Shanghai is Sunday 17:00 UTC
		{"spring forward: 02:30 does not exist that day and is skipped", "cron(30 2 * * ? *)", "America/New_York", "2025-03-08T00:00:00Z",
			[]string{"2025-03-08T07:30:00Z", "2025-03-10T06:30:00Z"}},
		{"fall back: 01:30 shows twice and fires once", "cron(30 1 * * ? *)", "America/New_York", "2025-11-01T12:00:00Z",
			[]string{"2025-11-02T05:30:00Z", "2025-11-03T06:30:00Z"}},
		{"rate in minutes", "rate(5 minutes)", "", "2025-01-01T10:07:13Z",
			[]string{"2025-01-01T10:12:13Z", "2025-01-01T10:17:13Z"}},
		{"rate of one day", "rate(1 day)", "", "2025-01-01T10:00:00Z",
			[]string{"2025-01-02T10:00:00Z"}},
		{"rate in hours", "rate(2 hours)", "", "2025-01-01T10:00:00Z",
			[]string{"2025-01-01T12:00:00Z"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var loc *time.Location
			if tt.tz != "" {
				loc = zone(t, tt.tz)
			}
			s, err := Parse(tt.expr, loc)
			if err != nil {
				t.Fatal(err)
			}
			at := utc(tt.after)
			for i, w := range tt.want {
				got := s.Next(at)
				if w == "" {
					if !got.IsZero() {
						t.Fatalf("Next #%d = %v, want none", i+1, got)
					}
					return
				}
				if want := utc(w); !got.Equal(want) {
					t.Fatalf("Next #%d after %v = %v, want %v", i+1, at, got.UTC(), want)
				}
				if got.Location() != s.Location() {
					t.Errorf("Next is in %v, want %v", got.Location(), s.Location())
				}
				at = got
			}
		})
	}
}

// TestSnapshotScheduleIsShanghaiEvening: the template's cron(55 15 * * ? *),
// an EventBridge rule in UTC, is 23:55 in Wuxi every day, leap days and year
// ends included.
func TestSnapshotScheduleIsShanghaiEvening(t *testing.T) {
	s, err := Parse("cron(55 15 * * ? *)", nil)
	if err != nil {
		t.Fatal(err)
	}
	shanghai := zone(t, "Asia/Shanghai")
	for _, start := range []string{"2025-06-15T03:00:00+08:00", "2027-12-31T23:55:00+08:00", "2028-02-28T23:56:00+08:00"} {
		at := utc(start)
		prev := time.Time{}
		for range 800 {
			next := s.Next(at)
			local := next.In(shanghai)
			if local.Hour() != 23 || local.Minute() != 55 || local.Second() != 0 {
				t.Fatalf("after %v: fires %v, want 23:55 Asia/Shanghai", at, local)
			}
			if !prev.IsZero() && next.Sub(prev) != 24*time.Hour {
				t.Fatalf("fires %v then %v: not every day", prev.In(shanghai), local)
			}
			if !prev.IsZero() && local.YearDay() == prev.In(shanghai).YearDay() {
				t.Fatalf("fires twice on %v", local)
			}
			prev, at = next, next
		}
	}
}

// TestNextAgainstEveryMinute: Next's jumps (year, month, day, hour) skip no
// fire time, compared with trying every minute, in fixed and changing zones.
func TestNextAgainstEveryMinute(t *testing.T) {
	exprs := []string{
		"cron(55 15 * * ? *)", "cron(*/7 9-17 ? * MON-FRI *)", "cron(0 0-3 1,15,31 * ? *)",
		"cron(30 1,2,3 * FEB,MAR,OCT,NOV ? *)", "cron(15 * ? * 1,7 *)",
	}
	zones := []string{"UTC", "Asia/Shanghai", "America/New_York", "Australia/Lord_Howe"}
	// Each window holds a change of offset in the zones that have one.
	windows := []string{"2025-03-07T00:00:00Z", "2025-03-29T00:00:00Z", "2025-10-31T00:00:00Z", "2025-04-04T00:00:00Z", "2025-10-03T00:00:00Z"}
	for _, expr := range exprs {
		for _, zn := range zones {
			s, err := Parse(expr, zone(t, zn))
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range windows {
				from := utc(w)
				to := from.Add(4 * 24 * time.Hour)
				next := s.Next(from)
				for m := from.Add(time.Minute); m.Before(to); m = m.Add(time.Minute) {
					if s.matches(m) {
						if !next.Equal(m) {
							t.Fatalf("%s in %s: Next gave %v, but %v matches first", expr, zn, next, m.In(s.loc))
						}
						next = s.Next(m)
					}
				}
				if next.Before(to) {
					t.Fatalf("%s in %s: Next gave %v, which does not match", expr, zn, next)
				}
			}
		}
	}
}

// matches is the plain definition Next must agree with: the wall clock
// matches, and did not show the same minute earlier (clocks going back).
func (s *Schedule) matches(t time.Time) bool {
	l := t.In(s.loc)
	y, mo, d := l.Date()
	if !(s.year[y] && s.month[mo] && s.dom[d] && s.dow[l.Weekday()] && s.hour[l.Hour()] && s.minute[l.Minute()]) {
		return false
	}
	wall := l.Format("2006-01-02 15:04")
	for m := l.Add(-3 * time.Hour); m.Before(l); m = m.Add(time.Minute) {
		if m.Format("2006-01-02 15:04") == wall {
			return false
		}
	}
	return true
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		expr        string
		unsupported bool
		mention     string
	}{
		{"cron(0 12 L * ? *)", true, "Day-of-month"},
		{"cron(0 12 LW * ? *)", true, "Day-of-month"},
		{"cron(0 12 15W * ? *)", true, "Day-of-month"},
		{"cron(0 12 ? * 6L *)", true, "Day-of-week"},
		{"cron(0 12 ? * FRIL *)", true, "Day-of-week"},
		{"cron(0 12 ? * 6#3 *)", true, "Day-of-week"},
		{"cron(0 12 ? * MON#1 *)", true, "Day-of-week"},
		{"at(2025-01-01T00:00:00)", true, "at("},
		{"cron(0 12 * * * *)", false, "exactly one"},
		{"cron(0 12 ? * ? *)", false, "exactly one"},
		{"cron(0 12 1 * MON *)", false, "exactly one"},
		{"cron(0 12 * * ?)", false, "6 fields"},
		{"cron(0 0 12 * * ? *)", false, "6 fields"},
		{"cron(60 12 * * ? *)", false, "Minutes"},
		{"cron(0 24 * * ? *)", false, "Hours"},
		{"cron(0 12 0 * ? *)", false, "Day-of-month"},
		{"cron(0 12 32 * ? *)", false, "Day-of-month"},
		{"cron(0 12 * 13 ? *)", false, "Month"},
		{"cron(0 12 * FOO ? *)", false, "Month"},
		{"cron(0 12 ? * 0 *)", false, "Day-of-week"},
		{"cron(0 12 ? * 8 *)", false, "Day-of-week"},
		{"cron(0 12 * * ? 1969)", false, "Year"},
		{"cron(0 12 * * ? 2200)", false, "Year"},
		{"cron(? 12 * * ? *)", false, "Minutes"},
		{"cron(5-1 * * * ? *)", false, "backwards"},
		{"cron(*/0 * * * ? *)", false, "step"},
		{"cron(*/x * * * ? *)", false, "step"},
		{"cron(1,,2 * * * ? *)", false, "Minutes"},
		{"cron(+5 * * * ? *)", false, "Minutes"},
		{"cron(0 12 ? * FRI-MON *)", false, "backwards"},
		{"rate(0 minutes)", false, "positive"},
		{"rate(-5 minutes)", false, "positive"},
		{"rate(1.5 hours)", false, "positive"},
		{"rate(1 minutes)", false, "singular"},
		{"rate(5 minute)", false, "plural"},
		{"rate(2 weeks)", false, "unit"},
		{"rate(5)", false, "value and a unit"},
		{"", false, "want cron"},
		{"daily", false, "want cron"},
		{"CRON(0 12 * * ? *)", false, "want cron"},
		{"!Ref Expr", false, "want cron"},
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			s, err := Parse(tt.expr, nil)
			if err == nil {
				t.Fatalf("Parse = %v, want an error", s)
			}
			if errors.Is(err, ErrUnsupported) != tt.unsupported {
				t.Errorf("error %q: unsupported = %v, want %v", err, !tt.unsupported, tt.unsupported)
			}
			if !strings.Contains(err.Error(), tt.mention) || !strings.Contains(err.Error(), tt.expr) {
				t.Errorf("error %q should name %q and the expression", err, tt.mention)
			}
		})
	}
}

func TestString(t *testing.T) {
	tests := []struct{ expr, tz, want string }{
		{" cron(55 15 * * ? *) ", "", "cron(55 15 * * ? *)"},
		{"rate(5 minutes)", "", "rate(5 minutes)"},
		{"cron(55 23 * * ? *)", "Asia/Shanghai", "cron(55 23 * * ? *) Asia/Shanghai"},
	}
	for _, tt := range tests {
		var loc *time.Location
		if tt.tz != "" {
			loc = zone(t, tt.tz)
		}
		s, err := Parse(tt.expr, loc)
		if err != nil {
			t.Fatal(err)
		}
		if got := s.String(); got != tt.want {
			t.Errorf("String() = %q, want %q", got, tt.want)
		}
	}
}
