package domain

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/binary"
	"time"
)

var idEncoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// NewID makes an opaque id such as "bk_…": a millisecond time prefix keeps
// ids of one kind in creation order in a DynamoDB sort key, and 80 random
// bits make them unguessable.
func NewID(prefix string, now time.Time) string {
	var b [16]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	_, _ = rand.Read(b[6:])
	return prefix + "_" + idEncoding.EncodeToString(b[:])
}

// KeyedID is the id of what account asks for under an idempotency key:
// the same account, key and prefix always make the same id, so a retry
// finds what the first request made by reading that id (a booking carries
// its key this way instead of a record of its own). It has NewID's shape
// (16 bytes, 26 characters of the same alphabet), so every check of an id
// takes it, but no time order: lists of such ids sort by a time of their
// own. The bytes are the start of a SHA-256 of the three, each
// length-prefixed so no two triples hash alike; a guess needs the key,
// which only the account's client holds.
func KeyedID(prefix, account, key string) string {
	h := sha256.New()
	for _, part := range []string{prefix, account, key} {
		var n [8]byte
		binary.BigEndian.PutUint64(n[:], uint64(len(part)))
		h.Write(n[:])
		h.Write([]byte(part))
	}
	return prefix + "_" + idEncoding.EncodeToString(h.Sum(nil)[:16])
}
