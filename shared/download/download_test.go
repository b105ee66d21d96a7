package download

import (
	"encoding/csv"
	"strings"
	"testing"
)

func TestGuard(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+86 139", "'+86 139"},
		{"-2", "'-2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "' =1"},
		{"\r=1", "' =1"},
		{"\r\n=1", "'  =1"},
		{"  =1", "'  =1"},
		{"王=小明", "王=小明"},
		{"", ""},
		{"   ", "   "},
	}
	for _, tt := range tests {
		if got := guard(Clean(tt.in)); got != tt.want {
			t.Errorf("guard(Clean(%q)) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// TestWriteCSVNeverWritesControlBytes: whatever is stored (rows written
// before the text rules existed), a CSV holds no control byte but its own
// CRLF line ends, and no bidirectional control.
func TestWriteCSVNeverWritesControlBytes(t *testing.T) {
	var hostile []any
	for c := rune(0); c < 0x20; c++ {
		hostile = append(hostile, "名"+string(c)+"字")
	}
	for _, c := range []rune{0x7f, 0x80, 0x85, 0x9b, 0x9f, 0x2028, 0x2029, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069} {
		hostile = append(hostile, "名"+string(c)+"字")
	}
	hostile = append(hostile, stringer("\r\n=HYPERLINK(1)"), Digits("00\x0029"))
	var b strings.Builder
	if err := WriteCSV(&b, []string{"标题\n(title)"}, [][]any{hostile}); err != nil {
		t.Fatal(err)
	}
	body := strings.TrimSuffix(strings.TrimPrefix(b.String(), bom), "\r\n")
	for i, line := range strings.Split(body, "\r\n") {
		for _, c := range line {
			if c < 0x20 || c >= 0x7f && c <= 0x9f || c == 0x2028 || c == 0x2029 || c >= 0x202a && c <= 0x202e || c >= 0x2066 && c <= 0x2069 {
				t.Errorf("line %d holds %U: %q", i, c, line)
			}
		}
	}
	if n := strings.Count(b.String(), "\r\n"); n != 2 {
		t.Errorf("%d line ends for a header and one row: %q", n, b.String())
	}
	if !strings.Contains(b.String(), "名 字") || !strings.Contains(b.String(), "名字") || !strings.Contains(b.String(), ",'  =HYPERLINK(1),") {
		t.Errorf("line breaks should become spaces, other controls vanish: %q", b.String())
	}
}

type stringer string

func (s stringer) String() string { return string(s) }

// TestDigitsStayText: an ID number's last four reach Excel as text. Excel
// turns 0029 into 29 however it is quoted; ="0029" it shows as 0029. Only
// digits go into that formula, so the formula guard holds.
func TestDigitsStayText(t *testing.T) {
	tests := []struct {
		in   Digits
		want string // the field as a CSV reader reads it
	}{
		{"0029", `="0029"`},
		{"4567", `="4567"`},
		{"320211202305040017", `="320211202305040017"`},
		{"002X", "002X"},
		{"", ""},
		{"=1+1", "'=1+1"},
		{`0029")&HYPERLINK("x`, `0029")&HYPERLINK("x`},
		{"-29", "'-29"},
		{"00\r\n29", "00  29"},
	}
	for _, tt := range tests {
		var b strings.Builder
		if err := WriteCSV(&b, []string{"后四位", "姓名"}, [][]any{{tt.in, "王小明"}}); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(b.String(), bom))).ReadAll()
		if err != nil || len(recs) != 2 || recs[1][0] != tt.want {
			t.Errorf("%q: %q %v, want %q", tt.in, recs, err, tt.want)
		}
	}
	var b strings.Builder
	_ = WriteCSV(&b, []string{"后四位"}, [][]any{{Digits("0029")}})
	if want := bom + "后四位\r\n\"=\"\"0029\"\"\"\r\n"; b.String() != want {
		t.Errorf("raw %q, want %q", b.String(), want)
	}
}

func TestEncodeRFC5987(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a b", "a%20b"},
		{"x:y@z;'\"%", "x%3Ay%40z%3B%27%22%25"},
		{"花", "%E8%8A%B1"},
		{"A-z_0.9~!#$&+^`|", "A-z_0.9~!#$&+^`|"},
	}
	for _, tt := range tests {
		if got := encodeRFC5987(tt.in); got != tt.want {
			t.Errorf("encodeRFC5987(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestWriteCSVGuardsTextNotNumbers(t *testing.T) {
	var b strings.Builder
	if err := WriteCSV(&b, []string{"名称", "变化"}, [][]any{{"=HYPERLINK(1)", -20}, {"-20", 3.5}}); err != nil {
		t.Fatal(err)
	}
	want := bom + "名称,变化\r\n'=HYPERLINK(1),-20\r\n'-20,3.5\r\n"
	if b.String() != want {
		t.Errorf("got %q\nwant %q", b.String(), want)
	}
}
