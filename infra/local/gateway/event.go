package gateway

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/aws/aws-lambda-go/events"
)

// eventTimeLayout is requestContext.time's format in API Gateway events.
const eventTimeLayout = "02/Jan/2006:15:04:05 -0700"

// buildEvent turns an HTTP request into the payload format 2.0 event API
// Gateway would send the function. claims is nil on public routes, which
// then carry no authorizer at all, as in AWS.
func buildEvent(r *http.Request, m *routeMatch, body []byte, claims map[string]string, requestID string, now time.Time) events.APIGatewayV2HTTPRequest {
	host := r.Host
	hostname := host
	if h, _, err := net.SplitHostPort(host); err == nil {
		hostname = h
	}
	sourceIP := r.RemoteAddr
	if h, _, err := net.SplitHostPort(sourceIP); err == nil {
		sourceIP = h
	}
	rawPath := r.URL.EscapedPath()
	ev := events.APIGatewayV2HTTPRequest{
		Version:               "2.0",
		RouteKey:              m.route.Key(),
		RawPath:               rawPath,
		RawQueryString:        r.URL.RawQuery,
		Cookies:               cookies(r),
		Headers:               headers(r, host, sourceIP),
		QueryStringParameters: queryParams(r.URL.RawQuery),
		PathParameters:        m.params,
		RequestContext: events.APIGatewayV2HTTPRequestContext{
			RouteKey:     m.route.Key(),
			AccountID:    "000000000000",
			Stage:        "$default",
			RequestID:    requestID,
			APIID:        "local",
			DomainName:   host,
			DomainPrefix: strings.SplitN(hostname, ".", 2)[0],
			Time:         now.UTC().Format(eventTimeLayout), // API Gateway writes it in UTC
			TimeEpoch:    now.UnixMilli(),
			HTTP: events.APIGatewayV2HTTPRequestContextHTTPDescription{
				Method:    r.Method,
				Path:      rawPath,
				Protocol:  r.Proto,
				SourceIP:  sourceIP,
				UserAgent: r.UserAgent(),
			},
		},
	}
	if claims != nil {
		ev.RequestContext.Authorizer = &events.APIGatewayV2HTTPRequestContextAuthorizerDescription{
			JWT: &events.APIGatewayV2HTTPRequestContextAuthorizerJWTDescription{Claims: claims},
		}
	}
	if len(body) > 0 {
		if isText(r.Header.Get("Content-Type"), body) {
			ev.Body = string(body)
		} else {
			ev.Body = base64.StdEncoding.EncodeToString(body)
			ev.IsBase64Encoded = true
		}
	}
	return ev
}

// headers lower-cases names and comma-joins repeated values, as API Gateway
// does. Cookies travel in the cookies field instead. Host, which Go moves
// out of the header map, is put back, and the X-Forwarded-* headers API
// Gateway adds are added.
func headers(r *http.Request, host, sourceIP string) map[string]string {
	h := make(map[string]string, len(r.Header)+4)
	for k, vs := range r.Header {
		name := strings.ToLower(k)
		if name == "cookie" {
			continue
		}
		h[name] = strings.Join(vs, ",")
	}
	h["host"] = host
	if xff := h["x-forwarded-for"]; xff != "" {
		h["x-forwarded-for"] = xff + ", " + sourceIP
	} else {
		h["x-forwarded-for"] = sourceIP
	}
	proto, port := "http", "80"
	if r.TLS != nil {
		proto, port = "https", "443"
	}
	if _, p, err := net.SplitHostPort(host); err == nil {
		port = p
	}
	h["x-forwarded-proto"] = proto
	h["x-forwarded-port"] = port
	return h
}

// cookies splits every Cookie header into "name=value" items.
func cookies(r *http.Request) []string {
	var out []string
	for _, line := range r.Header.Values("Cookie") {
		for c := range strings.SplitSeq(line, ";") {
			if c = strings.TrimSpace(c); c != "" {
				out = append(out, c)
			}
		}
	}
	return out
}

// queryParams decodes the query, comma-joining repeated keys like API
// Gateway; nil when there is none.
func queryParams(raw string) map[string]string {
	if raw == "" {
		return nil
	}
	vals, _ := url.ParseQuery(raw) // keeps what parsed, as API Gateway is lenient too
	if len(vals) == 0 {
		return nil
	}
	out := make(map[string]string, len(vals))
	for k, vs := range vals {
		out[k] = strings.Join(vs, ",")
	}
	return out
}

// isText decides whether a body travels as plain text: valid UTF-8 with a
// textual (or no) content type. Anything else is base64, so binary uploads
// survive the JSON event intact.
func isText(contentType string, body []byte) bool {
	if !utf8.Valid(body) {
		return false
	}
	if contentType == "" {
		return true
	}
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch {
	case strings.HasPrefix(mt, "text/"),
		strings.HasSuffix(mt, "+json"), strings.HasSuffix(mt, "+xml"):
		return true
	}
	switch mt {
	case "application/json", "application/xml", "application/javascript",
		"application/x-www-form-urlencoded", "application/x-ndjson",
		"application/yaml", "application/graphql":
		return true
	}
	return false
}

// jsonMarshal is json.Marshal without HTML escaping, so bodies with <, > or &
// reach the function byte for byte as Lambda's own serializer sends them.
func jsonMarshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}
