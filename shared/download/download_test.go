package download

import (
	"strings"
	"testing"
)

func TestGuard(t *testing.T) {
	tests := []struct{ in, want string }{
		{"=1+1", "'=1+1"},
		{"+86 139", "'+86 139"},
		{"-2", "'-2"},
		{"@SUM(A1)", "'@SUM(A1)"},
		{"\t=1", "'\t=1"},
		{"\r=1", "'\r=1"},
		{"王=小明", "王=小明"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := guard(tt.in); got != tt.want {
			t.Errorf("guard(%q) = %q, want %q", tt.in, got, tt.want)
		}
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
