package beacon

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudflare/circl/ecc/bls12381"
)

// drand's quicknet (League of Entropy): scheme bls-unchained-g1-rfc9380, a
// round every 3 seconds. A round's signature is a BLS signature on G1 of
// sha256(round as 8 bytes big-endian) under the network's key on G2, with
// RFC 9380's hash to G1; its randomness is sha256 of the signature. Nothing
// here trusts a relay: each value is checked against the key, so any relay
// (or a copy anyone saved) gives the same answer or none.
const (
	QuicknetChainHash = "52db9ba70e0cc0f6eaf7803dd07447a1f5477735fd3f661792ba94600c84e971"
	quicknetPublicKey = "83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb90022d3e760183c" +
		"8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63aaf4bcb" +
		"5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a"
	quicknetDST = "BLS_SIG_BLS12381G1_XMD:SHA-256_SSWU_RO_NUL_"
)

// DefaultRelays are drand's public HTTP relays, tried in order.
var DefaultRelays = []string{"https://api.drand.sh", "https://api2.drand.sh", "https://drand.cloudflare.com"}

// ErrBadRound: what a relay gave for a round is not that round of quicknet
// (a bad signature, another round, randomness not the signature's hash).
var ErrBadRound = errors.New("beacon: the round's signature does not verify against quicknet's key")

// Drand is quicknet fetched over HTTP from relays and checked.
type Drand struct {
	Schedule
	client *http.Client
	relays []string
	key    *bls12381.G2
}

// NewDrand is quicknet through relays (DefaultRelays when none), with client
// (its Timeout bounds each fetch; http.DefaultClient when nil).
func NewDrand(client *http.Client, relays []string) *Drand {
	if client == nil {
		client = http.DefaultClient
	}
	if len(relays) == 0 {
		relays = DefaultRelays
	}
	key := new(bls12381.G2)
	b, _ := hex.DecodeString(quicknetPublicKey)
	if err := key.SetBytes(b); err != nil {
		panic("beacon: quicknet's public key does not decode: " + err.Error())
	}
	rs := make([]string, len(relays))
	for i, r := range relays {
		rs[i] = strings.TrimRight(r, "/")
	}
	return &Drand{Schedule: Quicknet, client: client, relays: rs, key: key}
}

// Source names the chain and where anyone can fetch a round (append it).
func (d *Drand) Source() string {
	return "drand quicknet " + d.relays[0] + "/" + QuicknetChainHash + "/public/"
}

// drandRound is a round as drand's HTTP API gives it.
type drandRound struct {
	Round      uint64 `json:"round"`
	Randomness string `json:"randomness"`
	Signature  string `json:"signature"`
}

// Randomness fetches round from the first relay that answers with a round
// that checks. When none does and a relay said the round is not out yet (425
// Too Early, 404), it is ErrNotYet; otherwise every relay's failure is
// joined in the error (the draw tries again on its next run either way).
func (d *Drand) Randomness(ctx context.Context, round uint64) (string, error) {
	var errs []error
	notYet := false
	for _, relay := range d.relays {
		r, err := d.fetch(ctx, relay, round)
		if errors.Is(err, ErrNotYet) {
			notYet = true
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", relay, err))
			continue
		}
		if err := verifyQuicknet(d.key, round, r); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", relay, err))
			continue
		}
		return r.Randomness, nil
	}
	if notYet {
		return "", ErrNotYet
	}
	return "", errors.Join(errs...)
}

func (d *Drand) fetch(ctx context.Context, relay string, round uint64) (drandRound, error) {
	var r drandRound
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, relay+"/"+QuicknetChainHash+"/public/"+strconv.FormatUint(round, 10), nil)
	if err != nil {
		return r, err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return r, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<16))
	if err != nil {
		return r, err
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusTooEarly, http.StatusNotFound:
		return r, ErrNotYet
	default:
		return r, fmt.Errorf("status %d", resp.StatusCode)
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return r, err
	}
	return r, nil
}

// verifyQuicknet checks that r is round of quicknet under key: the round
// number, the BLS signature on sha256(round as 8 bytes big-endian), and the
// randomness being sha256 of the signature (lowercase hex).
func verifyQuicknet(key *bls12381.G2, round uint64, r drandRound) error {
	if r.Round != round {
		return fmt.Errorf("%w: asked for round %d, got %d", ErrBadRound, round, r.Round)
	}
	sigBytes, err := hex.DecodeString(r.Signature)
	if err != nil {
		return fmt.Errorf("%w: signature is not hex", ErrBadRound)
	}
	sig := new(bls12381.G1)
	if err := sig.SetBytes(sigBytes); err != nil || sig.IsIdentity() {
		return fmt.Errorf("%w: signature is not a point of G1", ErrBadRound)
	}
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], round)
	digest := sha256.Sum256(msg[:])
	h := new(bls12381.G1)
	h.Hash(digest[:], []byte(quicknetDST))
	// e(sig, g2) == e(H(m), pk)  ⇔  e(sig, g2) · e(H(m), pk)^-1 == 1
	if !bls12381.ProdPairFrac([]*bls12381.G1{sig, h}, []*bls12381.G2{bls12381.G2Generator(), key}, []int{1, -1}).IsIdentity() {
		return ErrBadRound
	}
	sum := sha256.Sum256(sigBytes)
	if want := hex.EncodeToString(sum[:]); !bytes.Equal([]byte(r.Randomness), []byte(want)) {
		return fmt.Errorf("%w: randomness %q is not sha256 of the signature", ErrBadRound, r.Randomness)
	}
	return nil
}

var _ Beacon = (*Drand)(nil)
