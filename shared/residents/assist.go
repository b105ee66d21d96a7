package residents

import (
	"context"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// Actor is whose account a request acts on and who acts: the resident
// (Assist nil) or centre staff at the counter (issue 20). Both go through
// the same code, so the counter keeps every rule online booking keeps and
// takes its place in line by arrival like any other request.
type Actor struct {
	Account string
	Assist  *Assist
}

// Assist is a staff member acting for an account at their centre's
// counter. Everything they do is marked by staff, reaches only the
// centre's offerings and bookings (another centre's are not found), and is
// written with its audit record at the centre, naming both the staff
// member and the account.
type Assist struct {
	Staff    string
	CentreID string
}

// Counter is the actor for staff member staff acting for account at
// centreID, whose management of the centre the caller has checked: the
// centre's link to the account (left by finding it by phone) must be there
// and hold now, else 409 assist_required.
func (s *Service) Counter(ctx context.Context, centreID, account, staff string) (Actor, error) {
	l, err := s.Store.GetAssistLink(ctx, centreID, account)
	if err != nil && !apperr.Is(err, apperr.NotFound) {
		return Actor{}, err
	}
	if err != nil || !l.Holds(s.Now()) {
		return Actor{}, apperr.New(apperr.AssistRequired, "请先用居民的手机号查找账号（居民会收到短信），再代为办理。",
			"Find the resident by phone first (they are told by SMS), then act for them.")
	}
	return Actor{Account: account, Assist: &Assist{Staff: staff, CentreID: centreID}}, nil
}

// by is what the actor's writes are marked by: "staff" at the counter.
func (a *Assist) by() string {
	if a == nil {
		return ""
	}
	return domain.ByStaff
}

// audit is the record of action on target for account, or nil online.
func (a *Assist) audit(action, target, account string, after map[string]any, now time.Time) *store.AuditEntry {
	if a == nil {
		return nil
	}
	if after == nil {
		after = map[string]any{}
	}
	after["account"] = account
	e := store.Audit(a.CentreID, a.Staff, action, target, nil, after, now)
	return &e
}

// reaches reports whether the actor may act on what is at centreID: online
// anywhere, at the counter only at the counter's centre.
func (a *Assist) reaches(centreID string) bool { return a == nil || a.CentreID == centreID }

// RegisterAs registers a participant in who's account (Register); at the
// counter it is marked by staff and audited (assist.participant).
func (s *Participants) RegisterAs(ctx context.Context, who Actor, in domain.NewParticipant) (domain.Participant, error) {
	p, err := domain.Register(ctx, in, who.Account, s.Identities, s.Now())
	if err != nil {
		return p, err
	}
	p.By = who.Assist.by()
	var audit []store.AuditEntry
	if a := who.Assist.audit("assist.participant", p.ID, who.Account, nil, p.CreatedAt); a != nil {
		audit = append(audit, *a)
	}
	return p, s.Store.CreateParticipant(ctx, p, audit...)
}

// ListAs pages through who's bookings (List); at the counter only those at
// the counter's centre.
func (s *Service) ListAs(ctx context.Context, who Actor, status domain.BookingStatus, page paging.Page) ([]domain.Booking, string, error) {
	centre := ""
	if who.Assist != nil {
		centre = who.Assist.CentreID
	}
	bs, next, err := s.Store.ListBookingsAt(ctx, who.Account, centre, status, page)
	if err != nil {
		return nil, "", err
	}
	if err := s.Store.WaitlistPositions(ctx, bs); err != nil {
		return nil, "", err
	}
	return bs, next, nil
}
