// Package httpapi holds what every enrol function does with HTTP: problem+json
// errors, strict JSON bodies, list paging parameters and the request log line.
package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

type problemField struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

type problem struct {
	Type      string         `json:"type"`
	Title     string         `json:"title"`
	Status    int            `json:"status"`
	Code      apperr.Code    `json:"code"`
	Detail    string         `json:"detail"`
	RequestID string         `json:"request_id,omitempty"`
	Errors    []problemField `json:"errors,omitempty"`
}

// English reports whether the client asked for English first; Chinese is the default.
func English(r *http.Request) bool {
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag := strings.ToLower(strings.TrimSpace(strings.SplitN(part, ";", 2)[0]))
		switch {
		case strings.HasPrefix(tag, "en"):
			return true
		case strings.HasPrefix(tag, "zh"):
			return false
		}
	}
	return false
}

func pick(r *http.Request, t apperr.Text) string {
	if English(r) {
		return t.EN
	}
	return t.ZH
}

// WriteError answers err as application/problem+json. Anything that is not an
// *apperr.Error becomes a bare 500 carrying only the request id.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := apperr.As(err)
	status := e.Code.Status()
	p := problem{
		Type:      "https://enrol.wuxi.gov.cn/problems/" + string(e.Code),
		Title:     http.StatusText(status),
		Status:    status,
		Code:      e.Code,
		Detail:    pick(r, e.Text),
		RequestID: RequestID(r),
	}
	for _, f := range e.Fields {
		p.Errors = append(p.Errors, problemField{Field: f.Field, Message: pick(r, f.Text)})
	}
	body := map[string]any{}
	raw, _ := json.Marshal(p)
	_ = json.Unmarshal(raw, &body)
	for k, v := range e.Extra {
		if _, taken := body[k]; !taken {
			body[k] = v
		}
	}
	// Every 429 and 503 a function answers says when to come back, so a
	// client can tell them from API Gateway's own throttle, which says
	// nothing (the web client then backs off by itself).
	retryAfter := e.RetryAfter
	if retryAfter <= 0 && (status == http.StatusTooManyRequests || status == http.StatusServiceUnavailable) {
		retryAfter = 1
	}
	if retryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
	}
	if rec, ok := w.(*recorder); ok {
		rec.err = e
	}
	writeJSON(w, status, "application/problem+json", body)
}

// WriteJSON answers v with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	writeJSON(w, status, "application/json; charset=utf-8", v)
}

func writeJSON(w http.ResponseWriter, status int, contentType string, v any) {
	w.Header().Set("Content-Type", contentType)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
