package templatecheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestBeaconWiring: a function whose handler package reads Deps.Beacon
// (it fixes or runs draws) has an entry point that asks for it
// (lambdafn.WithBeacon), and no other does: on Lambda the beacon is there
// only if asked for, so that drand's verification is linked only where it
// is used; the local stack gives every function one and would not show the
// omission.
func TestBeaconWiring(t *testing.T) {
	tpl := loadTemplate(t)
	uses := regexp.MustCompile(`\b(d|deps)\.Beacon\b`)
	for _, id := range sortedKeys(tpl.Functions) {
		dir := filepath.Join(repoRoot(), filepath.FromSlash(functionDir(id)))
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		reads := false
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			reads = reads || uses.Match(src)
		}
		main, err := os.ReadFile(filepath.Join(dir, "lambda", "main.go"))
		if err != nil {
			t.Fatal(err)
		}
		if asks := strings.Contains(string(main), "lambdafn.WithBeacon("); asks != reads {
			t.Errorf("%s: the handler reads Deps.Beacon: %v; lambda/main.go asks for it (lambdafn.WithBeacon): %v", id, reads, asks)
		}
	}
}
