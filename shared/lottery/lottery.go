// Package lottery is enrol-lottery-v1, the draw of a lottery offering, exactly
// as the API contract ("Lottery offerings") fixes it, so that anyone can
// recompute every number and rank from the public draw document alone. It is
// pure: no I/O and no clock, and the same document always gives the same
// result.
//
// Every value is a lowercase hex string and, except where the contract says
// "bytes" (the HMAC key), it is hashed as that string, so each step can be
// redone with sha256sum and openssl:
//
//	ticket     = sha256("enrol-ticket-v1|" + offering_id + "|" + application_id)
//	digest     = sha256(sorted tickets joined by "\n")
//	commitment = sha256(secret)                 (the secret's hex string)
//	seed       = sha256("enrol-lottery-v1|" + secret + "|" + digest + "|" + randomness)
//	number     = HMAC-SHA256(key = the 32 bytes seed decodes to, message = ticket)
//	rank       = by tier ascending (1 first), then number, then ticket
package lottery

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"hash"
	"slices"
	"strings"
)

// Algorithm is the name a draw document carries.
const Algorithm = "enrol-lottery-v1"

// The two statuses of a draw document.
const (
	StatusCommitted = "committed"
	StatusDrawn     = "drawn"
)

// Document is the public draw document, `GET /v1/offerings/{offering_id}/draw`,
// with the contract's member names. Members appear as the draw goes on: the
// commitment and beacon round when applications open, the tickets and their
// digest at the close, the rest once drawn.
type Document struct {
	Algorithm        string   `json:"algorithm"`
	Status           string   `json:"status"`
	Commitment       string   `json:"commitment"`
	Beacon           Beacon   `json:"beacon"`
	ApplicantsDigest string   `json:"applicants_digest,omitempty"`
	Tickets          []string `json:"tickets,omitempty"`
	Secret           string   `json:"secret,omitempty"`
	Seed             string   `json:"seed,omitempty"`
	Results          []Result `json:"results,omitempty"`
	// PolicyVersion names the priority policy whose tiers applied (contract,
	// "Priority policies"); absent while everyone is tier 1.
	PolicyVersion int `json:"policy_version,omitempty"`
	// RoundID names the round whose draw this is (issue 14): a round's
	// document, or a member offering's, which is the round's with tiers at
	// that offering; NotChosenTier is the tier a member's document gives the
	// tickets of those who did not choose it, after every real tier.
	RoundID       string `json:"round_id,omitempty"`
	NotChosenTier int    `json:"not_chosen_tier,omitempty"`

	// OfferingID is not a member of the document (it is in its address); it
	// lets a holder of an application id find their own ticket.
	OfferingID string `json:"-"`
	// Tiers is each ticket's tier when drawing; a ticket not in it is tier 1.
	// The published document carries tiers only in its results, so Verify
	// takes them from there when Tiers is nil.
	Tiers map[string]int `json:"-"`
}

// Beacon is the public randomness the draw waits for: a round fixed when
// applications open whose value does not exist until after they close.
type Beacon struct {
	Source     string `json:"source"`
	Round      uint64 `json:"round"`
	Randomness string `json:"randomness,omitempty"`
}

// Result is one ticket's place in the draw.
type Result struct {
	Ticket string `json:"ticket"`
	Tier   int    `json:"tier"`
	Number string `json:"number"`
	Rank   int    `json:"rank"`
}

// Ticket is an application's public ticket: it reveals nothing of the
// application, yet its holder can recompute it.
func Ticket(offeringID, applicationID string) string {
	return hexSHA256("enrol-ticket-v1|" + offeringID + "|" + applicationID)
}

// ApplicantsDigest fixes the set of tickets at the close; it sorts a copy, so
// the order it is given the tickets in does not matter.
func ApplicantsDigest(tickets []string) string {
	return hexSHA256(strings.Join(sortedCopy(tickets), "\n"))
}

func sortedCopy(s []string) []string {
	c := slices.Clone(s)
	slices.Sort(c)
	return c
}

// Commitment is published before anyone applies and binds the operator to its
// secret. The contract says "hex sha256 of the secret"; it is the SHA-256 of
// the secret's lowercase hex string (not of the bytes it decodes to), as the
// seed also hashes the secret's hex string, so that one rule — hash the
// string as written — covers every step and
// `printf '%s' <secret> | sha256sum` checks it.
func Commitment(secretHex string) string {
	return hexSHA256(secretHex)
}

// Seed joins the operator's secret, the applicants and the beacon's
// randomness, so that none of them alone decides the draw. The hex strings
// are hashed as given (lowercase, as the contract has them).
func Seed(secretHex, applicantsDigest, randomnessHex string) string {
	return hexSHA256(Algorithm + "|" + secretHex + "|" + applicantsDigest + "|" + randomnessHex)
}

// Number is a ticket's lottery number under seed: HMAC-SHA256 keyed by the
// seed's 32 bytes over the ticket's hex string.
func Number(seedHex, ticket string) (string, error) {
	key, err := seedKey(seedHex)
	if err != nil {
		return "", err
	}
	return number(hmac.New(sha256.New, key), ticket), nil
}

func seedKey(seedHex string) ([]byte, error) {
	if !isHex(seedHex, sha256.Size) {
		return nil, mismatch("seed", "种子应为64位小写十六进制（32字节）", "the seed must be 64 lowercase hex digits (32 bytes)")
	}
	key, _ := hex.DecodeString(seedHex)
	return key, nil
}

// number reuses one HMAC across a draw's tickets.
func number(mac hash.Hash, ticket string) string {
	mac.Reset()
	mac.Write([]byte(ticket))
	return hex.EncodeToString(mac.Sum(nil))
}

func hexSHA256(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// isHex reports whether s is lowercase hex of n bytes, or of any nonzero
// length when n is 0. Uppercase is refused so that a value has one spelling
// and hashes the same for everyone.
func isHex(s string, n int) bool {
	if s == "" || len(s)%2 != 0 || (n > 0 && len(s) != 2*n) {
		return false
	}
	for _, c := range []byte(s) {
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}
