package domain

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
)

func date(s string) time.Time {
	t, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestAgeInMonths(t *testing.T) {
	cases := []struct {
		birth, on string
		want      int
	}{
		{"2024-01-15", "2024-01-15", 0},
		{"2024-01-15", "2024-02-14", 0},
		{"2024-01-15", "2024-02-15", 1},
		{"2023-01-31", "2024-02-29", 12},
		{"2022-07-01", "2025-07-01", 36},
		{"2022-07-02", "2025-07-01", 35},
		{"2000-12-31", "2025-01-01", 288},
	}
	for _, c := range cases {
		if got := AgeInMonths(date(c.birth), date(c.on)); got != c.want {
			t.Errorf("AgeInMonths(%s, %s) = %d, want %d", c.birth, c.on, got, c.want)
		}
	}
}

func TestNewIDOrdered(t *testing.T) {
	a := NewID("bk", time.UnixMilli(1000))
	b := NewID("bk", time.UnixMilli(1001))
	if !strings.HasPrefix(a, "bk_") || a >= b || NewID("bk", time.UnixMilli(1000)) == a {
		t.Fatalf("%s %s", a, b)
	}
}

func TestRegister(t *testing.T) {
	h := testIdentities{}
	now := time.Date(2025, 6, 1, 0, 0, 0, 0, CityZone)
	id := idnumber.Make("320211", date("2021-04-05"), 12)
	p, err := Register(context.Background(), NewParticipant{Name: " 李小雨 ", BirthDate: "2021-04-05", IDNumber: strings.ToLower(id), GuardianConsent: AgreeToCurrentNotice()}, "acc", h, now)
	if err != nil {
		t.Fatal(err)
	}
	if p.Name != "李小雨" || p.IDNumberLast4 != id[14:] || p.Identity != h.identity(id) || p.Account != "acc" {
		t.Fatalf("%+v", p)
	}
	raw, _ := json.Marshal(p)
	if strings.Contains(string(raw), id) || strings.Contains(string(raw), p.Identity) || strings.Contains(string(raw), "acc") {
		t.Fatalf("the participant JSON shows private data: %s", raw)
	}
	bad := []struct {
		in   NewParticipant
		code apperr.Code
	}{
		{NewParticipant{BirthDate: "2021-04-05", IDNumber: id}, apperr.ValidationFailed},
		{NewParticipant{Name: strings.Repeat("名", 51), BirthDate: "2021-04-05", IDNumber: id}, apperr.ValidationFailed},
		{NewParticipant{Name: "a", BirthDate: "05/04/2021", IDNumber: id}, apperr.ValidationFailed},
		{NewParticipant{Name: "a", BirthDate: "2021-04-05"}, apperr.ValidationFailed},
		{NewParticipant{Name: "a", BirthDate: "2021-04-06", IDNumber: id}, apperr.InvalidIDNumber},
		{NewParticipant{Name: "a", BirthDate: "2021-04-05", IDNumber: id[:17] + "Z"}, apperr.InvalidIDNumber},
		{NewParticipant{Name: "a", BirthDate: "2021-04-05", IDNumber: idnumber.Make("999999", date("2021-04-05"), 12)}, apperr.InvalidIDNumber},
	}
	for _, c := range bad {
		if _, err := Register(context.Background(), c.in, "acc", h, now); !apperr.Is(err, c.code) {
			t.Errorf("%+v: %v, want %s", c.in, err, c.code)
		}
	}
}

func TestOfferingJSON(t *testing.T) {
	o := Offering{Capacity: 3, Confirmed: 5, BookingOpensAt: time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)}
	raw, _ := json.Marshal(o)
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	if m["available"] != 0.0 || m["booking_opens_at"] != "2025-07-01T08:00:00+08:00" {
		t.Fatalf("%s", raw)
	}
}

func TestMonthsSaidAsPeopleSay(t *testing.T) {
	cases := []struct {
		m      int
		zh, en string
	}{
		{0, "0 个月", "0 months"}, {1, "1 个月", "1 month"}, {8, "8 个月", "8 months"}, {23, "23 个月", "23 months"},
		{24, "2 岁", "2 years"}, {25, "2 岁 1 个月", "2 years 1 month"}, {27, "2 岁 3 个月", "2 years 3 months"},
		{386, "32 岁 2 个月", "32 years 2 months"}, {420, "35 岁", "35 years"}, {-1, "", ""},
	}
	for _, c := range cases {
		if AgeText(c.m, true) != c.zh || AgeText(c.m, false) != c.en {
			t.Errorf("%d: %q %q", c.m, AgeText(c.m, true), AgeText(c.m, false))
		}
	}
}

// testIdentities stands in for keycustody.Identities in these pure tests: a
// plain hash is enough to check that Register keeps what it is given; the
// real one is tested against the KMS stand-in in shared/keycustody.
type testIdentities struct{}

func (testIdentities) identity(number string) string {
	sum := sha256.Sum256([]byte("test:" + idnumber.Normalize(number)))
	return hex.EncodeToString(sum[:])
}

func (h testIdentities) Identify(_ context.Context, number string) (string, error) {
	return h.identity(number), nil
}
