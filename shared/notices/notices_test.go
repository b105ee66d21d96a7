package notices

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/wuxi-enrol/enrol/shared/domain"
)

// Every resident event has a text in both languages that names the
// offering, fits one SMS with the longest title allowed, and carries the
// date or deadline it announces.
func TestTexts(t *testing.T) {
	long := strings.Repeat("长", domain.TitleText.Max)
	deadline := time.Date(2026, 12, 17, 10, 0, 0, 0, time.UTC) // 18:00 in Wuxi
	resident := []Event{OfferMade, OfferExpiring, OfferExpired, Promoted, DrawResult, OfferingCancelled, Reminder, NoShowBlocked, VerifiedElsewhere}
	for _, ev := range resident {
		for _, result := range []string{"offered", "waitlisted", "not_drawn"} {
			if ev != DrawResult && result != "offered" {
				continue
			}
			for _, title := range []string{"声乐与合唱", long} {
				n := Notice{Event: ev, Account: "sub-1", Title: title, FirstSession: "2026-12-07", Deadline: deadline, Result: result, Rank: 123}
				text, ok := n.Text()
				if !ok || !n.ToResident() {
					t.Fatalf("%s: no text", ev)
				}
				if text.ZH == "" || text.EN == "" {
					t.Fatalf("%s: %+v", ev, text)
				}
				if c := utf8.RuneCountInString(text.ZH); c > SMSLimit {
					t.Errorf("%s (%s, title %d chars): %d characters, over one SMS: %s", ev, result, utf8.RuneCountInString(title), c, text.ZH)
				}
				if !strings.Contains(text.ZH, string([]rune(title)[:4])) || !strings.Contains(text.EN, string([]rune(title)[:4])) {
					t.Errorf("%s: the offering is not named: %+v", ev, text)
				}
				switch {
				case ev == Promoted || ev == Reminder:
					if !strings.Contains(text.ZH, "12月7日") || !strings.Contains(text.EN, "7 Dec") {
						t.Errorf("%s: the first session is not given: %+v", ev, text)
					}
				case ev == OfferMade || ev == OfferExpiring || (ev == DrawResult && result == "offered"):
					if !strings.Contains(text.ZH, "12月17日18:00") || !strings.Contains(text.EN, "18:00") {
						t.Errorf("%s: the deadline (in Wuxi time) is not given: %+v", ev, text)
					}
				}
			}
		}
	}
	for _, ev := range []Event{BookingConfirmed, BookingWaitlisted, BookingCancelled, DrawPublished} {
		n := Notice{Event: ev, Account: "sub-1", Title: "x"}
		if _, ok := n.Text(); ok || n.ToResident() {
			t.Errorf("%s: only the bus hears of it", ev)
		}
	}
	if (Notice{Event: Promoted, Title: "x"}).ToResident() {
		t.Error("a notice to no account is told to nobody")
	}
}

// The bus hears ids and facts: never a title, a name or a text.
func TestBusDetail(t *testing.T) {
	at := time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)
	n := New(Promoted, at).About(domain.Booking{ID: "b1", OfferingID: "o1", Account: "sub-1", Term: "2027-spring",
		Offering:    domain.BookedOffering{Title: "声乐与合唱", Kind: domain.EveningCourse, Centre: domain.CentreRef{ID: "c1", Name: "中心"}, StartsOn: "2027-03-01"},
		Participant: domain.BookedParticipant{Name: "张三"}})
	dt, d, ok := n.Bus()
	if !ok || dt != "enrol.booking.promoted" {
		t.Fatalf("%q %v", dt, ok)
	}
	b, _ := json.Marshal(d)
	for _, personal := range []string{"声乐", "张三", "中心", "Title", "title"} {
		if strings.Contains(string(b), personal) {
			t.Errorf("the event carries %q: %s", personal, b)
		}
	}
	for _, id := range []string{`"booking_id":"b1"`, `"offering_id":"o1"`, `"centre_id":"c1"`, `"account":"sub-1"`, `"kind":"evening_course"`} {
		if !strings.Contains(string(b), id) {
			t.Errorf("the event lacks %s: %s", id, b)
		}
	}
	if strings.Contains(string(b), "deadline") {
		t.Errorf("no deadline, no field: %s", b)
	}
	if _, _, ok := New(Reminder, at).Bus(); ok {
		t.Error("a reminder concerns one resident only")
	}
}

// The counter's notice names the centre and gives its phone number, in
// both languages, within one SMS whatever the name's and number's length
// (the name gives way); it goes by SMS whatever the resident chose, and
// not on the city's bus (it concerns one resident).
func TestCounterText(t *testing.T) {
	long := strings.Repeat("长", domain.CentreNameText.Max)
	for _, name := range []string{"梁溪区阳光托育中心", long} {
		for _, phone := range []string{"0510-82345678", "13912345678", "0510-82345678-123456", ""} {
			c := domain.Centre{ID: "c1", Name: name, Phone: phone}
			n := New(AssistedAtCounter, time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)).AtCounter(c)
			n.Account = "sub-1"
			text, ok := n.Text()
			if !ok || !n.ToResident() || !n.BySMSAlways() {
				t.Fatalf("%q %q: text %v, to resident %v, by SMS always %v", name, phone, ok, n.ToResident(), n.BySMSAlways())
			}
			if c := utf8.RuneCountInString(text.ZH); c > SMSLimit {
				t.Errorf("%d-character name, phone %q: %d characters, over one SMS: %s", utf8.RuneCountInString(name), phone, c, text.ZH)
			}
			if !strings.HasPrefix(text.ZH, string([]rune(name)[:4])) || !strings.Contains(text.EN, name) {
				t.Errorf("the centre is not named: %+v", text)
			}
			want, wantEN := phone, phone
			if phone == "" {
				want, wantEN = "请联系该机构", "Contact the centre"
			}
			if !strings.Contains(text.ZH, want) || !strings.Contains(text.EN, wantEN) || !strings.Contains(text.ZH, "柜台") {
				t.Errorf("phone %q: not in the text: %+v", phone, text)
			}
			if _, _, ok := n.Bus(); ok {
				t.Error("the counter's notice is on the bus")
			}
		}
	}
	short := New(AssistedAtCounter, time.Date(2026, 12, 2, 8, 0, 0, 0, time.UTC)).AtCounter(domain.Centre{Name: "阳光托育", Phone: "0510-82345678"})
	short.Account = "sub-1"
	if text, _ := short.Text(); text.ZH != "阳光托育工作人员正在柜台用本手机号为您办理报名。如非本人同意，请致电0510-82345678。" ||
		text.EN != "Staff at 阳光托育 are booking for you at the counter with this number. Not you? Call 0510-82345678." {
		t.Errorf("text %+v", text)
	}
	for _, ev := range []Event{OfferMade, OfferExpiring, OfferExpired, Promoted, DrawResult, OfferingCancelled, Reminder, NoShowBlocked, VerifiedElsewhere} {
		if (Notice{Event: ev}).BySMSAlways() {
			t.Errorf("%s goes by SMS whatever the resident chose", ev)
		}
	}
}
