package idnumber

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestKnownRegion(t *testing.T) {
	tests := []struct {
		code string
		want bool
		why  string
	}{
		{"320213", true, "梁溪区, Wuxi, today"},
		{"320202", true, "崇安区, merged into 梁溪区 in 2015: older people's numbers carry it"},
		{"320222", true, "无锡县, 1980s"},
		{"110105", true, "朝阳区, Beijing"},
		{"441900", true, "东莞市: a prefecture-level city without counties"},
		{"620200", true, "嘉峪关市, likewise"},
		{"320200", true, "无锡市, prefecture level"},
		{"320613", true, "崇川区 as redrawn in 2020 (after MCA's last list in the source)"},
		{"659012", true, "白杨市, 2023"},
		{"999999", false, "invented"},
		{"320000", false, "江苏省: a province code is no county"},
		{"110000", false, "北京市, province level"},
		{"000000", false, "zero"},
		{"320299", false, "no such county"},
		{"320576", false, "苏州工业园区: a statistical code, no division"},
		{"632858", false, "冷湖行政委员会: statistical only"},
		{"32021", false, "five digits"},
		{"3202130", false, "seven digits"},
		{"", false, "empty"},
	}
	for _, tc := range tests {
		if got := KnownRegion(tc.code); got != tc.want {
			t.Errorf("KnownRegion(%q) = %v, want %v (%s)", tc.code, got, tc.want, tc.why)
		}
	}
}

// TestRegionsData: the data file is what its header says: six-digit codes,
// sorted, each once, as many as the header counts.
func TestRegionsData(t *testing.T) {
	header := regexp.MustCompile(`(?m)^# .* (\d+) codes\.$`).FindStringSubmatch(regionsData)
	if header == nil {
		t.Fatal("regions.txt: the header does not say how many codes it holds")
	}
	want, _ := strconv.Atoi(header[1])
	var codes []string
	for line := range strings.Lines(regionsData) {
		line = strings.TrimRight(line, "\n")
		if strings.HasPrefix(line, "#") {
			continue
		}
		if len(line) != 6 || strings.Trim(line, "0123456789") != "" {
			t.Fatalf("regions.txt: %q is not a six-digit code", line)
		}
		if n := len(codes); n > 0 && codes[n-1] >= line {
			t.Fatalf("regions.txt: %s follows %s: not sorted or not unique", line, codes[n-1])
		}
		codes = append(codes, line)
	}
	if len(codes) != want || len(regions()) != want {
		t.Fatalf("regions.txt holds %d codes (parsed %d), its header says %d", len(codes), len(regions()), want)
	}
}
