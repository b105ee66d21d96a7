package local_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// TestSiblingsTogetherOnTheStack (issue 14, siblings together): a lottery
// offering of three places; ranked a single, a family of three children
// (one application), then three singles. The draw offers the first single
// a place; the family needs three with two left, so its three children
// wait together (one group, the family's application) and the next two
// singles take the places; the last single waits behind the family. Then,
// through the gateway: a single declining frees one place, which passes
// the family over to the single behind it; two more places freed wait for
// the family; the third offers all three children at once with one
// deadline; a sibling declining leaves the others their offers. Never more
// places held than three.
func TestSiblingsTogetherOnTheStack(t *testing.T) {
	clk := newMovableClock(time.Date(2026, 3, 2, 9, 0, 0, 0, domain.CityZone))
	e := start(t, clk.option())
	ctx := context.Background()
	now := e.st.Now()
	const id = "lot-sib"
	draw, _, drawAt := e.lotteryDraw(id, 3)
	sh, bc := draw.Secret, e.st.Beacon

	// The family: three children of one account, one application.
	famTok, famP, _ := e.resident("sib-family")
	second, _ := e.register(famTok)
	third, _ := e.register(famTok)
	kids := []string{famP, second, third}
	person := func(account, pid string) domain.Participant {
		p, err := e.st.Store.GetParticipant(ctx, account, pid)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	application := func(account string, pids ...string) domain.Application {
		p := person(account, pids[0])
		a := domain.Application{OfferingID: id, ParticipantID: p.ID, Participant: domain.BookedParticipant{Name: p.Name},
			Status: domain.ApplicationApplied, Tier: 1, CreatedAt: now, Account: account, Identity: p.Identity, Term: "2025-autumn",
			BirthDate: p.BirthDate, IDNumberLast4: p.IDNumberLast4, Claims: []domain.Claim{}}
		for _, pid := range pids[1:] {
			s := person(account, pid)
			a.Siblings = append(a.Siblings, domain.Sibling{ParticipantID: s.ID, Name: s.Name, BirthDate: s.BirthDate, IDNumberLast4: s.IDNumberLast4, Identity: s.Identity})
		}
		return a
	}
	accounts := []string{"sib-s1", "sib-family", "sib-s2", "sib-s3", "sib-s4"}
	apps := make([]domain.Application, len(accounts))
	for i, account := range accounts {
		if account == "sib-family" {
			apps[i] = application(account, kids...)
			continue
		}
		_, pid, _ := e.resident(account)
		apps[i] = application(account, pid)
	}
	// Ids under which the draw ranks them in this order (the secret and
	// the beacon's round are fixed; the stack's beacon is a keyed hash).
	later := bc
	later.Now = func() time.Time { return drawAt.Add(time.Hour) }
	randomness, err := later.Randomness(ctx, draw.BeaconRound)
	if err != nil {
		t.Fatal(err)
	}
	dbtest.RankIDs(t, id, sh, randomness, apps, now)
	for _, a := range apps {
		if err := e.st.Store.SeedApplication(ctx, a); err != nil {
			t.Fatal(err)
		}
	}

	clk.move(drawAt.Add(time.Minute).Sub(e.st.Now()))
	e.runJob("DrawsFunction")
	tokens := map[string]string{}
	for _, account := range accounts {
		tokens[account] = e.fresh(account) // tokens last an hour on the stack's clock
	}
	bookings := func(account string) []map[string]any {
		t.Helper()
		r := e.do("GET", "/v1/me/bookings", tokens[account], nil)
		e.expect(r, 200, "")
		var out []map[string]any
		for _, it := range r.json["items"].([]any) {
			out = append(out, it.(map[string]any))
		}
		return out
	}
	one := func(account string) map[string]any {
		t.Helper()
		bs := bookings(account)
		if len(bs) != 1 {
			t.Fatalf("%s: %d bookings", account, len(bs))
		}
		return bs[0]
	}
	held := func(offered, waitlisted int) {
		t.Helper()
		o, err := e.st.Store.GetOffering(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if o.Offered+o.Confirmed > o.Capacity || o.Offered != offered || o.Waitlisted != waitlisted {
			t.Fatalf("offered %d confirmed %d waitlisted %d of %d places; want %d offered, %d waiting", o.Offered, o.Confirmed, o.Waitlisted, o.Capacity, offered, waitlisted)
		}
	}
	family := func(status string) []map[string]any {
		t.Helper()
		bs := bookings("sib-family")
		if len(bs) != 3 {
			t.Fatalf("the family has %d bookings", len(bs))
		}
		for _, b := range bs {
			if b["status"] != status || b["group"] != apps[1].ID {
				t.Fatalf("family booking %v: want %s in group %s", b, status, apps[1].ID)
			}
		}
		return bs
	}

	// The draw: together or wait.
	for account, want := range map[string]string{"sib-s1": "offered", "sib-s2": "offered", "sib-s3": "offered", "sib-s4": "waitlisted"} {
		if b := one(account); b["status"] != want {
			t.Fatalf("%s: %v, want %s", account, b, want)
		}
	}
	var positions []int
	for _, b := range family("waitlisted") {
		positions = append(positions, int(b["waitlist_position"].(float64)))
	}
	slices.Sort(positions)
	if !slices.Equal(positions, []int{1, 2, 3}) || one("sib-s4")["waitlist_position"] != float64(4) {
		t.Fatalf("the family's places in line %v, the last single's %v", positions, one("sib-s4")["waitlist_position"])
	}
	held(3, 4)

	cancel := func(account string, b map[string]any) {
		t.Helper()
		e.expect(e.cancelled(tokens[account], b["id"].(string)), 200, "")
	}
	// One place: the family passed over, the single behind it offered.
	cancel("sib-s2", one("sib-s2"))
	if b := one("sib-s4"); b["status"] != "offered" {
		t.Fatalf("the single behind the family: %v", b)
	}
	family("waitlisted")
	held(3, 3)
	// Two places free of the three the family needs: they wait for it.
	cancel("sib-s1", one("sib-s1"))
	cancel("sib-s3", one("sib-s3"))
	family("waitlisted")
	held(1, 3)
	// The third: all three offered at once, one deadline.
	cancel("sib-s4", one("sib-s4"))
	fb := family("offered")
	if fb[0]["offer_expires_at"] == nil || fb[0]["offer_expires_at"] != fb[1]["offer_expires_at"] || fb[0]["offer_expires_at"] != fb[2]["offer_expires_at"] {
		t.Fatalf("the family's deadlines: %v %v %v", fb[0]["offer_expires_at"], fb[1]["offer_expires_at"], fb[2]["offer_expires_at"])
	}
	held(3, 0)
	// One sibling declines: the others keep their offers.
	cancel("sib-family", fb[0])
	offered := 0
	for _, b := range bookings("sib-family") {
		if b["status"] == "offered" {
			offered++
		}
	}
	if offered != 2 {
		t.Fatalf("%d of the family offered after one declined, want 2", offered)
	}
	held(2, 0)
}
