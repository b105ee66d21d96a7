package httpapi

import (
	"net/http"
	"strconv"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// List is the contract's envelope for every list.
type List[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// ListOf makes the envelope; an empty page is [] in JSON, never null.
func ListOf[T any](items []T, next string) List[T] {
	if items == nil {
		items = []T{}
	}
	return List[T]{Items: items, NextCursor: next}
}

// PageOf reads ?limit= (1..200, default 50) and ?cursor=.
func PageOf(r *http.Request) (paging.Page, error) {
	q := r.URL.Query()
	limit, err := LimitOf(r, 50)
	return paging.Page{Limit: limit, Cursor: q.Get("cursor")}, err
}

// LimitOf reads ?limit= (1..200), or def when it is absent.
func LimitOf(r *http.Request, def int) (int, error) {
	s := r.URL.Query().Get("limit")
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 200 {
		return def, apperr.New(apperr.InvalidRequest, "limit 须为 1 到 200 的整数", "limit must be a whole number from 1 to 200").
			With("limit", "须为 1 到 200", "must be 1..200")
	}
	return n, nil
}

// ListQuery checks a list request's query (the allowed parameters besides
// limit and cursor) and reads its page.
func ListQuery(r *http.Request, allowed ...string) (paging.Page, error) {
	if err := Query(r, allowed...); err != nil {
		return paging.Page{}, err
	}
	return PageOf(r)
}

// Query rejects query parameters a route does not know, so a typo is not
// silently ignored.
func Query(r *http.Request, allowed ...string) error {
	known := map[string]bool{"limit": true, "cursor": true}
	for _, a := range allowed {
		known[a] = true
	}
	for k := range r.URL.Query() {
		if !known[k] {
			return apperr.New(apperr.InvalidRequest, "未知的查询参数", "Unknown query parameter").With(k, "未知参数", "unknown parameter")
		}
	}
	return nil
}

// ValidID: ids are short and plain; anything else cannot exist.
func ValidID(id string) bool {
	if id == "" || len(id) > 64 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// PathID reads a path parameter holding an id; a malformed one is not found.
func PathID(r *http.Request, name string) (string, error) {
	id := r.PathValue(name)
	if !ValidID(id) {
		return "", apperr.New(apperr.NotFound, "找不到该资源", "Not found")
	}
	return id, nil
}
