// Package privacy holds the privacy notice residents agree to, in every
// version published, Chinese and English, as files in notice/.
package privacy

import (
	"embed"
	"fmt"
)

//go:embed notice/*.md
var files embed.FS

// Notice is one version of the privacy notice, as GET /v1/privacy-notice
// serves it: Markdown in both languages.
type Notice struct {
	Version     string `json:"version"`
	PublishedOn string `json:"published_on"`
	ZH          string `json:"zh"`
	EN          string `json:"en"`
}

// editions lists every version published, oldest first; the last is
// current. A version's text is notice/<version>.zh.md and .en.md. A new
// version means guardians agree again to what changed, so old ones stay.
var editions = []struct{ version, publishedOn string }{
	{"2026-12", "2026-12-01"},
}

// Current is the notice in force, the one a guardian's consent must name.
func Current() Notice {
	n, err := load(len(editions) - 1)
	if err != nil {
		panic(err) // the files are embedded; TestEditions holds them complete
	}
	return n
}

// CurrentVersion is Current().Version, without reading the texts.
func CurrentVersion() string { return editions[len(editions)-1].version }

func load(i int) (Notice, error) {
	e := editions[i]
	zh, err := files.ReadFile("notice/" + e.version + ".zh.md")
	if err != nil {
		return Notice{}, fmt.Errorf("privacy: notice %s in Chinese: %w", e.version, err)
	}
	en, err := files.ReadFile("notice/" + e.version + ".en.md")
	if err != nil {
		return Notice{}, fmt.Errorf("privacy: notice %s in English: %w", e.version, err)
	}
	return Notice{Version: e.version, PublishedOn: e.publishedOn, ZH: string(zh), EN: string(en)}, nil
}
