package domain

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
)

// fieldsOf is the fields a validation error names.
func fieldsOf(err error) []string {
	e, ok := err.(*apperr.Error)
	if !ok {
		return nil
	}
	var out []string
	for _, f := range e.Fields {
		out = append(out, f.Field)
	}
	return out
}

func TestTextRule(t *testing.T) {
	line := TextRule{Field: "title", ZH: "标题", Min: 1, Max: 10}
	optional := TextRule{Field: "note", ZH: "备注", Max: 10}
	multi := TextRule{Field: "description", ZH: "简介", Max: 20, Multiline: true}
	cases := []struct {
		name string
		rule TextRule
		in   string
		want string // stored; "!" when refused
	}{
		{"plain", line, "茶艺入门", "茶艺入门"},
		{"trimmed", line, "  茶艺 入门\t ", "茶艺 入门"},
		{"ideographic spaces trimmed", line, "\u3000茶艺\u3000", "茶艺"},
		{"zero-width at the ends trimmed", line, "\u200b\ufeff茶艺\u200d\u2060", "茶艺"},
		{"line breaks at the ends trimmed", line, "\r\n茶艺\n", "茶艺"},
		{"empty", line, "", "!"},
		{"only spaces", line, "   ", "!"},
		{"only zero-width", line, "\u200b\u200c\u200d", "!"},
		{"only a byte-order mark and a word joiner", line, "\ufeff\u2060", "!"},
		{"only Hangul fillers", line, "\u3164\u3164", "!"},
		{"only a variation selector", line, "\ufe0f", "!"},
		{"only direction marks", line, "\u200e\u200f", "!"},
		{"NUL", line, "茶\x00艺", "!"},
		{"bell", line, "茶\a艺", "!"},
		{"escape", line, "\x1b[31m红", "!"},
		{"DEL", line, "茶\x7f艺", "!"},
		{"C1", line, "茶\u0090艺", "!"},
		{"next line", line, "茶\u0085艺", "!"},
		{"LF", line, "茶\n艺", "!"},
		{"CR", line, "茶\r艺", "!"},
		{"CRLF", line, "茶\r\n艺", "!"},
		{"tab inside", line, "茶\t艺", "!"},
		{"line separator", line, "茶\u2028艺", "!"},
		{"right-to-left override", line, "abc\u202efdp.exe", "!"},
		{"left-to-right embedding", line, "\u202a茶艺", "!"},
		{"pop directional formatting", line, "茶艺\u202c", "!"},
		{"first strong isolate", line, "茶\u2068艺", "!"},
		{"pop directional isolate", line, "茶\u2069艺", "!"},
		{"right-to-left mark inside", line, "سلام\u200f!", "سلام\u200f!"},
		{"emoji with a joiner", line, "👩\u200d👧", "👩\u200d👧"},
		{"emoji with its selector", line, "❤\ufe0f茶艺", "❤\ufe0f茶艺"},
		{"ten characters", line, strings.Repeat("茶", 10), strings.Repeat("茶", 10)},
		{"eleven characters", line, strings.Repeat("茶", 11), "!"},
		{"counted after trimming", line, "  " + strings.Repeat("茶", 10) + "  ", strings.Repeat("茶", 10)},
		{"optional left empty", optional, "", ""},
		{"optional only spaces stores nothing", optional, "  \u3000 ", ""},
		{"optional only invisible inside", optional, "\ufe0f", "!"},
		{"optional with a NUL", optional, "\x00", "!"},
		{"multi-line", multi, "第一行\n第二行", "第一行\n第二行"},
		{"CRLF becomes LF", multi, "第一行\r\n第二行", "第一行\n第二行"},
		{"paragraph separator becomes LF", multi, "第一行\u2029第二行", "第一行\n第二行"},
		{"tab in a description", multi, "时间\t19:00", "时间\t19:00"},
		{"lone CR in a description", multi, "第一行\r第二行", "!"},
		{"NUL in a description", multi, "第一行\x00", "!"},
		{"override in a description", multi, "第一行\u202e", "!"},
		{"vertical tab in a description", multi, "a\vb", "!"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var v apperr.Validation
			got := c.rule.Check(&v, c.in)
			err := v.Err()
			if c.want == "!" {
				if f := fieldsOf(err); len(f) != 1 || f[0] != c.rule.Field {
					t.Fatalf("%q accepted as %q (%v)", c.in, got, err)
				}
				e := err.(*apperr.Error)
				if zh, en := e.Fields[0].Text.ZH, e.Fields[0].Text.EN; !strings.Contains(zh, c.rule.ZH) || !strings.Contains(en, c.rule.Field) {
					t.Errorf("the message does not name the field: %q / %q", zh, en)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("%q: stored %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
}

// TestEveryTextFieldKeepsTheRule: every free-text field of the API goes
// through the rule, named in the error.
func TestEveryTextFieldKeepsTheRule(t *testing.T) {
	now := time.Date(2026, 11, 1, 9, 0, 0, 0, CityZone)
	c := Centre{ID: "c1", Name: "滨湖区青年夜校", District: "binhu"}
	offering := func(edit func(*NewOffering)) error {
		in := NewOffering{Kind: EveningCourse, Title: "摄影", StartsOn: "2026-12-07", EndsOn: "2026-12-21", Capacity: 30,
			Schedule: Schedule{Text: "周一", Sessions: []string{"2026-12-07", "2026-12-14", "2026-12-21"}}}
		edit(&in)
		_, err := Create(in, c, now)
		return err
	}
	stored := Offering{Title: "t", Capacity: 10, Status: OfferingPublished, StartsOn: "2026-12-07"}
	patch := func(p Patch) error { _, err := p.Apply(stored, time.Time{}); return err }
	str := func(s string) *string { return &s }
	h := testIdentities{}
	birth := time.Date(2020, 5, 4, 0, 0, 0, 0, CityZone)
	register := func(name string) error {
		_, err := Register(context.Background(), NewParticipant{Name: name, BirthDate: "2020-05-04", IDNumber: idnumber.Make("320211", birth, 1), GuardianConsent: AgreeToCurrentNotice()}, "acc", h, now)
		return err
	}
	var reason apperr.Validation
	CancelReasonText.Check(&reason, "停课\u202e")
	cases := []struct {
		name  string
		err   error
		field string
	}{
		{"offering title", offering(func(n *NewOffering) { n.Title = "摄影\r\n入门" }), "title"},
		{"offering title of zero-width", offering(func(n *NewOffering) { n.Title = "\u200b" }), "title"},
		{"offering description", offering(func(n *NewOffering) { n.Description = "简介\x00" }), "description"},
		{"schedule text", offering(func(n *NewOffering) { n.Schedule.Text = "每周一\n19:00" }), "schedule.text"},
		{"patched title", patch(Patch{Title: str("新\u2066标题")}), "title"},
		{"patched title of spaces", patch(Patch{Title: str(" \u3000 ")}), "title"},
		{"patched description", patch(Patch{Description: str("\x1b[2J")}), "description"},
		{"participant name", register("王小明\n" + "王小红"), "name"},
		{"participant name of zero-width", register("\u200b\u200d"), "name"},
		{"participant name with NUL", register("王\x00"), "name"},
		{"cancel reason", reason.Err(), "reason"},
	}
	for _, c := range cases {
		if f := fieldsOf(c.err); !apperr.Is(c.err, apperr.ValidationFailed) || len(f) != 1 || f[0] != c.field {
			t.Errorf("%s: %v (fields %v), want validation_failed naming %s", c.name, c.err, f, c.field)
		}
	}
	// What is kept is trimmed the same way everywhere.
	o, err := Create(NewOffering{Kind: Childcare, Title: " \u200b托小班 ", Description: "\n全日制\r\n", StartsOn: "2026-12-07", EndsOn: "2026-12-21",
		Capacity: 30, Schedule: Schedule{Text: "\u3000周一至周五 "}}, c, now)
	if err != nil || o.Title != "托小班" || o.Description != "全日制" || o.Schedule.Text != "周一至周五" {
		t.Fatalf("%q %q %q %v", o.Title, o.Description, o.Schedule.Text, err)
	}
	p, err := Register(context.Background(), NewParticipant{Name: "\ufeff王小明\u3000", BirthDate: "2020-05-04", IDNumber: idnumber.Make("320211", birth, 1), GuardianConsent: AgreeToCurrentNotice()}, "acc", h, now)
	if err != nil || p.Name != "王小明" {
		t.Fatalf("%q %v", p.Name, err)
	}
	edited, err := Patch{Title: str("\t新标题 ")}.Apply(stored, time.Time{})
	if err != nil || edited.Title != "新标题" {
		t.Fatalf("%q %v", edited.Title, err)
	}
}
