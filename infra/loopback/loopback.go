// Package loopback serves the local stand-ins for AWS services (DynamoDB,
// KMS, Cognito) over HTTP on this machine, as their SDK clients expect.
package loopback

import (
	"net"
	"net/http"
	"time"
)

// Serve starts h on addr ("127.0.0.1:0" for any free port) and returns its
// base URL and the server, to close when done.
func Serve(addr string, h http.Handler) (string, *http.Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), srv, nil
}
