package domain

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/privacy"
)

// TestRegisterConsent: under 14 on the day of registering (in the city's
// zone, by the clock given) a guardian's consent to the notice in force is
// required and kept; from the 14th birthday it is neither required nor kept.
func TestRegisterConsent(t *testing.T) {
	h := testIdentities{}
	// The clock says UTC: 2026-02-28 16:30 is 2026-03-01 00:30 in Wuxi.
	now := time.Date(2026, 2, 28, 16, 30, 0, 0, time.UTC)
	current := privacy.CurrentVersion()
	person := func(birth string, c *GuardianConsent) NewParticipant {
		b, _ := ParseDate(birth)
		return NewParticipant{Name: "王小明", BirthDate: birth, IDNumber: idnumber.Make("320213", b, 11), GuardianConsent: c}
	}
	agreed := &GuardianConsent{NoticeVersion: current, Agreed: true}
	tests := []struct {
		name      string
		in        NewParticipant
		field     string // of a consent_required refusal; "" when accepted
		consented bool
	}{
		{"child with consent", person("2023-05-04", agreed), "", true},
		{"child without consent", person("2023-05-04", nil), "guardian_consent", false},
		{"child, consent not agreed", person("2023-05-04", &GuardianConsent{NoticeVersion: current}), "guardian_consent.agreed", false},
		{"child, an old notice", person("2023-05-04", &GuardianConsent{NoticeVersion: "2019-01", Agreed: true}), "guardian_consent.notice_version", false},
		{"child, no version", person("2023-05-04", &GuardianConsent{Agreed: true}), "guardian_consent.notice_version", false},
		{"newborn", person("2026-03-01", nil), "guardian_consent", false},
		// Born 2012-03-01: 14 today in Wuxi, though UTC says 2026-02-28.
		{"14 today in the city", person("2012-03-01", nil), "", false},
		{"14 tomorrow", person("2012-03-02", nil), "guardian_consent", false},
		{"adult without consent", person("1990-07-08", nil), "", false},
		{"adult: a consent sent is not kept", person("1990-07-08", agreed), "", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := Register(context.Background(), tc.in, "acc", h, now)
			if tc.field != "" {
				e := apperr.As(err)
				if e.Code != apperr.ConsentRequired || e.Code.Status() != 422 || len(e.Fields) != 1 || e.Fields[0].Field != tc.field ||
					e.Extra["notice_version"] != current {
					t.Fatalf("err = %+v, want consent_required on %s naming notice %s", err, tc.field, current)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Consent != nil; got != tc.consented {
				t.Fatalf("consent kept = %v, want %v", got, tc.consented)
			}
			raw, _ := json.Marshal(p)
			var m map[string]any
			_ = json.Unmarshal(raw, &m)
			c, has := m["consent"].(map[string]any)
			if has != tc.consented {
				t.Fatalf("JSON %s: consent shown = %v, want %v", raw, has, tc.consented)
			}
			if tc.consented && (c["notice_version"] != current || c["agreed_at"] != "2026-03-01T00:30:00+08:00") {
				t.Fatalf("JSON consent = %v", c)
			}
		})
	}
}

// TestRegisterRegionMessage: an invented region is told apart from a typo.
func TestRegisterRegionMessage(t *testing.T) {
	h := testIdentities{}
	now := time.Date(2026, 3, 1, 9, 0, 0, 0, CityZone)
	b, _ := ParseDate("1990-07-08")
	_, err := Register(context.Background(), NewParticipant{Name: "王", BirthDate: "1990-07-08", IDNumber: idnumber.Make("999999", b, 11)}, "acc", h, now)
	e := apperr.As(err)
	if e.Code != apperr.InvalidIDNumber || len(e.Fields) != 1 || !strings.Contains(e.Fields[0].Text.EN, "region code") || !strings.Contains(e.Fields[0].Text.ZH, "行政区划代码") {
		t.Fatalf("err = %+v", e)
	}
}
