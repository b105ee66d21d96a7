package domain

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/privacy"
)

// An account's registrations: at most MaxParticipants held at once (a family
// and then some; an account hoarding invented people is stopped), and at most
// RegistrationsPerDay attempts a day in the city, successful or refused by
// the store, so an account cannot churn through numbers (registering,
// deleting, registering again) or probe whose identity is held elsewhere.
const (
	MaxParticipants     = 8
	RegistrationsPerDay = 10
)

// ConsentAge is the age from which a person's own registration needs no
// guardian's consent (PIPL Art. 28, 31: under 14 it does).
const ConsentAge = 14

// NewParticipant is what a resident sends to register a participant.
type NewParticipant struct {
	Name      string `json:"name"`
	BirthDate string `json:"birth_date"`
	IDNumber  string `json:"id_number"`
	// GuardianConsent is required for a child under ConsentAge on the day of
	// registering, and ignored for anyone older.
	GuardianConsent *GuardianConsent `json:"guardian_consent"`
}

// GuardianConsent is a guardian's separate consent to a version of the
// privacy notice.
type GuardianConsent struct {
	NoticeVersion string `json:"notice_version"`
	Agreed        bool   `json:"agreed"`
}

// AgreeToCurrentNotice is a guardian's agreement to the notice in force, as
// seed data and tests give it.
func AgreeToCurrentNotice() *GuardianConsent {
	return &GuardianConsent{NoticeVersion: privacy.CurrentVersion(), Agreed: true}
}

// Identifier turns a valid ID number into an identity: a keyed hash whose key
// never leaves KMS (keycustody.Identities).
type Identifier interface {
	Identify(ctx context.Context, number string) (string, error)
}

// Register validates a new participant and turns the ID number into an
// identity (keyed hash) and its last four characters; the number itself goes
// no further than this function and ids. A child under ConsentAge on now's
// day (in the city) needs the guardian's consent to the current privacy notice.
func Register(ctx context.Context, in NewParticipant, account string, ids Identifier, now time.Time) (Participant, error) {
	var v apperr.Validation
	name := ParticipantName.Check(&v, in.Name)
	birth, err := ParseDate(in.BirthDate)
	switch {
	case in.BirthDate == "":
		v.Add("birth_date", "请填写出生日期", "birth_date is required")
	case err != nil:
		v.Add("birth_date", "出生日期格式应为 YYYY-MM-DD", "birth_date must be a date YYYY-MM-DD")
	case birth.After(now):
		v.Add("birth_date", "出生日期不能晚于今天", "birth_date cannot be in the future")
	case now.Sub(birth) > 120*365*24*time.Hour:
		v.Add("birth_date", "出生日期不合理", "birth_date is implausible")
	}
	if strings.TrimSpace(in.IDNumber) == "" {
		v.Add("id_number", "请填写身份证号", "id_number is required")
	}
	if err := v.Err(); err != nil {
		return Participant{}, err
	}
	id := idnumber.Normalize(in.IDNumber)
	if err := idnumber.Validate(id, birth); err != nil {
		return Participant{}, idNumberError(err)
	}
	var consent *Consent
	if NeedsConsent(birth, now) {
		if err := checkConsent(in.GuardianConsent); err != nil {
			return Participant{}, err
		}
		consent = &Consent{NoticeVersion: in.GuardianConsent.NoticeVersion, AgreedAt: now}
	}
	identity, err := ids.Identify(ctx, id)
	if err != nil {
		return Participant{}, err
	}
	return Participant{
		ID:            NewID("pt", now),
		Name:          name,
		BirthDate:     in.BirthDate,
		IDNumberLast4: idnumber.Last4(id),
		CreatedAt:     now,
		Consent:       consent,
		Account:       account,
		Identity:      identity,
	}, nil
}

// NeedsConsent reports whether someone born on birth (a date in the city's
// zone) is under ConsentAge on now's day in the city.
func NeedsConsent(birth, now time.Time) bool {
	return AgeInMonths(birth, now.In(CityZone)) < ConsentAge*12
}

// checkConsent: given, agreed, and to the notice in force (an older version
// is not what the guardian is told now). The problem names the current
// version, so a client can fetch it and ask again.
func checkConsent(c *GuardianConsent) error {
	current := privacy.CurrentVersion()
	e := apperr.New(apperr.ConsentRequired,
		"为未满十四周岁的儿童登记，须有监护人对《个人信息保护告知书》的单独同意",
		"Registering a child under 14 needs a guardian's separate consent to the privacy notice")
	e.Extra = map[string]any{"notice_version": current}
	switch {
	case c == nil:
		return e.With("guardian_consent", "请由监护人阅读告知书（版本 "+current+"）并同意", "a guardian must read the privacy notice (version "+current+") and agree")
	case !c.Agreed:
		return e.With("guardian_consent.agreed", "监护人须同意告知书", "the guardian must agree to the notice (agreed: true)")
	case c.NoticeVersion != current:
		return e.With("guardian_consent.notice_version", "告知书现行版本为 "+current+"，请阅读后重新同意", "the notice in force is version "+current+"; read it and agree again")
	}
	return nil
}

func idNumberError(err error) error {
	e := apperr.New(apperr.InvalidIDNumber, "身份证号无效", "The ID number is not valid")
	switch {
	case errors.Is(err, idnumber.ErrBirthDate):
		return e.With("id_number", "身份证号中的出生日期与填写的出生日期不一致", "the birth date in the ID number differs from birth_date")
	case errors.Is(err, idnumber.ErrCheckDigit):
		return e.With("id_number", "身份证号校验位不正确，请核对", "the check character is wrong; please check the number")
	case errors.Is(err, idnumber.ErrRegion):
		return e.With("id_number", "身份证号前六位不是有效的行政区划代码，请核对", "the first six digits are not a real region code (GB/T 2260); please check the number")
	default:
		return e.With("id_number", "身份证号应为 18 位（17 位数字加校验位）", "must be 18 characters: 17 digits and a check character")
	}
}
