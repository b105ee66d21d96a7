package gateway

import (
	"encoding/json"
	"net/http"
	"strings"
)

// text is a message in the contract's two languages.
type text struct{ zh, en string }

// problem is the contract's application/problem+json body. The gateway's own
// answers (no route, no token, function failed) use the same shape the
// functions do, so clients need one error parser.
type problem struct {
	Type      string `json:"type"`
	Title     string `json:"title"`
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Detail    string `json:"detail"`
	RequestID string `json:"request_id,omitempty"`
}

// Gateway-level messages.
var (
	msgNotFound      = text{"找不到请求的资源", "The requested resource was not found"}
	msgTooLarge      = text{"请求体超过 10 MiB 上限", "The request body exceeds the 10 MiB limit"}
	msgInternal      = text{"服务器内部错误，请稍后再试", "Something went wrong on our side; please try again later"}
	msgBadJSON       = text{"请求体不是有效的 JSON，或含有未知字段", "The body is not valid JSON or has unknown fields"}
	msgSubRequired   = text{"sub 为必填项", "sub is required"}
	msgSignInRefused = text{"无法登录：账号不存在或已注销", "Cannot sign in: no such account, or it was deleted"}
	msgUnknownGroup  = text{"groups 只能是 residents、centre-staff 或 city-officers", "groups may only be residents, centre-staff or city-officers"}
)

// english reports whether the client asked for English; Chinese is the default.
func english(r *http.Request) bool {
	al := strings.ToLower(strings.TrimSpace(r.Header.Get("Accept-Language")))
	return strings.HasPrefix(al, "en")
}

func writeProblem(w http.ResponseWriter, r *http.Request, status int, code string, msg text) {
	p := problem{
		Type:      "about:blank",
		Title:     http.StatusText(status),
		Status:    status,
		Code:      code,
		Detail:    msg.zh,
		RequestID: w.Header().Get(requestIDHeader),
	}
	if english(r) {
		p.Detail = msg.en
	}
	body, _ := json.Marshal(p)
	w.Header().Set("Content-Type", "application/problem+json")
	if english(r) {
		w.Header().Set("Content-Language", "en")
	} else {
		w.Header().Set("Content-Language", "zh-CN")
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
