package rosterexport

import (
	"io"

	"github.com/wuxi-enrol/enrol/shared/download"
)

// WriteCSV writes the roster as CSV: a header row and one line per entry.
func WriteCSV(w io.Writer, r Roster) error {
	rows := make([][]any, len(r.Entries))
	for i, e := range r.Entries {
		rows[i] = r.rosterRow(i, e)
	}
	return download.WriteCSV(w, r.rosterHeader(), rows)
}
