package httpapi

import (
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

// DecodeJSON reads a JSON object into dst, refusing unknown fields, trailing
// data, wrong types and bodies over MaxBody, each with the contract's code.
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
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
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

func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.Is(err, io.EOF):
		return apperr.Wrap(apperr.InvalidRequest, errEmpty, "请求体为空", "The request body is empty")
	case errors.As(err, &typeErr):
		e := apperr.New(apperr.InvalidRequest, "字段类型错误", "A field has the wrong type")
		return e.With(typeErr.Field, "应为 "+typeErr.Type.String(), "must be "+typeErr.Type.String())
	case errors.As(err, &syntaxErr):
		return apperr.New(apperr.InvalidRequest,
			fmt.Sprintf("JSON 格式错误（第 %d 字节）", syntaxErr.Offset),
			fmt.Sprintf("Malformed JSON at byte %d", syntaxErr.Offset))
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		field := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		e := apperr.New(apperr.InvalidRequest, "请求包含未知字段", "The request has an unknown field")
		return e.With(field, "未知字段", "unknown field")
	default:
		return apperr.New(apperr.InvalidRequest, "JSON 格式错误", "Malformed JSON")
	}
}
