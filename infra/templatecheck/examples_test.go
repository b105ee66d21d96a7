package templatecheck

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
)

var (
	// exampleID is anything shaped like a resident ID number: 17 digits and
	// a check character.
	exampleID = regexp.MustCompile(`\b[0-9]{17}[0-9Xx]\b`)
	// exampleBirth is a birth_date beside it, in JSON or YAML.
	exampleBirth = regexp.MustCompile(`birth_date["']?\s*:\s*["']?([0-9]{4}-[0-9]{2}-[0-9]{2})`)
)

// TestExampleIDNumbersAreValid: every ID number a newcomer may copy from the
// README, the OpenAPI examples or the banner `make run` prints passes the
// GB 11643 check and holds the birth date of its example, so trying it
// registers a participant rather than answering invalid_id_number.
func TestExampleIDNumbersAreValid(t *testing.T) {
	root := filepath.Dir(localdb.TemplatePath())
	docs := []struct {
		path    string
		atLeast int // examples the document is known to have
	}{
		{"README.md", 1},
		{"api/openapi.yaml", 1},
		// The banner prints ids and tokens, no ID number; should one
		// appear in its text, it is held to the same check.
		{"infra/local/cmd/enrol-local/main.go", 0},
	}
	for _, d := range docs {
		raw, err := os.ReadFile(filepath.Join(root, d.path))
		if err != nil {
			t.Fatal(err)
		}
		text := string(raw)
		found := exampleID.FindAllStringIndex(text, -1)
		if len(found) < d.atLeast {
			t.Errorf("%s: %d example ID numbers, expected at least %d (is this check still looking?)", d.path, len(found), d.atLeast)
		}
		for _, at := range found {
			id := text[at[0]:at[1]]
			line := 1 + strings.Count(text[:at[0]], "\n")
			birth, ok := nearestBirthDate(text, at[0], at[1])
			if !ok {
				t.Errorf("%s:%d: %s has no birth_date beside it", d.path, line, id)
				continue
			}
			if err := idnumber.Validate(id, birth); err != nil {
				first17 := idnumber.Normalize(id)[:17]
				c, _ := idnumber.CheckChar(first17)
				t.Errorf("%s:%d: %s with birth_date %s: %v (check character of %s is %c)", d.path, line, id, birth.Format(time.DateOnly), err, first17, c)
			}
		}
	}
}

// nearestBirthDate is the birth_date closest to text[from:to] within the
// few lines around it (one example's JSON or YAML).
func nearestBirthDate(text string, from, to int) (time.Time, bool) {
	lo, hi := max(0, from-400), min(len(text), to+400)
	best, dist := "", len(text)
	for _, m := range exampleBirth.FindAllStringSubmatchIndex(text[lo:hi], -1) {
		at := lo + m[2]
		d := from - at
		if d < 0 {
			d = at - to
		}
		if d < dist {
			best, dist = text[at:lo+m[3]], d
		}
	}
	if best == "" {
		return time.Time{}, false
	}
	t, err := time.Parse(time.DateOnly, best)
	return t, err == nil
}
