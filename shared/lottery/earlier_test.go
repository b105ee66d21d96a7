package lottery

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// The shell draw as it was public at each stage: when applications opened,
// when they closed, and once drawn.
func stages(t *testing.T) (opened, closed, drawn Document) {
	drawn = shellDocument(t)
	closed = Document{Algorithm: drawn.Algorithm, Status: StatusCommitted, Commitment: drawn.Commitment,
		Beacon:           Beacon{Source: drawn.Beacon.Source, Round: drawn.Beacon.Round},
		ApplicantsDigest: drawn.ApplicantsDigest, Tickets: slices.Clone(drawn.Tickets)}
	opened = closed
	opened.ApplicantsDigest, opened.Tickets = "", nil
	return opened, closed, drawn
}

// redraw makes d consistent with itself again after a change, as an operator
// rewriting the document would: digest, seed and results recomputed.
func redraw(t *testing.T, d *Document) {
	t.Helper()
	d.ApplicantsDigest = ApplicantsDigest(d.Tickets)
	d.Seed = Seed(d.Secret, d.ApplicantsDigest, d.Beacon.Randomness)
	d.Tiers = nil
	results, err := Draw(*d)
	if err != nil {
		t.Fatal(err)
	}
	d.Results = results
	if err := Verify(*d, d.Results); err != nil {
		t.Fatalf("the rewritten document does not verify: %v", err)
	}
}

func TestUnchangedAcceptsTheSameDrawAtEachStage(t *testing.T) {
	opened, closed, drawn := stages(t)
	reordered := drawn
	reordered.Results = slices.Clone(drawn.Results)
	slices.Reverse(reordered.Results)
	reordered.Tickets = slices.Clone(drawn.Tickets)
	slices.Reverse(reordered.Tickets)
	pairs := []struct {
		name            string
		earlier, latest Document
	}{
		{"opened, then closed", opened, closed},
		{"opened, then drawn", opened, drawn},
		{"closed, then drawn", closed, drawn},
		{"drawn, then drawn again", drawn, drawn},
		{"drawn, then listed in another order", drawn, reordered},
	}
	for _, p := range pairs {
		if err := Unchanged(p.earlier, p.latest); err != nil {
			t.Errorf("%s: %v", p.name, err)
		}
	}
	if err := CheckTickets(closed); err != nil {
		t.Errorf("CheckTickets of the closed document: %v", err)
	}
}

// Each rewrite leaves a document that verifies on its own; only the copy
// saved earlier shows it was changed.
func TestUnchangedCatchesARewrittenDraw(t *testing.T) {
	opened, closed, drawn := stages(t)
	cases := []struct {
		name    string
		earlier Document
		rewrite func(d *Document)
		field   string
	}{
		{"a new secret and its commitment", opened, func(d *Document) {
			d.Secret = strings.Repeat("44", 32)
			d.Commitment = Commitment(d.Secret)
		}, "commitment"},
		{"another beacon round", opened, func(d *Document) { d.Beacon.Round++ }, "beacon"},
		{"another beacon", opened, func(d *Document) { d.Beacon.Source = "somewhere else" }, "beacon"},
		{"a ticket added after the close", closed, func(d *Document) { d.Tickets = append(d.Tickets, Ticket("o1", "late")) }, "tickets"},
		{"a ticket dropped after the close", closed, func(d *Document) { d.Tickets = d.Tickets[1:] }, "tickets"},
		{"drawn again with other randomness", drawn, func(d *Document) { d.Beacon.Randomness = strings.Repeat("55", 32) }, "seed"},
		{"a tier changed after the draw", drawn, func(d *Document) {
			d.Tiers = map[string]int{shellTicket1: 2}
			results, _ := Draw(*d)
			d.Results = results
		}, "results"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			later := shellDocument(t)
			c.rewrite(&later)
			if later.Tiers == nil {
				redraw(t, &later)
			} else if err := Verify(later, later.Results); err != nil {
				t.Fatalf("the rewritten document does not verify: %v", err)
			}
			err := Unchanged(c.earlier, later)
			var m *Mismatch
			if !errors.As(err, &m) || m.Field != c.field {
				t.Fatalf("Unchanged = %v, want a mismatch of %s", err, c.field)
			}
			if m.Text.ZH == "" || m.Text.EN == "" {
				t.Errorf("the mismatch is not in both languages: %+v", m.Text)
			}
		})
	}
}

func TestCheckTicketsBeforeTheDraw(t *testing.T) {
	_, closed, _ := stages(t)
	closed.Tickets = closed.Tickets[1:]
	var m *Mismatch
	if err := CheckTickets(closed); !errors.As(err, &m) || m.Field != "applicants_digest" {
		t.Fatalf("CheckTickets = %v, want a digest mismatch", err)
	}
}
