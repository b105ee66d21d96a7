package store

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// offeringItem is an offering, counters included. It is in no index: its
// counters change with every booking, and an index projecting them would be
// written at each (DESIGN.md, "What a request costs"); its listing item
// (listingItem) carries its index keys instead.
type offeringItem struct {
	PK, SK        string
	Type          string   `dynamodbav:"type"`
	ID            string   `dynamodbav:"id"`
	Kind          string   `dynamodbav:"kind"`
	CentreID      string   `dynamodbav:"centre_id"`
	CentreName    string   `dynamodbav:"centre_name"`
	District      string   `dynamodbav:"district"`
	Title         string   `dynamodbav:"title"`
	Description   string   `dynamodbav:"description"`
	Term          string   `dynamodbav:"term"`
	StartsOn      string   `dynamodbav:"starts_on"`
	EndsOn        string   `dynamodbav:"ends_on"`
	ScheduleText  string   `dynamodbav:"schedule_text"`
	Sessions      []string `dynamodbav:"sessions,omitempty"`
	Capacity      int      `dynamodbav:"capacity"`
	Confirmed     int      `dynamodbav:"confirmed"`
	Waitlisted    int      `dynamodbav:"waitlisted"`
	Status        string   `dynamodbav:"status"`
	OpensAt       string   `dynamodbav:"opens_at"`
	ClosesAt      string   `dynamodbav:"closes_at"`
	FeeFen        int      `dynamodbav:"fee_fen"`
	MinAge        int      `dynamodbav:"min_age_months"`
	MaxAge        int      `dynamodbav:"max_age_months"`
	MaxPerTerm    int      `dynamodbav:"max_per_term"`
	Waitlist      bool     `dynamodbav:"waitlist_enabled"`
	NoShowMax     int      `dynamodbav:"no_show_max,omitempty"`
	NoShowSeasons []string `dynamodbav:"no_show_seasons,omitempty"`
	CancelReason  string   `dynamodbav:"cancel_reason,omitempty"`
	FullAt        string   `dynamodbav:"full_at,omitempty"`
	// Issue 13: offers and lotteries.
	Offered     int    `dynamodbav:"offered"`
	Allocation  string `dynamodbav:"allocation,omitempty"`
	OfferHours  int    `dynamodbav:"offer_hours,omitempty"`
	AppsOpenAt  string `dynamodbav:"applications_open_at,omitempty"`
	AppsCloseAt string `dynamodbav:"applications_close_at,omitempty"`
	DrawAt      string `dynamodbav:"draw_at,omitempty"`
	DrawnAt     string `dynamodbav:"drawn_at,omitempty"`
	Applicants  int    `dynamodbav:"applicants,omitempty"`
	// The scheduled count of an undrawn lottery's applications (TallyApplicants).
	ApplicantsTally int    `dynamodbav:"applicants_tally,omitempty"`
	TalliedAt       string `dynamodbav:"tallied_at,omitempty"`
	// Issue 14: the round the offering is allocated in.
	RoundID string `dynamodbav:"round_id,omitempty"`
	// Issue 19: present (true) while the offering's centre is suspended; a
	// new booking's write is conditioned on its absence (guardCondition).
	CentreSuspended bool `dynamodbav:"centre_suspended,omitempty"`
}

// publishedSK orders the public catalogue: by kind, district, start date.
func publishedSK(o domain.Offering) string {
	return string(o.Kind) + "#" + string(o.Centre.District) + "#" + o.StartsOn + "#" + o.ID
}

// listingItem is an offering's entry in the indexes: the centre's
// offerings (GSI2), the city's (GSI3) and, while published, the public
// catalogue (GSI1, a sparse index). It holds the keys and the offering's id
// and nothing that a booking changes, so a booking writes no index; a list
// reads the offerings it names (listedOfferings). Every whole write of the
// offering writes it too, when its keys change, in the same transaction.
type listingItem struct {
	PK, SK         string
	GSI1PK, GSI1SK string `dynamodbav:",omitempty"`
	GSI2PK, GSI2SK string
	GSI3PK, GSI3SK string
	Type           string `dynamodbav:"type"`
	ID             string `dynamodbav:"id"`
}

func offeringListing(o domain.Offering) listingItem {
	it := listingItem{
		PK: offeringPK(o.ID), SK: skListing,
		GSI2PK: centrePK(o.Centre.ID), GSI2SK: prefixOffering + o.StartsOn + "#" + o.ID,
		GSI3PK: cityPK(o.Kind), GSI3SK: citySK(o),
		Type: "offering_listing", ID: o.ID,
	}
	// Only published offerings are in the public index (a sparse index).
	if o.Status == domain.OfferingPublished {
		it.GSI1PK, it.GSI1SK = gsiPublished, publishedSK(o)
	}
	return it
}

// listingPut writes o's listing item.
func (st *Store) listingPut(o domain.Offering) (types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(offeringListing(o))
	if err != nil {
		return types.TransactWriteItem{}, classify(err)
	}
	return types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: item}}, nil
}

// offeringItems are o's item and the put of its listing item, which
// carries o's index keys, written together whenever o is written whole.
func (st *Store) offeringItems(o domain.Offering) (map[string]types.AttributeValue, types.TransactWriteItem, error) {
	item, err := attributevalue.MarshalMap(offeringToItem(o))
	if err != nil {
		return nil, types.TransactWriteItem{}, classify(err)
	}
	listing, err := st.listingPut(o)
	return item, listing, err
}

// listedOfferings are the offering items that listing items (read from an
// index) name, in the same order; nil where one is gone. One eventually
// consistent BatchGetItem per 100, as a list read from an index is
// eventually consistent anyway.
func (st *Store) listedOfferings(ctx context.Context, listings []map[string]types.AttributeValue) ([]map[string]types.AttributeValue, error) {
	ids := make([]string, len(listings))
	for i, m := range listings {
		if v, ok := m["id"].(*types.AttributeValueMemberS); ok {
			ids[i] = v.Value
		}
	}
	byID, err := byIDWith(ctx, st, false, ids, func(id string) map[string]types.AttributeValue { return key(offeringPK(id), skOffering) },
		func(m map[string]types.AttributeValue) (string, map[string]types.AttributeValue, error) {
			v, _ := m["id"].(*types.AttributeValueMemberS)
			if v == nil {
				return "", m, nil
			}
			return v.Value, m, nil
		})
	if err != nil {
		return nil, err
	}
	out := make([]map[string]types.AttributeValue, len(ids))
	for i, id := range ids {
		out[i] = byID[id]
	}
	return out, nil
}

func offeringToItem(o domain.Offering) offeringItem {
	it := offeringItem{
		PK: offeringPK(o.ID), SK: skOffering,
		Type: "offering", ID: o.ID, Kind: string(o.Kind), CentreID: o.Centre.ID, CentreName: o.Centre.Name,
		District: string(o.Centre.District), Title: o.Title, Description: o.Description, Term: o.Term,
		StartsOn: o.StartsOn, EndsOn: o.EndsOn, ScheduleText: o.Schedule.Text, Sessions: o.Schedule.Sessions,
		Capacity: o.Capacity, Confirmed: o.Confirmed, Waitlisted: o.Waitlisted, Status: string(o.Status),
		OpensAt: utc(o.BookingOpensAt), ClosesAt: utc(o.BookingClosesAt), FeeFen: o.FeeFen,
		MinAge: o.MinAgeMonths, MaxAge: o.MaxAgeMonths, MaxPerTerm: o.MaxPerParticipantPerTerm,
		Waitlist: o.WaitlistEnabled, CancelReason: o.CancelReason,
		Offered: o.Offered, Allocation: string(o.Allocation), OfferHours: o.OfferHours,
		AppsOpenAt: utcOrEmpty(o.ApplicationsOpenAt), AppsCloseAt: utcOrEmpty(o.ApplicationsCloseAt),
		DrawAt: utcOrEmpty(o.DrawAt), DrawnAt: utcOrEmpty(o.DrawnAt), Applicants: o.Applicants, RoundID: o.RoundID,
		ApplicantsTally: o.ApplicantsTally, TalliedAt: utcOrEmpty(o.TalliedAt), CentreSuspended: o.CentreSuspended,
	}
	if o.FullAt != nil {
		it.FullAt = utc(*o.FullAt)
	}
	if o.NoShowRule != nil {
		it.NoShowMax, it.NoShowSeasons = o.NoShowRule.MaxUnexcused, o.NoShowRule.Seasons
	}
	return it
}

func (it offeringItem) offering() domain.Offering {
	o := domain.Offering{
		ID: it.ID, Kind: domain.Kind(it.Kind),
		Centre: domain.CentreRef{ID: it.CentreID, Name: it.CentreName, District: domain.District(it.District)},
		Title:  it.Title, Description: it.Description, Term: it.Term, StartsOn: it.StartsOn, EndsOn: it.EndsOn,
		Schedule: domain.Schedule{Text: it.ScheduleText, Sessions: it.Sessions},
		Capacity: it.Capacity, Confirmed: it.Confirmed, Waitlisted: it.Waitlisted, Status: domain.OfferingStatus(it.Status),
		BookingOpensAt: parseTime(it.OpensAt), BookingClosesAt: parseTime(it.ClosesAt), FeeFen: it.FeeFen,
		MinAgeMonths: it.MinAge, MaxAgeMonths: it.MaxAge, MaxPerParticipantPerTerm: it.MaxPerTerm,
		WaitlistEnabled: it.Waitlist, CancelReason: it.CancelReason,
		Offered: it.Offered, Allocation: domain.Allocation(it.Allocation), OfferHours: it.OfferHours,
		ApplicationsOpenAt: timeOrNil(it.AppsOpenAt), ApplicationsCloseAt: timeOrNil(it.AppsCloseAt),
		DrawAt: timeOrNil(it.DrawAt), DrawnAt: timeOrNil(it.DrawnAt), Applicants: it.Applicants, RoundID: it.RoundID,
		ApplicantsTally: it.ApplicantsTally, TalliedAt: timeOrNil(it.TalliedAt), CentreSuspended: it.CentreSuspended,
	}
	if o.Allocation == "" {
		o.Allocation = domain.FirstCome
	}
	if it.FullAt != "" {
		t := parseTime(it.FullAt)
		o.FullAt = &t
	}
	if it.NoShowMax > 0 {
		o.NoShowRule = &domain.NoShowRule{MaxUnexcused: it.NoShowMax, Seasons: it.NoShowSeasons}
	}
	return o
}

func unmarshalOffering(m map[string]types.AttributeValue) (domain.Offering, error) {
	var it offeringItem
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return domain.Offering{}, classify(err)
	}
	return it.offering(), nil
}

// PutOffering writes an offering whole, with its listing item; with
// onlyIfNew an existing one is kept. Bookings change an offering's counters
// only through their transactions.
func (st *Store) PutOffering(ctx context.Context, o domain.Offering, onlyIfNew bool) error {
	item, listing, err := st.offeringItems(o)
	if err != nil {
		return err
	}
	put := &types.Put{TableName: &st.table, Item: item}
	if onlyIfNew {
		put.ConditionExpression = aws.String("attribute_not_exists(PK)")
	}
	var t txn
	t.add(onFail{outcome: errKept}, types.TransactWriteItem{Put: put})
	t.add(unconditional, listing)
	if err := st.transact(ctx, &t); err != nil && !errors.Is(err, errKept) {
		return err
	}
	return nil
}

// errKept: PutOffering's offering was there already, and is kept.
var errKept = errors.New("store: offering kept")

// GetOffering reads one offering.
func (st *Store) GetOffering(ctx context.Context, id string) (domain.Offering, error) {
	return get(ctx, st, key(offeringPK(id), skOffering), "offering", unmarshalOffering)
}

// OfferingFilter is the public catalogue's query.
type OfferingFilter struct {
	Kind      domain.Kind
	District  domain.District
	CentreID  string
	Term      string
	AgeMonths *int
	Available bool
}

// ListPublished pages through published offerings in one Query: on the
// centre's partition of GSI2 when a centre is named, else on the published
// index GSI1, whose sort key (kind#district#starts_on) serves kind and
// district as key conditions; the other criteria filter what was read.
func (st *Store) ListPublished(ctx context.Context, f OfferingFilter, page paging.Page) ([]domain.Offering, string, error) {
	p := partition{index: indexGSI1, pk: gsiPublished}
	switch {
	case f.CentreID != "":
		p = partition{index: indexGSI2, pk: centrePK(f.CentreID), prefix: prefixOffering}
	case f.Kind != "" && f.District != "":
		p.prefix = string(f.Kind) + "#" + string(f.District) + "#"
	case f.Kind != "":
		p.prefix = string(f.Kind) + "#"
	}
	filtered := f.CentreID != "" || (f.Kind == "" && f.District != "") || f.Term != "" || f.AgeMonths != nil || f.Available
	var out []domain.Offering
	next, err := st.queryPageOf(ctx, p, page, filtered, st.listedOfferings, func(m map[string]types.AttributeValue) (bool, error) {
		o, err := unmarshalOffering(m)
		if err != nil || !f.matches(o) {
			return false, err
		}
		out = append(out, o)
		return true, nil
	})
	return out, next, err
}

func (f OfferingFilter) matches(o domain.Offering) bool {
	switch {
	case o.Status != domain.OfferingPublished,
		f.Kind != "" && o.Kind != f.Kind,
		f.District != "" && o.Centre.District != f.District,
		f.Term != "" && o.Term != f.Term,
		f.AgeMonths != nil && (*f.AgeMonths < o.MinAgeMonths || *f.AgeMonths > o.MaxAgeMonths),
		f.Available && o.Available() == 0:
		return false
	}
	return true
}
