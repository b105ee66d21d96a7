package seed

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/privacy"
)

// DemoResident is the account whose participants `make run`'s printed curl
// example books for. It has no bookings, so the example always works.
const DemoResident = "demo-resident"

// DemoOpenOffering is an evening course that is open for booking, with
// plenty of places, for which DemoParticipantIDs' adult is eligible.
const DemoOpenOffering = "o-liangxi-ec-02"

// DemoParticipantIDs are DemoResident's participants: an infant (childcare),
// a primary pupil (care classes) and, last, an adult (evening courses, e.g.
// DemoOpenOffering).
func DemoParticipantIDs() []string { return []string{demoInfant, demoPupil, demoAdult} }

const (
	demoInfant = "p-demo-infant"
	demoPupil  = "p-demo-pupil"
	demoAdult  = "p-demo-adult"
)

// How many seeded residents there are: families with children in 36
// accounts, young adults on their own in 4 more.
const (
	families = 36
	singles  = 4
	pupils   = 42 // enough to nearly fill the largest care class
	infants  = 32
)

// resident is a participant to seed and the kind of offering they book.
type resident struct {
	id, account, name string
	kind              domain.Kind
	birth             time.Time
	idNumber          string
}

// regions are Wuxi's ID-number region codes: 梁溪 (old and new codes),
// 锡山, 惠山, 滨湖, 新吴, 江阴, 宜兴.
var regions = []string{"320213", "320205", "320206", "320211", "320214", "320202", "320281", "320282"}

// Common surnames in Wuxi, including local ones (过, 华, 荣, 浦, 堵).
var surnames = []string{"王", "张", "陈", "周", "吴", "徐", "朱", "钱", "孙", "沈", "顾", "华", "蒋", "杨", "黄", "刘", "许", "陆", "邵", "过", "秦", "薛", "荣", "浦", "堵", "丁", "范", "季"}

var (
	menNames        = []string{"建华", "志强", "伟", "磊", "俊杰", "海峰", "晓东", "文斌", "浩", "明辉", "立新", "凯", "宇航", "振宇", "晨", "杰", "涛", "鹏", "斌", "亮"}
	womenNames      = []string{"静", "丽娟", "雯", "婷婷", "晓燕", "敏", "佳", "慧", "倩", "芳", "雪", "琳", "颖", "蕾", "洁", "露", "佳怡", "梦瑶", "欣", "云"}
	elderMenNames   = []string{"建国", "国强", "福生", "德明", "荣根", "志刚", "金宝", "永昌"}
	elderWomenNames = []string{"秀英", "桂英", "玉兰", "美华", "凤英", "月娥", "雪琴", "素珍"}
	boyNames        = []string{"浩宇", "宇轩", "沐阳", "梓睿", "俊熙", "奕辰", "铭泽", "皓轩", "子墨", "一鸣", "景行", "承泽", "思远", "嘉树"}
	girlNames       = []string{"子涵", "一诺", "梓萱", "欣怡", "诗涵", "若曦", "雨桐", "可馨", "安琪", "思彤", "语嫣", "嘉懿", "朵朵", "芊芊"}
)

// population lists everyone to seed, demo account last. Birth dates are set
// relative to the calendar so each fits the kind it books: infants by age on
// the childcare start, pupils on the holiday's start, adults on the evening
// term's start.
func population(cal calendar) []resident {
	var out []resident
	perAccount := map[string]int{}
	add := func(account, name string, kind domain.Kind, birth time.Time, male bool, region string) {
		// A running number keeps every ID number, and so every identity, apart.
		seq := 2 * (len(out) + 1) // even for women, odd for men
		if male {
			seq++
		}
		perAccount[account]++
		out = append(out, resident{
			id:      fmt.Sprintf("p-%s-%d", strings.TrimPrefix(account, "resident-"), perAccount[account]),
			account: account, name: name, kind: kind, birth: birth,
			idNumber: idnumber.Make(region, birth, seq),
		})
	}
	holidayStart := cal.holiday.periods[0].start

	// Children first, handed round the families: every family has a pupil,
	// most also a toddler, a few two pupils.
	type child struct {
		kind  domain.Kind
		birth time.Time
		years int // age in whole years, for the parents' ages
	}
	kids := make([][]child, families)
	for i := range pupils {
		m := 74 + (i*13)%77 // 6y2m..12y6m on the holiday's start
		if i >= families {  // a second pupil: three years from the first
			if m = 74 + ((i-families)*13)%77 + 36; m > 150 {
				m -= 72
			}
		}
		b := holidayStart.AddDate(0, -m, -(i*5)%27)
		kids[i%families] = append(kids[i%families], child{domain.CareClass, b, m / 12})
	}
	for i := range infants {
		var m int
		switch {
		case i < 3:
			m = []int{8, 10, 11}[i]
		case i < 19:
			m = 13 + (i-3)%11
		default:
			m = 25 + (i-19)%11
		}
		b := cal.childcareStart.AddDate(0, -m, -(i*7)%25)
		f := (pupils + i) % families
		kids[f] = append(kids[f], child{domain.Childcare, b, m / 12})
	}

	for f := range families {
		account := fmt.Sprintf("resident-%03d", f+1)
		region := regions[f%len(regions)]
		family := surnames[f%len(surnames)]
		oldest := 0
		for _, k := range kids[f] {
			oldest = max(oldest, k.years)
		}
		// Parents are 28–44, at least 24 years older than their eldest.
		age := min(44, max(28+f%8, oldest+24+f%5))
		adults := 1
		if f%9 == 0 {
			adults = 2
		}
		for a := range adults {
			male := (f+a)%2 == 1
			name := surnames[(f+11)%len(surnames)] + womenNames[(f+a)%len(womenNames)] // mother keeps her own surname
			if male {
				name = family + menNames[(f*3+a)%len(menNames)]
			}
			b := cal.eveningStart.AddDate(-(age + a), 0, -(f*37+a*90)%300)
			add(account, name, domain.EveningCourse, b, male, region)
		}
		for i, k := range kids[f] {
			male := (f+i)%2 == 0
			n := f*5 + i*3 + f/len(girlNames) // no two children share a name
			name := family + girlNames[n%len(girlNames)]
			if male {
				name = family + boyNames[n%len(boyNames)]
			}
			add(account, name, k.kind, k.birth, male, region)
		}
	}
	for s := range singles {
		account := fmt.Sprintf("resident-%03d", families+s+1)
		male := s%2 == 0
		name := surnames[(s*5+3)%len(surnames)] + womenNames[(s*7+2)%len(womenNames)]
		if male {
			name = surnames[(s*5+3)%len(surnames)] + menNames[(s*7+2)%len(menNames)]
		}
		b := cal.eveningStart.AddDate(-(22 + s%7), 0, -(s*41)%300)
		add(account, name, domain.EveningCourse, b, male, regions[s%len(regions)])
	}

	// Grandparents (锡银学堂, 55 and over on the term's first day: 56 to 79
	// on eveningStart, less up to 300 days) in half the families and a few
	// more: enough for a nearly full course of 20. After everyone else, so
	// earlier residents keep their ID numbers.
	for f := range families {
		if f%2 != 0 && f%7 != 1 {
			continue
		}
		account := fmt.Sprintf("resident-%03d", f+1)
		male := f%4 == 0
		name := surnames[f%len(surnames)] + elderWomenNames[f%len(elderWomenNames)]
		if male {
			name = surnames[f%len(surnames)] + elderMenNames[f%len(elderMenNames)]
		}
		b := cal.eveningStart.AddDate(-(56 + (f*7)%24), 0, -(f*29)%300)
		add(account, name, domain.SeniorCourse, b, male, regions[f%len(regions)])
	}

	// The demo family: no bookings, one participant for each kind.
	demo := []struct {
		id, name string
		kind     domain.Kind
		birth    time.Time
		seq      int
	}{
		{demoInfant, "林小满", domain.Childcare, cal.childcareStart.AddDate(0, -18, -9), 902},
		{demoPupil, "林子墨", domain.CareClass, holidayStart.AddDate(-8, 0, -40), 903},
		{demoAdult, "林晓", domain.EveningCourse, cal.eveningStart.AddDate(-32, 0, -75), 904},
	}
	for _, p := range demo {
		out = append(out, resident{id: p.id, account: DemoResident, name: p.name, kind: p.kind, birth: p.birth,
			idNumber: idnumber.Make("320213", p.birth, p.seq)})
	}
	return out
}

// participant is the resident as registered: the ID number kept only as its
// keyed hash and last four characters, as domain.Register would.
// A child under 14 is registered with the guardian's consent to the notice
// in force, as the contract requires.
func (res resident) participant(ctx context.Context, ids domain.Identifier, now time.Time) (domain.Participant, error) {
	identity, err := ids.Identify(ctx, res.idNumber)
	p := domain.Participant{
		ID: res.id, Name: res.name, BirthDate: day(res.birth), IDNumberLast4: idnumber.Last4(res.idNumber),
		CreatedAt: now, Account: res.account, Identity: identity,
	}
	if domain.NeedsConsent(res.birth, now) {
		p.Consent = &domain.Consent{NoticeVersion: privacy.CurrentVersion(), AgreedAt: now}
	}
	return p, err
}
