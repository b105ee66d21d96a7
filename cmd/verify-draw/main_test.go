package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/lottery"
)

// drawn is a drawn document of five applications to offering "o7", a2 in
// tier 2, as GET /v1/offerings/o7/draw would publish it.
func drawn(t *testing.T) lottery.Document {
	t.Helper()
	secret := strings.Repeat("5e", 32)
	doc := lottery.Document{Algorithm: lottery.Algorithm, Status: lottery.StatusDrawn,
		Commitment: lottery.Commitment(secret), Secret: secret,
		Beacon: lottery.Beacon{Source: "drand quicknet", Round: 4242, Randomness: strings.Repeat("9a", 32)}}
	for i := range 5 {
		doc.Tickets = append(doc.Tickets, lottery.Ticket("o7", fmt.Sprint("a", i)))
	}
	doc.ApplicantsDigest = lottery.ApplicantsDigest(doc.Tickets)
	doc.Tiers = map[string]int{lottery.Ticket("o7", "a2"): 2}
	results, err := lottery.Draw(doc)
	if err != nil {
		t.Fatal(err)
	}
	doc.Tiers, doc.Results = nil, results
	doc.Seed = lottery.Seed(doc.Secret, doc.ApplicantsDigest, doc.Beacon.Randomness)
	return doc
}

func write(t *testing.T, doc lottery.Document) string {
	t.Helper()
	b, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "draw.json")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestRun(t *testing.T) {
	good := drawn(t)
	goodJSON, _ := json.Marshal(good)
	swapped := drawn(t)
	swapped.Results[0].Rank, swapped.Results[1].Rank = 2, 1
	closed := drawn(t)
	closed.Status, closed.Secret, closed.Seed, closed.Results, closed.Beacon.Randomness = lottery.StatusCommitted, "", "", nil, ""
	closedFile := write(t, closed)
	opened := closed
	opened.Tickets, opened.ApplicantsDigest = nil, ""
	dropped := closed
	dropped.Tickets = closed.Tickets[1:]
	unknown := drawn(t)
	unknown.Status = "finished"
	// Rewritten whole after the close, a ticket added: it checks on its own.
	rewritten := drawn(t)
	rewritten.Tickets = append(rewritten.Tickets, lottery.Ticket("o7", "late"))
	rewritten.ApplicantsDigest = lottery.ApplicantsDigest(rewritten.Tickets)
	rewritten.Seed = lottery.Seed(rewritten.Secret, rewritten.ApplicantsDigest, rewritten.Beacon.Randomness)
	results, err := lottery.Draw(rewritten)
	if err != nil {
		t.Fatal(err)
	}
	rewritten.Results = results
	rewrittenFile := write(t, rewritten)
	goodFile := write(t, good)

	cases := []struct {
		name  string
		args  []string
		stdin string
		code  int
		says  []string
	}{
		{"a right draw from a file", []string{goodFile}, "", 0,
			[]string{"核验通过", "5个签号，5个名次全部重现", "5 tickets, all 5 ranks reproduced", "round 4242", strings.Repeat("9a", 32)}},
		{"from stdin", nil, string(goodJSON), 0, []string{"核验通过", "all 5 ranks reproduced"}},
		{"from stdin by -", []string{"-"}, string(goodJSON), 0, []string{"Checked"}},
		{"two ranks swapped", []string{write(t, swapped)}, "", 1, []string{"核验不通过", "CHECK FAILED", "results.rank", "the published rank is 2, recomputed 1"}},
		{"an unknown status", []string{write(t, unknown)}, "", 1, []string{"尚未抽签", "nothing is drawn yet"}},
		{"opened", []string{write(t, opened)}, "", 0, []string{"尚未截止", "not closed yet", "round 4242"}},
		{"closed, not drawn", []string{closedFile}, "", 0, []string{"尚未抽签", "the 5 tickets match their digest"}},
		{"closed, my ticket among them", []string{"-offering", "o7", "-application", "a3", closedFile}, "", 0, []string{"is among the tickets"}},
		{"closed, my ticket missing", []string{"-offering", "o7", "-application", "a9", closedFile}, "", 1, []string{"not in this draw"}},
		{"closed, a ticket dropped", []string{write(t, dropped)}, "", 1, []string{"CHECK FAILED", "applicants_digest"}},
		{"against the copy saved at the close", []string{"-earlier", closedFile, goodFile}, "", 0, []string{"Agrees with the copy", "Checked"}},
		{"rewritten after the close, alone", []string{rewrittenFile}, "", 0, []string{"all 6 ranks reproduced"}},
		{"rewritten after the close, against the copy", []string{"-earlier", closedFile, rewrittenFile}, "", 1,
			[]string{"CHECK FAILED", "the tickets changed after the close", "member: tickets"}},
		{"no earlier copy", []string{"-earlier", filepath.Join(t.TempDir(), "none.json"), goodFile}, "", 2, []string{"cannot open"}},
		{"my ticket, tier 2, last", []string{"-offering", "o7", "-application", "a2", goodFile}, "", 0,
			[]string{"你的签号 " + lottery.Ticket("o7", "a2"), "tier 2, rank 5 of 5"}},
		{"my ticket is missing", []string{"-offering", "o7", "-application", "a9", goodFile}, "", 1,
			[]string{"not in this draw"}},
		{"an application without its offering", []string{"-application", "a2", goodFile}, "", 2, []string{"usage"}},
		{"two files", []string{goodFile, goodFile}, "", 2, []string{"usage"}},
		{"not JSON", nil, "<html>", 2, []string{"not a draw document"}},
		{"no such file", []string{filepath.Join(t.TempDir(), "none.json")}, "", 2, []string{"cannot open"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(c.args, strings.NewReader(c.stdin), &out, &errOut, http.DefaultClient)
			all := out.String() + errOut.String()
			if code != c.code {
				t.Errorf("exit %d, want %d; said:\n%s", code, c.code, all)
			}
			for _, s := range c.says {
				if !strings.Contains(all, s) {
					t.Errorf("did not say %q; said:\n%s", s, all)
				}
			}
		})
	}
}

// A document with members this version does not know (a later
// policy_version's neighbours) still checks: the checker reads what the
// algorithm needs.
func TestRunIgnoresUnknownMembers(t *testing.T) {
	b, _ := json.Marshal(drawn(t))
	b = bytes.Replace(b, []byte(`{"algorithm"`), []byte(`{"offering_note":"x","algorithm"`), 1)
	var out bytes.Buffer
	if code := run(nil, bytes.NewReader(b), &out, &out, http.DefaultClient); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
}

// Every member of a drawn document, changed, is caught and named; the
// checker lists each finding, not only the first.
func TestRunCatchesEveryTamperedMember(t *testing.T) {
	other := strings.Repeat("0f", 32)
	cases := []struct {
		name   string
		tamper func(d *lottery.Document)
		says   []string
	}{
		{"commitment", func(d *lottery.Document) { d.Commitment = other }, []string{"member: commitment", "the secret is not the one committed to"}},
		{"secret", func(d *lottery.Document) { d.Secret = other }, []string{"member: commitment", "member: seed"}},
		{"secret not hex", func(d *lottery.Document) { d.Secret = "XYZ" }, []string{"member: secret", "member: commitment"}},
		{"beacon randomness", func(d *lottery.Document) { d.Beacon.Randomness = other }, []string{"member: seed", "the published seed is " + drawn(t).Seed}},
		{"digest", func(d *lottery.Document) { d.ApplicantsDigest = other }, []string{"member: applicants_digest", "member: seed"}},
		{"a ticket", func(d *lottery.Document) { d.Tickets[2] = other }, []string{"member: applicants_digest", "ticket " + other + " has no published result", "has a result but is not among the tickets"}},
		{"a ticket listed twice", func(d *lottery.Document) { d.Tickets[1] = d.Tickets[0] }, []string{"is listed twice", "member: applicants_digest"}},
		{"a number", func(d *lottery.Document) { d.Results[3].Number = other }, []string{"member: results.number", "the published number is " + other}},
		{"a rank", func(d *lottery.Document) { d.Results[0].Rank = 4 }, []string{"member: results.rank", "the published rank is 4, recomputed 1"}},
		{"a tier", func(d *lottery.Document) { d.Results[0].Tier = 3 }, []string{"member: results.rank", "the published rank is 1, recomputed 5"}},
		{"seed", func(d *lottery.Document) { d.Seed = other }, []string{"member: seed", "the published seed is " + other}},
		{"algorithm", func(d *lottery.Document) { d.Algorithm = "enrol-lottery-v0" }, []string{"member: algorithm", "this checks \"enrol-lottery-v1\" only"}},
		{"status", func(d *lottery.Document) { d.Status = "finished" }, []string{"member: status"}},
		{"a result dropped", func(d *lottery.Document) { d.Results = d.Results[1:] }, []string{"member: results", "has no published result"}},
		{"a result duplicated", func(d *lottery.Document) { d.Results = append(d.Results, d.Results[2]) }, []string{"member: results", "has two results"}},
		{"two ranks swapped and a number changed", func(d *lottery.Document) {
			d.Results[0].Rank, d.Results[1].Rank = 2, 1
			d.Results[4].Number = other
		}, []string{"3 mismatches", "1. ", "2. ", "3. ", "the published rank is 2, recomputed 1", "the published rank is 1, recomputed 2", "the published number is " + other}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc := drawn(t)
			c.tamper(&doc)
			var out bytes.Buffer
			code := run([]string{write(t, doc)}, nil, &out, &out, http.DefaultClient)
			if code != 1 {
				t.Errorf("exit %d, want 1; said:\n%s", code, out.String())
			}
			for _, s := range append([]string{"核验不通过", "CHECK FAILED"}, c.says...) {
				if !strings.Contains(out.String(), s) {
					t.Errorf("did not say %q; said:\n%s", s, out.String())
				}
			}
		})
	}
}

// The document at its address, as GET /v1/offerings/{id}/draw serves it;
// an answer other than 200 or a server that does not answer in time is bad
// input.
func TestRunFetchesAURL(t *testing.T) {
	good, _ := json.Marshal(drawn(t))
	bad := drawn(t)
	bad.Results[0].Rank, bad.Results[1].Rank = 2, 1
	badJSON, _ := json.Marshal(bad)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/v1/offerings/o7/draw":
			w.Header().Set("Content-Type", "application/json")
			w.Write(good)
		case "/v1/offerings/o8/draw":
			w.Write(badJSON)
		case "/slow":
			<-r.Context().Done() // the client gives up first
		default:
			http.Error(w, `{"code":"not_found"}`, http.StatusNotFound)
		}
	}))
	defer srv.Close()
	impatient := &http.Client{Timeout: 200 * time.Millisecond}
	cases := []struct {
		name   string
		args   []string
		client *http.Client
		code   int
		says   []string
	}{
		{"a right draw", []string{srv.URL + "/v1/offerings/o7/draw"}, srv.Client(), 0, []string{"5 tickets, all 5 ranks reproduced"}},
		{"my own rank", []string{"-offering", "o7", "-application", "a2", srv.URL + "/v1/offerings/o7/draw"}, srv.Client(), 0, []string{"tier 2, rank 5 of 5"}},
		{"a wrong draw", []string{srv.URL + "/v1/offerings/o8/draw"}, srv.Client(), 1, []string{"CHECK FAILED", "results.rank"}},
		{"against an earlier copy by URL", []string{"-earlier", srv.URL + "/v1/offerings/o7/draw", srv.URL + "/v1/offerings/o8/draw"}, srv.Client(), 1, []string{"CHECK FAILED", "member: results"}},
		{"not found", []string{srv.URL + "/v1/offerings/o9/draw"}, srv.Client(), 2, []string{"404"}},
		{"no answer in time", []string{srv.URL + "/slow"}, impatient, 2, []string{"cannot fetch"}},
		{"nobody there", []string{"http://127.0.0.1:1/v1/offerings/o7/draw"}, srv.Client(), 2, []string{"cannot fetch"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var out bytes.Buffer
			code := run(c.args, nil, &out, &out, c.client)
			if code != c.code {
				t.Errorf("exit %d, want %d; said:\n%s", code, c.code, out.String())
			}
			for _, s := range c.says {
				if !strings.Contains(out.String(), s) {
					t.Errorf("did not say %q; said:\n%s", s, out.String())
				}
			}
		})
	}
}

// TestRunChecksARoundMembersDocument: a round's member offering's document
// (issue 14: the round's tickets, tiers at this offering, those who did not
// choose it at not_chosen_tier) verifies, and an applicant finds their own
// ticket, drawn in the round's name, and its rank among the choosers.
func TestRunChecksARoundMembersDocument(t *testing.T) {
	secret := strings.Repeat("3c", 32)
	doc := lottery.Document{Algorithm: lottery.Algorithm, Status: lottery.StatusDrawn,
		Commitment: lottery.Commitment(secret), Secret: secret, RoundID: "rnd1", PolicyVersion: 2, NotChosenTier: 6,
		Beacon: lottery.Beacon{Source: "drand quicknet", Round: 77, Randomness: strings.Repeat("b1", 32)}}
	doc.Tiers = map[string]int{}
	for i := range 6 {
		tk := lottery.Ticket("rnd1", fmt.Sprint("a", i))
		doc.Tickets = append(doc.Tickets, tk)
		doc.Tiers[tk] = []int{2, 5, 6, 6, 1, 5}[i]
	}
	doc.ApplicantsDigest = lottery.ApplicantsDigest(doc.Tickets)
	results, err := lottery.Draw(doc)
	if err != nil {
		t.Fatal(err)
	}
	doc.Tiers, doc.Results = nil, results
	doc.Seed = lottery.Seed(doc.Secret, doc.ApplicantsDigest, doc.Beacon.Randomness)
	var out bytes.Buffer
	if code := run([]string{"-offering", "o2", "-application", "a0", write(t, doc)}, nil, &out, &out, http.DefaultClient); code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	if !strings.Contains(out.String(), "tier 2, rank 2 of 4") {
		t.Errorf("a0 (tier 2 behind a4's tier 1, four chose it): %s", out.String())
	}
	out.Reset()
	if code := run([]string{"-offering", "o2", "-application", "a2", write(t, doc)}, nil, &out, &out, http.DefaultClient); code != 1 {
		t.Errorf("a2 did not choose it: exit %d: %s", code, out.String())
	}
}
