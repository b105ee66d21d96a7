package keycustody_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/kms/types"
	"github.com/wuxi-enrol/enrol/infra/localdb/dbtest"
	"github.com/wuxi-enrol/enrol/infra/localkms"
	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/keycustody"
	"github.com/wuxi-enrol/enrol/shared/store"
)

func client(t *testing.T, endpoint string) keycustody.KMS {
	t.Helper()
	k, err := keycustody.NewClient(context.Background(), config.Config{Region: localkms.Region, KMSEndpoint: endpoint})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestIdentify(t *testing.T) {
	srv := dbtest.KMS(t)
	k := client(t, srv.URL)
	ids := keycustody.NewIdentities(k, srv.IdentityKey)
	ctx := context.Background()
	const number = "11010519491231002X"
	got, err := ids.Identify(ctx, number)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 64 || strings.Trim(got, "0123456789abcdef") != "" {
		t.Fatalf("identity %q, want 64 lower-case hex digits", got)
	}
	again, _ := keycustody.NewIdentities(k, "alias/"+localkms.IdentityAlias).Identify(ctx, " 11010519491231002x ")
	other, _ := ids.Identify(ctx, "110105194912310037")
	if again != got || other == got {
		t.Fatalf("same number (by alias, normalised) %s vs %s; other number %s", again, got, other)
	}
	// Another KMS's key gives another identity: the key is all there is.
	fresh := localkms.New()
	arn := fresh.CreateKey(localkms.SpecHMAC256, "")
	hs := httptest.NewServer(fresh)
	defer hs.Close()
	elsewhere, err := keycustody.NewIdentities(client(t, hs.URL), arn).Identify(ctx, number)
	if err != nil || elsewhere == got {
		t.Fatalf("identity under another key = %s, %v", elsewhere, err)
	}
	// Not a plain hash, nor an HMAC under anything in the configuration.
	plain := sha256.Sum256([]byte(number))
	for _, k := range []string{"", srv.IdentityKey, srv.PersonalDataKey, srv.URL} {
		m := hmac.New(sha256.New, []byte(k))
		m.Write([]byte(number))
		if hex.EncodeToString(m.Sum(nil)) == got || hex.EncodeToString(plain[:]) == got {
			t.Fatalf("identity is computable without KMS (key %q)", k)
		}
	}
}

// TestKMSErrors: the stand-in answers as KMS does, and every failure is a
// 503 unavailable that names no key.
func TestKMSErrors(t *testing.T) {
	srv := dbtest.KMS(t)
	k := client(t, srv.URL)
	ctx := context.Background()
	_, err := keycustody.NewIdentities(k, "alias/no-such-key").Identify(ctx, "11010519491231002X")
	if _, ok := errors.AsType[*types.NotFoundException](err); !ok || !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("unknown key: %v, want NotFoundException as 503", err)
	}
	_, err = keycustody.NewIdentities(k, srv.PersonalDataKey).Identify(ctx, "11010519491231002X")
	if _, ok := errors.AsType[*types.InvalidKeyUsageException](err); !ok || !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("GenerateMac with an encryption key: %v, want InvalidKeyUsageException as 503", err)
	}
	cfg := dbtest.Config(t)
	db, _ := store.NewClient(ctx, cfg)
	s := keycustody.NewSealer(k, srv.IdentityKey, store.NewKeyring(db, cfg.TableName))
	if _, err := s.Seal(ctx, "x", []byte("p")); !isKMS[*types.InvalidKeyUsageException](err) || !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("GenerateDataKey with an HMAC key: %v, want InvalidKeyUsageException as 503", err)
	}
	// KMS down: 503, and the message says nothing of the cause.
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"__type":"KMSInternalException","message":"boom"}`))
	}))
	defer down.Close()
	_, err = keycustody.NewIdentities(client(t, down.URL), srv.IdentityKey).Identify(ctx, "11010519491231002X")
	if e := apperr.As(err); e == nil || e.Code != apperr.Unavailable || strings.Contains(fmt.Sprint(e.Text), "boom") {
		t.Errorf("KMS failing: %v, want 503 unavailable", err)
	}
}

func isKMS[E error](err error) bool { _, ok := errors.AsType[E](err); return ok }

func TestSealer(t *testing.T) {
	srv := dbtest.KMS(t)
	cfg := dbtest.Config(t)
	ctx := context.Background()
	db, err := store.NewClient(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	ring := store.NewKeyring(db, cfg.TableName)
	k := client(t, srv.URL)

	// Eight cold starts at once: one data key wins, all seal with it.
	sealers := make([]*keycustody.Sealer, 8)
	blobs := make([][]byte, 8)
	var wg sync.WaitGroup
	for i := range sealers {
		sealers[i] = keycustody.NewSealer(k, srv.PersonalDataKey, ring)
		wg.Go(func() {
			var err error
			if blobs[i], err = sealers[i].Seal(ctx, "ACCOUNT#a\x00PARTICIPANT#p", []byte("王小明")); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	for i := range sealers {
		for j := range blobs {
			if got, err := sealers[i].Open(ctx, "ACCOUNT#a\x00PARTICIPANT#p", blobs[j]); err != nil || string(got) != "王小明" {
				t.Fatalf("sealer %d opens %d: %q, %v", i, j, got, err)
			}
		}
	}
	if strings.Contains(string(blobs[0]), "王小明") || blobs[0][0] != 1 || blobs[0][1] != 0 || blobs[0][2] != keycustody.CurrentVersion {
		t.Fatalf("blob %x: want format 1, version %d, no plaintext", blobs[0][:3], keycustody.CurrentVersion)
	}
	// A cold start later reads the keyring and unwraps.
	cold := keycustody.NewSealer(k, srv.PersonalDataKey, ring)
	if got, err := cold.Open(ctx, "ACCOUNT#a\x00PARTICIPANT#p", blobs[3]); err != nil || string(got) != "王小明" {
		t.Fatalf("cold start opens: %q, %v", got, err)
	}
	// Bound to its item; tampering and unknown versions do not open.
	tampered := append([]byte(nil), blobs[0]...)
	tampered[len(tampered)-1] ^= 1
	future := append([]byte(nil), blobs[0]...)
	future[2] = 9
	for name, c := range map[string]struct {
		bind string
		blob []byte
	}{
		"copied to another item": {"ACCOUNT#b\x00PARTICIPANT#p", blobs[0]},
		"tampered":               {"ACCOUNT#a\x00PARTICIPANT#p", tampered},
		"unknown key version":    {"ACCOUNT#a\x00PARTICIPANT#p", future},
		"empty":                  {"ACCOUNT#a\x00PARTICIPANT#p", nil},
	} {
		_, err := cold.Open(ctx, c.bind, c.blob)
		if e := apperr.As(err); e == nil || e.Code != apperr.Internal || strings.Contains(fmt.Sprint(e.Text), "王") {
			t.Errorf("%s: %v, want a bare 500", name, err)
		}
	}
	// Another KMS cannot unwrap this table's data key.
	other, err := localkms.Start("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if _, err := keycustody.NewSealer(client(t, other.URL), other.PersonalDataKey, ring).Open(ctx, "ACCOUNT#a\x00PARTICIPANT#p", blobs[0]); !apperr.Is(err, apperr.Unavailable) {
		t.Errorf("unwrapping under another KMS: %v, want 503", err)
	}
}

// BenchmarkSeal is what sealing costs per value once the data key is
// unwrapped (a booking seals one value).
func BenchmarkSeal(b *testing.B) {
	srv := dbtest.KMS(b)
	cfg := dbtest.Config(b)
	ctx := context.Background()
	db, _ := store.NewClient(ctx, cfg)
	k, err := keycustody.NewClient(ctx, config.Config{Region: localkms.Region, KMSEndpoint: srv.URL})
	if err != nil {
		b.Fatal(err)
	}
	s := keycustody.NewSealer(k, srv.PersonalDataKey, store.NewKeyring(db, cfg.TableName))
	plain := []byte(`{"name":"王小明","birth_date":"2021-04-05","id_number_last4":"0012"}`)
	if _, err := s.Seal(ctx, "k", plain); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		blob, _ := s.Seal(ctx, "ACCOUNT#a\x00BOOKING#b", plain)
		if _, err := s.Open(ctx, "ACCOUNT#a\x00BOOKING#b", blob); err != nil {
			b.Fatal(err)
		}
	}
}
