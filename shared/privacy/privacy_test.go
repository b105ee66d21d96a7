package privacy

import (
	"io/fs"
	"strings"
	"testing"
	"time"
)

// TestEditions: every version listed exists in both languages, each text
// names its own version and publication date, and no file is left unlisted.
func TestEditions(t *testing.T) {
	listed := map[string]bool{}
	var last time.Time
	for i, e := range editions {
		n, err := load(i)
		if err != nil {
			t.Fatal(err)
		}
		on, err := time.Parse(time.DateOnly, n.PublishedOn)
		if err != nil || !on.After(last) {
			t.Errorf("%s: published_on %q must be a date after the previous edition's", e.version, n.PublishedOn)
		}
		last = on
		for lang, text := range map[string]string{"zh": n.ZH, "en": n.EN} {
			if !strings.Contains(text, e.version) || !strings.Contains(text, e.publishedOn) {
				t.Errorf("%s.%s.md does not name its version %s and date %s", e.version, lang, e.version, e.publishedOn)
			}
			listed["notice/"+e.version+"."+lang+".md"] = true
		}
	}
	all, _ := fs.Glob(files, "notice/*")
	for _, f := range all {
		if !listed[f] {
			t.Errorf("%s is in the repo but in no edition", f)
		}
	}
}

// TestCurrent: the current notice is the last edition, and says what the
// contract promises a guardian: the 12 months, the separate consent under
// 14, and the rights.
func TestCurrent(t *testing.T) {
	n := Current()
	if n.Version != CurrentVersion() || n.Version != editions[len(editions)-1].version {
		t.Fatalf("Current().Version = %q, CurrentVersion() = %q", n.Version, CurrentVersion())
	}
	for _, want := range []string{"12 个月", "十四周岁", "第二十八条", "单独同意", "撤回", "删除", "下载"} {
		if !strings.Contains(n.ZH, want) {
			t.Errorf("the Chinese notice does not mention %q", want)
		}
	}
	for _, want := range []string{"12 months", "under 14", "Articles 28 and 31", "separate consent", "withdraw", "erase", "download"} {
		if !strings.Contains(n.EN, want) {
			t.Errorf("the English notice does not mention %q", want)
		}
	}
}
