// Package keycustody holds enrol's keys to personal data: the KMS HMAC key
// that turns an ID number into an identity (Identities), and the data key,
// wrapped by a second KMS key, that seals the personal fields stored in the
// table (Sealer). No key material is in a function's environment, the
// template or a log: functions name KMS keys by ARN, and KMS does the rest.
package keycustody

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/retry"
)

// KMS is what enrol calls on AWS KMS; *kms.Client has it.
type KMS interface {
	GenerateMac(ctx context.Context, in *kms.GenerateMacInput, opts ...func(*kms.Options)) (*kms.GenerateMacOutput, error)
	GenerateDataKey(ctx context.Context, in *kms.GenerateDataKeyInput, opts ...func(*kms.Options)) (*kms.GenerateDataKeyOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, opts ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// NewClient is the KMS client for cfg: AWS as usual, or cfg.KMSEndpoint (the
// local stand-in, infra/localkms) with dummy credentials.
func NewClient(ctx context.Context, cfg config.Config) (*kms.Client, error) {
	awsCfg, err := config.AWS(ctx, cfg.Region, cfg.KMSEndpoint)
	if err != nil {
		return nil, err
	}
	return kms.NewFromConfig(awsCfg), nil
}

// unavailable is every KMS failure: throttled, unreachable, a key disabled or
// not allowed. The request may be retried; the cause goes to the log only.
func unavailable(op string, err error) error {
	return retry.Busy(fmt.Errorf("kms %s: %w", op, err))
}

// internal is a 500 that reveals nothing (a sealed value that does not open).
func internal(err error) error {
	return apperr.Wrap(apperr.Internal, err, "服务器内部错误，请稍后再试", "Something went wrong on our side; please try again later")
}

// Identities turns ID numbers into identities with a KMS HMAC key. Safe for
// concurrent use.
type Identities struct {
	kms   KMS
	keyID string
}

// NewIdentities uses the HMAC_256 key keyID (id, ARN or alias).
func NewIdentities(k KMS, keyID string) *Identities { return &Identities{kms: k, keyID: keyID} }

// Identify is the lower-case hex HMAC-SHA256, computed inside KMS, of the
// normalised number: the same whoever registers the person, and useless to
// anyone who cannot call GenerateMac with the key. Validate the number first.
func (i *Identities) Identify(ctx context.Context, number string) (string, error) {
	if i == nil { // a function given no identity key (least privilege)
		return "", internal(errors.New("keycustody: no identity key configured for this function"))
	}
	out, err := i.kms.GenerateMac(ctx, &kms.GenerateMacInput{
		KeyId: aws.String(i.keyID), MacAlgorithm: types.MacAlgorithmSpecHmacSha256,
		Message: []byte(idnumber.Normalize(number)),
	})
	if err != nil {
		return "", unavailable("GenerateMac", err)
	}
	return hex.EncodeToString(out.Mac), nil
}
