package download

import (
	"fmt"
	"strings"
)

// Disposition is the Content-Disposition header for a download: an ASCII
// filename for old clients and the Chinese name as filename* (RFC 6266, with
// RFC 5987 encoding), which current browsers prefer.
func Disposition(name, asciiName string) string {
	return fmt.Sprintf(`attachment; filename="%s"; filename*=UTF-8''%s`, asciiName, encodeRFC5987(name))
}

// Safe keeps only characters that mean nothing in a path or a header, for
// ids and dates that go into file names.
func Safe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_':
			return r
		}
		return -1
	}, s)
}

// encodeRFC5987 percent-encodes every byte that is not an RFC 5987
// attr-char. url.PathEscape is close but leaves characters such as ':' and
// '@' that attr-char does not allow.
func encodeRFC5987(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if isAttrChar(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func isAttrChar(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("!#$&+-.^_`|~", c) >= 0
}
