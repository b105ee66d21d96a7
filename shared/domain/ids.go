package domain

import (
	"crypto/rand"
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
