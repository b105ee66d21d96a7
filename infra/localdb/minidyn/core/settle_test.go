package core

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// settle must leave exactly what sort.Strings did in upstream minidyn after
// one element of a sorted slice changed or was appended: the guard in front
// of minidyn (infra/localdb) relies on where its index keys end up.
func TestSettleIsSortStrings(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	word := func() string { return fmt.Sprint(r.IntN(40)) } // small alphabet: many equal keys
	for n := range 60 {
		for range 200 {
			s := make([]string, n)
			for i := range s {
				s[i] = word()
			}
			sort.Strings(s)
			var pos int
			if n == 0 || r.IntN(3) == 0 {
				s = append(s, word())
				pos = len(s) - 1
			} else {
				pos = r.IntN(n)
				s[pos] = []string{word(), "", "\x00"}[r.IntN(3)]
			}
			want := slices.Clone(s)
			sort.Strings(want)
			settle(s, pos)
			if !slices.Equal(s, want) {
				t.Fatalf("settle at %d: %q, want %q", pos, s, want)
			}
		}
	}
}

// mergeTail must leave what sort.Strings leaves, whatever the tail holds.
func TestMergeTailIsSortStrings(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := range 80 {
		for range 100 {
			s := make([]string, n)
			for i := range s {
				s[i] = fmt.Sprint(r.IntN(50))
			}
			k := r.IntN(n + 1)
			sort.Strings(s[:n-k])
			want := slices.Clone(s)
			sort.Strings(want)
			if got := mergeTail(s, k); !slices.Equal(got, want) {
				t.Fatalf("mergeTail(%d of %d): %q, want %q", k, n, got, want)
			}
		}
	}
}
