package domain

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
)

// NewParticipant is what a resident sends to register a participant.
type NewParticipant struct {
	Name      string `json:"name"`
	BirthDate string `json:"birth_date"`
	IDNumber  string `json:"id_number"`
}

// Identifier turns a valid ID number into an identity: a keyed hash whose key
// never leaves KMS (keycustody.Identities).
type Identifier interface {
	Identify(ctx context.Context, number string) (string, error)
}

// Register validates a new participant and turns the ID number into an
// identity (keyed hash) and its last four characters; the number itself goes
// no further than this function and ids.
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
		Account:       account,
		Identity:      identity,
	}, nil
}

func idNumberError(err error) error {
	e := apperr.New(apperr.InvalidIDNumber, "身份证号无效", "The ID number is not valid")
	switch {
	case errors.Is(err, idnumber.ErrBirthDate):
		return e.With("id_number", "身份证号中的出生日期与填写的出生日期不一致", "the birth date in the ID number differs from birth_date")
	case errors.Is(err, idnumber.ErrCheckDigit):
		return e.With("id_number", "身份证号校验位不正确，请核对", "the check character is wrong; please check the number")
	default:
		return e.With("id_number", "身份证号应为 18 位（17 位数字加校验位）", "must be 18 characters: 17 digits and a check character")
	}
}
