package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

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
			[]string{"核验通过", "all 5 tickets' numbers and ranks are right", "round 4242", strings.Repeat("9a", 32)}},
		{"from stdin", nil, string(goodJSON), 0, []string{"核验通过", "all 5 tickets"}},
		{"from stdin by -", []string{"-"}, string(goodJSON), 0, []string{"Checked"}},
		{"two ranks swapped", []string{write(t, swapped)}, "", 1, []string{"核验不通过", "CHECK FAILED", "results.rank", "the published rank is 2, recomputed 1"}},
		{"an unknown status", []string{write(t, unknown)}, "", 1, []string{"尚未抽签", "nothing is drawn yet"}},
		{"opened", []string{write(t, opened)}, "", 0, []string{"尚未截止", "not closed yet", "round 4242"}},
		{"closed, not drawn", []string{closedFile}, "", 0, []string{"尚未抽签", "the 5 tickets match their digest"}},
		{"closed, my ticket among them", []string{"-offering", "o7", "-application", "a3", closedFile}, "", 0, []string{"is among the tickets"}},
		{"closed, my ticket missing", []string{"-offering", "o7", "-application", "a9", closedFile}, "", 1, []string{"not in this draw"}},
		{"closed, a ticket dropped", []string{write(t, dropped)}, "", 1, []string{"CHECK FAILED", "applicants_digest"}},
		{"against the copy saved at the close", []string{"-earlier", closedFile, goodFile}, "", 0, []string{"Agrees with the copy", "Checked"}},
		{"rewritten after the close, alone", []string{rewrittenFile}, "", 0, []string{"all 6 tickets"}},
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
			code := run(c.args, strings.NewReader(c.stdin), &out, &errOut)
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
	if code := run(nil, bytes.NewReader(b), &out, &out); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out.String())
	}
}
