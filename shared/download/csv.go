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
		rec[i] = guard(h)
	}
	if err := cw.Write(rec); err != nil {
		return err
	}
	for _, row := range rows {
		rec = rec[:0]
		for _, v := range row {
			switch v := v.(type) {
			case string:
				rec = append(rec, guard(v))
			case fmt.Stringer:
				rec = append(rec, guard(v.String()))
			default:
				rec = append(rec, fmt.Sprint(v))
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

// guard defuses CSV (formula) injection: a spreadsheet would run a cell that
// starts with = + - @ (or a tab or CR, which it strips before looking) as a
// formula, so such cells get a leading apostrophe and stay text. Names and
// titles are typed by people, so every text cell is guarded.
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
