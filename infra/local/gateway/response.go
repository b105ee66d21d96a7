package gateway

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

// decodeResponse reads a function's payload the way API Gateway reads
// payload format 2.0: a JSON object with statusCode is a response; any
// other valid JSON is a 200 application/json body.
func decodeResponse(payload []byte) (events.APIGatewayV2HTTPResponse, []byte, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(payload, &probe); err != nil || probe["statusCode"] == nil {
		if !json.Valid(payload) {
			return events.APIGatewayV2HTTPResponse{}, nil, errors.New("function output is not JSON")
		}
		return events.APIGatewayV2HTTPResponse{
			StatusCode: http.StatusOK,
			Headers:    map[string]string{"Content-Type": "application/json"},
		}, payload, nil
	}
	var resp events.APIGatewayV2HTTPResponse
	if err := json.Unmarshal(payload, &resp); err != nil {
		return resp, nil, err
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return resp, nil, errors.New("function returned an invalid status code")
	}
	body := []byte(resp.Body)
	if resp.IsBase64Encoded {
		b, err := base64.StdEncoding.DecodeString(resp.Body)
		if err != nil {
			return resp, nil, errors.New("function returned a bad base64 body")
		}
		body = b
	}
	return resp, body, nil
}

// writeResponse copies a decoded response onto w. Single-value headers win
// over multi-value ones of the same name; cookies become Set-Cookie lines.
func writeResponse(w http.ResponseWriter, resp events.APIGatewayV2HTTPResponse, body []byte) {
	h := w.Header()
	single := make(map[string]bool, len(resp.Headers))
	for k, v := range resp.Headers {
		h.Set(k, v)
		single[http.CanonicalHeaderKey(k)] = true
	}
	for k, vs := range resp.MultiValueHeaders {
		if single[http.CanonicalHeaderKey(k)] {
			continue
		}
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	for _, c := range resp.Cookies {
		h.Add("Set-Cookie", c)
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(body)
}
