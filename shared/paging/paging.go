// Package paging names which page of a list to read: what a list request
// asks for (?limit=, ?cursor=), what a service passes on, and what the store
// reads. The cursor is the store's to make and check; everyone else carries
// it unread.
package paging

// Page is which page of a list to read.
type Page struct {
	Limit  int
	Cursor string
}
