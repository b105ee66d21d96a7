package idnumber

import (
	_ "embed"
	"strings"
	"sync"
)

// regionsData is the list of GB/T 2260 codes, with its sources in its header.
//
//go:embed regions.txt
var regionsData string

// regions is the set of codes in regionsData, parsed on first use.
var regions = sync.OnceValue(func() map[string]struct{} {
	set := make(map[string]struct{}, 7000)
	for line := range strings.Lines(regionsData) {
		line = strings.TrimSpace(line)
		if line == "" || line[0] == '#' {
			continue
		}
		set[line] = struct{}{}
	}
	return set
})

// KnownRegion reports whether code is the address code of a real ID number:
// a GB/T 2260 code of a county-level division (区, 县, 县级市, 旗) or of a
// prefecture-level one (XXXX00), current or historical. Prefecture codes are
// accepted because prefecture-level cities without counties issue numbers
// under them (东莞 441900, 中山 442000, 嘉峪关 620200, 儋州 460400). Province
// codes (XX0000) are not: the address code names the county of registered
// residence (GB 11643-1999 §6.2) and no county is coded at province level.
func KnownRegion(code string) bool {
	if len(code) != 6 || strings.HasSuffix(code, "0000") {
		return false
	}
	_, ok := regions()[code]
	return ok
}
