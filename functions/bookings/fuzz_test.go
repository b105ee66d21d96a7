package bookings_test

import (
	"testing"

	"github.com/wuxi-enrol/enrol/functions/bookings"
	"github.com/wuxi-enrol/enrol/shared/lambdafn/lambdafntest"
)

// FuzzRoutes: every route of the residents' function, with fuzzed path
// values, query, body and Idempotency-Key, answers a success, a 4xx
// problem or, once its input is accepted, the (offline) store's 503: never
// a 500 (lambdafntest.FuzzRoutes).
func FuzzRoutes(f *testing.F) {
	me := lambdafntest.Resident("acct-1")
	routes := []lambdafntest.Route{
		{Pattern: "POST /v1/me/participants", As: me},
		{Pattern: "GET /v1/me/participants", As: me},
		{Pattern: "POST /v1/offerings/{offering_id}/bookings", As: me},
		{Pattern: "GET /v1/me/bookings", As: me},
		{Pattern: "GET /v1/me/bookings/{booking_id}", As: me},
		{Pattern: "POST /v1/me/bookings/{booking_id}/cancel", As: me},
		{Pattern: "POST /v1/me/bookings/{booking_id}/accept", As: me},
		{Pattern: "POST /v1/offerings/{offering_id}/applications", As: me},
		{Pattern: "POST /v1/rounds/{round_id}/applications", As: me},
		{Pattern: "GET /v1/me/applications", As: me},
		{Pattern: "POST /v1/me/applications/{application_id}/withdraw", As: me},
		{Pattern: "DELETE /v1/me/participants/{participant_id}", As: me},
		{Pattern: "DELETE /v1/me/participants/{participant_id}/consent", As: me},
		{Pattern: "GET /v1/me/messages", As: me},
		{Pattern: "PUT /v1/me/message-preferences", As: me},
		{Pattern: "GET /v1/me/calendar.ics", As: me},
		{Pattern: "POST /v1/me/calendar-feed", As: me},
		{Pattern: "GET /v1/calendar-feeds/{token}", As: nil},
		{Pattern: "POST /v1/me/participants", As: nil},
		{Pattern: "GET /v1/me/bookings", As: lambdafntest.Staff("s1", "c1")},
	}
	lambdafntest.FuzzRoutes(f, bookings.New, routes,
		lambdafntest.FuzzInput{Route: 0, Body: `{"name":"新居民","birth_date":"1995-03-01","id_number":"320202199503010016"}`},
		lambdafntest.FuzzInput{Route: 0, Body: `{"name":"孩子","birth_date":"2019-03-01","id_number":"320202201903010017","guardian_consent":{"notice_version":"x","agreed":true}}`},
		lambdafntest.FuzzInput{Route: 0, Body: `{"name":""}`},
		lambdafntest.FuzzInput{Route: 1, Query: "limit=5&cursor=eyJQSyI6IngifQ"},
		lambdafntest.FuzzInput{Route: 2, Params: "o1", Body: `{"participant_id":"p1","join_waitlist":true}`, IdempotencyKey: "k1"},
		lambdafntest.FuzzInput{Route: 2, Params: "o1", Body: `{"participant_id":"p 1"}`, IdempotencyKey: "k é"},
		lambdafntest.FuzzInput{Route: 3, Query: "status=waitlisted&limit=200"},
		lambdafntest.FuzzInput{Route: 5, Params: "b1", Body: `{}`},
		lambdafntest.FuzzInput{Route: 7, Params: "o1", Body: `{"participant_id":"p1","siblings":["p2"],"claims":["sibling"]}`},
		lambdafntest.FuzzInput{Route: 8, Params: "r1", Body: `{"participant_id":"p1","choices":["o1","o2"]}`},
		lambdafntest.FuzzInput{Route: 14, Body: `{"channels":["sms","wechat"]}`},
		lambdafntest.FuzzInput{Route: 15, Query: "booking_id=b1"},
		lambdafntest.FuzzInput{Route: 17, Params: "tok", Query: "x=1"},
	)
}
