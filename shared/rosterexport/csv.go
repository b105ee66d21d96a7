package rosterexport

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
)

// bom makes Excel read the file as UTF-8; without it Excel on Chinese
// Windows assumes GBK and shows the names as mojibake.
const bom = "\uFEFF"

// WriteCSV writes the roster as CSV: a BOM, a header row, one line per
// entry, CRLF line ends as Excel writes them.
func WriteCSV(w io.Writer, r Roster) error {
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString(bom); err != nil {
		return err
	}
	cw := csv.NewWriter(bw)
	cw.UseCRLF = true
	if err := cw.Write(guardAll(r.rosterHeader())); err != nil {
		return err
	}
	for i, e := range r.Entries {
		row := r.rosterRow(i, e)
		rec := make([]string, len(row))
		for j, v := range row {
			rec[j] = fmt.Sprint(v)
		}
		if err := cw.Write(guardAll(rec)); err != nil {
			return err
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return err
	}
	return bw.Flush()
}

// guard defuses CSV (formula) injection: a spreadsheet would run a cell that
// starts with = + - @ (or a tab or CR, which it strips before looking) as a
// formula, so such cells get a leading apostrophe and stay text. Names and
// booking details are typed by residents, so every cell is guarded.
func guard(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		return "'" + s
	}
	return s
}

func guardAll(rec []string) []string {
	for i, s := range rec {
		rec[i] = guard(s)
	}
	return rec
}
