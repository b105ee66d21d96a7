// Package centres is the centre staff's function (city officers may use it
// for any centre): offerings in every status, publishing and editing,
// cancelling, the roster and its exports, attendance, verifying a
// participant's identity, and the audit log; and the officers' centre
// registry (registering, editing, activating, suspending centres).
package centres

import (
	"bytes"
	"context"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/auth"
	"github.com/wuxi-enrol/enrol/shared/centrestaff"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/draws"
	"github.com/wuxi-enrol/enrol/shared/httpapi"
	"github.com/wuxi-enrol/enrol/shared/lambdafn"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/rosterexport"
)

type api struct {
	deps  lambdafn.Deps
	admin *centrestaff.Service
	draws *draws.Service
}

// New is the function's http.Handler; its routes are those of CentresFunction in template.yaml.
func New(d lambdafn.Deps) http.Handler {
	a := api{deps: d, admin: &centrestaff.Service{Store: d.Store, Now: d.Now, Beacon: d.Beacon},
		draws: &draws.Service{Store: d.Store, Beacon: d.Beacon, Now: d.Now}}
	mux := http.NewServeMux()
	mux.Handle("GET /v1/centres/{centre_id}/offerings", a.staff(centreList(a.admin.Offerings)))
	mux.Handle("POST /v1/centres/{centre_id}/offerings", a.staff(a.createOffering))
	mux.Handle("PATCH /v1/offerings/{offering_id}", a.staff(edit("offering_id", a.admin.Update)))
	mux.Handle("POST /v1/offerings/{offering_id}/cancel", a.staff(withReason("offering_id", domain.CancelReasonText, a.admin.Cancel)))
	mux.Handle("GET /v1/offerings/{offering_id}/roster", a.staff(a.roster))
	mux.Handle("PUT /v1/offerings/{offering_id}/attendance/{date}", a.staff(a.recordAttendance))
	mux.Handle("GET /v1/offerings/{offering_id}/attendance", a.staff(a.attendance))
	mux.Handle("GET /v1/centres/{centre_id}/audit", a.staff(centreList(a.admin.Audit)))
	mux.Handle("POST /v1/offerings/{offering_id}/roster/{booking_id}/verify-identity", a.staff(a.verifyIdentity))
	mux.Handle("POST /v1/offerings/{offering_id}/draw", a.staff(a.runDraw))
	mux.Handle("GET /v1/offerings/{offering_id}/applications", a.staff(a.offeringApplications))
	mux.Handle("GET /v1/offerings/{offering_id}/applications/{application_id}", a.staff(a.offeringApplication))
	mux.Handle("POST /v1/offerings/{offering_id}/applications/{application_id}/claims", a.staff(a.decideClaim))
	// Issue 19: the centre registry; the service lets only officers write.
	mux.Handle("POST /v1/centres", a.staff(a.createCentre))
	mux.Handle("PATCH /v1/centres/{centre_id}", a.staff(edit("centre_id", a.admin.PatchCentre)))
	mux.Handle("POST /v1/centres/{centre_id}/suspend", a.staff(withReason("centre_id", domain.SuspendReasonText, a.admin.SuspendCentre)))
	mux.Handle("GET /v1/city/centres", a.staff(a.registry))
	mux.Handle("GET /v1/city/centres/{centre_id}", a.staff(a.registryEntry))
	return httpapi.Serve(d.Log, d.Config.Claims, mux)
}

// staff lets centre staff and city officers in; which centres they may act
// on is checked per resource (another centre's is not found).
func (a api) staff(fn func(http.ResponseWriter, *http.Request, auth.Caller) error) http.Handler {
	return httpapi.Handle(func(w http.ResponseWriter, r *http.Request) error {
		c, err := a.deps.Config.Claims.Require(r, auth.CentreStaff, auth.CityOfficers, auth.DistrictOfficers)
		if err != nil {
			return err
		}
		return fn(w, r, c)
	})
}

// centreList serves a paged list that belongs to a centre; list checks
// that the caller manages it.
func centreList[T any](list func(context.Context, auth.Caller, string, paging.Page) ([]T, string, error)) func(http.ResponseWriter, *http.Request, auth.Caller) error {
	return func(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
		id, err := httpapi.PathID(r, "centre_id")
		if err != nil {
			return err
		}
		page, err := httpapi.ListQuery(r)
		if err != nil {
			return err
		}
		items, next, err := list(r.Context(), c, id, page)
		if err != nil {
			return err
		}
		httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
		return nil
	}
}

func (a api) createOffering(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	id, err := httpapi.PathID(r, "centre_id")
	if err != nil {
		return err
	}
	var in domain.NewOffering
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	o, err := a.admin.Create(r.Context(), c, id, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/offerings/"+o.ID)
	httpapi.WriteJSON(w, http.StatusCreated, o)
	return nil
}

// rosterLine is a roster entry as JSON.
type rosterLine struct {
	BookingID        string               `json:"booking_id"`
	Code             string               `json:"code"`
	Participant      rosterParticipant    `json:"participant"`
	Status           domain.BookingStatus `json:"status"`
	WaitlistPosition int                  `json:"waitlist_position,omitempty"`
	BookedAt         time.Time            `json:"booked_at"`
	Attendance       rosterAttendance     `json:"attendance"`
	Verified         bool                 `json:"verified"`
}

type rosterParticipant struct {
	Name          string `json:"name"`
	IDNumberLast4 string `json:"id_number_last4"`
	AgeMonths     int    `json:"age_months"`
	// Age says it as people do ("2 岁 3 个月", "35 years"), in the language
	// asked for; left out when the birth date could not be read.
	Age string `json:"age,omitempty"`
}

type rosterAttendance struct {
	Present int               `json:"present"`
	Absent  int               `json:"absent"`
	Excused int               `json:"excused"`
	Days    map[string]string `json:"days"`
}

func (a api) roster(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	id, err := httpapi.PathID(r, "offering_id")
	if err != nil {
		return err
	}
	if err := httpapi.Query(r, "format"); err != nil {
		return err
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "csv" && format != "xlsx" {
		return apperr.New(apperr.InvalidRequest, "format 应为 json、csv 或 xlsx", "format must be json, csv or xlsx").With("format", "取值无效", "not a format")
	}
	ro, err := a.admin.Roster(r.Context(), c, id, format)
	if err != nil {
		return err
	}
	switch format {
	case "csv", "xlsx":
		var buf bytes.Buffer
		write, contentType := rosterexport.WriteCSV, rosterexport.CSVContentType
		if format == "xlsx" {
			write, contentType = rosterexport.WriteXLSX, rosterexport.XLSXContentType
		}
		if err := write(&buf, ro); err != nil {
			return err
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Content-Disposition", rosterexport.ContentDisposition(ro, format))
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
		return nil
	}
	lines := make([]rosterLine, 0, len(ro.Entries))
	for _, e := range ro.Entries {
		p, ab, ex := ro.Summary(e)
		lines = append(lines, rosterLine{
			BookingID: e.BookingID, Code: domain.BookingCode(e.BookingID), Status: e.Status, WaitlistPosition: e.WaitlistPosition, BookedAt: e.BookedAt.In(domain.CityZone),
			Participant: rosterParticipant{Name: e.ParticipantName, IDNumberLast4: e.IDNumberLast4, AgeMonths: e.AgeMonths,
				Age: domain.AgeText(e.AgeMonths, !httpapi.English(r))},
			Attendance: rosterAttendance{Present: p, Absent: ab, Excused: ex, Days: e.Attendance},
			Verified:   e.Verified,
		})
	}
	httpapi.WriteJSON(w, http.StatusOK, map[string]any{"offering": ro.Offering, "items": lines})
	return nil
}

func (a api) recordAttendance(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	id, err := httpapi.PathID(r, "offering_id")
	if err != nil {
		return err
	}
	date := r.PathValue("date")
	if _, err := domain.ParseDate(date); err != nil {
		var v apperr.Validation
		v.Add("date", "日期应为 YYYY-MM-DD", "date must be YYYY-MM-DD")
		return v.Err()
	}
	var body struct {
		Records []centrestaff.AttendanceRecord `json:"records"`
	}
	if err := httpapi.DecodeJSON(r, &body); err != nil {
		return err
	}
	day, err := a.admin.RecordAttendance(r.Context(), c, id, date, body.Records)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, day)
	return nil
}

func (a api) attendance(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	id, err := httpapi.PathID(r, "offering_id")
	if err != nil {
		return err
	}
	if err := httpapi.Query(r); err != nil {
		return err
	}
	days, err := a.admin.Attendance(r.Context(), c, id)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(days, ""))
	return nil
}

// verifyIdentity: staff checked the participant of a booking against a
// document and typed the number from it. Only its keyed hash goes further.
func (a api) verifyIdentity(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	offeringID, err := httpapi.PathID(r, "offering_id")
	if err != nil {
		return err
	}
	bookingID, err := httpapi.PathID(r, "booking_id")
	if err != nil {
		return err
	}
	var body struct {
		IDNumber string `json:"id_number"`
		Document string `json:"document"`
	}
	if err := httpapi.DecodeJSON(r, &body); err != nil {
		return err
	}
	var v apperr.Validation
	if strings.TrimSpace(body.IDNumber) == "" {
		v.Add("id_number", "请填写证件上的身份证号", "id_number is required")
	}
	if !slices.Contains(centrestaff.Documents, body.Document) {
		v.Add("document", "证件类型应为 "+strings.Join(centrestaff.Documents, "、"), "document must be one of "+strings.Join(centrestaff.Documents, ", "))
	}
	if err := v.Err(); err != nil {
		return err
	}
	identity, err := a.deps.Identities.Identify(r.Context(), body.IDNumber)
	if err != nil {
		return err
	}
	out, err := a.admin.VerifyIdentity(r.Context(), c, offeringID, bookingID, identity, body.Document)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
	return nil
}

// runDraw runs a lottery offering's draw by hand once applications are
// closed (409 draw_not_ready before, or before the beacon's round is out)
// and answers its public document; run again, the same document.
func (a api) runDraw(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	id, err := httpapi.PathID(r, "offering_id")
	if err != nil {
		return err
	}
	// Another centre's offering is not found.
	if _, err := a.admin.Offering(r.Context(), c, id); err != nil {
		return err
	}
	if _, err := a.draws.Run(r.Context(), id); err != nil {
		return err
	}
	doc, err := a.draws.Document(r.Context(), id)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, doc)
	return nil
}

// createCentre registers a draft centre (officers; a district officer in
// their own district).
func (a api) createCentre(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	var in domain.NewCentre
	if err := httpapi.DecodeJSON(r, &in); err != nil {
		return err
	}
	centre, err := a.admin.CreateCentre(r.Context(), c, in)
	if err != nil {
		return err
	}
	w.Header().Set("Location", "/v1/centres/"+centre.ID)
	httpapi.WriteJSON(w, http.StatusCreated, centre)
	return nil
}

// registryEntry is one centre as officers see it, drafts included (the
// public GET /v1/centres/{centre_id} does not answer for a draft).
func (a api) registryEntry(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	id, err := httpapi.PathID(r, "centre_id")
	if err != nil {
		return err
	}
	if err := httpapi.Query(r); err != nil {
		return err
	}
	centre, err := a.admin.RegistryCentre(r.Context(), c, id)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, centre)
	return nil
}

// registry is the officers' list of centres in every status.
func (a api) registry(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
	page, err := httpapi.ListQuery(r, "district", "status")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	district, status := domain.District(q.Get("district")), domain.CentreStatus(q.Get("status"))
	var v apperr.Validation
	if district != "" && !district.Valid() {
		v.Add("district", "区县无效", "not a district")
	}
	switch status {
	case "", domain.CentreDraft, domain.CentreActive, domain.CentreSuspended:
	default:
		v.Add("status", "状态应为 draft、active 或 suspended", "status must be draft, active or suspended")
	}
	if err := v.Err(); err != nil {
		return err
	}
	items, next, err := a.admin.Registry(r.Context(), c, district, status, page)
	if err != nil {
		return err
	}
	httpapi.WriteJSON(w, http.StatusOK, httpapi.ListOf(items, next))
	return nil
}

// edit serves a PATCH of the resource named by the path parameter param:
// the body decoded into In, applied by the caller's service, 200 with what
// it made.
func edit[In, Out any](param string, apply func(context.Context, auth.Caller, string, In) (Out, error)) func(http.ResponseWriter, *http.Request, auth.Caller) error {
	return func(w http.ResponseWriter, r *http.Request, c auth.Caller) error {
		id, err := httpapi.PathID(r, param)
		if err != nil {
			return err
		}
		var in In
		if err := httpapi.DecodeJSON(r, &in); err != nil {
			return err
		}
		out, err := apply(r.Context(), c, id, in)
		if err != nil {
			return err
		}
		httpapi.WriteJSON(w, http.StatusOK, out)
		return nil
	}
}

// withReason serves an action that takes a reason {reason} (cancelling an
// offering, suspending a centre), checked by rule: residents see it on
// every booking it touches.
func withReason[Out any](param string, rule domain.TextRule, act func(context.Context, auth.Caller, string, string) (Out, error)) func(http.ResponseWriter, *http.Request, auth.Caller) error {
	return edit(param, func(ctx context.Context, c auth.Caller, id string, body struct {
		Reason string `json:"reason"`
	}) (Out, error) {
		var v apperr.Validation
		reason := rule.Check(&v, body.Reason)
		if err := v.Err(); err != nil {
			var zero Out
			return zero, err
		}
		return act(ctx, c, id, reason)
	})
}
