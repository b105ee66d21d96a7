package httpapi

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// jsonTerm is what a Go type is called in JSON's terms, in both languages;
// enPlural names an array's elements ("an array of strings").
type jsonTerm struct{ zh, en, enPlural string }

var (
	timeType        = reflect.TypeFor[time.Time]()
	jsonUnmarshaler = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
	termDateTime    = jsonTerm{"RFC 3339 格式的日期时间字符串（如 2025-07-01T09:00:00+08:00）", "a date-time string in RFC 3339 form (e.g. 2025-07-01T09:00:00+08:00)", "date-time strings"}
	termString      = jsonTerm{"字符串", "a string", "strings"}
	termInteger     = jsonTerm{"整数", "an integer", "integers"}
	termNumber      = jsonTerm{"数字", "a number", "numbers"}
	termBoolean     = jsonTerm{"布尔值（true 或 false）", "a boolean (true or false)", "booleans"}
	termObject      = jsonTerm{"对象（{…}）", "an object ({…})", "objects"}
	termAny         = jsonTerm{"JSON 值", "a JSON value", "JSON values"}
	intBits         = map[reflect.Kind]int{reflect.Int: 64, reflect.Int8: 8, reflect.Int16: 16, reflect.Int32: 32, reflect.Int64: 64}
	uintBits        = map[reflect.Kind]int{reflect.Uint: 64, reflect.Uint8: 8, reflect.Uint16: 16, reflect.Uint32: 32, reflect.Uint64: 64}
)

// jsonTermOf names t as a JSON client sees it, never as Go does.
func jsonTermOf(t reflect.Type) jsonTerm {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch k := t.Kind(); {
	case t == timeType:
		return termDateTime
	case k == reflect.String:
		return termString
	case intBits[k] > 0 || uintBits[k] > 0:
		return termInteger
	case k == reflect.Float32 || k == reflect.Float64:
		return termNumber
	case k == reflect.Bool:
		return termBoolean
	case k == reflect.Slice || k == reflect.Array:
		elem := jsonTermOf(t.Elem())
		return jsonTerm{"数组（元素为" + elem.zh + "）", "an array of " + elem.enPlural, "arrays"}
	case k == reflect.Struct || k == reflect.Map:
		return termObject
	}
	return termAny
}

// mismatch is the first place where a body does not fit its target type.
type mismatch struct {
	path    string // records[0].status; "" for the body itself
	want    jsonTerm
	unknown bool // a field the type does not have
}

// locate walks body against dst's type, in document order, and reports the
// first value of the wrong JSON type or the first unknown field, with its
// path. It follows encoding/json's rules: null fits anything, object keys
// match field names case-insensitively, a field tagged "-" does not exist.
func locate(body []byte, dst any) *mismatch {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	m, err := walk(dec, reflect.TypeOf(dst), "")
	if err != nil {
		return nil
	}
	return m
}

func walk(dec *json.Decoder, t reflect.Type, path string) (*mismatch, error) {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if tok == nil || t == nil {
		return nil, skipRest(dec, tok)
	}
	wrong := &mismatch{path: path, want: jsonTermOf(t)}
	if t == timeType {
		s, ok := tok.(string)
		if _, err := time.Parse(time.RFC3339, s); !ok || err != nil {
			return wrong, nil
		}
		return nil, nil
	}
	if reflect.PointerTo(t).Implements(jsonUnmarshaler) || reflect.PointerTo(t).Implements(textUnmarshaler) {
		// A type that reads itself: its own rules, not the walker's.
		return nil, skipRest(dec, tok)
	}
	switch k := t.Kind(); {
	case k == reflect.String:
		if _, ok := tok.(string); !ok {
			return wrong, nil
		}
	case k == reflect.Bool:
		if _, ok := tok.(bool); !ok {
			return wrong, nil
		}
	case intBits[k] > 0:
		n, ok := tok.(json.Number)
		if _, err := strconv.ParseInt(string(n), 10, intBits[k]); !ok || err != nil {
			return wrong, nil
		}
	case uintBits[k] > 0:
		n, ok := tok.(json.Number)
		if _, err := strconv.ParseUint(string(n), 10, uintBits[k]); !ok || err != nil {
			return wrong, nil
		}
	case k == reflect.Float32 || k == reflect.Float64:
		n, ok := tok.(json.Number)
		if _, err := strconv.ParseFloat(string(n), t.Bits()); !ok || err != nil {
			return wrong, nil
		}
	case k == reflect.Slice || k == reflect.Array:
		if tok != json.Delim('[') {
			return wrong, nil
		}
		for i := 0; dec.More(); i++ {
			if m, err := walk(dec, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); m != nil || err != nil {
				return m, err
			}
		}
		_, err = dec.Token() // ]
		return nil, err
	case k == reflect.Struct || k == reflect.Map:
		if tok != json.Delim('{') {
			return wrong, nil
		}
		for dec.More() {
			key, err := dec.Token()
			if err != nil {
				return nil, err
			}
			name, _ := key.(string)
			field := join(path, name)
			elem := t
			if k == reflect.Map {
				elem = t.Elem()
			} else if elem = fieldType(t, name); elem == nil {
				return &mismatch{path: field, unknown: true}, nil
			}
			if m, err := walk(dec, elem, field); m != nil || err != nil {
				return m, err
			}
		}
		_, err = dec.Token() // }
		return nil, err
	default:
		return nil, skipRest(dec, tok)
	}
	return nil, nil
}

// join makes a field path: "schedule" + "sessions" = "schedule.sessions".
func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// fieldType is the type of the field that key fills, as encoding/json
// chooses it (an exact name first, then one that differs only in case), or
// nil when there is none.
func fieldType(t reflect.Type, key string) reflect.Type {
	var folded reflect.Type
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || f.Anonymous && f.Type.Kind() == reflect.Struct {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		if name == key {
			return f.Type
		}
		if folded == nil && strings.EqualFold(name, key) {
			folded = f.Type
		}
	}
	return folded
}

// skipRest consumes the rest of a value whose first token was tok.
func skipRest(dec *json.Decoder, tok json.Token) error {
	if tok != json.Delim('[') && tok != json.Delim('{') {
		return nil
	}
	for depth := 1; depth > 0; {
		next, err := dec.Token()
		if err != nil {
			return err
		}
		switch next {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
	return nil
}
