// Package localkms is the local stand-in for AWS KMS: an HTTP server that
// speaks KMS's JSON 1.1 protocol (X-Amz-Target: TrentService.<Op>) for what
// enrol calls — GenerateMac, GenerateDataKey and Decrypt — so the real
// aws-sdk-go-v2 KMS client works against it unchanged (KMS_ENDPOINT).
//
// Key material is random per server and lives only in its memory (Start):
// what it sealed cannot be opened by another run; a stack that keeps its
// data keeps the keys beside it (Open).
package localkms

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/wuxi-enrol/enrol/infra/datadir"
	"github.com/wuxi-enrol/enrol/infra/loopback"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// Key specs and usages, named as KMS names them.
const (
	SpecHMAC256   = "HMAC_256"
	SpecSymmetric = "SYMMETRIC_DEFAULT"

	usageMAC     = "GENERATE_VERIFY_MAC"
	usageEncrypt = "ENCRYPT_DECRYPT"
)

// Region and Account are what the stand-in's key ARNs name.
const (
	Region  = "cn-north-1"
	Account = "000000000000"
)

type key struct {
	arn, spec, usage string
	material         []byte
}

// KMS is the stand-in's state and its http.Handler. Safe for concurrent use.
type KMS struct {
	mu   sync.RWMutex
	keys map[string]*key // by key id, by ARN and by alias
}

// New is a KMS with no keys.
func New() *KMS { return &KMS{keys: map[string]*key{}} }

// CreateKey makes a key of spec (SpecHMAC256 or SpecSymmetric) with fresh
// random material, reachable by its id, its ARN and alias (when not ""), and
// returns its ARN.
func (k *KMS) CreateKey(spec, alias string) string {
	id := make([]byte, 16)
	rand.Read(id)
	material := make([]byte, 32)
	rand.Read(material)
	return k.addKey(hex.EncodeToString(id), spec, alias, material)
}

// addKey makes key id of spec with material reachable by its id, its ARN
// and alias (when not ""), and returns its ARN.
func (k *KMS) addKey(id, spec, alias string, material []byte) string {
	kk := &key{arn: "arn:aws-cn:kms:" + Region + ":" + Account + ":key/" + id, spec: spec, material: material}
	kk.usage = usageEncrypt
	if spec == SpecHMAC256 {
		kk.usage = usageMAC
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.keys[id], k.keys[kk.arn] = kk, kk
	if alias != "" {
		k.keys["alias/"+alias] = kk
		k.keys["arn:aws-cn:kms:"+Region+":"+Account+":alias/"+alias] = kk
	}
	return kk.arn
}

func (k *KMS) key(id string) (*key, error) {
	k.mu.RLock()
	defer k.mu.RUnlock()
	if kk := k.keys[id]; kk != nil {
		return kk, nil
	}
	return nil, &apiError{"NotFoundException", "Key '" + id + "' does not exist"}
}

// apiError is KMS's error body: {"__type", "message"}, HTTP 400.
type apiError struct{ Type, Message string }

func (e *apiError) Error() string { return e.Type + ": " + e.Message }

func invalid(msg string) error { return &apiError{"ValidationException", msg} }

func wrongUsage(kk *key, op string) error {
	return &apiError{"InvalidKeyUsageException", kk.arn + " key usage is " + kk.usage + " which is not valid for " + op + "."}
}

// ServeHTTP answers one KMS JSON 1.1 call.
func (k *KMS) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "TrentService.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, &apiError{"UnknownOperationException", ""})
		return
	}
	var (
		out any
		err error
	)
	switch op {
	case "GenerateMac":
		var in struct {
			KeyId, MacAlgorithm string
			Message             []byte
		}
		if err = decode(r, &in); err == nil {
			out, err = k.generateMac(in.KeyId, in.MacAlgorithm, in.Message)
		}
	case "GenerateDataKey":
		var in struct {
			KeyId, KeySpec    string
			NumberOfBytes     int
			EncryptionContext map[string]string
		}
		if err = decode(r, &in); err == nil {
			out, err = k.generateDataKey(in.KeyId, in.KeySpec, in.NumberOfBytes, in.EncryptionContext)
		}
	case "Decrypt":
		var in struct {
			KeyId             string
			CiphertextBlob    []byte
			EncryptionContext map[string]string
		}
		if err = decode(r, &in); err == nil {
			out, err = k.decrypt(in.KeyId, in.CiphertextBlob, in.EncryptionContext)
		}
	default:
		err = &apiError{"UnknownOperationException", "localkms does not implement " + op}
	}
	if err != nil {
		writeError(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_ = json.NewEncoder(w).Encode(out)
}

// decode reads a JSON body; []byte fields arrive base64 as KMS sends blobs.
func decode(r *http.Request, v any) error {
	if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(v); err != nil {
		return &apiError{"SerializationException", "cannot read the request"}
	}
	return nil
}

func writeError(w http.ResponseWriter, err error) {
	var e *apiError
	if !errors.As(err, &e) {
		e = &apiError{"KMSInternalException", "internal error"}
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", e.Type)
	status := http.StatusBadRequest
	if e.Type == "KMSInternalException" {
		status = http.StatusInternalServerError
	}
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Type, "message": e.Message})
}

type macOut struct {
	KeyId, MacAlgorithm string
	Mac                 []byte
}

func (k *KMS) generateMac(keyID, alg string, msg []byte) (*macOut, error) {
	kk, err := k.key(keyID)
	if err != nil {
		return nil, err
	}
	if kk.usage != usageMAC {
		return nil, wrongUsage(kk, "GenerateMac")
	}
	if alg != "HMAC_SHA_256" {
		return nil, &apiError{"InvalidKeyUsageException", "MacAlgorithm " + alg + " is not valid for key spec " + kk.spec}
	}
	if len(msg) == 0 || len(msg) > 4096 {
		return nil, invalid("Message must be 1 to 4096 bytes")
	}
	m := hmac.New(sha256.New, kk.material)
	m.Write(msg)
	return &macOut{KeyId: kk.arn, MacAlgorithm: alg, Mac: m.Sum(nil)}, nil
}

type dataKeyOut struct {
	KeyId                     string
	Plaintext, CiphertextBlob []byte
}

func (k *KMS) generateDataKey(keyID, spec string, n int, ctx map[string]string) (*dataKeyOut, error) {
	kk, err := k.key(keyID)
	if err != nil {
		return nil, err
	}
	if kk.usage != usageEncrypt {
		return nil, wrongUsage(kk, "GenerateDataKey")
	}
	switch {
	case spec == "AES_256" && n == 0:
		n = 32
	case spec == "AES_128" && n == 0:
		n = 16
	case spec == "" && n > 0 && n <= 1024:
	default:
		return nil, invalid("give exactly one of KeySpec (AES_256, AES_128) and NumberOfBytes (1–1024)")
	}
	plain := make([]byte, n)
	rand.Read(plain)
	blob, err := kk.seal(plain, ctx)
	if err != nil {
		return nil, err
	}
	return &dataKeyOut{KeyId: kk.arn, Plaintext: plain, CiphertextBlob: blob}, nil
}

type decryptOut struct {
	KeyId, EncryptionAlgorithm string
	Plaintext                  []byte
}

func (k *KMS) decrypt(keyID string, blob []byte, ctx map[string]string) (*decryptOut, error) {
	badBlob := &apiError{"InvalidCiphertextException", ""}
	if len(blob) < 2 {
		return nil, badBlob
	}
	n := int(binary.BigEndian.Uint16(blob))
	if len(blob) < 2+n {
		return nil, badBlob
	}
	kk, err := k.key(string(blob[2 : 2+n]))
	if err != nil {
		return nil, badBlob
	}
	if keyID != "" {
		named, err := k.key(keyID)
		if err != nil {
			return nil, err
		}
		if named != kk {
			return nil, &apiError{"IncorrectKeyException", "The key ID in the request does not identify the key that encrypted the ciphertext."}
		}
	}
	plain, err := kk.open(blob, ctx)
	if err != nil {
		return nil, badBlob
	}
	return &decryptOut{KeyId: kk.arn, EncryptionAlgorithm: "SYMMETRIC_DEFAULT", Plaintext: plain}, nil
}

// A ciphertext blob: the key's ARN (length-prefixed) so Decrypt finds the
// key, a nonce, and AES-256-GCM of the plaintext with the ARN and the
// encryption context as additional data, as KMS binds its context.
func (kk *key) seal(plain []byte, ctx map[string]string) ([]byte, error) {
	aead := kk.aead()
	head := binary.BigEndian.AppendUint16(nil, uint16(len(kk.arn)))
	head = append(head, kk.arn...)
	nonce := make([]byte, aead.NonceSize())
	rand.Read(nonce)
	out := append(append(head, nonce...), aead.Seal(nil, nonce, plain, additional(head, ctx))...)
	return out, nil
}

func (kk *key) open(blob []byte, ctx map[string]string) ([]byte, error) {
	aead := kk.aead()
	n := 2 + len(kk.arn)
	if len(blob) < n+aead.NonceSize() {
		return nil, errors.New("short")
	}
	nonce := blob[n : n+aead.NonceSize()]
	return aead.Open(nil, nonce, blob[n+aead.NonceSize():], additional(blob[:n], ctx))
}

func (kk *key) aead() cipher.AEAD {
	block, _ := aes.NewCipher(kk.material) // 32 bytes: cannot fail
	aead, _ := cipher.NewGCM(block)
	return aead
}

func additional(head []byte, ctx map[string]string) []byte {
	ad := append([]byte(nil), head...)
	for _, k := range slices.Sorted(maps.Keys(ctx)) {
		ad = binary.BigEndian.AppendUint32(ad, uint32(len(k)))
		ad = append(ad, k...)
		ad = binary.BigEndian.AppendUint32(ad, uint32(len(ctx[k])))
		ad = append(ad, ctx[k]...)
	}
	return ad
}

// Server is a running stand-in with enrol's two keys.
type Server struct {
	*KMS
	URL string
	// IdentityKey and PersonalDataKey are the ARNs of the HMAC key that
	// turns ID numbers into identities and of the key that wraps the data
	// key sealing personal fields.
	IdentityKey, PersonalDataKey string
	srv                          *http.Server
}

// Aliases of enrol's two keys, as the template names them.
const (
	IdentityAlias     = "enrol-identity"
	PersonalDataAlias = "enrol-personal-data"
)

// Start serves a fresh KMS with enrol's two keys on addr ("127.0.0.1:0").
func Start(addr string) (*Server, error) {
	k := New()
	return serve(addr, &Server{KMS: k, IdentityKey: k.CreateKey(SpecHMAC256, IdentityAlias), PersonalDataKey: k.CreateKey(SpecSymmetric, PersonalDataAlias)})
}

func serve(addr string, s *Server) (*Server, error) {
	var err error
	if s.URL, s.srv, err = loopback.Serve(addr, s.KMS); err != nil {
		return nil, err
	}
	return s, nil
}

// savedKey is a key as Open keeps it in its file.
type savedKey struct {
	ID       []byte `json:"id"`
	Spec     string `json:"spec"`
	Alias    string `json:"alias"`
	Material []byte `json:"material"`
}

// Open is Start with enrol's two keys kept in the file at path: made and
// written there (mode 0600) when it does not exist, read from it after, so
// what one run sealed or turned into identities the next reads the same.
func Open(addr, path string) (*Server, error) {
	b, err := datadir.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var saved []savedKey
	if b == nil {
		for _, alias := range []string{IdentityAlias, PersonalDataAlias} {
			sk := savedKey{ID: make([]byte, 16), Spec: SpecSymmetric, Alias: alias, Material: make([]byte, 32)}
			if alias == IdentityAlias {
				sk.Spec = SpecHMAC256
			}
			rand.Read(sk.ID)
			rand.Read(sk.Material)
			saved = append(saved, sk)
		}
		b, _ = json.Marshal(saved)
		if err := datadir.WriteFile(path, b); err != nil {
			return nil, err
		}
	} else if err := json.Unmarshal(b, &saved); err != nil {
		return nil, fmt.Errorf("localkms: %s: %w", path, err)
	}
	k := New()
	s := &Server{KMS: k}
	for _, sk := range saved {
		if len(sk.Material) != 32 || len(sk.ID) != 16 {
			return nil, fmt.Errorf("localkms: %s: key %q is damaged", path, sk.Alias)
		}
		arn := k.addKey(hex.EncodeToString(sk.ID), sk.Spec, sk.Alias, sk.Material)
		switch sk.Alias {
		case IdentityAlias:
			s.IdentityKey = arn
		case PersonalDataAlias:
			s.PersonalDataKey = arn
		}
	}
	if s.IdentityKey == "" || s.PersonalDataKey == "" {
		return nil, fmt.Errorf("localkms: %s lacks one of enrol's two keys", path)
	}
	return serve(addr, s)
}

// Close stops the server; its keys are gone unless Open keeps them.
func (s *Server) Close() error { return s.srv.Close() }
