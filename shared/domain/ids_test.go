package domain_test

import (
	"regexp"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
)

// TestKeyedID: an id made from account and key is the same at every call,
// differs with either (and with the prefix, and where one part ends and the
// next begins), and has NewID's shape, so every id check takes it.
func TestKeyedID(t *testing.T) {
	shape := regexp.MustCompile(`^bk_[0-9a-hjkmnp-tv-z]{26}$`)
	newID := domain.NewID("bk", time.Date(2026, 12, 3, 10, 0, 0, 0, time.UTC))
	id := domain.KeyedID("bk", "acc-1", "key-1")
	if id != domain.KeyedID("bk", "acc-1", "key-1") {
		t.Fatal("the same account and key made two ids")
	}
	for _, x := range []string{id, newID} {
		if !shape.MatchString(x) || !httpapi.ValidID(x) || len(x) != len(newID) {
			t.Errorf("%q is not an id's shape (NewID: %q)", x, newID)
		}
	}
	seen := map[string]string{id: "bk acc-1 key-1"}
	for _, c := range [][3]string{
		{"bk", "acc-2", "key-1"}, {"bk", "acc-1", "key-2"}, {"ap", "acc-1", "key-1"},
		{"bk", "acc-1k", "ey-1"}, {"bk", "acc-", "1key-1"}, {"bk", "", "acc-1key-1"},
	} {
		got := domain.KeyedID(c[0], c[1], c[2])
		if prev, dup := seen[got]; dup {
			t.Errorf("%v and %s make the same id %s", c, prev, got)
		}
		seen[got] = c[0] + " " + c[1] + " " + c[2]
	}
}
