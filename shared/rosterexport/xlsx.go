package rosterexport

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wuxi-enrol/enrol/shared/download"
)

// Sheet names (Excel allows up to 31 characters, none of []:*?/\).
const (
	RosterSheet     = "花名册"
	AttendanceSheet = "出勤"
)

// Rows: the title line, then the header, then the entries.
const (
	titleRow  = 1
	headerRow = 2
	firstRow  = 3
)

// WriteXLSX writes the roster as a workbook: sheet 花名册 with the same
// columns as the CSV, and sheet 出勤, a participants × sessions grid with
// each row's totals.
func WriteXLSX(w io.Writer, r Roster) error {
	f := excelize.NewFile()
	defer f.Close() // frees only temporary files; nothing to report
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	if err := f.SetSheetName(f.GetSheetName(0), RosterSheet); err != nil {
		return err
	}
	if _, err := f.NewSheet(AttendanceSheet); err != nil {
		return err
	}

	rows := make([][]any, len(r.Entries))
	for i, e := range r.Entries {
		rows[i] = r.rosterRow(i, e)
	}
	// No., status and the counts and marks read best centred.
	centred := []int{0, 4, 7, 8, 9}
	for j := range r.sessions() {
		centred = append(centred, 10+j)
	}
	if err := writeTable(f, st, table{
		sheet: RosterSheet, title: r.title(), header: r.rosterHeader(), rows: rows,
		centred: centred, text: []int{2}, freezeCols: 0,
	}); err != nil {
		return err
	}

	sessions := r.sessions()
	header := append(append([]string{hNo, hName, hStatus}, sessions...), hPresent, hAbsent, hExcused)
	rows = make([][]any, len(r.Entries))
	for i, e := range r.Entries {
		row := []any{i + 1, e.ParticipantName, statusText(e)}
		for _, d := range sessions {
			row = append(row, markText(e.Attendance[d]))
		}
		p, a, x := r.Summary(e)
		rows[i] = append(row, p, a, x)
	}
	centred = []int{0, 2}
	for j := 3; j < len(header); j++ {
		centred = append(centred, j)
	}
	// The grid grows sideways with the sessions, so the names stay in view.
	if err := writeTable(f, st, table{
		sheet: AttendanceSheet, title: r.title(), header: header, rows: rows,
		centred: centred, freezeCols: 2,
	}); err != nil {
		return err
	}

	props := &excelize.DocProperties{
		Title:          strings.TrimSpace("花名册 " + download.Clean(r.Offering.Title)),
		Subject:        download.Clean(r.title()),
		Creator:        "enrol",
		LastModifiedBy: "enrol",
		Language:       "zh-CN",
	}
	if !r.Generated.IsZero() {
		// Stamped with the roster's time, not the clock, so one roster always
		// gives the same properties.
		props.Created = r.Generated.UTC().Format(time.RFC3339)
		props.Modified = props.Created
	}
	if err := f.SetDocProps(props); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

type styles struct{ title, header, body, centred, text int }

func newStyles(f *excelize.File) (styles, error) {
	border := []excelize.Border{
		{Type: "left", Color: "A6A6A6", Style: 1}, {Type: "right", Color: "A6A6A6", Style: 1},
		{Type: "top", Color: "A6A6A6", Style: 1}, {Type: "bottom", Color: "A6A6A6", Style: 1},
	}
	var s styles
	var err error
	mk := func(st *excelize.Style) int {
		if err != nil {
			return 0
		}
		var id int
		id, err = f.NewStyle(st)
		return id
	}
	s.title = mk(&excelize.Style{
		Font:      &excelize.Font{Bold: true, Size: 13},
		Alignment: &excelize.Alignment{Vertical: "center"},
	})
	s.header = mk(&excelize.Style{
		Font:      &excelize.Font{Bold: true},
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7EEF7"}},
		Border:    border,
		Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center", WrapText: true},
	})
	s.body = mk(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Vertical: "center"}})
	s.centred = mk(&excelize.Style{Border: border, Alignment: &excelize.Alignment{Horizontal: "center", Vertical: "center"}})
	// Number format 49 is Excel's "Text" (@): the ID tail is shown, and
	// stays when edited, as typed.
	s.text = mk(&excelize.Style{Border: border, NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "center"}})
	return s, err
}

type table struct {
	sheet, title string
	header       []string
	rows         [][]any
	centred      []int // column indexes
	text         []int // columns of text that looks like numbers (download.Digits)
	freezeCols   int
}

// writeTable lays out one sheet: a title line, a bold header that stays in
// view and carries the auto-filter, the rows, widths that fit, and a
// landscape page that repeats the header on every printed page.
func writeTable(f *excelize.File, st styles, t table) error {
	ncol := len(t.header)
	last := col(ncol - 1)
	lastRow := headerRow + len(t.rows)
	sh := t.sheet

	steps := []func() error{
		func() error { return f.SetCellStr(sh, cell(0, titleRow), download.Clean(t.title)) },
		func() error { return f.MergeCell(sh, cell(0, titleRow), cell(ncol-1, titleRow)) },
		func() error { return f.SetCellStyle(sh, cell(0, titleRow), cell(0, titleRow), st.title) },
		func() error { return f.SetRowHeight(sh, titleRow, 24) },
		func() error { return f.SetSheetRow(sh, cell(0, headerRow), &t.header) },
		func() error { return f.SetCellStyle(sh, cell(0, headerRow), cell(ncol-1, headerRow), st.header) },
		// Two lines: the Chinese, then the English in brackets.
		func() error { return f.SetRowHeight(sh, headerRow, 32) },
	}
	for i, row := range t.rows {
		cells := make([]any, len(row))
		for j, v := range row {
			switch v := v.(type) {
			case download.Digits: // a text cell, never a number
				cells[j] = download.Clean(string(v))
			case string: // no control character in the sheet's XML, as in the CSV
				cells[j] = download.Clean(v)
			default:
				cells[j] = v
			}
		}
		steps = append(steps, func() error { return f.SetSheetRow(sh, cell(0, firstRow+i), &cells) })
	}
	if len(t.rows) > 0 {
		steps = append(steps, func() error {
			return f.SetCellStyle(sh, cell(0, firstRow), cell(ncol-1, lastRow), st.body)
		})
		for _, c := range t.centred {
			steps = append(steps, func() error {
				return f.SetCellStyle(sh, cell(c, firstRow), cell(c, lastRow), st.centred)
			})
		}
		for _, c := range t.text {
			steps = append(steps, func() error {
				return f.SetCellStyle(sh, cell(c, firstRow), cell(c, lastRow), st.text)
			})
		}
	}
	for j := range ncol {
		steps = append(steps, func() error {
			return f.SetColWidth(sh, col(j), col(j), columnWidth(t.header[j], t.rows, j))
		})
	}
	steps = append(steps,
		func() error { return f.AutoFilter(sh, cell(0, headerRow)+":"+last+fmt.Sprint(lastRow), nil) },
		func() error { return f.SetPanes(sh, panes(t.freezeCols)) },
		func() error {
			return f.SetDefinedName(&excelize.DefinedName{
				Name: "_xlnm.Print_Titles", RefersTo: fmt.Sprintf("'%s'!$%d:$%d", sh, titleRow, headerRow), Scope: sh,
			})
		},
		// After AutoFilter, which replaces the sheet's properties wholesale.
		func() error { return f.SetSheetProps(sh, &excelize.SheetPropsOptions{FitToPage: ptr(true)}) },
		func() error {
			return f.SetPageLayout(sh, &excelize.PageLayoutOptions{
				Orientation: ptr("landscape"), FitToWidth: ptr(1), FitToHeight: ptr(0),
			})
		},
	)
	for _, step := range steps {
		if err := step(); err != nil {
			return fmt.Errorf("rosterexport: sheet %s: %w", sh, err)
		}
	}
	return nil
}

// panes freezes the title and header rows and the first cols columns.
func panes(cols int) *excelize.Panes {
	top := cell(cols, firstRow)
	p := &excelize.Panes{Freeze: true, YSplit: headerRow, XSplit: cols, TopLeftCell: top, ActivePane: "bottomLeft"}
	if cols > 0 {
		p.ActivePane = "bottomRight"
	}
	p.Selection = []excelize.Selection{{SQRef: top, ActiveCell: top, Pane: p.ActivePane}}
	return p
}

// columnWidth fits column j's widest cell; the header wraps at " (", so its
// longer half counts. Clamped so one long name cannot swallow the page.
func columnWidth(header string, rows [][]any, j int) float64 {
	w := 0
	for _, part := range strings.SplitAfter(header, " (") {
		w = max(w, displayWidth(part))
	}
	for _, row := range rows {
		w = max(w, displayWidth(fmt.Sprint(row[j])))
	}
	return float64(min(max(w+2, 6), 40))
}

// col is column j's letters (0 -> A).
func col(j int) string {
	name, _ := excelize.ColumnNumberToName(j + 1) // fails only for j+1 > 16384
	return name
}

// cell is the reference of column j, row n (1-based).
func cell(j, n int) string { return fmt.Sprintf("%s%d", col(j), n) }

func ptr[T any](v T) *T { return &v }
