package seed

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/wuxi-enrol/enrol/shared/cityfigures"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// cityTarget is the goal the city views measure: 2,500 net new inclusive
// childcare places in the year before today's. That is the city's plan for
// 2025, the year before the demo began; it moves with the clock, as the
// history does, so that the demo means the same on any day: a whole year
// of ledger behind the target, and no more history to seed as years pass.
func cityTarget(today time.Time) cityfigures.Target {
	y := today.In(domain.CityZone).Year() - 1
	return cityfigures.Target{
		Kind: domain.Childcare, Year: y, Metric: cityfigures.NewPlaces, Target: 2500, Baseline: fmt.Sprintf("%d-01-01", y),
		Title: fmt.Sprintf("%d 年新增普惠性托位 2,500 个 · 2,500 new inclusive childcare places in %d", y, y),
	}
}

// seniorTarget is this year's goal for 锡银学堂: 1,000 new places for
// older residents (the plan names the brand, not a number: the demo's).
func seniorTarget(today time.Time) cityfigures.Target {
	y := today.In(domain.CityZone).Year()
	return cityfigures.Target{
		Kind: domain.SeniorCourse, Year: y, Metric: cityfigures.NewPlaces, Target: 1000, Baseline: fmt.Sprintf("%d-01-01", y),
		Title: fmt.Sprintf("%d 年锡银学堂新增课位 1,000 个 · 1,000 new 锡银学堂 places for older residents in %d", y, y),
	}
}

// SeedActor is who the seed's target changes name (changed_by).
const SeedActor = "seed"

// TargetSetAt is when the seeded target was set, for a seed run on today:
// 10:00 the day before its year began.
func TargetSetAt(today time.Time) time.Time {
	return historyStart(today).AddDate(0, 0, -1).Add(10 * time.Hour)
}

// historyDays is how many daily snapshots before today the seed writes;
// today's is the daily job's.
const historyDays = 365

// historyStart is the ledger's first day: 1 January of last year, the
// target's, so the target is measured over its whole year. No seeded
// offering is published before it: the ledger starts from zero places, as
// if the city began keeping it that day.
func historyStart(today time.Time) time.Time {
	return time.Date(cityTarget(today).Year, time.January, 1, 0, 0, 0, 0, domain.CityZone)
}

// pastID tells the offerings of earlier terms from the current ones
// ("o-binhu-cc-2025-09-2" against "o-binhu-cc-02").
var pastID = regexp.MustCompile(`^o-[a-z]+-(cc|cl|ec|sc)-\d{4}-`)

// cityHistory writes what the city views show of the past: offerings of
// earlier terms, the change ledger of every offering that was ever in
// service, a year of daily snapshots, and the target. The target goes last
// and marks the history complete: once it is there the step writes nothing,
// because the history is derived from now and a later run would add a
// second, shifted one. A run cut short leaves no target, and the next run
// writes the same items again (all keyed deterministically).
func (r *runner) cityHistory(ctx context.Context) error {
	targets, err := r.d.Store.Targets(ctx)
	if err != nil {
		return err
	}
	// Whichever year it was written in: a run in a later year finds it.
	if i := slices.IndexFunc(targets, isCityTarget); i >= 0 {
		r.hist.target = targets[i]
		if err := r.countHistory(ctx); err != nil {
			return err
		}
		r.progress("城市历史已存在 / city history already there: %d 天快照 / snapshots, %d 条名额变动 / ledger entries, %d 个往期项目 / past offerings",
			r.hist.snapshots, r.hist.changes, r.hist.past)
		return nil
	}
	current, err := r.currentOfferings(ctx)
	if err != nil {
		return err
	}
	h, err := planCityHistory(r.cal, current)
	if err != nil {
		return err
	}
	for _, o := range h.past {
		if err := r.d.Store.PutOffering(ctx, o, true); err != nil {
			return fmt.Errorf("offering %s: %w", o.ID, err)
		}
	}
	if err := r.d.Store.RecordChanges(ctx, h.changes); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	if err := r.d.Store.PutSnapshots(ctx, h.snapshots); err != nil {
		return fmt.Errorf("snapshots: %w", err)
	}
	// Set as an officer sets one, so it has its first history entry: by the
	// seed, the day before its year began. 锡银学堂's first: the childcare
	// target marks the history complete. Setting a target to the values it
	// has writes nothing, so a run cut short between them writes it once.
	senior := seniorTarget(r.cal.today)
	if _, err := r.d.Store.SetTarget(ctx, senior, SeedActor, TargetSetAt(r.cal.today).AddDate(1, 0, 0)); err != nil && !errors.Is(err, store.ErrContention) {
		return fmt.Errorf("target: %w", err)
	}
	target := cityTarget(r.cal.today)
	if _, err := r.d.Store.SetTarget(ctx, target, SeedActor, TargetSetAt(r.cal.today)); err != nil && !errors.Is(err, store.ErrContention) {
		return fmt.Errorf("target: %w", err)
	}
	r.hist.target = target
	// What was written is what a fresh store holds; reading it back would
	// cost half a second of the embedded server's scans.
	r.hist.past, r.hist.changes, r.hist.snapshots, r.hist.from = len(h.past), len(h.changes), len(h.snapshots), firstDate(h.changes)
	p := cityfigures.Measure(target, h.changes, day(r.cal.today))
	r.progress("写入城市历史 / city history: %d 天快照 / snapshots（%s 至 %s），%d 条名额变动 / ledger entries（%s 起），%d 个往期项目 / past offerings（人数只在历史快照中 / their bookings only in the history）",
		len(h.snapshots), h.snapshots[0].Date, h.snapshots[len(h.snapshots)-1].Date, len(h.changes), day(h.start), len(h.past))
	r.progress("目标 / target: %s：已完成 / achieved %d（%.1f%%）", target.Title, p.Achieved, p.Progress*100)
	return nil
}

// isCityTarget tells the seeded target (of some year) from others.
func isCityTarget(t cityfigures.Target) bool {
	return t.Kind == domain.Childcare && t.Metric == cityfigures.NewPlaces
}

// currentOfferings reads the seed's current offerings as they stand after
// booking, drafts included (they have no history and are left out later).
func (r *runner) currentOfferings(ctx context.Context) ([]domain.Offering, error) {
	ids := map[string]bool{PastCourse: true}
	for _, s := range offerings {
		ids[s.id] = true
	}
	all, err := r.d.Store.CityOfferings(ctx, day(historyStart(r.cal.today)))
	if err != nil {
		return nil, err
	}
	var out []domain.Offering
	for _, o := range all {
		if ids[o.ID] {
			out = append(out, o)
		}
	}
	if len(out) != len(ids) {
		return nil, fmt.Errorf("city history: found %d of the %d seeded offerings in the city index", len(out), len(ids))
	}
	return out, nil
}

// countHistory reads what the store holds of the history, so that a run
// that skips the step reports what the run that wrote it did.
func (r *runner) countHistory(ctx context.Context) error {
	today := day(r.cal.today)
	all, err := r.d.Store.CityOfferings(ctx, "")
	if err != nil {
		return err
	}
	r.hist.past = 0
	for _, o := range all {
		if pastID.MatchString(o.ID) {
			r.hist.past++
		}
	}
	cs, err := r.d.Store.Changes(ctx, ledgerFloor, today, store.ChangeFilter{})
	if err != nil {
		return err
	}
	sns, err := r.d.Store.Snapshots(ctx, ledgerFloor, today)
	if err != nil {
		return err
	}
	r.hist.changes, r.hist.snapshots, r.hist.from = len(cs), len(sns), firstDate(cs)
	return nil
}

// firstDate is the day of the earliest entry, or "" when there is none.
func firstDate(cs []cityfigures.Change) string {
	first := ""
	for _, c := range cs {
		if first == "" || c.Date < first {
			first = c.Date
		}
	}
	return first
}

// ledgerFloor is a day before any the city could have recorded.
const ledgerFloor = "2000-01-01"

// history is the city's past as the seed writes it.
type history struct {
	start     time.Time
	past      []domain.Offering    // offerings of earlier terms, as they stand now
	lines     []lifeline           // every offering ever in service, past and current
	changes   []cityfigures.Change // the ledger, oldest first
	snapshots []store.Snapshot     // one a day, the historyDays before today
}

// lifeline is one offering's life as the history tells it: when it was
// published and with how many places, how they changed, whether the centre
// cancelled it, and how its booking went. Its ledger entries and its state
// on any past day both come from it, so the two cannot disagree.
type lifeline struct {
	o         domain.Offering // as it stands now
	published time.Time
	opening   int       // places when published
	edits     []edit    // later changes in places, oldest first, none after now
	cancelled time.Time // when the centre cancelled it, or zero
	// Booking opened at opens and closed at closes; confirmed and
	// waitlisted reached peak by settled (a cancelled offering's counters
	// are zero now), the last place going at filled (zero if it never
	// filled).
	opens, closes, filled, settled time.Time
	peak                           [2]int
	changes                        []cityfigures.Change
}

type edit struct {
	at       time.Time
	capacity int
}

// staffOf is the member of staff who edits a centre's offerings; for the
// demo youth hub it is DemoStaff.
func staffOf(centreID string) string { return "staff-" + strings.TrimPrefix(centreID, "c-") }

// ledger derives the line's entries with the production rules: ChangeOf for
// publication, edits and cancellation, EndOf once its last day has passed.
func (l *lifeline) ledger(today string) error {
	actor := staffOf(l.o.Centre.ID)
	v := l.o
	v.Status, v.Capacity = domain.OfferingPublished, l.opening
	c, ok := cityfigures.ChangeOf(domain.Offering{}, v, actor, l.published)
	if !ok {
		return fmt.Errorf("%s: published on %s, which opens no places", l.o.ID, cityfigures.Date(l.published))
	}
	l.changes = []cityfigures.Change{c}
	for _, e := range l.edits {
		next := v
		next.Capacity = e.capacity
		if c, ok = cityfigures.ChangeOf(v, next, actor, e.at); !ok {
			return fmt.Errorf("%s: edit on %s changes no places", l.o.ID, cityfigures.Date(e.at))
		}
		l.changes, v = append(l.changes, c), next
	}
	switch {
	case !l.cancelled.IsZero():
		next := v
		next.Status = domain.OfferingCancelled
		c, ok = cityfigures.ChangeOf(v, next, actor, l.cancelled)
	case l.o.EndsOn < today:
		c, ok = cityfigures.EndOf(l.o)
	default:
		if v.Capacity != l.o.Capacity {
			return fmt.Errorf("%s: the ledger leaves %d places, the offering has %d", l.o.ID, v.Capacity, l.o.Capacity)
		}
		return nil
	}
	if !ok {
		return fmt.Errorf("%s: no entry takes its places out of service", l.o.ID)
	}
	l.changes = append(l.changes, c)
	return nil
}

// on is the offering as it stood at t, the end of day d, and whether its
// places counted then: what its ledger entries up to d leave.
func (l *lifeline) on(d string, t time.Time) (domain.Offering, bool) {
	places := 0
	for _, c := range l.changes {
		if c.Date <= d {
			places = c.After
		}
	}
	if places == 0 {
		return domain.Offering{}, false
	}
	o := l.o
	o.Capacity, o.Status, o.CancelReason = places, domain.OfferingPublished, ""
	if !t.Before(l.closes) {
		o.Status = domain.OfferingClosed
	}
	o.Confirmed, o.Waitlisted = l.booked(t, places)
	return o, true
}

// booked is how many places were confirmed and waiting at t: most bookings
// come soon after opening, the last place goes at filled, and the line
// grows until booking settles. Never more confirmed than capacity: the rest
// wait (or, without a waitlist, were turned away).
func (l *lifeline) booked(t time.Time, capacity int) (confirmed, waitlisted int) {
	if t.Before(l.opens) {
		return 0, 0
	}
	c, w := l.peak[0], l.peak[1]
	switch {
	case !l.filled.IsZero() && !t.Before(l.filled):
		confirmed, waitlisted = c, int(float64(w)*share(t, l.filled, l.settled))
	case !l.filled.IsZero():
		confirmed = min(c-1, int(float64(c)*math.Sqrt(share(t, l.opens, l.filled))))
	default:
		f := share(t, l.opens, l.settled)
		confirmed = int(math.Round(float64(c) * math.Sqrt(f)))
		if f == 1 {
			waitlisted = w
		}
	}
	if confirmed > capacity {
		if l.o.WaitlistEnabled {
			waitlisted += confirmed - capacity
		}
		confirmed = capacity
	}
	if confirmed < capacity {
		waitlisted = 0 // nobody waits beside a free place
	}
	return confirmed, waitlisted
}

// share is how far t is from a to b, 0 to 1.
func share(t, a, b time.Time) float64 {
	if !b.After(a) || !t.Before(b) {
		return 1
	}
	return max(0, float64(t.Sub(a))/float64(b.Sub(a)))
}

// planCityHistory derives the history from the calendar and the current
// offerings as they stand: the earlier terms' offerings, every ledger entry
// and every snapshot. It reads and writes nothing.
func planCityHistory(cal calendar, current []domain.Offering) (history, error) {
	h := history{start: historyStart(cal.today)}
	p := &pastPlanner{cal: cal, start: h.start, centres: map[string]domain.Centre{}}
	for _, c := range centres {
		p.centres[c.ID] = c
	}
	p.childcare()
	p.careClasses()
	p.eveningCourses()
	p.seniorCourses()
	today := day(cal.today)
	for i := range p.lines {
		l := &p.lines[i]
		// The seed books nobody into earlier terms, and an offering's
		// counters are its bookings, so the stored items show none: what
		// they had lives in the snapshots of their days. One still running
		// is in today's figures, which come from its counters, so its
		// history shows none either: no drop between yesterday and today.
		if l.o.EndsOn >= today {
			l.peak, l.filled = [2]int{}, time.Time{}
		}
		o := l.o
		o.Confirmed, o.Waitlisted, o.FullAt = 0, 0, nil
		h.past = append(h.past, o)
	}
	h.lines = p.lines
	for _, o := range current {
		if l, ok := currentLine(cal, o); ok {
			h.lines = append(h.lines, l)
		}
	}
	for i := range h.lines {
		l := &h.lines[i]
		if err := l.ledger(today); err != nil {
			return h, err
		}
		for _, c := range l.changes {
			if c.At.After(cal.now) {
				return h, fmt.Errorf("%s: %s entry dated %s, after now", l.o.ID, c.Reason, c.At)
			}
		}
		h.changes = append(h.changes, l.changes...)
	}
	slices.SortStableFunc(h.changes, func(a, b cityfigures.Change) int { return a.At.Compare(b.At) })
	var os []domain.Offering // reused day to day: Count keeps none of it
	for i := historyDays; i >= 1; i-- {
		d := cal.today.AddDate(0, 0, -i)
		t := at(d, 23).Add(55 * time.Minute)
		os = os[:0]
		for j := range h.lines {
			if o, ok := h.lines[j].on(day(d), t); ok {
				os = append(os, o)
			}
		}
		h.snapshots = append(h.snapshots, store.Snapshot{Date: day(d), TakenAt: t, Tally: cityfigures.Count(os, day(d))})
	}
	return h, nil
}

// Current offerings were published a little before their booking opened
// (longer ahead for nurseries), and three were edited before it opened.
var (
	publishLead  = map[domain.Kind]int{domain.Childcare: 14, domain.CareClass: 10, domain.EveningCourse: 7, domain.SeniorCourse: 7}
	currentEdits = map[string]struct{ daysBeforeOpening, delta int }{
		"o-binhu-cc-03":   {4, +5}, // a second room opened: 20 → 25
		"o-xinwu-cl-01":   {2, +5}, // more volunteers: 45 → 50
		"o-huishan-ec-03": {1, -5}, // a smaller computer room: 45 → 40
	}
)

// currentLine is a current offering's life so far; drafts have none.
func currentLine(cal calendar, o domain.Offering) (lifeline, bool) {
	if o.Status != domain.OfferingPublished && o.Status != domain.OfferingClosed {
		return lifeline{}, false
	}
	l := lifeline{o: o, opening: o.Capacity, opens: o.BookingOpensAt, closes: o.BookingClosesAt}
	l.published = earlier(at(l.opens.AddDate(0, 0, -publishLead[o.Kind]), 9).Add(30*time.Minute), cal.now)
	if e, ok := currentEdits[o.ID]; ok {
		l.opening = o.Capacity - e.delta
		l.edits = []edit{{earlier(at(l.opens.AddDate(0, 0, -e.daysBeforeOpening), 15), cal.now), o.Capacity}}
	}
	l.settled = earlier(l.closes, cal.now)
	if o.FullAt != nil && !o.FullAt.Before(l.opens) {
		l.filled = *o.FullAt
	}
	l.peak = [2]int{o.Confirmed, o.Waitlisted}
	return l, true
}

// pastPlanner builds the offerings of earlier terms: every term since the
// ledger's start whose booking has closed by now, before the seed's current
// terms. Those still running are in service today, as they would be.
type pastPlanner struct {
	cal     calendar
	start   time.Time
	centres map[string]domain.Centre
	lines   []lifeline
}

// planned is a past offering before now decides what has happened to it.
type planned struct {
	spec            offeringSpec
	cal             calendar // the spec's term, for the offering builder
	published, open time.Time
	edits           []edit // planned; those after now have not happened
	cancel          time.Time
	cancelReason    string
	neverFull       bool
	fix             func(*domain.Offering) // title and dates the builder gets wrong for a past term
}

// Early adopters: the districts whose centres took bookings in the
// ledger's first season; the rest joined from the next.
var earlyDistricts = []domain.District{"liangxi", "xishan", "binhu", "xinwu", "jingkai"}

func (p *pastPlanner) centresOf(k domain.Kind) []domain.Centre {
	var out []domain.Centre
	for _, c := range centres {
		if slices.Contains(c.Kinds, k) {
			out = append(out, c)
		}
	}
	return out
}

// specOf is a centre's current offering of a kind, for its fee and group.
func specOf(centreID string, k domain.Kind) offeringSpec {
	for _, s := range offerings {
		if s.centre == centreID && s.kind == k {
			return s
		}
	}
	return offeringSpec{}
}

// add decides a planned offering's fate as of now and keeps it if it is
// history: published since the ledger's start, its booking closed by now.
func (p *pastPlanner) add(pl planned) {
	now := p.cal.now
	o := pl.spec.offering(p.centres[pl.spec.centre], pl.cal)
	if pl.fix != nil {
		pl.fix(&o)
	}
	if pl.published.Before(p.start) || o.BookingClosesAt.After(now) {
		return
	}
	o.BookingOpensAt = pl.open
	l := lifeline{o: o, published: pl.published, opening: o.Capacity, opens: pl.open, closes: o.BookingClosesAt, settled: o.BookingClosesAt}
	for _, e := range pl.edits {
		if !e.at.After(now) {
			l.edits = append(l.edits, e)
			l.o.Capacity = e.capacity
		}
	}
	if !pl.cancel.IsZero() && !pl.cancel.After(now) {
		l.cancelled, l.settled = pl.cancel, pl.cancel
		l.peak[0] = l.o.Capacity * (40 + vary(o.ID, "cancelled", 31)) / 100
		l.o.Status, l.o.CancelReason = domain.OfferingCancelled, pl.cancelReason
		p.lines = append(p.lines, l)
		return
	}
	l.o.Status = domain.OfferingClosed
	p.settle(&l, pl.neverFull)
	p.lines = append(p.lines, l)
}

// settle gives a past offering its final counters, by kind: free holiday
// care classes fill within hours and keep long waitlists, about half the
// evening courses fill, nurseries fill over days or weeks. They shape the
// offering's history only (see planCityHistory): no bookings stand behind
// them, so the stored item keeps none.
func (p *pastPlanner) settle(l *lifeline, neverFull bool) {
	o := &l.o
	id, capacity := o.ID, o.Capacity
	var full bool
	var fill time.Duration
	var maxWait, minShare int
	switch o.Kind {
	case domain.CareClass:
		full, fill, maxWait, minShare = vary(id, "full", 4) != 0, time.Duration(20+vary(id, "fill", 340))*time.Minute, 20, 85
	case domain.EveningCourse:
		full, fill, maxWait, minShare = vary(id, "full", 2) == 0, time.Duration(1+vary(id, "fill", 72))*time.Hour, 14, 55
	case domain.SeniorCourse:
		// Oversubscribed: two in three fill within two days, with long lines.
		full, fill, maxWait, minShare = vary(id, "full", 3) != 0, time.Duration(1+vary(id, "fill", 48))*time.Hour, 18, 70
	default:
		full, fill, maxWait, minShare = vary(id, "full", 3) == 0, time.Duration(1+vary(id, "fill", 20))*24*time.Hour, 6, 70
	}
	if full && !neverFull {
		l.filled = l.opens.Add(fill)
		if n := len(l.edits); n > 0 && l.edits[n-1].capacity > l.opening {
			// The raised places went to the head of the line at once.
			l.filled = l.edits[n-1].at
		}
		filled := l.filled
		o.FullAt, o.Confirmed = &filled, capacity
		if o.WaitlistEnabled {
			o.Waitlisted = 1 + vary(id, "waiting", maxWait)
		}
	} else {
		o.Confirmed = min(capacity-1, capacity*(minShare+vary(id, "share", 99-minShare))/100)
	}
	if l.filled.After(l.settled) {
		l.settled = l.filled
	}
	l.peak = [2]int{o.Confirmed, o.Waitlisted}
}

// vary is a number in [0, n) that depends only on id and what, so every
// run on any day gives a past offering the same figures.
func vary(id, what string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(id + "|" + what))
	return int(h.Sum32() % uint32(n))
}

func earlier(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}

func date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, domain.CityZone)
}

// childcare: nursery intakes in September (a school year, to the next
// August) at every nursery, two groups at most "-01" centres; and spring
// intakes in March (to August): at four pioneers in the ledger's first
// year, an infant group at one community nursery after. Four community
// nurseries' groups change size each autumn.
func (p *pastPlanner) childcare() {
	first := p.start.Year()
	for y := first; y <= p.cal.today.Year(); y++ {
		for _, start := range []time.Time{date(y, time.March, 1), date(y, time.September, 1)} {
			if !start.Before(p.cal.childcareStart) {
				continue
			}
			spring := start.Month() == time.March
			lead, open := 84, 70
			if spring {
				lead, open = 45, 35
			}
			n := map[domain.District]int{}
			for _, c := range p.centresOf(domain.Childcare) {
				cur := specOf(c.ID, domain.Childcare)
				var groups []ageGroup
				community := strings.HasSuffix(c.ID, "-02")
				switch {
				case spring && y == first:
					if !community && slices.Contains(earlyDistricts[:4], c.District) {
						groups = []ageGroup{toddlers}
					}
				case spring:
					if community && c.District == "huishan" {
						groups = []ageGroup{babies}
					}
				case community:
					groups = []ageGroup{cur.group}
				case c.District == "jiangyin" || c.District == "yixing":
					groups = []ageGroup{toddlers}
				default:
					groups = []ageGroup{toddlers, twos}
				}
				for _, g := range groups {
					n[c.District]++
					id := fmt.Sprintf("o-%s-cc-%s-%d", c.District, start.Format("2006-01"), n[c.District])
					base := map[string][2]int{"乳儿班": {10, 3}, "托小班": {15, 6}, "托大班": {20, 6}, "混龄班": {20, 6}}[g.name]
					capacity := base[0] + vary(id, "capacity", base[1])
					if spring && g.name == "托小班" {
						capacity = 12 + vary(id, "capacity", 4)
					}
					fee := cur.fee
					for _, s := range offerings {
						if s.centre == c.ID && s.group.name == g.name {
							fee = s.fee
						}
					}
					cal := p.cal
					cal.childcareStart = start
					pl := planned{
						spec: offeringSpec{id: id, centre: c.ID, kind: domain.Childcare, group: g, capacity: capacity, fee: fee, noWaitlist: g.name == "乳儿班"},
						cal:  cal, published: at(start.AddDate(0, 0, -lead), 9).Add(30 * time.Minute), open: at(start.AddDate(0, 0, -open), 10),
					}
					if spring {
						pl.fix = func(o *domain.Offering) {
							o.EndsOn = day(date(y, time.August, 31))
							o.Description = "春季插班，学期至 8 月底。" + o.Description
						}
					}
					switch {
					case spring || !community:
					case c.District == "binhu" || c.District == "xinwu" || c.District == "jiangyin":
						// A second room opened in the autumn: five more places.
						pl.edits = []edit{{at(start.AddDate(0, 0, 44), 14), capacity + 5}}
					case c.District == "yixing":
						// A room closed for repairs: three places fewer.
						pl.spec.capacity += 3
						pl.edits = []edit{{at(start.AddDate(0, 0, 99), 14), capacity}}
						pl.neverFull = true
					}
					p.add(pl)
				}
			}
		}
	}
}

// careClasses: the summer holiday (every site, one of the two periods,
// alternating by year) and the winter one (four sites, the first week),
// before the seed's current holiday. The 惠山 site called off its winter
// classes in the ledger's second year for building works; the 新吴 site
// adds five places each summer.
func (p *pastPlanner) careClasses() {
	for y := p.start.Year(); y <= p.cal.today.Year(); y++ {
		winter := makeHoliday("寒假", onOrAfter(date(y, time.January, 19), time.Monday), 1)
		summer := makeHoliday("暑期", onOrAfter(date(y, time.July, 6), time.Monday), 3)
		for _, h := range []holiday{winter, summer} {
			start := h.periods[0].start
			if !start.Before(p.cal.holiday.periods[0].start) {
				continue
			}
			for i, c := range p.centresOf(domain.CareClass) {
				period := (i + y) % 2
				if h.name == "寒假" {
					if !slices.Contains([]domain.District{"liangxi", "huishan", "xinwu", "yixing"}, c.District) {
						continue
					}
					period = 0
				}
				cur := specOf(c.ID, domain.CareClass)
				id := fmt.Sprintf("o-%s-cl-%s-%d", c.District, h.term, period+1)
				cal := p.cal
				cal.holiday = h
				open := at(start.AddDate(0, 0, -28), 10)
				pl := planned{
					spec: offeringSpec{id: id, centre: c.ID, kind: domain.CareClass, period: period, capacity: cur.capacity, fee: cur.fee, noWaitlist: cur.noWaitlist},
					cal:  cal, published: at(start.AddDate(0, 0, -35), 9).Add(30 * time.Minute), open: open,
					fix: func(o *domain.Offering) {
						o.Title = fmt.Sprintf("七彩公益安心托班 · %d年%s第%s期", y, h.name, []string{"一", "二"}[period])
					},
				}
				switch {
				case h.name == "寒假" && c.District == "huishan" && y == p.start.Year()+1:
					pl.cancel, pl.cancelReason = at(start.AddDate(0, 0, -9), 11), "托班场地改造，本期暂停开班，已报名家庭均已电话通知。"
				case h.name == "暑期" && c.District == "xinwu":
					pl.spec.capacity = 45
					pl.edits = []edit{{open.AddDate(0, 0, 1), 50}}
				}
				p.add(pl)
			}
		}
	}
}

// eveningCourses: spring and autumn terms of eight weekly sessions, before
// the seed's current term: the early hubs in the first term, every hub
// after, one course each from earlierCourses. The 锡山 hub called off its
// spring course in the ledger's second year when the teacher moved away;
// the 江阴 hub's autumn courses add six seats two days into booking.
func (p *pastPlanner) eveningCourses() {
	p.pastTerms(func(term, y int, start, published time.Time) {
		spring := start.Month() == time.March
		for _, c := range p.centresOf(domain.EveningCourse) {
			if term == 0 && !slices.Contains(earlyDistricts, c.District) {
				continue
			}
			course := earlierCourses[c.District][term%len(earlierCourses[c.District])]
			pl := p.pastCourse(c, "ec", domain.EveningCourse, course, start, published)
			switch {
			case spring && c.District == "xishan" && y == p.start.Year()+1:
				pl.cancel, pl.cancelReason = at(start.AddDate(0, 0, -6), 11), "授课老师工作调动，本期课程取消，已报名学员均已退订。"
			case !spring && c.District == "jiangyin":
				pl.edits = []edit{{pl.open.AddDate(0, 0, 2).Add(-time.Hour), course.capacity + 6}}
			}
			p.add(pl)
		}
	})
}

// pastTerms calls each with the spring and autumn terms (weekly courses)
// of the ledger's years before the current one, counted from 0, with the
// day each was published.
func (p *pastPlanner) pastTerms(each func(term, year int, start, published time.Time)) {
	term := 0
	for y := p.start.Year(); y <= p.cal.today.Year(); y++ {
		for _, start := range []time.Time{onOrAfter(date(y, time.March, 2), time.Monday), onOrAfter(date(y, time.September, 14), time.Monday)} {
			published := at(start.AddDate(0, 0, -24), 9).Add(30 * time.Minute)
			if published.Before(p.start) || !start.Before(p.cal.eveningStart) || termOf(start) == p.cal.eveningTerm {
				continue
			}
			each(term, y, start, published)
			term++
		}
	}
}

// pastCourse is a weekly course of an earlier term at centre c (code: ec
// or sc in its id), open for booking 17 days before it starts.
func (p *pastPlanner) pastCourse(c domain.Centre, code string, kind domain.Kind, course earlierCourse, start, published time.Time) planned {
	cal := p.cal
	cal.eveningStart, cal.eveningTerm = start, termOf(start)
	return planned{
		spec: offeringSpec{id: fmt.Sprintf("o-%s-%s-%s", c.District, code, termOf(start)), centre: c.ID, kind: kind, title: course.title, desc: course.desc,
			weekday: course.weekday, hours: course.hours, capacity: course.capacity, fee: course.fee},
		cal: cal, published: published, open: at(start.AddDate(0, 0, -17), 10),
	}
}

// seniorCourses: the 锡银学堂 sites' courses of the same spring and autumn
// terms as the evening courses (they ran, booked by phone and at the desk,
// before they were offered here), one each from earlierSeniorCourses.
func (p *pastPlanner) seniorCourses() {
	p.pastTerms(func(term, _ int, start, published time.Time) {
		for _, c := range p.centresOf(domain.SeniorCourse) {
			p.add(p.pastCourse(c, "sc", domain.SeniorCourse, earlierSeniorCourses[term%len(earlierSeniorCourses)], start, published))
		}
	})
}

// earlierSeniorCourses are the 锡银学堂 courses of earlier terms, taken in turn.
var earlierSeniorCourses = []earlierCourse{
	{"书法：隶书入门", "临写《曹全碑》，讲笔法与结构，笔墨纸由学堂提供。", time.Tuesday, "9:00–11:00", 24, 0},
	{"太极拳：八式入门", "八式太极拳与站桩，动作舒缓，适合初学者。请穿平底鞋。", time.Monday, "8:30–10:00", 40, 0},
	{"智能手机：视频通话与网上办事", "微信视频、扫码支付、网上挂号和防诈骗，志愿者一对一辅导。请带上自己的手机。", time.Wednesday, "14:00–15:30", 30, 0},
}

type earlierCourse struct {
	title, desc   string
	weekday       time.Weekday
	hours         string
	capacity, fee int
}

// earlierCourses are each youth hub's courses of earlier terms, taken in turn.
var earlierCourses = map[domain.District][]earlierCourse{
	"liangxi": {
		{"锡剧唱段入门", "跟锡剧院青年演员学唱《珍珠塔》《双推磨》选段，了解锡剧的行当、身段和伴奏。", time.Monday, "19:00–21:00", 30, 0},
		{"手机摄影：拍出运河烟火气", "夜拍清名桥与南长街：构图、弱光和人像，结课作品在街道文化站展出。请自带手机。", time.Thursday, "19:00–21:00", 25, 5000},
		{"围棋入门：黑白之间", "从吃子、死活到布局，每节课后与同学对弈，棋具由夜校提供。", time.Tuesday, "19:00–21:00", 24, 8000},
	},
	"xishan": {
		{"尤克里里弹唱", "四根弦学会伴奏，一学期弹唱 4 首流行歌曲。琴可借用。", time.Wednesday, "19:00–21:00", 24, 12000},
		{"Python 编程入门", "用 Python 处理表格、批量改文件名、画图表，零基础可学。请自带笔记本电脑。", time.Tuesday, "19:00–21:00", 30, 0},
		{"羽毛球进阶训练", "由区体校教练授课：步法、高远球、网前小球和双打站位。请穿运动鞋。", time.Saturday, "14:00–16:00", 20, 8000},
	},
	"huishan": {
		{"无锡点心：玉兰饼与小笼", "跟点心师傅学做玉兰饼、小笼馒头和惠山油酥，每节课带走自己的作品。材料费已含在课程费中。", time.Thursday, "19:00–21:00", 20, 20000},
		{"太极拳（二十四式）", "在惠山古镇旁的青年发展中心学练二十四式太极拳，讲解呼吸与站桩。", time.Saturday, "8:30–10:00", 40, 0},
		{"情绪与压力管理", "由心理咨询师带领，认识焦虑与倦怠，练习正念和沟通技巧。", time.Wednesday, "19:00–20:30", 40, 0},
	},
	"binhu": {
		{"桨板与皮划艇体验", "蠡湖水上运动中心教练带队：安全、划桨和落水自救，全程配救生衣。", time.Saturday, "9:00–11:30", 20, 15000},
		{"水彩手绘：画一座太湖边的城", "从线稿、淡彩到湿画法，写生蠡园和渤公岛。画材由夜校提供。", time.Tuesday, "19:00–21:00", 24, 12000},
		{"AI 绘画与设计入门", "用 AI 工具做海报、插画和短视频封面，也讲版权与伦理。请自带笔记本电脑。", time.Thursday, "19:00–21:00", 30, 5000},
	},
	"xinwu": {
		{"日语五十音与旅行会话", "假名、发音和旅行常用会话，园区日企志愿者陪练。", time.Monday, "19:00–21:00", 30, 10000},
		{"飞盘入门与团队赛", "传接盘、跑位和极限飞盘规则，结课打一场团队赛。", time.Saturday, "15:00–17:00", 30, 0},
		{"脱口秀写作与表演", "找梗、写段子、上开放麦，结课在旺庄青年之家演出。", time.Friday, "19:30–21:30", 24, 5000},
	},
	"jingkai": {
		{"宋式点茶与茶百戏", "击拂、咬盏和在茶汤上作画，体验宋人的雅趣。茶具由夜校提供。", time.Wednesday, "19:00–21:00", 20, 15000},
		{"汉服礼仪与传统妆造", "汉服形制、揖礼和发髻，结课在尚贤河湿地拍一组古风照片。", time.Saturday, "14:00–16:30", 24, 10000},
		{"城市跑团：5 公里到半马", "跑姿、配速和拉伸，每周沿尚贤河夜跑，目标无锡马拉松半程。", time.Tuesday, "19:00–20:30", 40, 0},
	},
	"jiangyin": {
		{"江阴家常菜：从长江三鲜说起", "跟大厨学做江阴家常菜和时令江鲜（不用禁捕品种），材料费已含在课程费中。", time.Thursday, "19:00–21:00", 20, 25000},
		{"吉他指弹", "指法、和弦转换和两首指弹曲，琴可借用。", time.Tuesday, "19:00–21:00", 24, 15000},
		{"摄影：长江岸线与黄山湖", "风光与人文摄影，外拍鹅鼻嘴公园和黄山湖。相机、手机均可。", time.Saturday, "8:30–11:30", 30, 5000},
	},
	"yixing": {
		{"宜兴均陶堆花体验", "跟工艺师学均陶堆花，完成一件花器，由夜校统一烧制。", time.Saturday, "14:00–17:00", 20, 20000},
		{"竹海徒步与自然笔记", "周末走竹海和龙池山步道，认识植物、鸟类并画自然笔记。", time.Saturday, "8:30–11:30", 30, 0},
		{"宜兴乌米饭与时令点心", "乌米饭、百合糕和青团，跟阿姨们学做宜兴时令点心。材料费已含在课程费中。", time.Thursday, "19:00–21:00", 20, 15000},
	},
}
