package lottery

import (
	"fmt"
	"slices"
	"strings"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// Unchanged reports the first way later contradicts a copy of the same
// offering's draw document saved earlier. A drawn document that verifies is
// only consistent with itself: an operator who rewrote it whole (a new
// secret and its commitment, a new ticket list and its digest) would pass
// Verify. What binds the draw is that the commitment and beacon round were
// public when applications opened and the tickets when they closed, so a
// copy saved then must agree with the document now — and a drawn copy with
// a later one entirely, since drawing again gives the same result.
func Unchanged(earlier, later Document) error {
	if earlier.Algorithm != later.Algorithm {
		return mismatch("algorithm",
			fmt.Sprintf("算法由%q变为%q", earlier.Algorithm, later.Algorithm),
			fmt.Sprintf("the algorithm changed from %q to %q", earlier.Algorithm, later.Algorithm))
	}
	if earlier.Commitment != later.Commitment {
		return mismatch("commitment",
			fmt.Sprintf("承诺值由%s变为%s：开放申请时公布的承诺值不得更改", earlier.Commitment, later.Commitment),
			fmt.Sprintf("the commitment changed from %s to %s; it is fixed when applications open", earlier.Commitment, later.Commitment))
	}
	if earlier.Beacon.Source != later.Beacon.Source || earlier.Beacon.Round != later.Beacon.Round {
		return mismatch("beacon",
			fmt.Sprintf("信标由%s第%d轮变为%s第%d轮：开放申请时已固定", earlier.Beacon.Source, earlier.Beacon.Round, later.Beacon.Source, later.Beacon.Round),
			fmt.Sprintf("the beacon changed from %s round %d to %s round %d; it is fixed when applications open", earlier.Beacon.Source, earlier.Beacon.Round, later.Beacon.Source, later.Beacon.Round))
	}
	if earlier.ApplicantsDigest == "" {
		return nil // saved before the close: nothing more was public
	}
	if earlier.ApplicantsDigest != later.ApplicantsDigest || !slices.Equal(sortedCopy(earlier.Tickets), sortedCopy(later.Tickets)) {
		return mismatch("tickets",
			fmt.Sprintf("签号列表在截止后改变了（摘要由%s变为%s）", earlier.ApplicantsDigest, later.ApplicantsDigest),
			fmt.Sprintf("the tickets changed after the close (the digest went from %s to %s)", earlier.ApplicantsDigest, later.ApplicantsDigest))
	}
	if earlier.Status != StatusDrawn {
		return nil
	}
	if earlier.Secret != later.Secret || earlier.Beacon.Randomness != later.Beacon.Randomness || earlier.Seed != later.Seed || earlier.PolicyVersion != later.PolicyVersion {
		return mismatch("seed",
			"抽签后密钥、信标随机数、种子或优先级政策版本改变了",
			"the secret, the beacon's randomness, the seed or the policy version changed after the draw")
	}
	before := sortedResults(earlier.Results)
	after := sortedResults(later.Results)
	for i := range max(len(before), len(after)) {
		if i >= len(before) || i >= len(after) || before[i] != after[i] {
			var r Result
			if i < len(before) {
				r = before[i]
			} else {
				r = after[i]
			}
			return &Mismatch{Field: "results", Ticket: r.Ticket, Text: apperr.Text{
				ZH: fmt.Sprintf("抽签后签号%s的结果改变了", r.Ticket),
				EN: fmt.Sprintf("ticket %s's result changed after the draw", r.Ticket)}}
		}
	}
	return nil
}

func sortedResults(rs []Result) []Result {
	c := slices.Clone(rs)
	slices.SortFunc(c, func(a, b Result) int { return strings.Compare(a.Ticket, b.Ticket) })
	return c
}
