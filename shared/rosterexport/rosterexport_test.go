package rosterexport

import (
	"archive/zip"
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

var sessions = []string{"2025-07-07", "2025-07-08", "2025-07-09"}

func sampleRoster() Roster {
	booked := time.Date(2025, 6, 1, 1, 30, 0, 0, time.UTC) // 09:30 in Wuxi
	return Roster{
		Offering: domain.Offering{
			ID:       "of_summer1",
			Kind:     domain.CareClass,
			Centre:   domain.CentreRef{ID: "ct_1", Name: "梁溪区社区中心", District: "liangxi"},
			Title:    "七彩暑托班 第一期",
			Term:     "2025 暑期",
			StartsOn: "2025-07-07",
			// A repeated date must not become a second column.
			Schedule: domain.Schedule{Text: "周一至周三", Sessions: append(slices.Clone(sessions), "2025-07-08")},
		},
		Entries: []Entry{
			{
				BookingID: "bk_1", ParticipantName: "王小明", IDNumberLast4: "0012", AgeMonths: 27,
				Status: domain.BookingConfirmed, BookedAt: booked,
				Attendance: map[string]string{
					"2025-07-07": string(domain.Present), "2025-07-08": string(domain.Absent), "2025-07-09": string(domain.Present),
					"2025-08-01": string(domain.Present), // not a session: ignored
				},
			},
			{
				BookingID: "bk_2", ParticipantName: "李雨桐", IDNumberLast4: "123X", AgeMonths: 8,
				Status: domain.BookingConfirmed, BookedAt: booked.Add(time.Minute),
				Attendance: map[string]string{"2025-07-07": string(domain.Excused), "2025-07-08": string(domain.Present)},
			},
			{
				BookingID: "bk_3", ParticipantName: "=HYPERLINK(\"http://x\")", IDNumberLast4: "4567", AgeMonths: 36,
				Status: domain.BookingWaitlisted, WaitlistPosition: 3, BookedAt: booked.Add(time.Hour),
			},
			{
				// An adult, and a name stored before the text rules, with a
				// line break, a NUL and a right-to-left override in it.
				BookingID: "bk_4", ParticipantName: "赵\r\n大\x00伟\u202e", IDNumberLast4: "0029", AgeMonths: 35*12 + 2,
				Status: domain.BookingWaitlisted, WaitlistPosition: 4, BookedAt: booked.Add(2 * time.Hour),
			},
		},
		Generated: time.Date(2025, 6, 30, 16, 5, 0, 0, time.UTC), // 2025-07-01 00:05 in Wuxi
	}
}

func emptyRoster() Roster {
	r := sampleRoster()
	r.Entries = nil
	r.Offering.Schedule.Sessions = nil
	return r
}

var wantHeader = append([]string{
	"序号 (No.)", "姓名 (Name)", "身份证后四位 (ID last 4)", "年龄 (Age)",
	"状态 (Status)", "报名时间 (Booked at)", "报名编号 (Booking ID)", "报名码 (Code)", "出勤 (Present)", "缺勤 (Absent)", "请假 (Excused)",
}, sessions...)

var wantRows = [][]string{
	{"1", "王小明", `="0012"`, "2 岁 3 个月", "确认", "2025-06-01 09:30:00", "bk_1", "B65Q-X43M", "2", "1", "0", "出勤", "缺勤", "出勤"},
	{"2", "李雨桐", "123X", "8 个月", "确认", "2025-06-01 09:31:00", "bk_2", "VY4E-797R", "1", "0", "1", "请假", "出勤", ""},
	{"3", "'=HYPERLINK(\"http://x\")", `="4567"`, "3 岁", "候补 3", "2025-06-01 10:30:00", "bk_3", "C6KX-Z011", "0", "0", "0", "", "", ""},
	{"4", "赵  大伟", `="0029"`, "35 岁 2 个月", "候补 4", "2025-06-01 11:30:00", "bk_4", "MZF8-3E2D", "0", "0", "0", "", "", ""},
}

func TestSummary(t *testing.T) {
	r := sampleRoster()
	tests := []struct {
		name    string
		e       Entry
		p, a, x int
	}{
		{"ignores dates outside the schedule", r.Entries[0], 2, 1, 0},
		{"unmarked sessions count nowhere", r.Entries[1], 1, 0, 1},
		{"no attendance", r.Entries[2], 0, 0, 0},
		{"case and blanks tolerated, unknown ignored", Entry{Attendance: map[string]string{
			"2025-07-07": " Present ", "2025-07-08": "late", "2025-07-09": "EXCUSED"}}, 1, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, a, x := r.Summary(tt.e)
			if p != tt.p || a != tt.a || x != tt.x {
				t.Errorf("Summary = %d,%d,%d; want %d,%d,%d", p, a, x, tt.p, tt.a, tt.x)
			}
		})
	}
}

func readCSV(t *testing.T, r Roster) [][]string {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	b := buf.Bytes()
	if !bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
		t.Fatalf("no UTF-8 BOM: % x", b[:min(3, len(b))])
	}
	if !bytes.Contains(b, []byte("\r\n")) || bytes.Contains(bytes.ReplaceAll(b, []byte("\r\n"), nil), []byte("\n")) {
		t.Error("line ends are not all CRLF")
	}
	recs, err := csv.NewReader(bytes.NewReader(b[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func TestWriteCSV(t *testing.T) {
	tests := []struct {
		name string
		r    Roster
		want [][]string
	}{
		{"roster", sampleRoster(), append([][]string{wantHeader}, wantRows...)},
		{"empty roster gives the header only", emptyRoster(), [][]string{wantHeader[:11]}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readCSV(t, tt.r)
			if len(got) != len(tt.want) {
				t.Fatalf("%d records, want %d: %q", len(got), len(tt.want), got)
			}
			for i := range got {
				if !slices.Equal(got[i], tt.want[i]) {
					t.Errorf("record %d\n got %q\nwant %q", i, got[i], tt.want[i])
				}
			}
		})
	}
}

func openXLSX(t *testing.T, r Roster) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	if got := f.GetSheetList(); !slices.Equal(got, []string{RosterSheet, AttendanceSheet}) {
		t.Fatalf("sheets = %q", got)
	}
	return f
}

func rows(t *testing.T, f *excelize.File, sheet string) [][]string {
	t.Helper()
	rs, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

func TestWriteXLSXRoster(t *testing.T) {
	r := sampleRoster()
	f := openXLSX(t, r)
	rs := rows(t, f, RosterSheet)
	if len(rs) != 2+len(r.Entries) {
		t.Fatalf("%d rows, want %d", len(rs), 2+len(r.Entries))
	}
	for _, s := range []string{"七彩暑托班 第一期", "梁溪区社区中心", "2025 暑期", "2025-07-07", "2025-07-01 00:05"} {
		if !strings.Contains(rs[0][0], s) {
			t.Errorf("title %q lacks %q", rs[0][0], s)
		}
	}
	if !slices.Equal(rs[1], wantHeader) {
		t.Errorf("header\n got %q\nwant %q", rs[1], wantHeader)
	}
	for i, want := range wantRows {
		got := padded(rs[2+i], len(want))
		// The workbook stores text cells, so it needs no apostrophe and
		// no formula to keep 0012 as it is.
		want = slices.Clone(want)
		want[1] = strings.TrimPrefix(want[1], "'")
		want[2] = strings.TrimSuffix(strings.TrimPrefix(want[2], `="`), `"`)
		if !slices.Equal(got, want) {
			t.Errorf("row %d\n got %q\nwant %q", i, got, want)
		}
	}
	// Numbers are numbers (they sort and sum); the ID tail stays text.
	// (A cell without a type attribute is a number in OOXML.)
	isNumber := func(c excelize.CellType) bool { return c == excelize.CellTypeUnset || c == excelize.CellTypeNumber }
	isText := func(c excelize.CellType) bool {
		return c == excelize.CellTypeSharedString || c == excelize.CellTypeInlineString
	}
	for ref, ok := range map[string]func(excelize.CellType) bool{"A3": isNumber, "I3": isNumber, "H3": isText, "C3": isText, "C6": isText, "D6": isText} {
		if got, _ := f.GetCellType(RosterSheet, ref); !ok(got) {
			t.Errorf("%s has cell type %v", ref, got)
		}
	}
	// The ID tail's column is formatted as Text (@, number format 49), so
	// 0029 stays 0029 when staff edit it too.
	for _, ref := range []string{"C3", "C6"} {
		id, err := f.GetCellStyle(RosterSheet, ref)
		if err != nil {
			t.Fatal(err)
		}
		if st, err := f.GetStyle(id); err != nil || st.NumFmt != 49 {
			t.Errorf("%s: number format %d, want 49 (Text): %v", ref, st.NumFmt, err)
		}
	}
	if v, _ := f.GetCellValue(RosterSheet, "C6"); v != "0029" {
		t.Errorf("C6 = %q, want 0029", v)
	}
	if bold(t, f, RosterSheet, "B2") != true {
		t.Error("header is not bold")
	}
	p, err := f.GetPanes(RosterSheet)
	if err != nil || !p.Freeze || p.YSplit != 2 || p.TopLeftCell != "A3" {
		t.Errorf("panes = %+v, %v; want the header frozen", p, err)
	}
	props, err := f.GetDocProps()
	if err != nil || props.Creator != "enrol" || !strings.Contains(props.Title, "七彩暑托班") {
		t.Errorf("doc props = %+v, %v", props, err)
	}
}

func TestWriteXLSXAttendance(t *testing.T) {
	f := openXLSX(t, sampleRoster())
	rs := rows(t, f, AttendanceSheet)
	want := [][]string{
		append(append([]string{"序号 (No.)", "姓名 (Name)", "状态 (Status)"}, sessions...), "出勤 (Present)", "缺勤 (Absent)", "请假 (Excused)"),
		{"1", "王小明", "确认", "出勤", "缺勤", "出勤", "2", "1", "0"},
		{"2", "李雨桐", "确认", "请假", "出勤", "", "1", "0", "1"},
		{"3", "=HYPERLINK(\"http://x\")", "候补 3", "", "", "", "0", "0", "0"},
		{"4", "赵  大伟", "候补 4", "", "", "", "0", "0", "0"},
	}
	if len(rs) != 1+len(want) {
		t.Fatalf("%d rows, want %d", len(rs), 1+len(want))
	}
	for i, w := range want {
		if got := padded(rs[1+i], len(w)); !slices.Equal(got, w) {
			t.Errorf("row %d\n got %q\nwant %q", i, got, w)
		}
	}
	if formula, _ := f.GetCellFormula(AttendanceSheet, "B5"); formula != "" {
		t.Errorf("a name became a formula: %q", formula)
	}
	p, _ := f.GetPanes(AttendanceSheet)
	if !p.Freeze || p.XSplit != 2 || p.YSplit != 2 {
		t.Errorf("panes = %+v; want header and names frozen", p)
	}
}

func TestWriteXLSXEmpty(t *testing.T) {
	f := openXLSX(t, emptyRoster())
	tests := []struct {
		sheet string
		want  []string
	}{
		{RosterSheet, wantHeader[:11]},
		{AttendanceSheet, []string{"序号 (No.)", "姓名 (Name)", "状态 (Status)", "出勤 (Present)", "缺勤 (Absent)", "请假 (Excused)"}},
	}
	for _, tt := range tests {
		rs := rows(t, f, tt.sheet)
		if len(rs) != 2 || !slices.Equal(rs[1], tt.want) {
			t.Errorf("%s: rows = %q; want the title and header %q", tt.sheet, rs, tt.want)
		}
	}
}

func TestFileNames(t *testing.T) {
	r := sampleRoster()
	tests := []struct {
		name string
		r    Roster
		ext  string
		want string
	}{
		{"csv", r, "csv", "花名册-of_summer1-20250701.csv"},
		{"dotted ext", r, ".xlsx", "花名册-of_summer1-20250701.xlsx"},
		{"hostile id", Roster{Offering: domain.Offering{ID: "../a\"b\r\nc"}, Generated: r.Generated}, "csv", "花名册-abc-20250701.csv"},
		{"no time", Roster{Offering: domain.Offering{ID: "of_1"}}, "csv", "花名册-of_1.csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FileName(tt.r, tt.ext); got != tt.want {
				t.Errorf("FileName = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestContentDisposition(t *testing.T) {
	got := ContentDisposition(sampleRoster(), "xlsx")
	const want = `attachment; filename="roster-of_summer1-20250701.xlsx"; ` +
		`filename*=UTF-8''%E8%8A%B1%E5%90%8D%E5%86%8C-of_summer1-20250701.xlsx`
	if got != want {
		t.Errorf("ContentDisposition\n got %s\nwant %s", got, want)
	}
	_, enc, _ := strings.Cut(got, "filename*=UTF-8''")
	if dec, err := url.PathUnescape(enc); err != nil || dec != "花名册-of_summer1-20250701.xlsx" {
		t.Errorf("filename* decodes to %q, %v", dec, err)
	}
	if strings.ContainsAny(got, "\r\n") {
		t.Error("header value contains a line break")
	}
}

// padded fills out a row GetRows shortened by its trailing empty cells.
func padded(row []string, n int) []string {
	for len(row) < n {
		row = append(row, "")
	}
	return row
}

// cellStyle is the style of a cell of the workbook.
func cellStyle(t *testing.T, f *excelize.File, sheet, ref string) *excelize.Style {
	t.Helper()
	id, err := f.GetCellStyle(sheet, ref)
	if err != nil {
		t.Fatal(err)
	}
	st, err := f.GetStyle(id)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func bold(t *testing.T, f *excelize.File, sheet, ref string) bool {
	t.Helper()
	st := cellStyle(t, f, sheet, ref)
	return st.Font != nil && st.Font.Bold
}

// TestWriteXLSXLayout reads the hand-written workbook back with excelize
// (a test dependency only): every cell's style, the merged title, widths,
// heights, the print and filter names, the page; and, since excelize shows
// colours only with a theme part (which Excel does not need), the colours
// from styles.xml itself. Every part is well-formed XML.
func TestWriteXLSXLayout(t *testing.T) {
	r := sampleRoster()
	f := openXLSX(t, r)
	if f.GetActiveSheetIndex() != 0 {
		t.Errorf("active sheet %d, want the roster", f.GetActiveSheetIndex())
	}
	style := func(sheet, ref string) *excelize.Style {
		t.Helper()
		return cellStyle(t, f, sheet, ref)
	}
	align := func(st *excelize.Style) string {
		if st.Alignment == nil {
			return ""
		}
		return st.Alignment.Horizontal + "/" + st.Alignment.Vertical + fmt.Sprint("/", st.Alignment.WrapText)
	}
	for _, tt := range []struct {
		sheet   string
		ncol    int
		centred []int
		text    []int
		freeze  string
	}{
		{RosterSheet, 14, []int{0, 4, 8, 9, 10, 11, 12, 13}, []int{2}, "A3"},
		{AttendanceSheet, 9, []int{0, 2, 3, 4, 5, 6, 7, 8}, nil, "C3"},
	} {
		last := col(tt.ncol - 1)
		if m, err := f.GetMergeCells(tt.sheet); err != nil || len(m) != 1 || m[0].GetStartAxis() != "A1" || m[0].GetEndAxis() != last+"1" {
			t.Errorf("%s: merged %v, %v; want the title across A1:%s1", tt.sheet, m, err, last)
		}
		if st := style(tt.sheet, "A1"); st.Font == nil || !st.Font.Bold || st.Font.Size != 13 || align(st) != "/center/false" {
			t.Errorf("%s: title style %+v", tt.sheet, st)
		}
		for n, want := range map[int]float64{1: 24, 2: 32} {
			if h, _ := f.GetRowHeight(tt.sheet, n); h != want {
				t.Errorf("%s: row %d is %v high, want %v", tt.sheet, n, h, want)
			}
		}
		rs := rows(t, f, tt.sheet)
		for j := range tt.ncol {
			// The widest of the header's halves and the cells, clamped.
			w := 0
			for _, part := range strings.SplitAfter(rs[1][j], " (") {
				w = max(w, displayWidth(part))
			}
			for _, row := range rs[2:] {
				w = max(w, displayWidth(padded(row, tt.ncol)[j]))
			}
			if got, _ := f.GetColWidth(tt.sheet, col(j)); got != float64(min(max(w+2, 6), 40)) {
				t.Errorf("%s: column %s is %v wide, want %d", tt.sheet, col(j), got, min(max(w+2, 6), 40))
			}
			if st := style(tt.sheet, cell(j, 2)); st.Font == nil || !st.Font.Bold || st.Fill.Pattern != 1 || len(st.Border) != 4 || align(st) != "center/center/true" {
				t.Errorf("%s: header %s style %+v", tt.sheet, cell(j, 2), st)
			}
			wantAlign, wantFmt := "/center/false", 0
			if slices.Contains(tt.centred, j) {
				wantAlign = "center/center/false"
			}
			if slices.Contains(tt.text, j) {
				wantFmt = 49
			}
			for n := 3; n < 3+len(r.Entries); n++ {
				if st := style(tt.sheet, cell(j, n)); len(st.Border) != 4 || align(st) != wantAlign || st.NumFmt != wantFmt || (st.Font != nil && st.Font.Bold) {
					t.Errorf("%s: %s style %+v %q, want bordered, %s, format %d", tt.sheet, cell(j, n), *st, align(st), wantAlign, wantFmt)
				}
			}
		}
		if p, err := f.GetPanes(tt.sheet); err != nil || !p.Freeze || p.TopLeftCell != tt.freeze {
			t.Errorf("%s: panes %+v, %v", tt.sheet, p, err)
		}
		sp, err := f.GetSheetProps(tt.sheet)
		if err != nil || sp.FitToPage == nil || !*sp.FitToPage {
			t.Errorf("%s: not fitted to the page: %+v, %v", tt.sheet, sp, err)
		}
		pl, err := f.GetPageLayout(tt.sheet)
		if err != nil || *pl.Orientation != "landscape" || *pl.FitToWidth != 1 || *pl.FitToHeight != 0 {
			t.Errorf("%s: page %+v, %v", tt.sheet, pl, err)
		}
		names := map[string]string{}
		for _, dn := range f.GetDefinedName() {
			if dn.Scope == tt.sheet {
				names[dn.Name] = dn.RefersTo
			}
		}
		quoted := "'" + tt.sheet + "'!"
		if names["_xlnm.Print_Titles"] != quoted+"$1:$2" || names["_xlnm._FilterDatabase"] != quoted+"$A$2:$"+last+"$6" {
			t.Errorf("%s: defined names %q", tt.sheet, names)
		}
	}
	props, err := f.GetDocProps()
	if err != nil || props.Subject != r.title() || props.Language != "zh-CN" || props.LastModifiedBy != "enrol" || props.Created != "2025-06-30T16:05:00Z" || props.Modified != props.Created {
		t.Errorf("doc props = %+v, %v", props, err)
	}

	var buf bytes.Buffer
	if err := WriteXLSX(&buf, r); err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, part := range z.File {
		body, err := fs.ReadFile(z, part.Name)
		if err != nil {
			t.Fatal(err)
		}
		d := xml.NewDecoder(bytes.NewReader(body))
		for err == nil {
			_, err = d.Token()
		}
		if err != io.EOF {
			t.Errorf("%s: not well-formed: %v", part.Name, err)
		}
		if part.Name == "xl/styles.xml" {
			for _, want := range []string{`<fgColor rgb="FFE7EEF7"/>`, `<left style="thin"><color rgb="FFA6A6A6"/></left>`, `<bottom style="thin"><color rgb="FFA6A6A6"/></bottom>`} {
				if !bytes.Contains(body, []byte(want)) {
					t.Errorf("styles.xml lacks %s", want)
				}
			}
		}
	}
	var again bytes.Buffer
	if err := WriteXLSX(&again, r); err != nil || !bytes.Equal(again.Bytes(), buf.Bytes()) {
		t.Errorf("one roster gave two different files (%v)", err)
	}
}
