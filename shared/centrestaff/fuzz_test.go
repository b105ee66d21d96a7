package centrestaff

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
)

// FuzzAttendanceRecords: a day's records, as PUT
// /v1/offerings/{offering_id}/attendance/{date} sends them, are refused
// with validation_failed naming records[i], or accepted as exactly one
// known status per confirmed booking sent.
func FuzzAttendanceRecords(f *testing.F) {
	for _, s := range []string{
		`[{"booking_id":"b1","status":"present"},{"booking_id":"b2","status":"absent"}]`,
		`[{"booking_id":"b1","status":"excused"},{"booking_id":"b1","status":"present"}]`,
		`[{"booking_id":"b9","status":"present"},{"booking_id":"b2","status":"late"}]`,
		`[{"booking_id":"","status":""}]`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	confirmed := map[string]domain.Booking{"b1": {ID: "b1"}, "b2": {ID: "b2"}, "b3": {ID: "b3"}}
	f.Fuzz(func(t *testing.T, body []byte) {
		var records []AttendanceRecord
		if json.Unmarshal(body, &records) != nil {
			return
		}
		got, err := attendanceRecords(records, confirmed)
		if err != nil {
			e, ok := errors.AsType[*apperr.Error](err)
			if !ok || e.Code != apperr.ValidationFailed || len(e.Fields) == 0 || !strings.HasPrefix(e.Fields[0].Field, "records[") {
				t.Fatalf("refused with %v", err)
			}
			return
		}
		if len(got) != len(records) {
			t.Fatalf("accepted %d records as %d", len(records), len(got))
		}
		for _, r := range records {
			if _, ok := confirmed[r.BookingID]; !ok || !r.Status.Valid() || got[r.BookingID] != r.Status {
				t.Fatalf("accepted %+v as %q", r, got[r.BookingID])
			}
		}
	})
}
