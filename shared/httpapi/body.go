package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// MaxBody is the contract's limit on request bodies.
const MaxBody = 64 << 10

// DecodeJSON reads a JSON object into dst, refusing anything but an object
// (null too: decoding null into a struct would silently do nothing),
// unknown fields, trailing data, wrong types and bodies over MaxBody, each
// with the contract's code. A wrong type or an unknown field is named by its
// path in the body (records[0].status) and described in JSON's terms.
func DecodeJSON(r *http.Request, dst any) error {
	if ct := r.Header.Get("Content-Type"); ct != "" && !strings.HasPrefix(strings.ToLower(ct), "application/json") {
		return apperr.New(apperr.InvalidRequest, "请求体须为 JSON（Content-Type: application/json）", "The body must be JSON (Content-Type: application/json)")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, MaxBody+1))
	if err != nil {
		return apperr.New(apperr.InvalidRequest, "无法读取请求体", "The request body could not be read")
	}
	if len(body) > MaxBody {
		return apperr.New(apperr.PayloadTooLarge, "请求体超过 64 KiB", "The request body is larger than 64 KiB")
	}
	switch trimmed := bytes.TrimLeft(body, " \t\r\n"); {
	case len(trimmed) == 0:
		return apperr.Wrap(apperr.InvalidRequest, errEmpty, "请求体为空", "The request body is empty")
	case trimmed[0] != '{':
		return apperr.New(apperr.InvalidRequest, "请求体须为一个 JSON 对象（{…}）", "The body must be a JSON object ({…})")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err, body, dst)
	}
	if dec.More() {
		return apperr.New(apperr.InvalidRequest, "请求体只能包含一个 JSON 对象", "The body must hold exactly one JSON object")
	}
	return nil
}

// DecodeOptionalJSON is DecodeJSON for a body that may also be left out.
func DecodeOptionalJSON(r *http.Request, dst any) error {
	err := DecodeJSON(r, dst)
	if errors.Is(err, errEmpty) {
		return nil
	}
	return err
}

var errEmpty = errors.New("empty body")

// decodeError explains why body did not decode into dst. encoding/json's
// own messages name Go types (struct { … }, []centrestaff.AttendanceRecord)
// and lose array indexes, so the body is walked again against dst's type to
// find the first field that does not fit.
func decodeError(err error, body []byte, dst any) error {
	if syntaxErr, ok := errors.AsType[*json.SyntaxError](err); ok {
		return apperr.New(apperr.InvalidRequest,
			fmt.Sprintf("JSON 格式错误（第 %d 字节）", syntaxErr.Offset),
			fmt.Sprintf("Malformed JSON at byte %d", syntaxErr.Offset))
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return apperr.New(apperr.InvalidRequest, "JSON 不完整", "The JSON ends too soon")
	}
	if m := locate(body, dst); m != nil {
		if m.unknown {
			return apperr.New(apperr.InvalidRequest, "请求包含未知字段", "The request has an unknown field").
				With(m.path, "未知字段", "unknown field")
		}
		return apperr.New(apperr.InvalidRequest, "字段类型错误", "A field has the wrong type").
			With(m.path, "应为"+m.want.zh, "must be "+m.want.en)
	}
	// Not located (it should always be): still never a Go type name.
	if typeErr, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && typeErr.Type != nil {
		want := jsonTermOf(typeErr.Type)
		return apperr.New(apperr.InvalidRequest, "字段类型错误", "A field has the wrong type").
			With(typeErr.Field, "应为"+want.zh, "must be "+want.en)
	}
	return apperr.Wrap(apperr.InvalidRequest, err, "请求体不符合该接口的格式", "The body does not have this request's shape")
}
