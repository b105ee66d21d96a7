package openingnight

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/itemcopy"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// token stands for a resident's number in the items registered once for
// all of them (Kin); digits is how a number is written in keys.
const (
	token  = "XTPLX"
	digits = 7
)

func number(i int) string        { return fmt.Sprintf("%0*d", digits, i) }
func accountOf(i int) string     { return "res-" + number(i) }
func participantOf(i int) string { return "pt-" + number(i) }
func offeringOf(i int) string    { return fmt.Sprintf("off_night%03d", i) }
func templateParticipant() (a, p, h string) {
	return "res-" + token, "pt-" + token, "idh-" + token
}

// kin is an item standing for one of many residents' items.
type kin struct {
	pkPre, pkSuf, sk string
	skPre, skSuf     string
	skHas            bool
	n                int
	item             map[string]types.AttributeValue
}

// Kin registers items (written once through the store, for a resident
// numbered token) as standing for n residents' items: the item of resident
// i is the same with token replaced by number(i) everywhere, made when
// first read or written. Seeding 900,000 residents so costs nothing, and
// the stand-in never learns what the items hold: the store decides that.
func (t *Table) Kin(n int, items []map[string]types.AttributeValue) {
	t.mu.Lock()
	defer t.mu.Unlock()
	for _, it := range items {
		pk, sk := keyOf(it)
		pre, suf, ok := strings.Cut(pk, token)
		if !ok {
			continue
		}
		k := kin{pkPre: pre, pkSuf: suf, sk: sk, n: n, item: it}
		k.skPre, k.skSuf, k.skHas = strings.Cut(sk, token)
		t.kin = append(t.kin, k)
	}
}

// kinOf is resident i's item at pk, sk, when a registered kin stands for it.
func (t *Table) kinOf(pk, sk string) map[string]types.AttributeValue {
	for _, k := range t.kin {
		if !strings.HasPrefix(pk, k.pkPre) || !strings.HasSuffix(pk, k.pkSuf) || len(pk) != len(k.pkPre)+digits+len(k.pkSuf) {
			continue
		}
		num := pk[len(k.pkPre) : len(k.pkPre)+digits]
		i, err := strconv.Atoi(num)
		if err != nil || i < 0 || i >= k.n {
			continue
		}
		if k.skHas && sk != k.skPre+num+k.skSuf || !k.skHas && sk != k.sk {
			continue
		}
		return itemcopy.Rewrite(k.item, strings.NewReplacer(token, num))
	}
	return nil
}

// plainSealer keeps personal fields in the clear: KMS is not what an
// opening night contends on (the function caches its data key).
type plainSealer struct{}

func (plainSealer) Seal(_ context.Context, _ string, plain []byte) ([]byte, error) { return plain, nil }
func (plainSealer) Open(_ context.Context, _ string, blob []byte) ([]byte, error)  { return blob, nil }

// seed writes the courses and one resident through the store, with the
// stand-in's limits off, and registers that resident's items for all.
func (m *sim) seed(ctx context.Context) error {
	db, err := store.NewClient(ctx, m.cfg, m.table.Option())
	if err != nil {
		return err
	}
	st := store.New(db, m.cfg.TableName, plainSealer{})
	rnd := m.rnd
	m.courses = make([]course, m.s.Courses)
	return m.table.Unlimited(func() error {
		for i := range m.courses {
			o := nightCourse(i, m.s.SeatsMin+rnd.IntN(m.s.SeatsMax-m.s.SeatsMin+1), m.start)
			m.courses[i] = course{id: o.ID, capacity: o.Capacity}
			if err := st.PutOffering(ctx, o, false); err != nil {
				return fmt.Errorf("seed offering: %w", err)
			}
		}
		a, p, h := templateParticipant()
		err := st.CreateParticipant(ctx, domain.Participant{ID: p, Account: a, Identity: h, Name: "夜校学员 " + token,
			BirthDate: "1990-06-01", IDNumberLast4: "0000", CreatedAt: m.start.Add(-24 * time.Hour)})
		if err != nil {
			return fmt.Errorf("seed resident: %w", err)
		}
		var items []map[string]types.AttributeValue
		m.table.Each(func(it map[string]types.AttributeValue) {
			if pk, _ := keyOf(it); strings.Contains(pk, token) {
				items = append(items, it)
			}
		})
		m.table.Kin(m.s.Residents, items)
		return nil
	})
}

// nightCourse is evening course i, open for booking from opening on.
func nightCourse(i, capacity int, opening time.Time) domain.Offering {
	c := domain.Centre{ID: fmt.Sprintf("ctr_night%02d", i%30), Name: fmt.Sprintf("锡青夜校 %02d", i%30), District: domain.District("liangxi")}
	return domain.Offering{
		ID: offeringOf(i), Kind: domain.EveningCourse, Centre: c.Ref(), Title: fmt.Sprintf("夜校课程 %03d", i), Description: "开夜场",
		Term: "2027-spring", StartsOn: "2027-03-01", EndsOn: "2027-06-30",
		Schedule: domain.Schedule{Text: "每周三 19:00–21:00", Sessions: []string{"2027-03-03"}},
		Capacity: capacity, Status: domain.OfferingPublished,
		BookingOpensAt: opening, BookingClosesAt: opening.Add(30 * 24 * time.Hour),
		MinAgeMonths: 18 * 12, MaxAgeMonths: 80 * 12, WaitlistEnabled: false,
	}
}
