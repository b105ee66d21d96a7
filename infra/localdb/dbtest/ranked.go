package dbtest

import (
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/lottery"
)

// RankIDs gives apps (applications to offeringID not yet written) ids and
// tickets under which a draw with secret and the beacon's randomness ranks
// them in the order given, trying fresh ids until they fall so: a test of
// what comes of a given rank order, with the real draw.
func RankIDs(t testing.TB, offeringID, secret, randomness string, apps []domain.Application, now time.Time) {
	t.Helper()
	for range 100000 {
		tickets := make([]string, len(apps))
		for i := range apps {
			apps[i].ID = domain.NewID("app", now)
			apps[i].Ticket = lottery.Ticket(offeringID, apps[i].ID)
			tickets[i] = apps[i].Ticket
		}
		slices.Sort(tickets)
		results, err := lottery.Draw(lottery.Document{Algorithm: lottery.Algorithm, Secret: secret, Commitment: lottery.Commitment(secret),
			ApplicantsDigest: lottery.ApplicantsDigest(tickets), Tickets: tickets, Beacon: lottery.Beacon{Randomness: randomness}})
		if err != nil {
			t.Fatal(err)
		}
		if slices.EqualFunc(apps, results, func(a domain.Application, r lottery.Result) bool { return a.Ticket == r.Ticket }) {
			return
		}
	}
	t.Fatalf("no ids rank %d applications as wanted", len(apps))
}
