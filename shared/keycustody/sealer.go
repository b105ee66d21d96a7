package keycustody

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/kms/types"
)

// Keyring keeps the wrapped (KMS-encrypted) data keys in the table, by
// version. The store implements it.
type Keyring interface {
	// DataKey is the wrapped data key of version, or nil when there is none.
	DataKey(ctx context.Context, version int) ([]byte, error)
	// PutDataKey stores wrapped as version unless one is there already, and
	// returns what is stored after: wrapped, or the one that won a race.
	PutDataKey(ctx context.Context, version int, wrapped []byte) ([]byte, error)
}

// CurrentVersion is the data key new values are sealed with. A rotation adds
// a version; old blobs keep naming theirs.
const CurrentVersion = 1

// format is the first byte of a sealed blob: AES-256-GCM, key version in the
// next two bytes, then the nonce and the ciphertext with its tag.
const format = 1

const headerLen = 3

// encryptionContext binds the wrapped data key to its purpose: KMS decrypts it
// only with the same context, and the key policy can require it.
var encryptionContext = map[string]string{"purpose": "enrol-personal-data"}

// ErrSealed: a sealed value does not open — damaged, or copied from another
// item. It is a 500 that reveals nothing.
var ErrSealed = errors.New("keycustody: sealed value does not open")

// Sealer encrypts personal fields (envelope encryption): AES-256-GCM under a
// data key that KMS GenerateDataKey made under the personal-data key. The
// wrapped data key is kept in the table (Keyring) and unwrapped with KMS
// Decrypt once per process, on first use. Safe for concurrent use.
type Sealer struct {
	kms   KMS
	keyID string
	ring  Keyring

	mu   sync.Mutex // held while a key is read and unwrapped, so once per process
	keys sync.Map   // version → cipher.AEAD, unwrapped; read without the lock
}

// NewSealer seals with data keys wrapped by the symmetric KMS key keyID,
// kept in ring.
func NewSealer(k KMS, keyID string, ring Keyring) *Sealer {
	return &Sealer{kms: k, keyID: keyID, ring: ring}
}

// Seal encrypts plain for the item named bind (its key): the blob opens only
// with the same bind, so it cannot be copied to another item.
func (s *Sealer) Seal(ctx context.Context, bind string, plain []byte) ([]byte, error) {
	aead, err := s.key(ctx, CurrentVersion, true)
	if err != nil {
		return nil, err
	}
	out := make([]byte, headerLen, headerLen+aead.NonceSize()+len(plain)+aead.Overhead())
	out[0] = format
	binary.BigEndian.PutUint16(out[1:], CurrentVersion)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plain, additional(out[:headerLen], bind)), nil
}

// Open decrypts a blob Seal made for bind.
func (s *Sealer) Open(ctx context.Context, bind string, blob []byte) ([]byte, error) {
	if len(blob) < headerLen || blob[0] != format {
		return nil, internal(ErrSealed)
	}
	aead, err := s.key(ctx, int(binary.BigEndian.Uint16(blob[1:])), false)
	if err != nil {
		return nil, err
	}
	rest := blob[headerLen:]
	if len(rest) < aead.NonceSize()+aead.Overhead() {
		return nil, internal(ErrSealed)
	}
	plain, err := aead.Open(nil, rest[:aead.NonceSize()], rest[aead.NonceSize():], additional(blob[:headerLen], bind))
	if err != nil {
		return nil, internal(ErrSealed)
	}
	return plain, nil
}

// additional is GCM's additional data: the header (so the version cannot be
// swapped) and the item's key.
func additional(header []byte, bind string) []byte {
	return append(append([]byte(nil), header...), bind...)
}

// key is the unwrapped data key of version: cached, else read from the
// keyring and unwrapped; with create, a missing current key is made (a
// conditional put; a lost race unwraps the winner's). A failure is not
// cached: the next call tries again.
func (s *Sealer) key(ctx context.Context, version int, create bool) (cipher.AEAD, error) {
	if aead, ok := s.keys.Load(version); ok {
		return aead.(cipher.AEAD), nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if aead, ok := s.keys.Load(version); ok { // unwrapped while this call waited
		return aead.(cipher.AEAD), nil
	}
	wrapped, err := s.ring.DataKey(ctx, version)
	if err != nil {
		return nil, err
	}
	var plain []byte
	switch {
	case wrapped != nil:
		if plain, err = s.unwrap(ctx, wrapped); err != nil {
			return nil, err
		}
	case !create:
		return nil, internal(fmt.Errorf("%w: no data key version %d", ErrSealed, version))
	default:
		out, err := s.kms.GenerateDataKey(ctx, &kms.GenerateDataKeyInput{
			KeyId: aws.String(s.keyID), KeySpec: types.DataKeySpecAes256, EncryptionContext: encryptionContext,
		})
		if err != nil {
			return nil, unavailable("GenerateDataKey", err)
		}
		stored, err := s.ring.PutDataKey(ctx, version, out.CiphertextBlob)
		if err != nil {
			return nil, err
		}
		if plain = out.Plaintext; string(stored) != string(out.CiphertextBlob) {
			if plain, err = s.unwrap(ctx, stored); err != nil { // another process won the race
				return nil, err
			}
		}
	}
	aead, err := newAEAD(plain)
	if err != nil {
		return nil, internal(err)
	}
	s.keys.Store(version, aead)
	return aead, nil
}

func (s *Sealer) unwrap(ctx context.Context, wrapped []byte) ([]byte, error) {
	out, err := s.kms.Decrypt(ctx, &kms.DecryptInput{
		KeyId: aws.String(s.keyID), CiphertextBlob: wrapped, EncryptionContext: encryptionContext,
	})
	if err != nil {
		return nil, unavailable("Decrypt", err)
	}
	return out.Plaintext, nil
}

func newAEAD(key []byte) (cipher.AEAD, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("keycustody: data key is %d bytes, want 32", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}
