package gateway

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/wuxi-enrol/enrol/infra/datadir"
	"github.com/wuxi-enrol/enrol/shared/auth"
)

// leeway is the clock skew tolerated on exp, nbf and iat.
const leeway = 30 * time.Second

// Issuer stands in for the Cognito user pool: it signs ID tokens with an
// RSA-2048 key that lives only in memory, so tokens die with the process,
// or one kept in a file (OpenIssuer), so they outlive it.
type Issuer struct {
	url, audience string
	key           *rsa.PrivateKey
	kid           string
	// now stamps iat and exp and checks them: the stack's clock.
	now func() time.Time
	// deleted, if set, reports whether a sub's user was deleted from the
	// pool (RefuseDeleted).
	deleted func(sub string) bool
	// names, when set (NameClaims), are the claims Mint puts the groups
	// and centres in, both as arrays, as an OpenID Connect provider would.
	names *auth.Claims
	// beforeMint, if set, is the user pool's PreTokenGeneration trigger
	// (BeforeMint).
	beforeMint TokenHook
}

// NameClaims makes Mint put the groups and centre ids in the claims n
// names, each a JSON array, as the city's OpenID Connect provider would
// (AuthMode oidc), instead of Cognito's cognito:groups and
// custom:centre_ids.
func (i *Issuer) NameClaims(n auth.Claims) { i.names = &n }

// TokenHook is what the user pool's PreTokenGeneration trigger does to a
// token for sub: it answers the groups the token carries and claims to add.
type TokenHook func(ctx context.Context, sub string, groups []string) (newGroups []string, claims map[string]string, err error)

// BeforeMint makes every token pass through h before it is signed, as
// every Cognito token passes through the pool's PreTokenGeneration
// trigger; a claim the Issuer sets itself (sub, iss, …) is not replaced.
// Call it before serving.
func (i *Issuer) BeforeMint(h TokenHook) { i.beforeMint = h }

// ErrDeleted is Mint's refusal to sign in a deleted user.
var ErrDeleted = errors.New("gateway: the user was deleted from the user pool")

// RefuseDeleted makes the Issuer refuse, as Cognito does, to sign in a user
// deleted from the pool (DELETE /v1/me); call it before serving. A token
// already issued stays valid until it expires: API Gateway's JWT authorizer
// checks the signature and claims, not whether the user still exists.
func (i *Issuer) RefuseDeleted(deleted func(sub string) bool) { i.deleted = deleted }

// NewIssuer makes a fresh signing key for issuerURL; audience is the app
// client id tokens are minted for and checked against; now is the clock
// tokens are issued and checked by (nil: the wall clock).
func NewIssuer(issuerURL, audience string, now func() time.Time) (*Issuer, error) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("gateway: generating the signing key: %w", err)
	}
	return newIssuer(issuerURL, audience, now, key)
}

// OpenIssuer is NewIssuer with the signing key kept in the file at keyPath
// (PKCS #8 PEM, mode 0600): made and written there when it does not exist,
// read from it after, so tokens a stack issued before a restart still
// verify (while its address, the issuer, stays the same).
func OpenIssuer(issuerURL, audience string, now func() time.Time, keyPath string) (*Issuer, error) {
	b, err := datadir.ReadFile(keyPath)
	if err != nil {
		return nil, err
	}
	if b == nil {
		key, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			return nil, fmt.Errorf("gateway: generating the signing key: %w", err)
		}
		der, err := x509.MarshalPKCS8PrivateKey(key)
		if err != nil {
			return nil, err
		}
		if err := datadir.WriteFile(keyPath, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})); err != nil {
			return nil, err
		}
		return newIssuer(issuerURL, audience, now, key)
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return nil, fmt.Errorf("gateway: %s holds no PEM signing key", keyPath)
	}
	parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("gateway: %s: %w", keyPath, err)
	}
	key, ok := parsed.(*rsa.PrivateKey)
	if !ok {
		return nil, fmt.Errorf("gateway: %s is not an RSA key", keyPath)
	}
	return newIssuer(issuerURL, audience, now, key)
}

func newIssuer(issuerURL, audience string, now func() time.Time, key *rsa.PrivateKey) (*Issuer, error) {
	if issuerURL == "" || audience == "" {
		return nil, errors.New("gateway: issuer URL and audience are required")
	}
	if now == nil {
		now = time.Now
	}
	// The kid is a thumbprint of the public key, so a token signed by another
	// Issuer never finds its key here, as with Cognito's JWKS.
	sum := sha256.Sum256(key.PublicKey.N.Bytes())
	return &Issuer{
		url:      issuerURL,
		audience: audience,
		key:      key,
		kid:      base64.RawURLEncoding.EncodeToString(sum[:12]),
		now:      now,
	}, nil
}

// URL is the issuer (the "iss" claim).
func (i *Issuer) URL() string { return i.url }

// Audience is the app client id (the "aud" claim).
func (i *Issuer) Audience() string { return i.audience }

// Mint signs an ID token shaped like Cognito's: sub, cognito:groups (array),
// custom:centre_ids (comma-joined, omitted when empty), iss, aud, iat, exp,
// token_use "id".
func (i *Issuer) Mint(sub string, groups, centreIDs []string, ttl time.Duration) (string, error) {
	return i.MintDistrict(sub, groups, centreIDs, "", ttl)
}

// MintDistrict is Mint with a district officer's district in
// custom:district (omitted when "").
func (i *Issuer) MintDistrict(sub string, groups, centreIDs []string, district string, ttl time.Duration) (string, error) {
	tok, _, err := i.mint(sub, groups, centreIDs, district, ttl)
	return tok, err
}

// mint is MintDistrict, also returning the token's exp.
func (i *Issuer) mint(sub string, groups, centreIDs []string, district string, ttl time.Duration) (string, time.Time, error) {
	if i.deleted != nil && i.deleted(sub) {
		return "", time.Time{}, ErrDeleted
	}
	var extra map[string]string
	if i.beforeMint != nil {
		var err error
		if groups, extra, err = i.beforeMint(context.Background(), sub, groups); err != nil {
			return "", time.Time{}, fmt.Errorf("gateway: the pre token generation trigger: %w", err)
		}
	}
	now := i.now()
	exp := now.Add(ttl)
	claims := jwt.MapClaims{
		"sub":       sub,
		"iss":       i.url,
		"aud":       i.audience, // a single string, as Cognito writes it
		"iat":       now.Unix(),
		"auth_time": now.Unix(),
		"exp":       exp.Unix(),
		"token_use": "id",
	}
	switch {
	case i.names != nil:
		if len(groups) > 0 {
			claims[i.names.Groups] = groups
		}
		if len(centreIDs) > 0 {
			claims[i.names.Centres] = centreIDs
		}
		if district != "" {
			claims[i.names.District] = district
		}
	default:
		if len(groups) > 0 {
			claims[auth.CognitoGroupsClaim] = groups
		}
		if len(centreIDs) > 0 {
			claims[auth.CognitoCentresClaim] = strings.Join(centreIDs, ",")
		}
		if district != "" {
			claims[auth.CognitoDistrictClaim] = district
		}
	}
	for k, v := range extra {
		if _, set := claims[k]; !set {
			claims[k] = v
		}
	}
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claims)
	tok.Header["kid"] = i.kid
	signed, err := tok.SignedString(i.key)
	return signed, time.Unix(exp.Unix(), 0).In(exp.Location()), err
}

// JWKS is the public key as a JSON Web Key Set, like Cognito's
// /.well-known/jwks.json.
func (i *Issuer) JWKS() []byte {
	pub := i.key.PublicKey
	set := map[string]any{"keys": []map[string]string{{
		"kty": "RSA",
		"alg": "RS256",
		"use": "sig",
		"kid": i.kid,
		"n":   base64.RawURLEncoding.EncodeToString(pub.N.Bytes()),
		"e":   base64.RawURLEncoding.EncodeToString(big.NewInt(int64(pub.E)).Bytes()),
	}}}
	b, _ := json.Marshal(set)
	return b
}

// authFailure is why a token was refused; the text goes to the client.
type authFailure struct{ msg text }

func (f *authFailure) Error() string { return f.msg.en }

var (
	errMissingToken = &authFailure{text{"缺少访问令牌，请先登录", "The bearer token is missing; please sign in"}}
	errMalformed    = &authFailure{text{"访问令牌格式无效", "The token is malformed"}}
	errSignature    = &authFailure{text{"访问令牌签名无效", "The token signature is invalid"}}
	errIssuer       = &authFailure{text{"访问令牌的签发者不正确", "The token comes from another issuer"}}
	errAudience     = &authFailure{text{"访问令牌不是签发给本应用的", "The token was not issued for this application"}}
	errExpired      = &authFailure{text{"访问令牌已过期，请重新登录", "The token has expired; please sign in again"}}
	errNotYetValid  = &authFailure{text{"访问令牌尚未生效", "The token is not valid yet"}}
	errInvalid      = &authFailure{text{"访问令牌无效", "The token is invalid"}}
)

// Verify checks an Authorization header value the way API Gateway's JWT
// authorizer does (RS256 signature by a known kid, iss, aud or client_id,
// exp required, nbf and iat not in the future) and returns the claims
// flattened as API Gateway hands them to a function.
func (i *Issuer) Verify(authorization string) (map[string]string, error) {
	raw := strings.TrimSpace(authorization)
	// API Gateway accepts the token with or without the "Bearer " prefix.
	if len(raw) > 7 && strings.EqualFold(raw[:7], "bearer ") {
		raw = strings.TrimSpace(raw[7:])
	}
	if raw == "" {
		return nil, errMissingToken
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods([]string{jwt.SigningMethodRS256.Alg()}),
		jwt.WithIssuer(i.url),
		jwt.WithLeeway(leeway),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithTimeFunc(i.now),
		jwt.WithJSONNumber(), // keep numbers' exact decimal text for the claims
	}
	p := jwt.NewParser(opts...)
	claims := jwt.MapClaims{}
	_, err := p.ParseWithClaims(raw, claims, func(t *jwt.Token) (any, error) {
		if kid, _ := t.Header["kid"].(string); kid != i.kid {
			return nil, jwt.ErrTokenSignatureInvalid
		}
		return &i.key.PublicKey, nil
	})
	switch {
	case err == nil:
	case errors.Is(err, jwt.ErrTokenMalformed):
		return nil, errMalformed
	case errors.Is(err, jwt.ErrTokenSignatureInvalid), errors.Is(err, jwt.ErrTokenUnverifiable):
		// A token past its exp is refused as expired even when its key is
		// gone (one from an earlier run of the stack): "sign in again" is
		// what helps the user. Refused either way.
		if errors.Is(jwt.NewValidator(opts...).Validate(claims), jwt.ErrTokenExpired) {
			return nil, errExpired
		}
		return nil, errSignature
	case errors.Is(err, jwt.ErrTokenExpired):
		return nil, errExpired
	case errors.Is(err, jwt.ErrTokenInvalidIssuer):
		return nil, errIssuer
	case errors.Is(err, jwt.ErrTokenNotValidYet), errors.Is(err, jwt.ErrTokenUsedBeforeIssued):
		return nil, errNotYetValid
	default:
		return nil, errInvalid
	}
	if !i.audienceOK(claims) {
		return nil, errAudience
	}
	return flattenClaims(claims), nil
}

// audienceOK: ID tokens carry aud, access tokens client_id; API Gateway
// accepts either.
func (i *Issuer) audienceOK(c jwt.MapClaims) bool {
	if aud, err := c.GetAudience(); err == nil && slices.Contains(aud, i.audience) {
		return true
	}
	cid, _ := c["client_id"].(string)
	return cid == i.audience
}

// flattenClaims renders claims as API Gateway payload 2.0 does: strings as
// they are, numbers as decimal text, arrays as "[a b]".
func flattenClaims(c jwt.MapClaims) map[string]string {
	out := make(map[string]string, len(c))
	for k, v := range c {
		if v == nil {
			continue
		}
		out[k] = claimText(v)
	}
	return out
}

func claimText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = claimText(e)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	b, _ := json.Marshal(v)
	return string(b)
}
