package domain

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// The request bodies' rules, fuzzed from the JSON a route decodes (the
// decoding itself is fuzzed in shared/httpapi; the routes, over an offline
// store, in each function). Each refuses only with the contract's codes,
// and what it accepts passes the same rules again unchanged.

var fuzzNow = time.Date(2025, 8, 1, 10, 0, 0, 0, CityZone)

// refusedWith fails t unless err is an *apperr.Error of one of codes, a
// validation failure naming its fields.
func refusedWith(t *testing.T, err error, codes ...apperr.Code) {
	t.Helper()
	e, ok := errors.AsType[*apperr.Error](err)
	if !ok || !slices.Contains(codes, e.Code) {
		t.Fatalf("refused with %v, want one of %v", err, codes)
	}
	if e.Code == apperr.ValidationFailed && len(e.Fields) == 0 {
		t.Fatalf("a validation failure names no field: %v", err)
	}
}

// sameText fails t unless s passes rule again as it is.
func sameText(t *testing.T, rule TextRule, s string) {
	t.Helper()
	var v apperr.Validation
	if again := rule.Check(&v, s); again != s || v.Err() != nil {
		t.Fatalf("%s %q accepted, then %q: %v", rule.Field, s, again, v.Err())
	}
}

func fuzzOfferingSeeds(f *testing.F) {
	for _, s := range []string{
		`{"kind":"evening_course","title":"摄影","starts_on":"2025-12-07","ends_on":"2025-12-21","capacity":30,"schedule":{"text":"周日","sessions":["2025-12-07","2025-12-14","2025-12-21"]}}`,
		`{"kind":"childcare","title":"托班","starts_on":"2025-09-01","ends_on":"2026-01-15","capacity":10,"status":"published","fee_fen":120000}`,
		`{"kind":"childcare","title":"抽签托班","starts_on":"2025-09-01","ends_on":"2026-01-15","capacity":10,"allocation":"lottery","applications_open_at":"2025-08-02T09:00:00+08:00","applications_close_at":"2025-08-09T09:00:00+08:00","draw_at":"2025-08-09T10:00:00+08:00"}`,
		`{"kind":"care_class","title":" \u202e班 ","starts_on":"2025-07-01","ends_on":"2025-06-01","capacity":0,"min_age_months":200,"max_age_months":100,"offer_hours":169}`,
		`{"kind":"childcare","title":"x","starts_on":"2025-09-01","ends_on":"2025-09-30","capacity":1,"booking_opens_at":"2025-09-02T00:00:00Z","no_show_rule":{"max_unexcused_absences":-1,"term_seasons":["monsoon"]}}`,
		`{"kind":"pool"}`,
		`{}`,
	} {
		f.Add([]byte(s))
	}
}

// FuzzCreateOffering: Create refuses with validation_failed, or makes an
// offering within every limit whose texts, capacity and booking window a
// patch restating them accepts unchanged.
func FuzzCreateOffering(f *testing.F) {
	fuzzOfferingSeeds(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var in NewOffering
		if json.Unmarshal(body, &in) != nil {
			return
		}
		o, err := Create(in, Centre{ID: "c1", District: "binhu"}, fuzzNow)
		if err != nil {
			refusedWith(t, err, apperr.ValidationFailed)
			return
		}
		start, errStart := ParseDate(o.StartsOn)
		end, errEnd := ParseDate(o.EndsOn)
		switch {
		case !o.Kind.Valid(), o.Capacity < 1 || o.Capacity > MaxCapacity, o.FeeFen < 0 || o.FeeFen > maxFeeFen:
			t.Fatalf("accepted kind %q, capacity %d, fee %d", o.Kind, o.Capacity, o.FeeFen)
		case errStart != nil || errEnd != nil || end.Before(start) || !ValidTerm(o.Term):
			t.Fatalf("accepted %s..%s, term %q", o.StartsOn, o.EndsOn, o.Term)
		case o.Status != OfferingDraft && o.Status != OfferingPublished:
			t.Fatalf("accepted status %q", o.Status)
		case !o.BookingOpensAt.Before(o.BookingClosesAt) || o.BookingClosesAt.After(start):
			t.Fatalf("accepted booking %s..%s for a start on %s", o.BookingOpensAt, o.BookingClosesAt, o.StartsOn)
		case o.MinAgeMonths < 0 || o.MinAgeMonths > o.MaxAgeMonths || o.MaxAgeMonths > 1200 || o.OfferHours < 0 || o.OfferHours > MaxOfferHours:
			t.Fatalf("accepted ages %d..%d, offer hours %d", o.MinAgeMonths, o.MaxAgeMonths, o.OfferHours)
		case o.IsLottery() && (o.ApplicationsOpenAt == nil || o.ApplicationsCloseAt == nil || o.DrawAt == nil ||
			!o.ApplicationsOpenAt.Before(*o.ApplicationsCloseAt) || o.DrawAt.Before(*o.ApplicationsCloseAt) || o.BookingOpensAt.Before(*o.DrawAt)):
			t.Fatalf("accepted a lottery's window %v..%v, draw %v", o.ApplicationsOpenAt, o.ApplicationsCloseAt, o.DrawAt)
		}
		sameText(t, TitleText, o.Title)
		sameText(t, DescriptionText, o.Description)
		sameText(t, ScheduleText, o.Schedule.Text)
		restated := Patch{Title: &o.Title, Description: &o.Description, Capacity: &o.Capacity,
			BookingOpensAt: &o.BookingOpensAt, BookingClosesAt: &o.BookingClosesAt}
		again, err := restated.Apply(o, fuzzNow)
		if err != nil || !reflect.DeepEqual(again, o) {
			t.Fatalf("a patch restating the accepted offering: %v\n%+v\n%+v", err, o, again)
		}
	})
}

// FuzzPatch: a patch of a first-come and of a lottery offering is refused
// with validation_failed or conflict, or gives an offering within the
// limits, which the same patch again leaves as it is (or refuses as a
// conflict, when the patch opened the lottery's applications).
func FuzzPatch(f *testing.F) {
	for _, s := range []string{
		`{"title":"新标题","capacity":12}`,
		`{"status":"closed"}`,
		`{"status":"cancelled"}`,
		`{"booking_opens_at":"2025-08-20T09:00:00+08:00","booking_closes_at":"2025-08-10T09:00:00+08:00"}`,
		`{"draw_at":"2025-08-09T11:00:00+08:00"}`,
		`{"applications_open_at":"2025-08-03T09:00:00+08:00","applications_close_at":"2025-08-02T09:00:00+08:00"}`,
		`{"description":"\u0000","capacity":10001}`,
	} {
		for which := range uint8(2) {
			f.Add(which, []byte(s))
		}
	}
	base := func(t *testing.T, lottery bool) Offering {
		in := NewOffering{Kind: Childcare, Title: "托班", StartsOn: "2025-09-01", EndsOn: "2026-01-15", Capacity: 10, Status: OfferingPublished}
		if lottery {
			open, closes := fuzzNow.AddDate(0, 0, 1), fuzzNow.AddDate(0, 0, 8)
			in.Allocation, in.ApplicationsOpenAt, in.ApplicationsCloseAt, in.DrawAt = Lottery, &open, &closes, &closes
		}
		o, err := Create(in, Centre{ID: "c1", District: "binhu"}, fuzzNow)
		if err != nil {
			t.Fatal(err)
		}
		return o
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		var p Patch
		if json.Unmarshal(body, &p) != nil {
			return
		}
		o, err := p.Apply(base(t, which%2 == 1), fuzzNow)
		if err != nil {
			refusedWith(t, err, apperr.ValidationFailed, apperr.Conflict)
			return
		}
		if o.Capacity < 1 || o.Capacity > MaxCapacity || !slices.Contains([]OfferingStatus{OfferingDraft, OfferingPublished, OfferingClosed}, o.Status) {
			t.Fatalf("accepted capacity %d, status %q", o.Capacity, o.Status)
		}
		sameText(t, TitleText, o.Title)
		sameText(t, DescriptionText, o.Description)
		again, err := p.Apply(o, fuzzNow)
		if p.MovesDraw() && o.IsLottery() && !fuzzNow.Before(*o.ApplicationsOpenAt) {
			// The patch opened applications (at a time now past), so the
			// window is fixed from now on.
			refusedWith(t, err, apperr.Conflict)
			return
		}
		a, _ := json.Marshal(o)
		b, _ := json.Marshal(again)
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("the patch again: %v\n%s\n%s", err, a, b)
		}
	})
}

// FuzzCheckNewRound: a round's own fields are refused with
// validation_failed, or within their limits.
func FuzzCheckNewRound(f *testing.F) {
	for _, s := range []string{
		`{"title_zh":"秋季托班","title_en":"Autumn childcare","kind":"childcare","term":"2025-autumn","offering_ids":["o1","o2"],"max_choices":2}`,
		`{"title_zh":"秋季托班","title_en":"Autumn","kind":"childcare","term":"2025-autumn","offering_ids":["o1","o1"],"max_choices":0}`,
		`{"title_zh":"","kind":"pool","offering_ids":["o1","o2","o3","o4","o5","o6","o7","o8","o9","o10","o11"]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var r NewRound
		if json.Unmarshal(body, &r) != nil {
			return
		}
		choices, err := CheckNewRound(r)
		if err != nil {
			refusedWith(t, err, apperr.ValidationFailed)
			return
		}
		distinct := slices.Compact(slices.Sorted(slices.Values(r.OfferingIDs)))
		switch zh, en, term := utf8.RuneCountInString(r.TitleZH), utf8.RuneCountInString(r.TitleEN), utf8.RuneCountInString(r.Term); {
		case choices < 1 || choices > MaxChoices:
			t.Fatalf("accepted %d choices", choices)
		case len(distinct) != len(r.OfferingIDs) || len(distinct) < MinRoundOfferings || len(distinct) > MaxRoundOfferings:
			t.Fatalf("accepted offerings %q", r.OfferingIDs)
		case !r.Kind.Valid() || zh < 1 || zh > 100 || en < 1 || en > 100 || term < 1 || term > 40:
			t.Fatalf("accepted %+v", r)
		}
	})
}

// FuzzValidatePolicyTiers: tiers are refused with validation_failed, or
// numbered 1..n with well-formed distinct codes, evidence on all but the
// last, and pass again unchanged.
func FuzzValidatePolicyTiers(f *testing.F) {
	for _, s := range []string{
		`[{"code":"sibling","zh":"兄弟姐妹","en":"Siblings","evidence":"户口簿"},{"code":"everyone","zh":"其他","en":"Everyone else"}]`,
		`[{"tier":2,"code":"a","zh":"","en":"x"},{"code":"a","zh":"y","en":"y","evidence":"z"}]`,
		`[{"code":"only","zh":"唯一","en":"Only"}]`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var tiers []PolicyTier
		if json.Unmarshal(body, &tiers) != nil {
			return
		}
		out, err := ValidatePolicyTiers(tiers)
		if err != nil {
			refusedWith(t, err, apperr.ValidationFailed)
			return
		}
		codes := map[string]bool{}
		for i, tier := range out {
			last := i == len(out)-1
			if tier.Tier != i+1 || !policyCode.MatchString(tier.Code) || codes[tier.Code] || last != (tier.Evidence == "") {
				t.Fatalf("accepted tier %d: %+v", i, tier)
			}
			codes[tier.Code] = true
		}
		again, err := ValidatePolicyTiers(out)
		if err != nil || !reflect.DeepEqual(again, out) {
			t.Fatalf("the accepted tiers again: %v\n%+v\n%+v", err, out, again)
		}
	})
}
