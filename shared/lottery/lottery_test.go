package lottery

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"
	"testing"
)

// The vectors below were made with shell one-liners, not with this package,
// and pasted as literals (testdata/vector-v1.sh does the same steps and
// printed testdata/drawn-v1.json):
//
//	printf '%s' "enrol-ticket-v1|o1|a1" | sha256sum                  -> shellTicket1
//	printf '%s' "enrol-ticket-v1|o1|a2" | sha256sum                  -> shellTicket2
//	printf '%s' "enrol-ticket-v1|o1|a3" | sha256sum                  -> shellTicket3
//	printf '%s\n' T1 T2 T3 | LC_ALL=C sort  then  printf '%s' "$SORTED" | sha256sum  -> shellDigest
//	printf '%s' "$SECRET" | sha256sum                                -> shellCommitment
//	printf '%s' "beacon round 1" | sha256sum                         -> shellRandomness
//	printf '%s' "enrol-lottery-v1|$SECRET|$DIGEST|$RANDOMNESS" | sha256sum  -> shellSeed
//	printf '%s' "$T" | openssl dgst -sha256 -mac HMAC -macopt hexkey:$SEED  -> shellNumber1..3
const (
	shellSecret     = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	shellTicket1    = "9b818368d3b7371517b4324d906a54305d31877ae197f8d6a1516c545bc87b2f"
	shellTicket2    = "501c942ace1d9c6b7ff141a1c5ce0e7c70c7f21b9ef6bd3313c828738c5b8981"
	shellTicket3    = "5d56c6203bb7910007e8802a6e294e629e18f84156d5af8b6d8fcb52ee1b4a13"
	shellDigest     = "c04bc25f20a7c6829ad790682f43ec94b876c086e5c97555f9ae4d3251941383"
	shellCommitment = "6c86c6aac5fb24bcf5d9939cb7d7d5645ce39418f449e03b262dd4fa14b4b92b"
	shellRandomness = "b9fd8c30e81ab84927268f69a68a4ed67f7ceb72b232c6a6ad4fcf92e5140860"
	shellSeed       = "7c87226e70765a21a8a48043cbee227b506c94ef94026f42c6034fd63e416c1b"
	shellNumber1    = "211fd364b1409d0ab586406e030b8fea321d68cd1248e14112647f37ed21ce38"
	shellNumber2    = "c9957889e860c8ad4035049745774218c5131aaab79bf497456d9972f5bf36ed"
	shellNumber3    = "4af7439a9e5d794b1d7ee5976e220a70e7ee96160d8a0efad3c7799414834b0a"
)

func TestShellVectors(t *testing.T) {
	tickets := []string{Ticket("o1", "a1"), Ticket("o1", "a2"), Ticket("o1", "a3")}
	seed := Seed(shellSecret, shellDigest, shellRandomness)
	checks := []struct{ what, got, want string }{
		{"ticket o1/a1", tickets[0], shellTicket1},
		{"ticket o1/a2", tickets[1], shellTicket2},
		{"ticket o1/a3", tickets[2], shellTicket3},
		{"applicants digest", ApplicantsDigest(tickets), shellDigest},
		{"commitment (of the secret's hex string)", Commitment(shellSecret), shellCommitment},
		{"seed", seed, shellSeed},
	}
	for i, want := range []string{shellNumber1, shellNumber2, shellNumber3} {
		got, err := Number(seed, tickets[i])
		if err != nil {
			t.Fatal(err)
		}
		checks = append(checks, struct{ what, got, want string }{fmt.Sprintf("number of ticket %d", i+1), got, want})
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %s, the shell made %s", c.what, c.got, c.want)
		}
	}
}

// The same formulas written out again with crypto/sha256 and crypto/hmac, on
// inputs the shell vectors do not cover.
func TestAgainstStandardLibrary(t *testing.T) {
	sum := func(s string) string { h := sha256.Sum256([]byte(s)); return hex.EncodeToString(h[:]) }
	cases := []struct {
		offering, application, secret, randomness string
	}{
		{"off-1", "app-1", "ff", "00"},
		{"01JEXAMPLEOFFERING", "01JEXAMPLEAPPLICATION", strings.Repeat("ab", 32), strings.Repeat("cd", 32)},
		{"课程", "申请|带竖线", strings.Repeat("0f", 16), "8f3b"},
	}
	for _, c := range cases {
		t.Run(c.offering, func(t *testing.T) {
			ticket := Ticket(c.offering, c.application)
			if want := sum("enrol-ticket-v1|" + c.offering + "|" + c.application); ticket != want {
				t.Errorf("ticket %s, want %s", ticket, want)
			}
			other := Ticket(c.offering, c.application+"x")
			digest := ApplicantsDigest([]string{other, ticket})
			sorted := []string{ticket, other}
			slices.Sort(sorted)
			if want := sum(sorted[0] + "\n" + sorted[1]); digest != want {
				t.Errorf("digest %s, want %s", digest, want)
			}
			if got, want := Commitment(c.secret), sum(c.secret); got != want {
				t.Errorf("commitment %s, want %s", got, want)
			}
			secretBytes, _ := hex.DecodeString(c.secret)
			if Commitment(c.secret) == sum(string(secretBytes)) {
				t.Error("the commitment hashes the secret's bytes; it is of its hex string")
			}
			seed := Seed(c.secret, digest, c.randomness)
			if want := sum("enrol-lottery-v1|" + c.secret + "|" + digest + "|" + c.randomness); seed != want {
				t.Errorf("seed %s, want %s", seed, want)
			}
			key, _ := hex.DecodeString(seed)
			mac := hmac.New(sha256.New, key)
			mac.Write([]byte(ticket))
			got, err := Number(seed, ticket)
			if err != nil {
				t.Fatal(err)
			}
			if want := hex.EncodeToString(mac.Sum(nil)); got != want {
				t.Errorf("number %s, want %s", got, want)
			}
		})
	}
}

func TestNumberRefusesABadSeed(t *testing.T) {
	for _, seed := range []string{"", "ab", strings.Repeat("AB", 32), strings.Repeat("a", 63), strings.Repeat("ab", 33), strings.Repeat("zz", 32)} {
		if _, err := Number(seed, shellTicket1); err == nil {
			t.Errorf("Number(%q) accepted the seed", seed)
		}
	}
}

// shellDocument is testdata/drawn-v1.json, the draw made in the shell.
func shellDocument(t testing.TB) Document {
	t.Helper()
	b, err := os.ReadFile("testdata/drawn-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	var doc Document
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

func TestDrawReproducesTheShellDraw(t *testing.T) {
	doc := shellDocument(t)
	got, err := Draw(doc)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, doc.Results) {
		t.Errorf("Draw gave\n%v\nthe shell made\n%v", got, doc.Results)
	}
	if err := Verify(doc, doc.Results); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

// The document's members are named as the contract names them.
func TestDocumentMemberNames(t *testing.T) {
	doc := shellDocument(t)
	doc.PolicyVersion = 2
	doc.OfferingID, doc.Tiers = "o1", map[string]int{shellTicket1: 1}
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	var members map[string]json.RawMessage
	if err := json.Unmarshal(b, &members); err != nil {
		t.Fatal(err)
	}
	want := []string{"algorithm", "applicants_digest", "beacon", "commitment", "policy_version", "results", "secret", "seed", "status", "tickets"}
	if got := slices.Sorted(func(yield func(string) bool) {
		for k := range members {
			if !yield(k) {
				return
			}
		}
	}); !slices.Equal(got, want) {
		t.Errorf("members %v, want %v", got, want)
	}
	for _, s := range []string{`"source":`, `"round":1`, `"randomness":`, `"ticket":`, `"tier":1`, `"number":`, `"rank":1`} {
		if !strings.Contains(string(b), s) {
			t.Errorf("no %s in %s", s, b)
		}
	}
}

func TestRankOrderWithTiers(t *testing.T) {
	// Under the shell draw the numbers order the tickets 1, 3, 2.
	cases := []struct {
		name  string
		tiers map[string]int
		want  []string // tickets in rank order
	}{
		{"everyone tier 1", nil, []string{shellTicket1, shellTicket3, shellTicket2}},
		{"tier 1 named", map[string]int{shellTicket1: 1, shellTicket2: 1}, []string{shellTicket1, shellTicket3, shellTicket2}},
		{"the best number in tier 2 goes last", map[string]int{shellTicket1: 2}, []string{shellTicket3, shellTicket2, shellTicket1}},
		{"the worst number in tier 1 goes first", map[string]int{shellTicket1: 2, shellTicket3: 2}, []string{shellTicket2, shellTicket1, shellTicket3}},
		{"three tiers", map[string]int{shellTicket1: 3, shellTicket3: 2}, []string{shellTicket2, shellTicket3, shellTicket1}},
		{"tiers need not be consecutive", map[string]int{shellTicket1: 7, shellTicket2: 7, shellTicket3: 5}, []string{shellTicket3, shellTicket1, shellTicket2}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := shellDocument(t)
			doc.Tiers = c.tiers
			got, err := Draw(doc)
			if err != nil {
				t.Fatal(err)
			}
			for i, r := range got {
				if r.Rank != i+1 || r.Ticket != c.want[i] {
					t.Errorf("rank %d is %s (rank %d), want %s", i+1, r.Ticket, r.Rank, c.want[i])
				}
				if want := max(c.tiers[r.Ticket], 1); r.Tier != want {
					t.Errorf("%s has tier %d, want %d", r.Ticket, r.Tier, want)
				}
			}
			// The published form of this draw verifies, its tiers read
			// from its results.
			doc.Tiers, doc.Results = nil, got
			doc.Seed = Seed(doc.Secret, doc.ApplicantsDigest, doc.Beacon.Randomness)
			if err := Verify(doc, got); err != nil {
				t.Errorf("Verify: %v", err)
			}
		})
	}
}

func TestDigestAndDrawIndependentOfTicketOrder(t *testing.T) {
	doc := benchDocument(50, "o-order")
	tickets := doc.Tickets
	first, err := Draw(doc)
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		shuffled := slices.Clone(tickets)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		before := slices.Clone(shuffled)
		if got := ApplicantsDigest(shuffled); got != doc.ApplicantsDigest {
			t.Fatalf("digest %s of a reordering, want %s", got, doc.ApplicantsDigest)
		}
		if !slices.Equal(shuffled, before) {
			t.Fatal("ApplicantsDigest reordered its argument")
		}
		doc.Tickets = shuffled
		again, err := Draw(doc)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(again, first) {
			t.Fatal("the draw depends on the order the tickets were listed in")
		}
	}
}

func TestVerifyCatchesTampering(t *testing.T) {
	other := Ticket("o1", "a4")
	cases := []struct {
		name   string
		tamper func(d *Document)
		field  string
	}{
		{"algorithm renamed", func(d *Document) { d.Algorithm = "enrol-lottery-v2" }, "algorithm"},
		{"not yet drawn", func(d *Document) { d.Status = StatusCommitted }, "status"},
		{"another secret", func(d *Document) { d.Secret = strings.Repeat("11", 32) }, "commitment"},
		{"the secret in capitals", func(d *Document) { d.Secret = strings.ToUpper(d.Secret) }, "secret"},
		{"another commitment", func(d *Document) { d.Commitment = Commitment("00") }, "commitment"},
		{"another randomness", func(d *Document) { d.Beacon.Randomness = strings.Repeat("22", 32) }, "seed"},
		{"another randomness and its seed", func(d *Document) {
			d.Beacon.Randomness = strings.Repeat("22", 32)
			d.Seed = Seed(d.Secret, d.ApplicantsDigest, d.Beacon.Randomness)
		}, "results.number"},
		{"no randomness", func(d *Document) { d.Beacon.Randomness = "" }, "beacon.randomness"},
		{"another seed", func(d *Document) { d.Seed = strings.Repeat("33", 32) }, "seed"},
		{"another digest", func(d *Document) { d.ApplicantsDigest = ApplicantsDigest([]string{other}) }, "applicants_digest"},
		{"a ticket added", func(d *Document) { d.Tickets = append(d.Tickets, other) }, "applicants_digest"},
		{"a ticket removed", func(d *Document) { d.Tickets = d.Tickets[1:] }, "applicants_digest"},
		{"a ticket changed", func(d *Document) { d.Tickets[0] = other }, "applicants_digest"},
		{"a ticket listed twice", func(d *Document) { d.Tickets = append(d.Tickets, d.Tickets[0]) }, "tickets"},
		{"a ticket added with its digest", func(d *Document) {
			d.Tickets = append(d.Tickets, other)
			d.ApplicantsDigest = ApplicantsDigest(d.Tickets)
		}, "seed"},
		{"a ticket added with its digest and seed", func(d *Document) {
			d.Tickets = append(d.Tickets, other)
			d.ApplicantsDigest = ApplicantsDigest(d.Tickets)
			d.Seed = Seed(d.Secret, d.ApplicantsDigest, d.Beacon.Randomness)
		}, "results.number"},
		{"two ranks swapped", func(d *Document) { d.Results[0].Rank, d.Results[1].Rank = d.Results[1].Rank, d.Results[0].Rank }, "results.rank"},
		{"two numbers swapped", func(d *Document) {
			d.Results[0].Number, d.Results[2].Number = d.Results[2].Number, d.Results[0].Number
		}, "results.number"},
		{"two tickets swapped", func(d *Document) {
			d.Results[0].Ticket, d.Results[2].Ticket = d.Results[2].Ticket, d.Results[0].Ticket
		}, "results.number"},
		{"a number changed", func(d *Document) { d.Results[1].Number = strings.Repeat("0", 64) }, "results.number"},
		{"the first demoted a tier", func(d *Document) { d.Results[0].Tier = 2 }, "results.rank"},
		{"the last promoted with a tier 0", func(d *Document) { d.Results[2].Tier = 0 }, "tiers"},
		{"a result missing", func(d *Document) { d.Results = d.Results[:2] }, "results"},
		{"a result twice", func(d *Document) { d.Results = append(d.Results, d.Results[0]) }, "results"},
		{"a result for no ticket", func(d *Document) {
			d.Results = append(d.Results, Result{Ticket: other, Tier: 1, Number: strings.Repeat("f", 64), Rank: 4})
		}, "results"},
		{"no results", func(d *Document) { d.Results = nil }, "results"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := shellDocument(t)
			c.tamper(&doc)
			err := Verify(doc, doc.Results)
			var m *Mismatch
			if !errors.As(err, &m) {
				t.Fatalf("Verify = %v, want a mismatch of %s", err, c.field)
			}
			if m.Field != c.field {
				t.Errorf("mismatch of %s (%v), want %s", m.Field, m, c.field)
			}
			if m.Text.ZH == "" || m.Text.EN == "" || m.Text.ZH == m.Text.EN {
				t.Errorf("the mismatch is not in both languages: %+v", m.Text)
			}
			if all := Mismatches(doc, doc.Results); len(all) == 0 || *all[0] != *m {
				t.Errorf("Mismatches begins with %v, Verify says %v", all, m)
			}
		})
	}
}

// Mismatches goes on past the first finding: a checker lists them all.
func TestMismatchesListsEveryFinding(t *testing.T) {
	doc := shellDocument(t)
	doc.Commitment = Commitment("00")
	doc.Results[0].Rank, doc.Results[1].Rank = doc.Results[1].Rank, doc.Results[0].Rank
	doc.Results = append(doc.Results, doc.Results[2])
	var fields []string
	for _, m := range Mismatches(doc, doc.Results) {
		fields = append(fields, m.Field)
	}
	want := []string{"results", "commitment", "results.rank", "results.rank"}
	if !slices.Equal(fields, want) {
		t.Errorf("Mismatches names %v, want %v", fields, want)
	}
	if Mismatches(shellDocument(t), shellDocument(t).Results) != nil {
		t.Error("a right document has mismatches")
	}
}

// Tiers given to Verify (the operator's own check, which knows them) must be
// the ones published.
func TestVerifyComparesTiersItWasGiven(t *testing.T) {
	doc := shellDocument(t)
	doc.Tiers = map[string]int{shellTicket2: 2}
	err := Verify(doc, doc.Results)
	var m *Mismatch
	if !errors.As(err, &m) || m.Field != "results.tier" || m.Ticket != shellTicket2 {
		t.Fatalf("Verify = %v, want a tier mismatch on %s", err, shellTicket2)
	}
}

func TestDrawRefusesMalformedInput(t *testing.T) {
	cases := []struct {
		name   string
		tamper func(d *Document)
		field  string
	}{
		{"a ticket not hex", func(d *Document) { d.Tickets = append(d.Tickets, strings.Repeat("g", 64)) }, "tickets"},
		{"a short ticket", func(d *Document) { d.Tickets = append(d.Tickets, "abcd") }, "tickets"},
		{"a tier for no ticket", func(d *Document) { d.Tiers = map[string]int{Ticket("o1", "a9"): 1} }, "tiers"},
		{"a negative tier", func(d *Document) { d.Tiers = map[string]int{shellTicket3: -1} }, "tiers"},
		{"an empty secret", func(d *Document) { d.Secret, d.Commitment = "", Commitment("") }, "secret"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := shellDocument(t)
			c.tamper(&doc)
			_, err := Draw(doc)
			var m *Mismatch
			if !errors.As(err, &m) || m.Field != c.field {
				t.Fatalf("Draw = %v, want a mismatch of %s", err, c.field)
			}
		})
	}
}

func TestDrawOfNoApplicants(t *testing.T) {
	doc := shellDocument(t)
	doc.Tickets, doc.Results = nil, nil
	doc.ApplicantsDigest = ApplicantsDigest(nil)
	doc.Seed = Seed(doc.Secret, doc.ApplicantsDigest, doc.Beacon.Randomness)
	got, err := Draw(doc)
	if err != nil || len(got) != 0 {
		t.Fatalf("Draw = %v, %v; want no results", got, err)
	}
	if err := Verify(doc, nil); err != nil {
		t.Fatal(err)
	}
}

// Over many draws with random secrets and randomness, each ticket lands on
// each rank about equally often. The secrets come from a fixed generator
// seed, so the statistic is the same on every run and the test cannot flake;
// the bound is the chi-square 0.001 point, which an unbiased draw clears
// comfortably and a biased one (say, ranking by ticket) misses by far.
func TestRanksAreUniform(t *testing.T) {
	const n, draws = 6, 6000
	tickets := make([]string, n)
	index := map[string]int{}
	for i := range tickets {
		tickets[i] = Ticket("o-uniform", fmt.Sprint("a", i))
		index[tickets[i]] = i
	}
	gen := rand.New(rand.NewChaCha8([32]byte{'e', 'n', 'r', 'o', 'l'}))
	random := func() string {
		var b [32]byte
		for i := range b {
			b[i] = byte(gen.Uint32())
		}
		return hex.EncodeToString(b[:])
	}
	var counts [n][n]int
	digest := ApplicantsDigest(tickets)
	for range draws {
		secret := random()
		results, err := Draw(Document{Algorithm: Algorithm, Secret: secret, Commitment: Commitment(secret),
			Beacon: Beacon{Randomness: random()}, Tickets: tickets, ApplicantsDigest: digest})
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range results {
			counts[index[r.Ticket]][r.Rank-1]++
		}
	}
	expected := float64(draws) / n
	chi2 := 0.0
	for i := range n {
		for j := range n {
			d := float64(counts[i][j]) - expected
			chi2 += d * d / expected
		}
	}
	// (n-1)² = 25 degrees of freedom: rows and columns each sum to draws.
	const bound = 52.62
	t.Logf("chi-square %.2f over %d draws of %d tickets (0.001 point %.2f)", chi2, draws, n, bound)
	if chi2 > bound {
		t.Errorf("ranks are not uniform: chi-square %.2f > %.2f; counts %v", chi2, bound, counts)
	}
}

// Any draw verifies, and its ranks run 1..n in (tier, number) order.
func TestEveryDrawVerifies(t *testing.T) {
	gen := rand.New(rand.NewPCG(13, 1))
	for trial := range 200 {
		doc := benchDocument(gen.IntN(40), fmt.Sprint("o-prop-", trial))
		doc.Tiers = map[string]int{}
		for _, tk := range doc.Tickets {
			if gen.IntN(3) == 0 {
				doc.Tiers[tk] = 1 + gen.IntN(3)
			}
		}
		results, err := Draw(doc)
		if err != nil {
			t.Fatal(err)
		}
		if len(results) != len(doc.Tickets) {
			t.Fatalf("%d results of %d tickets", len(results), len(doc.Tickets))
		}
		for i, r := range results {
			if r.Rank != i+1 {
				t.Fatalf("result %d has rank %d", i, r.Rank)
			}
			if i > 0 {
				p := results[i-1]
				if p.Tier > r.Tier || (p.Tier == r.Tier && p.Number >= r.Number) {
					t.Fatalf("rank %d (tier %d, %s) before rank %d (tier %d, %s)", p.Rank, p.Tier, p.Number, r.Rank, r.Tier, r.Number)
				}
			}
		}
		doc.Status, doc.Tiers, doc.Results = StatusDrawn, nil, results
		doc.Seed = Seed(doc.Secret, doc.ApplicantsDigest, doc.Beacon.Randomness)
		if err := Verify(doc, results); err != nil {
			t.Fatalf("trial %d: %v", trial, err)
		}
	}
}

// benchDocument is a document of n applications to offering, ready to draw.
func benchDocument(n int, offering string) Document {
	tickets := make([]string, n)
	for i := range tickets {
		tickets[i] = Ticket(offering, fmt.Sprint("a", i))
	}
	return Document{Algorithm: Algorithm, Secret: shellSecret, Commitment: Commitment(shellSecret),
		Beacon: Beacon{Randomness: shellRandomness}, Tickets: tickets, ApplicantsDigest: ApplicantsDigest(tickets)}
}

// 10,000 applications is a big evening course; 50,000 the scale.
func BenchmarkDraw(b *testing.B) {
	for _, n := range []int{1000, 10000, 50000} {
		b.Run(fmt.Sprint("tickets=", n), func(b *testing.B) {
			doc := benchDocument(n, "o-bench")
			for b.Loop() {
				if _, err := Draw(doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkVerify(b *testing.B) {
	for _, n := range []int{1000, 10000, 50000} {
		b.Run(fmt.Sprint("tickets=", n), func(b *testing.B) {
			doc := benchDocument(n, "o-bench")
			results, err := Draw(doc)
			if err != nil {
				b.Fatal(err)
			}
			doc.Status, doc.Results = StatusDrawn, results
			doc.Seed = Seed(doc.Secret, doc.ApplicantsDigest, doc.Beacon.Randomness)
			for b.Loop() {
				if err := Verify(doc, doc.Results); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
