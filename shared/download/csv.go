// Package download writes what staff and officers save as files: CSV that
// Excel opens with its Chinese intact and no formula smuggled in, and the
// Content-Disposition header that names the file in Chinese.
package download

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// CSVContentType is a CSV response's Content-Type.
const CSVContentType = "text/csv; charset=utf-8"

// bom makes Excel read the file as UTF-8; without it Excel on Chinese
// Windows assumes GBK and shows the names as mojibake.
const bom = "\uFEFF"

// WriteCSV writes a BOM, the header row and the rows, CRLF line ends as
// Excel writes them. Text cells are guarded against formula injection;
// numbers are written as they are, so a negative stays a number.
func WriteCSV(w io.Writer, header []string, rows [][]any) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(bom); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	rec := make([]string, len(header))
	for i, h := range header {
		rec[i] = guard(Clean(h))
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, row := range rows {
		rec = rec[:0]
		for _, v := range row {
			switch v := v.(type) {
			case Digits:
				rec = append(rec, v.csv())
			case string:
				rec = append(rec, guard(Clean(v)))
			case fmt.Stringer:
				rec = append(rec, guard(Clean(v.String())))
			default:
				rec = append(rec, Clean(fmt.Sprint(v)))
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// ServeCSV answers a CSV download named name (asciiName for old clients).
func ServeCSV(w http.ResponseWriter, name, asciiName string, header []string, rows [][]any) error {
	w.Header().Set("Content-Type", CSVContentType)
	w.Header().Set("Content-Disposition", Disposition(name, asciiName))
	w.Header().Set("Cache-Control", "no-store")
	return WriteCSV(w, header, rows)
}

// guard defuses CSV (formula) injection: a spreadsheet runs a cell that
// starts with = + - @ as a formula, so such cells get a leading apostrophe
// and stay text. Leading spaces do not hide a formula from every
// spreadsheet, so they are looked past. Names and titles are typed by
// people, so every text cell is guarded (after Clean, so no tab or CR is
// left to hide behind).
func guard(s string) string {
	if rest := strings.TrimLeft(s, " "); rest != "" && strings.ContainsRune("=+-@", rune(rest[0])) {
		return "'" + s
	}
	return s
}

// Clean makes stored text safe to put in a cell, whatever was stored before
// today's rules (shared/domain's TextRule): line breaks and tabs become
// spaces, other control characters (C0, DEL, C1) and the bidirectional
// embeddings, overrides and isolates that would make a cell read other than
// it holds are dropped. A download carries no raw control byte but the CSV's
// own line ends.
func Clean(s string) string {
	if !strings.ContainsFunc(s, domain.Unsafe) {
		return s
	}
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || domain.LineBreak(r):
			return ' '
		case domain.Unsafe(r):
			return -1
		}
		return r
	}, s)
}

// Digits is text made of digits that is not a number: an ID number's last
// four (0029), a code. Excel turns a field 0029 into the number 29, quoted
// or not; the one form of CSV it keeps as the text 0029 is the formula
// ="0029". A value of digits alone can carry nothing else into that
// formula; any other value is written as guarded text.
type Digits string

func (d Digits) csv() string {
	s := string(d)
	if s == "" || len(s) > 64 || strings.Trim(s, "0123456789") != "" {
		return guard(Clean(s))
	}
	return `="` + s + `"`
}
