package placement_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/placement"
)

// TestWorkedExample follows one small round by hand.
//
// Three centres: Sunflower has 2 seats, Swan 1, Bamboo 1. Five children list
// their choices:
//
//	Ana:  Sunflower, Bamboo
//	Bo:   Swan, Sunflower
//	Chen: Sunflower, Bamboo
//	Dai:  Sunflower
//	Eva:  Swan
//
// The round draws one number per child: Dai 1, Bo 2, Ana 3, Chen 4, Eva 5
// (lower first). Everyone is in tier 5 ("general") except Eva at Swan, where
// her sibling is enrolled (tier 3). A centre's order is (tier, number):
//
//	Sunflower: Dai, Bo, Ana, Chen
//	Swan:      Eva, Bo
//	Bamboo:    Ana, Chen
//
// Step 1: Ana, Chen and Dai propose to Sunflower, which holds Dai and Ana
// and rejects Chen; Bo and Eva propose to Swan, which holds Eva and rejects
// Bo.
// Step 2: Chen proposes to Bamboo, which holds him; Bo proposes to
// Sunflower, which now holds Dai and Bo and rejects Ana.
// Step 3: Ana proposes to Bamboo, which holds her and rejects Chen.
// Step 4: Chen has no choice left. Nobody is rejected: the end.
//
// Dai and Eva have their first choice, Bo and Ana their second, Chen
// nothing. Ana waits at Sunflower, Chen at Sunflower and Bamboo, Bo at Swan.
func TestWorkedExample(t *testing.T) {
	number := map[string]int{"dai": 1, "bo": 2, "ana": 3, "chen": 4, "eva": 5}
	tier := func(child, centre string) int {
		if child == "eva" && centre == "swan" {
			return 3
		}
		return 5
	}
	in := placement.Instance{
		Offerings: []placement.Offering{{ID: "sunflower", Capacity: 2}, {ID: "swan", Capacity: 1}, {ID: "bamboo", Capacity: 1}},
		Units: []placement.Unit{
			unit("ana", 1, "sunflower", "bamboo"),
			unit("bo", 1, "swan", "sunflower"),
			unit("chen", 1, "sunflower", "bamboo"),
			unit("dai", 1, "sunflower"),
			unit("eva", 1, "swan"),
		},
		Rank: map[string]map[string]int{},
	}
	for _, u := range in.Units {
		for _, c := range u.Choices {
			if in.Rank[c] == nil {
				in.Rank[c] = map[string]int{}
			}
			in.Rank[c][u.ID] = tier(u.ID, c)*100 + number[u.ID]
		}
	}
	got, err := placement.DeferredAcceptance(in)
	if err != nil {
		t.Fatal(err)
	}
	want := placement.Outcome{
		Placed: map[string]string{"dai": "sunflower", "eva": "swan", "bo": "sunflower", "ana": "bamboo", "chen": ""},
		Waitlists: map[string][]string{
			"sunflower": {"ana", "chen"},
			"swan":      {"bo"},
			"bamboo":    {"chen"},
		},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

// TestGroupSkippedSingleTakesSeat: Cedar has 2 seats and the line Ana, the
// twins, Bo. Ana takes a seat; the twins need two and one is left, so they
// are skipped and Bo, behind them, takes it.
//
// This is why stability is claimed for single children only: the twins
// prefer Cedar and outrank Bo there, a blocking pair by the singles'
// definition, yet seating them would need Ana's seat too, and Ana outranks
// them. Leaving the seat empty instead would make Bo's envy justified.
func TestGroupSkippedSingleTakesSeat(t *testing.T) {
	in := build(map[string]int{"cedar": 2},
		map[string][]string{"cedar": {"ana", "twins", "bo"}},
		unit("ana", 1, "cedar"), unit("twins", 2, "cedar"), unit("bo", 1, "cedar"))
	got, err := placement.DeferredAcceptance(in)
	if err != nil {
		t.Fatal(err)
	}
	want := placement.Outcome{
		Placed:    map[string]string{"ana": "cedar", "twins": "", "bo": "cedar"},
		Waitlists: map[string][]string{"cedar": {"twins"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
	if stable(in, got) == nil {
		t.Fatal("the twins should have a blocking pair with Bo by the singles' definition")
	}
}

// TestGroups: sibling groups are held all-or-none, in the offering's order,
// and a group that does not fit leaves the seats to those behind it.
func TestGroups(t *testing.T) {
	cases := []struct {
		name   string
		in     placement.Instance
		placed map[string]string
	}{
		{"a group that fits exactly",
			build(map[string]int{"oak": 3}, map[string][]string{"oak": {"triplets", "ana"}},
				unit("triplets", 3, "oak"), unit("ana", 1, "oak")),
			map[string]string{"triplets": "oak", "ana": ""}},
		{"a group larger than the offering goes to its next choice",
			build(map[string]int{"oak": 2, "elm": 3}, map[string][]string{"oak": {"triplets", "ana"}, "elm": {"triplets"}},
				unit("triplets", 3, "oak", "elm"), unit("ana", 1, "oak")),
			map[string]string{"triplets": "elm", "ana": "oak"}},
		{"a group turns away two children it outranks",
			build(map[string]int{"oak": 2, "elm": 1},
				map[string][]string{"oak": {"twins", "ana", "bo"}, "elm": {"cy", "twins"}},
				unit("twins", 2, "elm", "oak"), unit("ana", 1, "oak"), unit("bo", 1, "oak"), unit("cy", 1, "elm")),
			map[string]string{"twins": "oak", "ana": "", "bo": "", "cy": "elm"}},
		{"nobody splits a group: one seat each at two offerings is no place for twins",
			build(map[string]int{"oak": 1, "elm": 1}, map[string][]string{"oak": {"twins"}, "elm": {"twins"}},
				unit("twins", 2, "oak", "elm")),
			map[string]string{"twins": ""}},
		{"a smaller group behind a bigger one that does not fit",
			build(map[string]int{"oak": 3}, map[string][]string{"oak": {"ana", "triplets", "twins"}},
				unit("ana", 1, "oak"), unit("triplets", 3, "oak"), unit("twins", 2, "oak")),
			map[string]string{"ana": "oak", "triplets": "", "twins": "oak"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := placement.DeferredAcceptance(c.in)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Placed, c.placed) {
				t.Fatalf("placed %v, want %v", got.Placed, c.placed)
			}
			if err := feasible(c.in, got); err != nil {
				t.Fatal(err)
			}
			if err := nonWasteful(c.in, got); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestFillAfterDisplacement: a group arriving late can leave seats free
// that a child turned away earlier fits in; the fill step moves the child up.
//
// Oak has 4 seats and the line Wu's twins, Ann's triplets, Cai, Dan. Elm has
// one seat, too few for the twins, their first choice. Step 1: the triplets,
// Cai and Dan propose to Oak, which holds the triplets and Cai (4 seats) and
// rejects Dan; the twins are rejected by Elm. Step 2: Dan goes to Ash, his
// second choice; the twins propose to Oak, which holds the twins, skips the
// triplets (3 seats, 2 left) and holds Cai: one seat free. Deferred
// acceptance ends there, with Dan at Ash while he prefers Oak and fits.
// Fill moves him to Oak.
func TestFillAfterDisplacement(t *testing.T) {
	in := build(map[string]int{"oak": 4, "elm": 1, "ash": 1},
		map[string][]string{"oak": {"twins", "triplets", "cai", "dan"}, "elm": {"twins"}, "ash": {"dan"}},
		unit("twins", 2, "elm", "oak"), unit("triplets", 3, "oak"), unit("cai", 1, "oak"), unit("dan", 1, "oak", "ash"))
	got, err := placement.DeferredAcceptance(in)
	if err != nil {
		t.Fatal(err)
	}
	want := placement.Outcome{
		Placed:    map[string]string{"twins": "oak", "triplets": "", "cai": "oak", "dan": "oak"},
		Waitlists: map[string][]string{"elm": {"twins"}, "oak": {"triplets"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %+v\nwant %+v", got, want)
	}
}

// TestInvalid: an instance that breaks the rules is an internal error that
// says what is wrong (for the log).
func TestInvalid(t *testing.T) {
	ok := func() placement.Instance {
		return build(map[string]int{"oak": 1, "elm": 1},
			map[string][]string{"oak": {"ana", "bo"}, "elm": {"ana"}},
			unit("ana", 1, "oak", "elm"), unit("bo", 1, "oak"))
	}
	cases := []struct {
		name string
		edit func(in *placement.Instance)
		says string
	}{
		{"unknown offering", func(in *placement.Instance) { in.Units[1].Choices = []string{"pine"} }, `unknown offering "pine"`},
		{"duplicate choice", func(in *placement.Instance) { in.Units[0].Choices = []string{"oak", "elm", "oak"} }, `chooses offering "oak" twice`},
		{"missing rank", func(in *placement.Instance) { delete(in.Rank["oak"], "bo") }, `"bo" has no rank at offering "oak"`},
		{"no ranks at an offering", func(in *placement.Instance) { delete(in.Rank, "elm") }, `"ana" has no rank at offering "elm"`},
		{"size 0", func(in *placement.Instance) { in.Units[0].Size = 0 }, `"ana" has size 0`},
		{"negative size", func(in *placement.Instance) { in.Units[0].Size = -2 }, `"ana" has size -2`},
		{"duplicate rank", func(in *placement.Instance) { in.Rank["oak"]["bo"] = 0 }, `share rank 0 at offering "oak"`},
		{"duplicate unit", func(in *placement.Instance) { in.Units[1].ID = "ana" }, `unit "ana" appears twice`},
		{"unit without id", func(in *placement.Instance) { in.Units[1].ID = "" }, "a unit has no id"},
		{"duplicate offering", func(in *placement.Instance) { in.Offerings[1].ID = "elm" }, `offering "elm" appears twice`},
		{"offering without id", func(in *placement.Instance) { in.Offerings[0].ID = "" }, "an offering has no id"},
		{"negative capacity", func(in *placement.Instance) { in.Offerings[0].Capacity = -1 }, `"elm" has capacity -1`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := ok()
			c.edit(&in)
			for name, run := range map[string]func(placement.Instance) (placement.Outcome, error){
				"DeferredAcceptance": placement.DeferredAcceptance, "SeparateLotteries": placement.SeparateLotteries,
			} {
				_, err := run(in)
				if !apperr.Is(err, apperr.Internal) || !strings.Contains(err.Error(), c.says) {
					t.Fatalf("%s: %v, want an internal error saying %s", name, err, c.says)
				}
			}
		})
	}
	t.Run("ranks of units that did not choose the offering are ignored", func(t *testing.T) {
		in := ok()
		in.Rank["elm"]["bo"] = 0 // the same as Ana's there, but Bo did not choose Elm
		in.Rank["elm"]["nobody"] = 7
		if _, err := placement.DeferredAcceptance(in); err != nil {
			t.Fatal(err)
		}
	})
}

// TestEdges: nothing to place, no seats, no choices.
func TestEdges(t *testing.T) {
	cases := []struct {
		name string
		in   placement.Instance
		want placement.Outcome
	}{
		{"empty", placement.Instance{},
			placement.Outcome{Placed: map[string]string{}, Waitlists: map[string][]string{}}},
		{"no seats", build(map[string]int{"oak": 0}, map[string][]string{"oak": {"ana"}}, unit("ana", 1, "oak")),
			placement.Outcome{Placed: map[string]string{"ana": ""}, Waitlists: map[string][]string{"oak": {"ana"}}}},
		{"no choices", build(map[string]int{"oak": 1}, nil, unit("ana", 1)),
			placement.Outcome{Placed: map[string]string{"ana": ""}, Waitlists: map[string][]string{}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := placement.DeferredAcceptance(c.in)
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Fatalf("got %+v, %v; want %+v", got, err, c.want)
			}
		})
	}
}
