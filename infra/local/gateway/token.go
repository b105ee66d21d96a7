package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"time"
)

// Local-only endpoints; they are never in template.yaml.
const (
	tokenPath  = "/_local/token"
	healthPath = "/_local/health"
	jwksPath   = "/_local/.well-known/jwks.json"
)

// tokenTTL is how long a local token lives, like a Cognito ID token.
const tokenTTL = time.Hour

// knownGroups are the contract's Cognito groups.
var knownGroups = map[string]bool{"residents": true, "centre-staff": true, "city-officers": true, "district-officers": true}

type tokenRequest struct {
	Sub       string   `json:"sub"`
	Groups    []string `json:"groups"`
	CentreIDs []string `json:"centre_ids"`
	// District is a district officer's custom:district.
	District string `json:"district"`
}

type tokenResponse struct {
	Token     string `json:"token"`
	ExpiresAt string `json:"expires_at"`
}

// local serves the /_local endpoints; ok is false when path is not one.
func (g *Gateway) local(w http.ResponseWriter, r *http.Request) (ok bool) {
	switch {
	case r.URL.Path == healthPath && r.Method == http.MethodGet:
		// Up only once the stack is: it listens before its demo data is in.
		if g.ready != nil && !g.ready() {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "starting"})
			return true
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	case r.URL.Path == tokenPath && r.Method == http.MethodPost && g.issuer != nil:
		g.mintToken(w, r)
	case r.URL.Path == admissionPath && (r.Method == http.MethodGet || r.Method == http.MethodPost):
		g.serveAdmission(w, r)
	case r.URL.Path == jwksPath && r.Method == http.MethodGet && g.issuer != nil:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(g.issuer.JWKS())
	default:
		return false
	}
	return true
}

// mintToken is the local stand-in for signing in to Cognito.
func (g *Gateway) mintToken(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 64<<10+1))
	if err != nil || len(body) > 64<<10 {
		writeProblem(w, r, http.StatusBadRequest, "invalid_request", msgBadJSON)
		return
	}
	var req tokenRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil || dec.More() {
		writeProblem(w, r, http.StatusBadRequest, "invalid_request", msgBadJSON)
		return
	}
	if req.Sub == "" {
		writeProblem(w, r, http.StatusBadRequest, "invalid_request", msgSubRequired)
		return
	}
	for _, grp := range req.Groups {
		if !knownGroups[grp] {
			writeProblem(w, r, http.StatusBadRequest, "invalid_request", msgUnknownGroup)
			return
		}
	}
	tok, exp, err := g.issuer.mint(req.Sub, req.Groups, req.CentreIDs, req.District, tokenTTL)
	if errors.Is(err, ErrDeleted) {
		// Cognito's answer to a deleted user's sign-in, without saying why.
		writeProblem(w, r, http.StatusUnauthorized, "unauthorized", msgSignInRefused)
		return
	}
	if err != nil {
		g.log.Error("minting a local token", "err", err)
		writeProblem(w, r, http.StatusInternalServerError, "internal", msgInternal)
		return
	}
	writeJSON(w, http.StatusOK, tokenResponse{Token: tok, ExpiresAt: exp.Format(time.RFC3339)})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	b, _ := json.Marshal(v)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}
