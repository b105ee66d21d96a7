package lottery

import (
	"cmp"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"maps"
	"slices"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// Mismatch is what is wrong with a draw document, in Chinese and English:
// Field names the member (as the contract spells it) and Ticket the result it
// concerns, if any, so that a checker can point at it.
type Mismatch struct {
	Field  string
	Ticket string
	Text   apperr.Text
}

func (m *Mismatch) Error() string {
	return m.Field + ": " + m.Text.ZH + " / " + m.Text.EN
}

func mismatch(field, zh, en string) *Mismatch {
	return &Mismatch{Field: field, Text: apperr.Text{ZH: zh, EN: en}}
}

// Draw ranks the document's tickets by enrol-lottery-v1 after checking that
// the secret is the one committed to and the digest is that of the tickets.
// Its results are in rank order, ranks 1..n. It reads Algorithm, Commitment,
// Secret, Beacon.Randomness, ApplicantsDigest, Tickets and Tiers, nothing
// else (not Seed nor Results: Verify compares those).
func Draw(doc Document) ([]Result, error) {
	_, results, ms := draw(doc)
	return results, first(ms)
}

// first is the first of ms as an error, or nil.
func first(ms []*Mismatch) error {
	if len(ms) == 0 {
		return nil
	}
	return ms[0]
}

// draw ranks doc's tickets and returns every way doc is malformed or
// inconsistent on the way: the checks go on past a finding wherever the
// ranks can still be computed (the seed hashes the strings as given), so that
// a checker can say all that is wrong at once. Only an unknown algorithm
// stops it.
func draw(doc Document) (string, []Result, []*Mismatch) {
	if doc.Algorithm != Algorithm {
		return "", nil, []*Mismatch{mismatch("algorithm",
			fmt.Sprintf("算法为%q，本程序只核验%q", doc.Algorithm, Algorithm),
			fmt.Sprintf("the algorithm is %q; this checks %q only", doc.Algorithm, Algorithm))}
	}
	var ms []*Mismatch
	if !isHex(doc.Secret, 0) {
		ms = append(ms, mismatch("secret", "密钥应为小写十六进制", "the secret must be lowercase hex"))
	}
	if got := Commitment(doc.Secret); got != doc.Commitment {
		ms = append(ms, mismatch("commitment",
			fmt.Sprintf("公布的密钥与开放申请时公布的承诺值不符：密钥的哈希为%s，承诺值为%s", got, doc.Commitment),
			fmt.Sprintf("the secret is not the one committed to when applications opened: it hashes to %s, the commitment is %s", got, doc.Commitment)))
	}
	if !isHex(doc.Beacon.Randomness, 0) {
		ms = append(ms, mismatch("beacon.randomness", "信标随机数应为小写十六进制", "the beacon's randomness must be lowercase hex"))
	}
	seen, tms := checkTickets(doc)
	ms = append(ms, tms...)
	for _, t := range slices.Sorted(maps.Keys(doc.Tiers)) { // sorted, so the findings come in one order
		tier := doc.Tiers[t]
		if !seen[t] {
			ms = append(ms, &Mismatch{Field: "tiers", Ticket: t, Text: apperr.Text{
				ZH: fmt.Sprintf("签号%s有优先级，却不在签号列表中", t),
				EN: fmt.Sprintf("ticket %s has a tier but is not among the tickets", t)}})
		} else if tier < 1 {
			ms = append(ms, &Mismatch{Field: "tiers", Ticket: t, Text: apperr.Text{
				ZH: fmt.Sprintf("签号%s的优先级为%d，应不小于1", t, tier),
				EN: fmt.Sprintf("ticket %s has tier %d; tiers start at 1", t, tier)}})
		}
	}

	seed := Seed(doc.Secret, doc.ApplicantsDigest, doc.Beacon.Randomness)
	key, err := seedKey(seed)
	if err != nil {
		panic(err) // cannot happen: a SHA-256 is 32 bytes
	}
	mac := hmac.New(sha256.New, key)
	results := make([]Result, len(doc.Tickets))
	for i, t := range doc.Tickets {
		tier := 1
		if v, ok := doc.Tiers[t]; ok {
			tier = v
		}
		results[i] = Result{Ticket: t, Tier: tier, Number: number(mac, t)}
	}
	// Numbers are distinct in practice (a tie is a SHA-256 collision); the
	// ticket breaks one anyway, so the order is total and never depends on
	// the order the tickets came in.
	slices.SortFunc(results, func(a, b Result) int {
		return cmp.Or(cmp.Compare(a.Tier, b.Tier), cmp.Compare(a.Number, b.Number), cmp.Compare(a.Ticket, b.Ticket))
	})
	for i := range results {
		results[i].Rank = i + 1
	}
	return seed, results, ms
}

// CheckTickets checks what a document shows once applications close, before
// the draw: that the tickets are well formed, listed once each, and are the
// ones the applicants' digest fixes. A holder of an application can then
// look for their own ticket among them.
func CheckTickets(doc Document) error {
	_, ms := checkTickets(doc)
	return first(ms)
}

func checkTickets(doc Document) (map[string]bool, []*Mismatch) {
	var ms []*Mismatch
	seen := make(map[string]bool, len(doc.Tickets))
	for _, t := range doc.Tickets {
		if !isHex(t, sha256.Size) {
			ms = append(ms, &Mismatch{Field: "tickets", Ticket: t, Text: apperr.Text{
				ZH: fmt.Sprintf("签号%q应为64位小写十六进制", t),
				EN: fmt.Sprintf("ticket %q must be 64 lowercase hex digits", t)}})
		}
		if seen[t] {
			ms = append(ms, &Mismatch{Field: "tickets", Ticket: t, Text: apperr.Text{
				ZH: fmt.Sprintf("签号%s出现了两次", t),
				EN: fmt.Sprintf("ticket %s is listed twice", t)}})
		}
		seen[t] = true
	}
	if got := ApplicantsDigest(doc.Tickets); got != doc.ApplicantsDigest {
		ms = append(ms, mismatch("applicants_digest",
			fmt.Sprintf("签号列表的摘要为%s，与截止时公布的摘要%s不符：名单有增减或改动", got, doc.ApplicantsDigest),
			fmt.Sprintf("the tickets' digest is %s, not the %s published at the close: tickets were added, removed or changed", got, doc.ApplicantsDigest)))
	}
	return seen, ms
}

// Verify recomputes the draw from doc and reports the first way doc's seed or
// the published results disagree with it, or nil when every number and rank
// is right. The tiers are doc.Tiers or, when that is nil (a document as
// published), the tiers the results carry: the document cannot show that a
// tier is deserved, only that the ranks follow from the tiers given. Verify
// does not fetch the beacon: that beacon.randomness is the value of
// beacon.round is for the caller to check at the beacon's source.
func Verify(doc Document, published []Result) error {
	return first(Mismatches(doc, published))
}

// Mismatches is every finding of Verify, in the order Verify would meet
// them (its first is Verify's error), so that a checker can list them all.
func Mismatches(doc Document, published []Result) []*Mismatch {
	if doc.Status != StatusDrawn {
		return []*Mismatch{mismatch("status",
			fmt.Sprintf("状态为%q，尚未抽签，无可核验", doc.Status),
			fmt.Sprintf("the status is %q: nothing is drawn yet to check", doc.Status))}
	}
	var ms []*Mismatch
	byTicket := make(map[string]Result, len(published))
	for _, r := range published {
		if _, dup := byTicket[r.Ticket]; dup {
			ms = append(ms, &Mismatch{Field: "results", Ticket: r.Ticket, Text: apperr.Text{
				ZH: fmt.Sprintf("签号%s的结果出现了两次", r.Ticket),
				EN: fmt.Sprintf("ticket %s has two results", r.Ticket)}})
			continue
		}
		byTicket[r.Ticket] = r
	}
	if doc.Tiers == nil {
		// Results for tickets not in the list are reported below, after the
		// list itself is checked against its digest.
		listed := make(map[string]bool, len(doc.Tickets))
		for _, t := range doc.Tickets {
			listed[t] = true
		}
		doc.Tiers = make(map[string]int, len(published))
		for _, r := range published {
			if listed[r.Ticket] {
				doc.Tiers[r.Ticket] = r.Tier
			}
		}
	}
	seed, results, dms := draw(doc)
	ms = append(ms, dms...)
	if results == nil && len(dms) > 0 {
		return ms // an algorithm this does not know: nothing more can be said
	}
	if doc.Seed != seed {
		ms = append(ms, mismatch("seed",
			fmt.Sprintf("公布的种子为%s，由密钥、摘要和信标随机数重算得%s", doc.Seed, seed),
			fmt.Sprintf("the published seed is %s; the secret, digest and beacon randomness give %s", doc.Seed, seed)))
	}
	for _, want := range results {
		got, ok := byTicket[want.Ticket]
		if !ok {
			ms = append(ms, &Mismatch{Field: "results", Ticket: want.Ticket, Text: apperr.Text{
				ZH: fmt.Sprintf("签号%s没有公布结果", want.Ticket),
				EN: fmt.Sprintf("ticket %s has no published result", want.Ticket)}})
			continue
		}
		delete(byTicket, want.Ticket)
		if got.Tier != want.Tier {
			ms = append(ms, &Mismatch{Field: "results.tier", Ticket: want.Ticket, Text: apperr.Text{
				ZH: fmt.Sprintf("签号%s公布的优先级为%d，应为%d", want.Ticket, got.Tier, want.Tier),
				EN: fmt.Sprintf("ticket %s: the published tier is %d, it should be %d", want.Ticket, got.Tier, want.Tier)}})
		}
		if got.Number != want.Number {
			ms = append(ms, &Mismatch{Field: "results.number", Ticket: want.Ticket, Text: apperr.Text{
				ZH: fmt.Sprintf("签号%s公布的随机号为%s，重算得%s", want.Ticket, got.Number, want.Number),
				EN: fmt.Sprintf("ticket %s: the published number is %s, recomputed %s", want.Ticket, got.Number, want.Number)}})
		}
		if got.Rank != want.Rank {
			ms = append(ms, &Mismatch{Field: "results.rank", Ticket: want.Ticket, Text: apperr.Text{
				ZH: fmt.Sprintf("签号%s公布的名次为%d，重算得%d", want.Ticket, got.Rank, want.Rank),
				EN: fmt.Sprintf("ticket %s: the published rank is %d, recomputed %d", want.Ticket, got.Rank, want.Rank)}})
		}
	}
	for _, r := range published { // in the published order
		if _, extra := byTicket[r.Ticket]; extra {
			delete(byTicket, r.Ticket)
			ms = append(ms, &Mismatch{Field: "results", Ticket: r.Ticket, Text: apperr.Text{
				ZH: fmt.Sprintf("签号%s有结果，却不在签号列表中", r.Ticket),
				EN: fmt.Sprintf("ticket %s has a result but is not among the tickets", r.Ticket)}})
		}
	}
	return ms
}
