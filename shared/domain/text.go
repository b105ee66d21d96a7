package domain

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// TextRule is what a field that people type and other people read (on a
// page, in a roster, in a CSV or XLSX download) may hold. Every such field
// goes through Check, so one rule decides what can be stored.
type TextRule struct {
	Field     string // as errors[] names it: "title", "schedule.text"
	ZH        string // what it is, in Chinese: "标题"
	Min, Max  int    // characters, after trimming; Min 0: may be left empty
	Multiline bool   // line breaks (and tabs) allowed, as in a description
}

// The free-text fields of the API.
var (
	TitleText         = TextRule{Field: "title", ZH: "标题", Min: 1, Max: 100}
	DescriptionText   = TextRule{Field: "description", ZH: "简介", Max: 2000, Multiline: true}
	ScheduleText      = TextRule{Field: "schedule.text", ZH: "时间安排", Max: 500}
	ParticipantName   = TextRule{Field: "name", ZH: "姓名", Min: 1, Max: 50}
	CancelReasonText  = TextRule{Field: "reason", ZH: "取消原因", Min: 1, Max: 500}
	errLineBreak      = [2]string{"不能换行", "must be on one line"}
	errControl        = [2]string{"不能包含控制字符", "must not contain control characters"}
	errBidi           = [2]string{"不能包含改变文字方向的控制符（U+202A–U+202E、U+2066–U+2069）", "must not contain bidirectional text controls (U+202A–U+202E, U+2066–U+2069)"}
	errOnlyInvisible  = [2]string{"不能只有空白或不可见字符", "cannot be only spaces or invisible characters"}
	lineBreakReplacer = strings.NewReplacer("\r\n", "\n", "\u2028", "\n", "\u2029", "\n")
)

// Check trims s (white space and invisible characters at either end) and
// records in v what is wrong with it: control characters (NUL, C0, DEL,
// C1), line breaks outside a multi-line field, bidirectional embeddings,
// overrides and isolates (which make text read differently from what it
// holds), nothing but spaces or invisible characters, or a length out of
// range. It returns the text to store.
//
// Left-to-right, right-to-left and Arabic letter marks (U+200E, U+200F,
// U+061C) are allowed inside text: they change only how neutral characters
// next to them are shown, and right-to-left scripts, Uyghur's among them,
// need them. Zero-width joiners are allowed inside text for emoji and
// scripts that join letters.
func (r TextRule) Check(v *apperr.Validation, s string) string {
	if r.Multiline {
		s = lineBreakReplacer.Replace(s)
	}
	trimmed := strings.TrimFunc(s, trimmable)
	if problem := r.badCharacter(trimmed); problem != nil {
		v.Add(r.Field, r.ZH+problem[0], r.Field+" "+problem[1])
		return trimmed
	}
	n := utf8.RuneCountInString(trimmed)
	switch {
	case s == "" && r.Min > 0:
		v.Add(r.Field, "请填写"+r.ZH, r.Field+" is required")
	case (n > 0 || r.Min > 0) && !strings.ContainsFunc(trimmed, visible):
		v.Add(r.Field, r.ZH+errOnlyInvisible[0], r.Field+" "+errOnlyInvisible[1])
	case n < r.Min:
		v.Add(r.Field, fmt.Sprintf("%s至少 %d 个字", r.ZH, r.Min), fmt.Sprintf("%s must be at least %d characters", r.Field, r.Min))
	case n > r.Max:
		v.Add(r.Field, fmt.Sprintf("%s不能超过 %d 个字", r.ZH, r.Max), fmt.Sprintf("%s must be at most %d characters", r.Field, r.Max))
	}
	return trimmed
}

func (r TextRule) badCharacter(s string) *[2]string {
	for _, c := range s {
		switch {
		case r.Multiline && (c == '\n' || c == '\t'):
		case LineBreak(c):
			return &errLineBreak
		case Bidi(c):
			return &errBidi
		case Unsafe(c):
			return &errControl
		}
	}
	return nil
}

// Unsafe is a character no stored text may hold but as a multi-line
// field's \n or \t: a control character (C0, DEL, C1), a line or paragraph
// separator, or a bidirectional control (Bidi). Downloads drop or replace
// these in text stored before the rule (shared/download.Clean).
func Unsafe(c rune) bool {
	return c < 0x20 || c >= 0x7f && c <= 0x9f || c == '\u2028' || c == '\u2029' || Bidi(c)
}

// LineBreak is a character that ends a line: LF, CR, VT, FF, NEL and the
// Unicode line and paragraph separators.
func LineBreak(c rune) bool {
	return c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == '\u0085' || c == '\u2028' || c == '\u2029'
}

// Bidi is a bidirectional embedding, override or isolate (U+202A–U+202E,
// U+2066–U+2069): it makes text show other than it reads, as in
// "Trojan Source" (CVE-2021-42574).
func Bidi(c rune) bool { return c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069 }

// trimmable is white space and the invisible characters that mean nothing
// at the ends of a name or a title.
func trimmable(c rune) bool {
	return unicode.IsSpace(c) || unicode.Is(zeroWidth, c)
}

// visible is a character that shows something: not white space, not a
// zero-width or other default-ignorable character, not a blank filler.
func visible(c rune) bool {
	return !trimmable(c) && !unicode.Is(ignorable, c)
}

// zeroWidth: zero-width space, non-joiner, joiner, the direction marks,
// word joiner and invisible operators, the byte-order mark, soft hyphen,
// Mongolian vowel separator, and the blank fillers that render as nothing
// (Hangul fillers, braille blank).
var zeroWidth = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x00ad, Hi: 0x00ad, Stride: 1},
		{Lo: 0x061c, Hi: 0x061c, Stride: 1},
		{Lo: 0x115f, Hi: 0x1160, Stride: 1},
		{Lo: 0x180e, Hi: 0x180e, Stride: 1},
		{Lo: 0x200b, Hi: 0x200f, Stride: 1},
		{Lo: 0x2060, Hi: 0x2064, Stride: 1},
		{Lo: 0x2800, Hi: 0x2800, Stride: 1},
		{Lo: 0x3164, Hi: 0x3164, Stride: 1},
		{Lo: 0xfeff, Hi: 0xfeff, Stride: 1},
		{Lo: 0xffa0, Hi: 0xffa0, Stride: 1},
	},
}

// ignorable are the other default-ignorable characters: they belong inside
// text (variation selectors after an emoji, tags in a flag) but show
// nothing on their own.
var ignorable = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x034f, Hi: 0x034f, Stride: 1},
		{Lo: 0x17b4, Hi: 0x17b5, Stride: 1},
		{Lo: 0x180b, Hi: 0x180f, Stride: 1},
		{Lo: 0x2065, Hi: 0x206f, Stride: 1},
		{Lo: 0xfe00, Hi: 0xfe0f, Stride: 1},
		{Lo: 0xfff0, Hi: 0xfff8, Stride: 1},
	},
	R32: []unicode.Range32{
		{Lo: 0x1bca0, Hi: 0x1bca3, Stride: 1},
		{Lo: 0x1d173, Hi: 0x1d17a, Stride: 1},
		{Lo: 0xe0000, Hi: 0xe0fff, Stride: 1},
	},
}
