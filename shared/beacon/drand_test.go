package beacon

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"testing"
)

// testdata/quicknet-rounds.json holds real quicknet rounds as drand's relays
// serve them (round 1000 with its published randomness; round 20791007's
// randomness is sha256 of its signature). They verify against quicknet's
// public key, which nothing in this repository could fake.
func quicknetRounds(t *testing.T) map[uint64]drandRound {
	t.Helper()
	b, err := os.ReadFile("testdata/quicknet-rounds.json")
	if err != nil {
		t.Fatal(err)
	}
	var rs []drandRound
	if err := json.Unmarshal(b, &rs); err != nil {
		t.Fatal(err)
	}
	m := map[uint64]drandRound{}
	for _, r := range rs {
		m[r.Round] = r
	}
	return m
}

// relay serves rounds in drand's shape at /<chain>/public/<round>; a round
// it lacks is 425 Too Early, as drand's relays answer for a future round.
func relay(t *testing.T, rounds map[uint64]drandRound) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rest, ok := strings.CutPrefix(r.URL.Path, "/"+QuicknetChainHash+"/public/")
		n, err := strconv.ParseUint(rest, 10, 64)
		if !ok || err != nil {
			http.NotFound(w, r)
			return
		}
		round, ok := rounds[n]
		if !ok {
			w.WriteHeader(http.StatusTooEarly)
			return
		}
		_ = json.NewEncoder(w).Encode(round)
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestDrandGivesRealRoundsChecked(t *testing.T) {
	rounds := quicknetRounds(t)
	broken := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer broken.Close()
	// The first relay is down: the next one answers.
	d := NewDrand(nil, []string{broken.URL, relay(t, rounds).URL})
	for n, r := range rounds {
		got, err := d.Randomness(t.Context(), n)
		if err != nil || got != r.Randomness {
			t.Errorf("round %d: %q, %v; want %s", n, got, err, r.Randomness)
		}
	}
	if _, err := d.Randomness(t.Context(), 99999999); !errors.Is(err, ErrNotYet) {
		t.Errorf("a round no relay has yet: %v, want ErrNotYet", err)
	}
	if !strings.Contains(d.Source(), QuicknetChainHash) || !strings.HasPrefix(strings.Fields(d.Source())[2], broken.URL) {
		t.Errorf("source %q names neither the chain nor the relay", d.Source())
	}
}

func TestDrandRefusesWhatIsNotTheRound(t *testing.T) {
	real := quicknetRounds(t)[1000]
	other := quicknetRounds(t)[20791007]
	flip := func(h string) string { // the last hex digit, changed
		c := byte('0')
		if h[len(h)-1] == '0' {
			c = '1'
		}
		return h[:len(h)-1] + string(c)
	}
	for _, tc := range []struct {
		name  string
		round drandRound // served as round 1000
	}{
		{"signature changed", drandRound{Round: 1000, Randomness: real.Randomness, Signature: flip(real.Signature)}},
		{"another round's signature", drandRound{Round: 1000, Randomness: other.Randomness, Signature: other.Signature}},
		{"another round number", drandRound{Round: 1001, Randomness: real.Randomness, Signature: real.Signature}},
		{"randomness not the signature's hash", drandRound{Round: 1000, Randomness: flip(real.Randomness), Signature: real.Signature}},
		{"signature not hex", drandRound{Round: 1000, Randomness: real.Randomness, Signature: "zz" + real.Signature[2:]}},
		{"signature the point at infinity", drandRound{Round: 1000, Randomness: real.Randomness, Signature: "c0" + strings.Repeat("0", 94)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := NewDrand(nil, []string{relay(t, map[uint64]drandRound{1000: tc.round}).URL})
			got, err := d.Randomness(t.Context(), 1000)
			if !errors.Is(err, ErrBadRound) {
				t.Fatalf("got %q, %v; want ErrBadRound", got, err)
			}
		})
	}
}
