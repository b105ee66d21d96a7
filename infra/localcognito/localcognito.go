// Package localcognito is the local stand-in for the Cognito user pools API:
// an HTTP server that speaks its JSON 1.1 protocol
// (X-Amz-Target: AWSCognitoIdentityProviderService.<Op>) for what enrol
// calls — AdminDeleteUser — so the real aws-sdk-go-v2 client works against
// it unchanged (COGNITO_ENDPOINT).
//
// Locally anyone may sign in under any sub (POST /_local/token), so every
// sub is a user of the pool until it is deleted; a deleted sub stays
// deleted for as long as the server runs, and the local token issuer asks
// Deleted before it signs anyone in.
package localcognito

import (
	"encoding/json"
	"github.com/wuxi-enrol/enrol/infra/loopback"
	"net/http"
	"strings"
	"sync"
)

// PoolID is the local user pool's id, shaped as Cognito makes them.
const PoolID = "cn-north-1_enrolLocal"

// Cognito is the stand-in's state and its http.Handler. Safe for concurrent use.
type Cognito struct {
	pool    string
	mu      sync.Mutex
	deleted map[string]bool
	failure string // an error type every call answers, for tests; "" for none
}

// New is a pool with id poolID whose every user still exists.
func New(poolID string) *Cognito { return &Cognito{pool: poolID, deleted: map[string]bool{}} }

// Deleted reports whether the user sub was deleted.
func (c *Cognito) Deleted(sub string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.deleted[sub]
}

// Fail makes every call answer the Cognito error errType (e.g.
// "InternalErrorException", "TooManyRequestsException") until Fail("").
func (c *Cognito) Fail(errType string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.failure = errType
}

// apiError is Cognito's error body: {"__type", "message"}.
type apiError struct {
	Type, Message string
	Status        int
}

// ServeHTTP answers one call.
func (c *Cognito) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	op, ok := strings.CutPrefix(r.Header.Get("X-Amz-Target"), "AWSCognitoIdentityProviderService.")
	if r.Method != http.MethodPost || !ok {
		writeError(w, &apiError{"UnknownOperationException", "", http.StatusBadRequest})
		return
	}
	var e *apiError
	switch op {
	case "AdminDeleteUser":
		var in struct{ UserPoolId, Username string }
		if err := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20)).Decode(&in); err != nil {
			e = &apiError{"SerializationException", "cannot read the request", http.StatusBadRequest}
			break
		}
		e = c.adminDeleteUser(in.UserPoolId, in.Username)
	default:
		e = &apiError{"UnknownOperationException", "localcognito does not implement " + op, http.StatusBadRequest}
	}
	if e != nil {
		writeError(w, e)
		return
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	_, _ = w.Write([]byte("{}"))
}

func (c *Cognito) adminDeleteUser(pool, username string) *apiError {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch {
	case c.failure != "":
		status := http.StatusBadRequest
		if c.failure == "InternalErrorException" {
			status = http.StatusInternalServerError
		}
		return &apiError{c.failure, "failing as the test asked", status}
	case pool != c.pool:
		return &apiError{"ResourceNotFoundException", "User pool " + pool + " does not exist.", http.StatusBadRequest}
	case username == "" || len(username) > 128:
		return &apiError{"InvalidParameterException", "Username must be 1 to 128 characters", http.StatusBadRequest}
	case c.deleted[username]:
		return &apiError{"UserNotFoundException", "User does not exist.", http.StatusBadRequest}
	}
	c.deleted[username] = true
	return nil
}

func writeError(w http.ResponseWriter, e *apiError) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.1")
	w.Header().Set("X-Amzn-Errortype", e.Type)
	w.WriteHeader(e.Status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": e.Type, "message": e.Message})
}

// Server is a running stand-in with enrol's user pool.
type Server struct {
	*Cognito
	URL    string
	PoolID string
	srv    *http.Server
}

// Start serves a fresh pool (PoolID) on addr ("127.0.0.1:0").
func Start(addr string) (*Server, error) {
	c := New(PoolID)
	s := &Server{Cognito: c, PoolID: PoolID}
	var err error
	if s.URL, s.srv, err = loopback.Serve(addr, c); err != nil {
		return nil, err
	}
	return s, nil
}

// Close stops the server; what it deleted is forgotten.
func (s *Server) Close() error { return s.srv.Close() }
