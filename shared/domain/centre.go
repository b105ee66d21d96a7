package domain

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/wuxi-enrol/enrol/shared/apperr"
)

// CentreStatus is where a centre stands in the registry (issue 19).
type CentreStatus string

// Centre states: a centre is registered as a draft (its offerings may be
// prepared, not published), activated by an officer, and may be suspended
// (its published offerings close to new bookings; what is booked stands)
// and reinstated.
const (
	CentreDraft     CentreStatus = "draft"
	CentreActive    CentreStatus = "active"
	CentreSuspended CentreStatus = "suspended"
)

// Location is a centre's coordinates (WGS-84 as the map apps give them).
type Location struct {
	Lat float64 `json:"lat"`
	Lng float64 `json:"lng"`
}

// Wuxi's bounds with a margin: the city and its two county-level cities lie
// within about 31.1–32.0 N, 119.5–120.6 E. A point outside is a typo or
// swapped coordinates, not a centre of ours.
const (
	minLat, maxLat = 31.0, 32.2
	minLng, maxLng = 119.3, 120.8
)

// The registry's free-text fields.
var (
	CentreNameText    = TextRule{Field: "name", ZH: "机构名称", Min: 2, Max: 60}
	CentreAddressText = TextRule{Field: "address", ZH: "地址", Min: 4, Max: 200}
	SuspendReasonText = TextRule{Field: "reason", ZH: "暂停原因", Min: 1, Max: 500}
)

var (
	// 托育机构备案号 or school id: letters, digits and dashes.
	licencePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9-]{2,38}[A-Za-z0-9]$`)
	// A mainland mobile (11 digits from 13–19) or a landline with its area
	// code (0510-8xxxxxxx; the dash and an extension optional).
	mobilePattern   = regexp.MustCompile(`^1[3-9][0-9]{9}$`)
	landlinePattern = regexp.MustCompile(`^0[1-9][0-9]{1,2}-?[2-9][0-9]{6,7}(-[0-9]{1,6})?$`)
)

// NewCentre is what an officer registers.
type NewCentre struct {
	Name      string    `json:"name"`
	District  District  `json:"district"`
	LicenceNo string    `json:"licence_no"`
	Address   string    `json:"address"`
	Phone     string    `json:"phone"`
	Kinds     []Kind    `json:"kinds"`
	Location  *Location `json:"location"`
}

// CreateCentre validates in and makes the draft centre id (made by the
// caller, as every id is, e.g. NewID("c", now)) at now.
func CreateCentre(in NewCentre, id string, now time.Time) (Centre, error) {
	var v apperr.Validation
	c := Centre{ID: id, District: in.District, Status: CentreDraft, CreatedAt: &now, UpdatedAt: &now}
	c.Name = CentreNameText.Check(&v, in.Name)
	if !in.District.Valid() {
		v.Add("district", "区县应为 "+districtList(), "district must be one of "+districtList())
	}
	c.LicenceNo = checkLicence(&v, in.LicenceNo)
	c.Address = CentreAddressText.Check(&v, in.Address)
	c.Phone = checkPhone(&v, in.Phone)
	c.Kinds = checkKinds(&v, in.Kinds)
	c.Location = checkLocation(&v, in.Location)
	return c, v.Err()
}

// CentrePatch is an officer's edit of a centre; absent fields stay.
// Location: absent keeps it, null clears it (Location set, ClearLocation).
// Status may only be "active": activating a draft or reinstating a
// suspended centre. The district is not editable: the centre's offerings,
// ledger entries and officers are the district's.
type CentrePatch struct {
	Name      *string       `json:"name"`
	LicenceNo *string       `json:"licence_no"`
	Address   *string       `json:"address"`
	Phone     *string       `json:"phone"`
	Kinds     *[]Kind       `json:"kinds"`
	Location  OptLocation   `json:"location"`
	Status    *CentreStatus `json:"status"`
	District  *District     `json:"district"`
}

// OptLocation tells an absent location (Set false) from null (Set, Value nil).
type OptLocation struct {
	Set   bool
	Value *Location
}

// UnmarshalJSON is called only when the member is present (null included).
func (o *OptLocation) UnmarshalJSON(b []byte) error {
	o.Set = true
	if string(b) == "null" {
		o.Value = nil
		return nil
	}
	var l Location
	if err := json.Unmarshal(b, &l); err != nil {
		return err
	}
	o.Value = &l
	return nil
}

// Apply is c with p applied at now; a status change (activate or
// reinstate) is validated here, its consequences are the caller's.
func (p CentrePatch) Apply(c Centre, now time.Time) (Centre, error) {
	var v apperr.Validation
	out := c
	if p.Name != nil {
		out.Name = CentreNameText.Check(&v, *p.Name)
	}
	if p.LicenceNo != nil {
		out.LicenceNo = checkLicence(&v, *p.LicenceNo)
	}
	if p.Address != nil {
		out.Address = CentreAddressText.Check(&v, *p.Address)
	}
	if p.Phone != nil {
		out.Phone = checkPhone(&v, *p.Phone)
	}
	if p.Kinds != nil {
		out.Kinds = checkKinds(&v, *p.Kinds)
	}
	if p.Location.Set {
		out.Location = checkLocation(&v, p.Location.Value)
	}
	if p.District != nil && *p.District != c.District {
		v.Add("district", "机构所属区县不能修改", "district cannot be changed")
	}
	if p.Status != nil && *p.Status != c.Status {
		switch {
		case *p.Status == CentreActive && (c.Status == CentreDraft || c.Status == CentreSuspended):
			out.Status = CentreActive
			out.SuspendedReason, out.SuspendedAt = "", nil
		default:
			v.Add("status", "机构状态不能从 "+string(c.Status)+" 改为 "+string(*p.Status)+"（暂停请用 suspend）",
				"status cannot change from "+string(c.Status)+" to "+string(*p.Status)+" (suspend has its own route)")
		}
	}
	if err := v.Err(); err != nil {
		return c, err
	}
	out.UpdatedAt = &now
	return out, nil
}

// Suspend is c suspended at now for reason (already checked); only an
// active centre can be suspended.
func (c Centre) Suspend(reason string, now time.Time) (Centre, error) {
	if c.Status != CentreActive {
		return c, apperr.New(apperr.Conflict, "只有已启用的机构可以暂停，当前状态："+string(c.Status),
			"Only an active centre can be suspended; it is "+string(c.Status))
	}
	c.Status, c.SuspendedReason, c.SuspendedAt, c.UpdatedAt = CentreSuspended, reason, &now, &now
	return c, nil
}

// Public reports whether residents may see the centre: a draft is the
// officers' business until activated; a suspended one shows, with its status.
func (c Centre) Public() bool { return c.Status != CentreDraft }

// CanPublish refuses publishing an offering of a centre that is not active:
// 409 centre_not_active.
func (c Centre) CanPublish() error {
	if c.Status == CentreActive {
		return nil
	}
	return apperr.New(apperr.CentreNotActive, "机构尚未启用或已暂停（"+string(c.Status)+"），其项目不能发布",
		"The centre is not active ("+string(c.Status)+"): its offerings cannot be published")
}

func checkLicence(v *apperr.Validation, s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		v.Add("licence_no", "请填写托育机构备案号或学校标识码", "licence_no is required")
	case !licencePattern.MatchString(s):
		v.Add("licence_no", "备案号应为 4–40 位字母、数字或连字符", "licence_no must be 4–40 letters, digits or dashes")
	}
	return s
}

func checkPhone(v *apperr.Validation, s string) string {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		v.Add("phone", "请填写联系电话", "phone is required")
	case !mobilePattern.MatchString(s) && !landlinePattern.MatchString(s):
		v.Add("phone", "电话应为 11 位手机号或带区号的固定电话（如 0510-82345678）",
			"phone must be a mainland mobile (11 digits) or a landline with its area code (e.g. 0510-82345678)")
	}
	return s
}

func checkKinds(v *apperr.Validation, kinds []Kind) []Kind {
	if len(kinds) == 0 {
		v.Add("kinds", "请至少选择一种项目类型", "kinds must name at least one kind")
		return []Kind{}
	}
	out := []Kind{}
	for _, k := range Kinds { // fixed order, no duplicates
		if slices.Contains(kinds, k) {
			out = append(out, k)
		}
	}
	for _, k := range kinds {
		if !k.Valid() {
			v.Add("kinds", "项目类型应为 "+kindList(), "kinds must be among "+kindList())
			break
		}
	}
	return out
}

func checkLocation(v *apperr.Validation, l *Location) *Location {
	if l == nil {
		return nil
	}
	if l.Lat < minLat || l.Lat > maxLat || l.Lng < minLng || l.Lng > maxLng {
		v.Add("location", fmt.Sprintf("坐标不在无锡范围内（纬度 %.1f–%.1f，经度 %.1f–%.1f），请检查是否填反", minLat, maxLat, minLng, maxLng),
			fmt.Sprintf("location is not in or near Wuxi (lat %.1f–%.1f, lng %.1f–%.1f); are lat and lng swapped?", minLat, maxLat, minLng, maxLng))
	}
	c := *l
	return &c
}

func districtList() string {
	s := make([]string, len(Districts))
	for i, d := range Districts {
		s[i] = string(d)
	}
	return strings.Join(s, ", ")
}

func kindList() string {
	s := make([]string, len(Kinds))
	for i, k := range Kinds {
		s[i] = string(k)
	}
	return strings.Join(s, ", ")
}
