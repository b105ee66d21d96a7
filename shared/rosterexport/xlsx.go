package rosterexport

import (
	"archive/zip"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/wuxi-enrol/enrol/shared/download"
)

// The workbook is written by hand, a zip of a few SpreadsheetML parts: an
// XLSX library linked 6 MB into every function whose packages reach this
// one, for two sheets of text and small numbers (README, "Cold start and
// size"). Strings are inline (no shared-strings part); the styles are the
// five below.

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

// Cell styles: indexes into styles.xml's cellXfs.
const (
	styleTitle   = 1 // bold, 13 pt
	styleHeader  = 2 // bold, tinted, bordered, centred, wrapped
	styleBody    = 3 // bordered
	styleCentred = 4 // bordered, centred
	styleText    = 5 // bordered, number format 49 (Text, "@")
)

// WriteXLSX writes the roster as a workbook: sheet 花名册 with the same
// columns as the CSV, and sheet 出勤, a participants × sessions grid with
// each row's totals.
func WriteXLSX(w io.Writer, r Roster) error {
	rows := make([][]any, len(r.Entries))
	for i, e := range r.Entries {
		rows[i] = r.rosterRow(i, e)
	}
	// No., status and the counts and marks read best centred.
	centred := []int{0, 4, 8, 9, 10}
	for j := range r.sessions() {
		centred = append(centred, 11+j)
	}
	roster := table{
		sheet: RosterSheet, title: r.title(), header: r.rosterHeader(), rows: rows,
		centred: centred, text: []int{2}, freezeCols: 0,
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
	attendance := table{
		sheet: AttendanceSheet, title: r.title(), header: header, rows: rows,
		centred: centred, freezeCols: 2,
	}
	tables := []table{roster, attendance}

	// Stamped with the roster's time, not the clock, so one roster always
	// gives the same file.
	stamp := r.Generated.UTC()
	if r.Generated.IsZero() {
		stamp = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC) // zip's earliest
	}
	parts := []struct{ name, body string }{
		{"[Content_Types].xml", contentTypes(len(tables))},
		{"_rels/.rels", packageRels},
		{"docProps/core.xml", coreProps(r)},
		{"xl/workbook.xml", workbook(tables)},
		{"xl/_rels/workbook.xml.rels", workbookRels(len(tables))},
		{"xl/styles.xml", stylesXML},
	}
	for i, t := range tables {
		parts = append(parts, struct{ name, body string }{fmt.Sprintf("xl/worksheets/sheet%d.xml", i+1), t.sheetXML(i == 0)})
	}
	z := zip.NewWriter(w)
	for _, p := range parts {
		f, err := z.CreateHeader(&zip.FileHeader{Name: p.name, Method: zip.Deflate, Modified: stamp})
		if err != nil {
			return fmt.Errorf("rosterexport: %s: %w", p.name, err)
		}
		if _, err := io.WriteString(f, p.body); err != nil {
			return fmt.Errorf("rosterexport: %s: %w", p.name, err)
		}
	}
	return z.Close()
}

type table struct {
	sheet, title string
	header       []string
	rows         [][]any
	centred      []int // column indexes
	text         []int // columns of text that looks like numbers (download.Digits)
	freezeCols   int
}

// sheetXML lays out one sheet: a title line, a bold header that stays in
// view and carries the auto-filter, the rows, widths that fit, and a
// landscape page that repeats the header on every printed page. The
// elements are in the order the schema (CT_Worksheet) requires: Excel
// refuses a sheet whose elements are out of order.
func (t table) sheetXML(selected bool) string {
	ncol := len(t.header)
	lastRow := headerRow + len(t.rows)
	var b strings.Builder
	b.WriteString(xmlHeader)
	b.WriteString(`<worksheet xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">`)
	b.WriteString(`<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>`)
	fmt.Fprintf(&b, `<dimension ref="A1:%s"/>`, cell(ncol-1, lastRow))

	// Frozen: the title and header rows and the first freezeCols columns.
	top := cell(t.freezeCols, firstRow)
	pane, xSplit := "bottomLeft", ""
	if t.freezeCols > 0 {
		pane, xSplit = "bottomRight", fmt.Sprintf(` xSplit="%d"`, t.freezeCols)
	}
	b.WriteString(`<sheetViews><sheetView`)
	if selected {
		b.WriteString(` tabSelected="1"`)
	}
	fmt.Fprintf(&b, ` workbookViewId="0"><pane%s ySplit="%d" topLeftCell="%s" activePane="%s" state="frozen"/>`, xSplit, headerRow, top, pane)
	fmt.Fprintf(&b, `<selection pane="%s" activeCell="%s" sqref="%s"/></sheetView></sheetViews>`, pane, top, top)
	b.WriteString(`<sheetFormatPr defaultRowHeight="15"/>`)

	b.WriteString(`<cols>`)
	for j := range ncol {
		fmt.Fprintf(&b, `<col min="%d" max="%d" width="%s" customWidth="1"/>`, j+1, j+1, strconv.FormatFloat(columnWidth(t.header[j], t.rows, j), 'f', -1, 64))
	}
	b.WriteString(`</cols>`)

	b.WriteString(`<sheetData>`)
	fmt.Fprintf(&b, `<row r="%d" ht="24" customHeight="1">`, titleRow)
	inlineCell(&b, cell(0, titleRow), styleTitle, download.Clean(t.title))
	b.WriteString(`</row>`)
	// Two lines: the Chinese, then the English in brackets.
	fmt.Fprintf(&b, `<row r="%d" ht="32" customHeight="1">`, headerRow)
	for j, h := range t.header {
		inlineCell(&b, cell(j, headerRow), styleHeader, h)
	}
	b.WriteString(`</row>`)
	styleOf := make([]int, ncol)
	for j := range styleOf {
		styleOf[j] = styleBody
	}
	for _, j := range t.centred {
		styleOf[j] = styleCentred
	}
	for _, j := range t.text {
		styleOf[j] = styleText
	}
	for i, row := range t.rows {
		n := firstRow + i
		fmt.Fprintf(&b, `<row r="%d">`, n)
		for j, v := range row {
			ref := cell(j, n)
			switch v := v.(type) {
			case int: // a number: it sorts and sums
				fmt.Fprintf(&b, `<c r="%s" s="%d"><v>%d</v></c>`, ref, styleOf[j], v)
			case download.Digits: // a text cell, never a number
				inlineCell(&b, ref, styleOf[j], download.Clean(string(v)))
			default: // no control character in the sheet's XML, as in the CSV
				inlineCell(&b, ref, styleOf[j], download.Clean(fmt.Sprint(v)))
			}
		}
		b.WriteString(`</row>`)
	}
	b.WriteString(`</sheetData>`)

	fmt.Fprintf(&b, `<autoFilter ref="%s"/>`, t.filterRange())
	if ncol > 1 {
		fmt.Fprintf(&b, `<mergeCells count="1"><mergeCell ref="%s:%s"/></mergeCells>`, cell(0, titleRow), cell(ncol-1, titleRow))
	}
	b.WriteString(`<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/>`)
	b.WriteString(`<pageSetup orientation="landscape" fitToWidth="1" fitToHeight="0"/>`)
	b.WriteString(`</worksheet>`)
	return b.String()
}

// filterRange is the header and the rows, as the auto-filter and its
// defined name give it.
func (t table) filterRange() string {
	return fmt.Sprintf("$%s$%d:$%s$%d", col(0), headerRow, col(len(t.header)-1), headerRow+len(t.rows))
}

// inlineCell writes a text cell; an empty one keeps its style (the border)
// and holds no value.
func inlineCell(b *strings.Builder, ref string, style int, s string) {
	if s == "" {
		fmt.Fprintf(b, `<c r="%s" s="%d"/>`, ref, style)
		return
	}
	fmt.Fprintf(b, `<c r="%s" s="%d" t="inlineStr"><is><t xml:space="preserve">`, ref, style)
	escape(b, s)
	b.WriteString(`</t></is></c>`)
}

// escape writes s as XML character data; a character XML 1.0 cannot hold
// (download.Clean has taken the control characters out already) becomes
// U+FFFD rather than a file Excel would refuse.
func escape(b *strings.Builder, s string) {
	for _, r := range s {
		switch {
		case r == '&':
			b.WriteString("&amp;")
		case r == '<':
			b.WriteString("&lt;")
		case r == '>':
			b.WriteString("&gt;")
		case r == '"':
			b.WriteString("&quot;")
		case r == '\t' || r == '\n' || r == '\r' || (r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= utf8.MaxRune):
			b.WriteRune(r)
		default:
			b.WriteRune(utf8.RuneError)
		}
	}
}

func escaped(s string) string {
	var b strings.Builder
	escape(&b, s)
	return b.String()
}

const (
	xmlHeader = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>` + "\n"
	nsMain    = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
	nsRel     = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
	nsPkgRel  = "http://schemas.openxmlformats.org/package/2006/relationships"
)

func contentTypes(sheets int) string {
	var b strings.Builder
	b.WriteString(xmlHeader + `<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
		`<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
		`<Default Extension="xml" ContentType="application/xml"/>` +
		`<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>` +
		`<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>` +
		`<Override PartName="/docProps/core.xml" ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>`)
	for i := range sheets {
		fmt.Fprintf(&b, `<Override PartName="/xl/worksheets/sheet%d.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`, i+1)
	}
	b.WriteString(`</Types>`)
	return b.String()
}

const packageRels = xmlHeader + `<Relationships xmlns="` + nsPkgRel + `">` +
	`<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>` +
	`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/>` +
	`</Relationships>`

// coreProps: what Excel shows under File › Info.
func coreProps(r Roster) string {
	var b strings.Builder
	b.WriteString(xmlHeader + `<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" ` +
		`xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" ` +
		`xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">`)
	fmt.Fprintf(&b, `<dc:title>%s</dc:title>`, escaped(strings.TrimSpace("花名册 "+download.Clean(r.Offering.Title))))
	fmt.Fprintf(&b, `<dc:subject>%s</dc:subject>`, escaped(download.Clean(r.title())))
	b.WriteString(`<dc:creator>enrol</dc:creator><cp:lastModifiedBy>enrol</cp:lastModifiedBy><dc:language>zh-CN</dc:language>`)
	if !r.Generated.IsZero() {
		at := r.Generated.UTC().Format(time.RFC3339)
		fmt.Fprintf(&b, `<dcterms:created xsi:type="dcterms:W3CDTF">%s</dcterms:created><dcterms:modified xsi:type="dcterms:W3CDTF">%s</dcterms:modified>`, at, at)
	}
	b.WriteString(`</cp:coreProperties>`)
	return b.String()
}

// workbook names the sheets, the first one active, and on each the
// auto-filter's range and the rows printed on every page.
func workbook(tables []table) string {
	var b strings.Builder
	b.WriteString(xmlHeader + `<workbook xmlns="` + nsMain + `" xmlns:r="` + nsRel + `">`)
	b.WriteString(`<bookViews><workbookView activeTab="0"/></bookViews><sheets>`)
	for i, t := range tables {
		fmt.Fprintf(&b, `<sheet name="%s" sheetId="%d" r:id="rId%d"/>`, escaped(t.sheet), i+1, i+1)
	}
	b.WriteString(`</sheets><definedNames>`)
	for i, t := range tables {
		quoted := escaped("'" + strings.ReplaceAll(t.sheet, "'", "''") + "'")
		fmt.Fprintf(&b, `<definedName name="_xlnm._FilterDatabase" localSheetId="%d" hidden="1">%s!%s</definedName>`, i, quoted, t.filterRange())
		fmt.Fprintf(&b, `<definedName name="_xlnm.Print_Titles" localSheetId="%d">%s!$%d:$%d</definedName>`, i, quoted, titleRow, headerRow)
	}
	b.WriteString(`</definedNames></workbook>`)
	return b.String()
}

func workbookRels(sheets int) string {
	var b strings.Builder
	b.WriteString(xmlHeader + `<Relationships xmlns="` + nsPkgRel + `">`)
	for i := range sheets {
		fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet%d.xml"/>`, i+1, i+1)
	}
	fmt.Fprintf(&b, `<Relationship Id="rId%d" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/>`, sheets+1)
	b.WriteString(`</Relationships>`)
	return b.String()
}

// stylesXML: fonts (default, the title's, the header's), fills (the two
// every workbook has, the header's tint), borders (none, thin grey) and
// the cell formats the style constants above index.
const stylesXML = xmlHeader + `<styleSheet xmlns="` + nsMain + `">` +
	`<fonts count="3">` +
	`<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>` +
	`<font><b val="1"/><sz val="13"/><family val="2"/></font>` +
	`<font><b val="1"/><family val="2"/></font>` +
	`</fonts>` +
	`<fills count="3">` +
	`<fill><patternFill patternType="none"/></fill>` +
	`<fill><patternFill patternType="gray125"/></fill>` +
	`<fill><patternFill patternType="solid"><fgColor rgb="FFE7EEF7"/></patternFill></fill>` +
	`</fills>` +
	`<borders count="2">` +
	`<border><left/><right/><top/><bottom/><diagonal/></border>` +
	`<border><left style="thin"><color rgb="FFA6A6A6"/></left><right style="thin"><color rgb="FFA6A6A6"/></right>` +
	`<top style="thin"><color rgb="FFA6A6A6"/></top><bottom style="thin"><color rgb="FFA6A6A6"/></bottom><diagonal/></border>` +
	`</borders>` +
	`<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>` +
	`<cellXfs count="6">` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>` +
	`<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1" applyAlignment="1"><alignment vertical="center"/></xf>` +
	`<xf numFmtId="0" fontId="2" fillId="2" borderId="1" xfId="0" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center" wrapText="1"/></xf>` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>` +
	`<xf numFmtId="0" fontId="0" fillId="0" borderId="1" xfId="0" applyBorder="1" applyAlignment="1"><alignment horizontal="center" vertical="center"/></xf>` +
	`<xf numFmtId="49" fontId="0" fillId="0" borderId="1" xfId="0" applyNumberFormat="1" applyBorder="1" applyAlignment="1"><alignment vertical="center"/></xf>` +
	`</cellXfs>` +
	`<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>` +
	`</styleSheet>`

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

// col is column j's letters (0 -> A, 25 -> Z, 26 -> AA).
func col(j int) string {
	var buf [4]byte
	i := len(buf)
	for n := j + 1; n > 0; n = (n - 1) / 26 {
		i--
		buf[i] = byte('A' + (n-1)%26)
	}
	return string(buf[i:])
}

// cell is the reference of column j, row n (1-based).
func cell(j, n int) string { return col(j) + strconv.Itoa(n) }
