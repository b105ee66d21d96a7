// Package tablecheck reads a whole enrol table and checks the invariants
// that "no partial write" and "nobody oversold" rest on (shared/store/DESIGN.md,
// "Why the booking write is safe", "Centre staff's writes", "The ledger"):
// the offering's counters equal its bookings, every active booking holds its
// person's marker and term counter (both on its PERSON item) and (waiting)
// place in line and nothing else holds them, a no-show block is whole,
// idempotency records name bookings that exist, the ledger adds
// up to each offering's places and every staff change in places has its
// audit record. It reads with Scan, which no request path uses: it is for a
// restore drill and for tests, not for serving.
package tablecheck

import (
	"cmp"
	"context"
	"fmt"
	"io"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
)

// Rules a violation can break; each is one line of the report.
const (
	RuleCounters    = "counters"     // an offering's confirmed/waitlisted/offered differ from its bookings
	RuleCapacity    = "capacity"     // confirmed + offered > capacity, or a counter below zero
	RuleWaitlist    = "waitlist"     // WAIT# entries and waitlisted bookings not one to one
	RuleMarker      = "marker"       // PERSON items' held#<offering> (one-per-offering markers) and active bookings not one to one
	RuleTermCounter = "term_counter" // PERSON's active#<kind>#<term> differs from the person's active bookings, or a TERM# item of the layout before
	RuleTermLimit   = "term_limit"   // more active bookings in a term than an offering held allows
	RuleIdempotency = "idempotency"  // a record names a booking or application that is not there
	RuleOfferIndex  = "offer_index"  // an offered booking outside the offers index, or another inside it
	RuleLedger      = "ledger"       // an offering's ledger does not add up to its places
	RuleAudit       = "audit"        // a staff change without its audit record
	RuleListing     = "listing"      // an offering's listing item missing, its index keys not the offering's, or an offering in an index
	RuleBlock       = "block"        // a no-show block on a PERSON item without its date, count or cause, or a part left of one
	RulePerson      = "person"       // a live participant not named on its identity's PERSON item (live#<account>), a name of none, or a verification of no participant
)

// Violation is one broken invariant and the items that show it.
type Violation struct {
	Rule   string
	Keys   []string // "PK | SK" of each item involved
	Detail string
}

// Report is what a check found.
type Report struct {
	Table      string
	Items      int
	ByType     map[string]int
	Offerings  int
	Bookings   map[string]int // by status
	Violations []Violation
}

// OK reports whether no invariant is broken.
func (r Report) OK() bool { return len(r.Violations) == 0 }

// Count is the number of violations of rule.
func (r Report) Count(rule string) int {
	n := 0
	for _, v := range r.Violations {
		if v.Rule == rule {
			n++
		}
	}
	return n
}

// Options adjust a check.
type Options struct {
	// Now: idempotency records that expired before it are left out (DynamoDB's
	// TTL deletes them within days, and the store treats them as gone), and
	// an active booking of an offering that ended before its day may have
	// lost its hold (the daily pass releases them). Zero: every record is
	// checked, and only a listing's holds_released_on excuses a hold.
	Now time.Time
}

// Run scans table and checks it.
func Run(ctx context.Context, db dynamodb.ScanAPIClient, table string, o Options) (Report, error) {
	items, err := Scan(ctx, db, table)
	if err != nil {
		return Report{}, err
	}
	r := Check(items, o)
	r.Table = table
	return r, nil
}

// Scan reads every item of table, page by page, strongly consistently (a
// check right after a burst must see every write acknowledged).
func Scan(ctx context.Context, db dynamodb.ScanAPIClient, table string) ([]map[string]types.AttributeValue, error) {
	var items []map[string]types.AttributeValue
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: aws.String(table), ConsistentRead: aws.Bool(true)})
	for p.HasMorePages() {
		out, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("scan %s: %w", table, err)
		}
		items = append(items, out.Items...)
	}
	return items, nil
}

// item is one table item with its keys read out.
type item struct {
	pk, sk string
	m      map[string]types.AttributeValue
}

func (it item) key() string { return it.pk + " | " + it.sk }

func (it item) str(name string) string {
	if v, ok := it.m[name].(*types.AttributeValueMemberS); ok {
		return v.Value
	}
	return ""
}

// num is a number attribute; absent counts as 0 (offered on offerings
// written before offers existed).
func (it item) num(name string) int64 {
	if v, ok := it.m[name].(*types.AttributeValueMemberN); ok {
		n, _ := strconv.ParseInt(v.Value, 10, 64)
		return n
	}
	return 0
}

// Booking states, as shared/domain spells them; the first three are active.
const (
	confirmed  = "confirmed"
	waitlisted = "waitlisted"
	offered    = "offered"
)

func active(status string) bool {
	return status == confirmed || status == waitlisted || status == offered
}

// typeOf names an item's kind from its keys (DESIGN.md's table of items).
func typeOf(pk, sk string) string {
	pkp, _, _ := strings.Cut(pk, "#")
	skp, _, _ := strings.Cut(sk, "#")
	switch pkp + "/" + skp {
	case "OFFERING/OFFERING":
		return "offering"
	case "OFFERING/LISTING":
		return "offering listing"
	case "OFFERING/WAIT":
		return "waitlist place"
	case "ACCOUNT/BOOKING":
		return "booking"
	case "ACCOUNT/IDEMPOTENCY":
		return "idempotency record"
	case "IDENTITY/TERM":
		return "term counter"
	case "IDENTITY/PERSON":
		return "person"
	case "CENTRE/AUDIT":
		return "audit record"
	case "OFFERING/ATTENDANCE":
		return "attendance day"
	case "CENTRE/CENTRE":
		return "centre"
	case "ACCOUNT/PARTICIPANT":
		return "participant"
	case "ACCOUNT/APPLICATION":
		return "application"
	}
	if !strings.Contains(pk, "#") {
		return strings.ToLower(pk) // LEDGER, SNAPSHOT, TARGET, KEYRING, DEADLETTER
	}
	if strings.Trim(skp, "ABCDEFGHIJKLMNOPQRSTUVWXYZ_") != "" {
		return strings.ToLower(pkp) // a sort key that is an id: notices, applicants
	}
	return strings.ToLower(pkp) + " " + strings.ToLower(skp)
}

// uniqueSuffix is the random suffix of a ledger entry or audit record a
// staff transaction writes (ledgerSK, auditPut): the system's and the
// seed's entries end in their reason instead.
var uniqueSuffix = regexp.MustCompile(`#[0-9a-f]{8}$`)

// Check checks items, a whole table.
func Check(raw []map[string]types.AttributeValue, o Options) Report {
	r := Report{Items: len(raw), ByType: map[string]int{}, Bookings: map[string]int{}}
	c := checker{r: &r, o: o,
		offerings: map[string]item{}, listings: map[string]item{}, bookings: map[string]item{}, byOffering: map[string][]item{},
		waits: map[string][]item{}, markers: map[string]item{}, terms: map[string]item{},
		audits: map[string][]item{}, byCentre: map[string][]item{}, ledger: map[string][]item{}, apps: map[string]bool{},
		people: map[string]item{}, participants: map[string]item{}}
	for _, m := range raw {
		it := item{m: m, pk: item{m: m}.str("PK"), sk: item{m: m}.str("SK")}
		r.ByType[typeOf(it.pk, it.sk)]++
		c.file(it)
	}
	r.Offerings = len(c.offerings)
	c.counters()
	c.listing()
	c.waitlist()
	c.activeMarkers()
	c.termCounters()
	c.blocks()
	c.idempotency()
	c.offerIndex()
	c.ledgerSums()
	c.audit()
	c.persons()
	slices.SortStableFunc(r.Violations, func(a, b Violation) int {
		return cmp.Or(cmp.Compare(a.Rule, b.Rule), slices.Compare(a.Keys, b.Keys))
	})
	return r
}

type checker struct {
	r          *Report
	o          Options
	offerings  map[string]item   // by offering id
	listings   map[string]item   // offerings' listing items, by offering id
	bookings   map[string]item   // by account + "/" + booking id
	byOffering map[string][]item // bookings by offering id
	waits      map[string][]item // WAIT# entries by account + "/" + booking id
	markers    map[string]item   // a hold on a PERSON item, by identity + "/" + offering
	terms      map[string]item   // a PERSON item's active#<kind>#<term> (as "active") by identity + "/" + kind + "#" + term
	idem       []item
	attendance []item
	audits     map[string][]item // by centre + "/" + time stamp
	byCentre   map[string][]item // audit records by centre
	ledger     map[string][]item // by offering id
	apps       map[string]bool   // account + "/" + application id
	// people are PERSON items by identity; participants by account + "/" + id.
	people, participants map[string]item
	verifiedOld          []item // IDENTITY#…/VERIFIED: the layout before the person item
}

func (c *checker) add(rule, detail string, its ...item) {
	keys := make([]string, len(its))
	for i, it := range its {
		keys[i] = it.key()
	}
	c.r.Violations = append(c.r.Violations, Violation{Rule: rule, Keys: keys, Detail: detail})
}

// file sorts an item into the maps the checks read.
func (c *checker) file(it item) {
	pkp, id, _ := strings.Cut(it.pk, "#")
	switch {
	case pkp == "OFFERING" && it.sk == "OFFERING":
		c.offerings[id] = it
	case pkp == "OFFERING" && it.sk == "LISTING":
		c.listings[id] = it
	case pkp == "OFFERING" && strings.HasPrefix(it.sk, "WAIT#"):
		k := it.str("account") + "/" + it.str("booking_id")
		c.waits[k] = append(c.waits[k], it)
	case pkp == "OFFERING" && strings.HasPrefix(it.sk, "ATTENDANCE#"):
		c.attendance = append(c.attendance, it)
	case pkp == "ACCOUNT" && strings.HasPrefix(it.sk, "BOOKING#"):
		c.bookings[id+"/"+strings.TrimPrefix(it.sk, "BOOKING#")] = it
		o := it.str("offering_id")
		c.byOffering[o] = append(c.byOffering[o], it)
		c.r.Bookings[it.str("status")]++
	case pkp == "ACCOUNT" && strings.HasPrefix(it.sk, "IDEMPOTENCY#"):
		c.idem = append(c.idem, it)
	case pkp == "ACCOUNT" && strings.HasPrefix(it.sk, "APPLICATION#"):
		c.apps[id+"/"+strings.TrimPrefix(it.sk, "APPLICATION#")] = true
	case pkp == "IDENTITY" && strings.HasPrefix(it.sk, "TERM#"):
		c.add(RuleTermCounter, "a TERM# item of the layout before the person item took it in: run infra/relayout", it)
	case pkp == "IDENTITY" && it.sk == "PERSON":
		c.people[id] = it
		c.holds(id, it)
		c.counts(id, it)
	case pkp == "IDENTITY" && it.sk == "VERIFIED":
		c.verifiedOld = append(c.verifiedOld, it)
	case pkp == "ACCOUNT" && strings.HasPrefix(it.sk, "PARTICIPANT#"):
		c.participants[id+"/"+strings.TrimPrefix(it.sk, "PARTICIPANT#")] = it
	case pkp == "CENTRE" && strings.HasPrefix(it.sk, "AUDIT#"):
		stamp, _, _ := strings.Cut(strings.TrimPrefix(it.sk, "AUDIT#"), "#")
		c.audits[id+"/"+stamp] = append(c.audits[id+"/"+stamp], it)
		c.byCentre[id] = append(c.byCentre[id], it)
	case it.pk == "LEDGER":
		o := it.str("offering_id")
		c.ledger[o] = append(c.ledger[o], it)
	}
}

// listing: every offering has its listing item, which carries the
// offering's index keys as the offering now is (the public index only
// while published), and the offering itself is in no index, so a booking
// changing its counters writes none; every listing item has its offering.
func (c *checker) listing() {
	for _, id := range slices.Sorted(maps.Keys(c.offerings)) {
		o := c.offerings[id]
		for _, k := range []string{"GSI1PK", "GSI1SK", "GSI2PK", "GSI2SK", "GSI3PK", "GSI3SK"} {
			if o.str(k) != "" {
				c.add(RuleListing, "offering "+id+" is in an index itself ("+k+")", o)
				break
			}
		}
		l, ok := c.listings[id]
		if !ok {
			c.add(RuleListing, "offering "+id+" has no listing item: in no list", o)
			continue
		}
		want := map[string]string{
			"GSI2PK": "CENTRE#" + o.str("centre_id"), "GSI2SK": "OFFERING#" + o.str("starts_on") + "#" + id,
			"GSI3PK": "CITY#" + o.str("kind"), "GSI3SK": o.str("ends_on") + "#" + o.str("district") + "#" + id,
			"GSI1PK": "", "GSI1SK": "",
		}
		if o.str("status") == "published" {
			want["GSI1PK"], want["GSI1SK"] = "PUB", o.str("kind")+"#"+o.str("district")+"#"+o.str("starts_on")+"#"+id
		}
		var wrong []string
		for _, k := range slices.Sorted(maps.Keys(want)) {
			if l.str(k) != want[k] {
				wrong = append(wrong, fmt.Sprintf("%s %q, want %q", k, l.str(k), want[k]))
			}
		}
		if len(wrong) > 0 {
			c.add(RuleListing, "offering "+id+": listing "+strings.Join(wrong, "; "), l, o)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(c.listings)) {
		if _, ok := c.offerings[id]; !ok {
			c.add(RuleListing, "listing item of offering "+id+", which is not in the table", c.listings[id])
		}
	}
}

// counters: each offering's confirmed, waitlisted and offered are its
// bookings in each state (every booking, cancellation, promotion and offer
// moves them in its own transaction), none below zero, and the places held
// never exceed the capacity.
func (c *checker) counters() {
	for _, id := range slices.Sorted(maps.Keys(c.offerings)) {
		o := c.offerings[id]
		count := map[string]int64{}
		for _, b := range c.byOffering[id] {
			count[b.str("status")]++
		}
		var wrong []string
		for _, s := range []string{confirmed, waitlisted, offered} {
			if got := o.num(s); got != count[s] {
				wrong = append(wrong, fmt.Sprintf("%s %d, bookings %d", s, got, count[s]))
			}
			if o.num(s) < 0 {
				c.add(RuleCapacity, fmt.Sprintf("offering %s: %s %d below zero", id, s, o.num(s)), o)
			}
		}
		if len(wrong) > 0 {
			c.add(RuleCounters, "offering "+id+": "+strings.Join(wrong, "; "), o)
		}
		// Oversold by the counters, or by the bookings themselves when the
		// counters are wrong too.
		capacity := o.num("capacity")
		if held := o.num(confirmed) + o.num(offered); held > capacity {
			c.add(RuleCapacity, fmt.Sprintf("offering %s: counters hold %d places (confirmed + offered), capacity %d: oversold", id, held, capacity), o)
		} else if held := count[confirmed] + count[offered]; held > capacity {
			c.add(RuleCapacity, fmt.Sprintf("offering %s: %d bookings hold a place, capacity %d: oversold", id, held, capacity), o)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(c.byOffering)) {
		if _, ok := c.offerings[id]; !ok {
			c.add(RuleCounters, fmt.Sprintf("%d bookings of offering %s, which is not in the table", len(c.byOffering[id]), id), c.byOffering[id][0])
		}
	}
}

// waitlist: every waitlisted booking has exactly one WAIT# entry, under its
// offering, keyed by its stamp (and group); every entry is such a booking's.
func (c *checker) waitlist() {
	for _, k := range slices.Sorted(maps.Keys(c.bookings)) {
		b := c.bookings[k]
		ws := c.waits[k]
		switch {
		case b.str("status") == waitlisted && len(ws) == 0:
			c.add(RuleWaitlist, "waitlisted booking without its place in line", b)
		case b.str("status") == waitlisted && len(ws) > 1:
			c.add(RuleWaitlist, fmt.Sprintf("waitlisted booking with %d places in line", len(ws)), append([]item{b}, ws...)...)
		case b.str("status") == waitlisted && !placeOf(b, ws[0]):
			c.add(RuleWaitlist, "place in line not where the booking is (offering, stamp, group)", b, ws[0])
		case b.str("status") != waitlisted && len(ws) > 0:
			c.add(RuleWaitlist, "place in line of a booking that is "+b.str("status"), append([]item{b}, ws...)...)
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.waits)) {
		if _, ok := c.bookings[k]; !ok {
			c.add(RuleWaitlist, "place in line of no booking", c.waits[k]...)
		}
	}
}

// placeOf reports whether w is where booking b's place in line belongs
// (store.waitSK).
func placeOf(b, w item) bool {
	sk := fmt.Sprintf("WAIT#%019d#", b.num("stamp"))
	if g := b.str("group"); g != "" {
		sk += g + "#"
	}
	return w.pk == "OFFERING#"+b.str("offering_id") && w.sk == sk+b.str("id")
}

// persons: every participant with an identity and not being erased is
// named on its identity's PERSON item (live#<account> = its id), which a
// booking checks instead of the participant; every such name is of a
// participant that is there, of that identity and not being erased; a
// verification names a participant of the identity that is there; no
// VERIFIED item is left of the layout before (infra/relayout moves it).
func (c *checker) persons() {
	for _, k := range slices.Sorted(maps.Keys(c.participants)) {
		p := c.participants[k]
		account, _, _ := strings.Cut(k, "/")
		if p.str("identity") == "" || p.m["erasing_at"] != nil {
			continue
		}
		if got := c.people[p.str("identity")].str("live#" + account); got != p.str("id") {
			c.add(RulePerson, "live participant not named on IDENTITY#…/PERSON live#"+account+" (names "+cmp.Or(got, "none")+")", p)
		}
	}
	for _, identity := range slices.Sorted(maps.Keys(c.people)) {
		person := c.people[identity]
		for _, name := range slices.Sorted(maps.Keys(person.m)) {
			account, ok := strings.CutPrefix(name, "live#")
			if !ok {
				continue
			}
			p, there := c.participants[account+"/"+person.str(name)]
			switch {
			case !there:
				c.add(RulePerson, name+" names no participant", person)
			case p.str("identity") != identity || p.m["erasing_at"] != nil:
				c.add(RulePerson, name+" names a participant of another identity, or being erased", person, p)
			}
		}
		if a := person.str("account"); a != "" {
			if p, there := c.participants[a+"/"+person.str("participant_id")]; !there || p.str("identity") != identity {
				c.add(RulePerson, "verified for a participant that is not there", person)
			}
		}
	}
	for _, v := range c.verifiedOld {
		c.add(RulePerson, "a VERIFIED item of the layout before the person item: run infra/relayout", v)
	}
}

// holds files a PERSON item's held#<offering> attributes (each
// "account|booking": the one-per-offering markers) as markers.
func (c *checker) holds(identity string, t item) {
	for _, name := range slices.Sorted(maps.Keys(t.m)) {
		o, ok := strings.CutPrefix(name, "held#")
		if !ok {
			continue
		}
		account, booking, ok := strings.Cut(t.str(name), "|")
		if !ok {
			c.add(RuleMarker, "a hold of offering "+o+" that names no account and booking", t)
			continue
		}
		m := map[string]types.AttributeValue{
			"PK": t.m["PK"], "SK": t.m["SK"],
			"booking_id": &types.AttributeValueMemberS{Value: booking}, "account": &types.AttributeValueMemberS{Value: account},
		}
		c.markers[identity+"/"+o] = item{m: m, pk: t.pk, sk: t.sk}
	}
}

// counts files a PERSON item's active#<kind>#<term> counters as terms,
// each as an item of the person's keys with the count as "active".
func (c *checker) counts(identity string, p item) {
	for _, name := range slices.Sorted(maps.Keys(p.m)) {
		if kt, ok := strings.CutPrefix(name, "active#"); ok {
			m := map[string]types.AttributeValue{"PK": p.m["PK"], "SK": p.m["SK"], "active": p.m[name]}
			c.terms[identity+"/"+kt] = item{m: m, pk: p.pk, sk: p.sk}
		}
	}
}

// blocks: each no-show block on a PERSON item (blocked_until#<kind>#<term>)
// has its count of absences and the offering that caused it under the same
// kind and term, and neither is there without the block (attendance sets
// and removes the three together).
func (c *checker) blocks() {
	for _, identity := range slices.Sorted(maps.Keys(c.people)) {
		p := c.people[identity]
		for _, name := range slices.Sorted(maps.Keys(p.m)) {
			for _, part := range []string{"block_absences#", "because_of#"} {
				if kt, ok := strings.CutPrefix(name, part); ok && p.m["blocked_until#"+kt] == nil {
					c.add(RuleBlock, name+" without blocked_until#"+kt, p)
				}
			}
			if kt, ok := strings.CutPrefix(name, "blocked_until#"); ok && (p.num("block_absences#"+kt) <= 0 || p.str("because_of#"+kt) == "") {
				c.add(RuleBlock, "a block of "+kt+" without its absences or cause", p)
			}
		}
	}
}

// activeMarkers: every active booking that still names its person is held
// on the person's PERSON item (held#<offering>, the
// one-per-offering marker), and every hold names an active booking of that person and
// offering. (Erasing a booking of an ended offering removes its identity
// and its hold together.) Once the offering has ended its holds may be
// gone (the daily pass releases them, shared/holds): its listing is
// marked holds_released_on, or, while a pass is under way, its last day
// is before Now's (in Wuxi).
func (c *checker) activeMarkers() {
	held := map[string]bool{}
	for _, k := range slices.Sorted(maps.Keys(c.bookings)) {
		b := c.bookings[k]
		if !active(b.str("status")) || b.str("identity") == "" {
			continue
		}
		mk := b.str("identity") + "/" + b.str("offering_id")
		m, ok := c.markers[mk]
		switch {
		case !ok && c.released(b.str("offering_id")):
			// Ended, its hold released: nothing left to guard.
		case !ok:
			c.add(RuleMarker, "active booking without its hold on its person's IDENTITY#…/PERSON (held#"+b.str("offering_id")+")", b)
		case m.str("booking_id") != b.str("id") || m.str("account") != b.str("account"):
			c.add(RuleMarker, "the person's marker names another booking ("+m.str("booking_id")+"): two active bookings of one person and offering", b, m)
		default:
			held[mk] = true
		}
	}
	for _, mk := range slices.Sorted(maps.Keys(c.markers)) {
		if held[mk] {
			continue
		}
		m := c.markers[mk]
		b, ok := c.bookings[m.str("account")+"/"+m.str("booking_id")]
		if !ok {
			c.add(RuleMarker, "marker of no booking", m)
		} else if !active(b.str("status")) || b.str("identity") == "" {
			c.add(RuleMarker, "marker of a booking that is "+b.str("status")+", or no longer names the person", m, b)
		}
	}
}

// released reports whether an offering's holds may have been released:
// its listing says so, or it ended before Now's day.
func (c *checker) released(offeringID string) bool {
	if c.listings[offeringID].str("holds_released_on") != "" {
		return true
	}
	ends := c.offerings[offeringID].str("ends_on")
	// Wuxi keeps UTC+8 all year.
	return !c.o.Now.IsZero() && ends != "" && ends < c.o.Now.UTC().Add(8*time.Hour).Format(time.DateOnly)
}

// termCounters: each active#<kind>#<term> counter of a PERSON item equals the person's active
// bookings of that kind and term. An erased active booking (of an ended
// offering) names no person but still counts in its person's counter, so
// with such bookings of the kind and term a counter may exceed its count
// by as many. And no person holds more active bookings in a term than an
// offering's max_per_participant_per_term allowed when it was booked: the
// n-th of them (by arrival) needs a limit of at least n. (A limit lowered
// after the bookings were made shows here too.)
func (c *checker) termCounters() {
	held := map[string][]item{} // identity/kind#term
	erased := map[string]int64{}
	for _, k := range slices.Sorted(maps.Keys(c.bookings)) {
		b := c.bookings[k]
		if !active(b.str("status")) {
			continue
		}
		kt := b.str("kind") + "#" + b.str("term")
		if b.str("identity") == "" {
			erased[kt]++
			continue
		}
		held[b.str("identity")+"/"+kt] = append(held[b.str("identity")+"/"+kt], b)
	}
	for _, k := range slices.Sorted(maps.Keys(held)) {
		bs := held[k]
		t, ok := c.terms[k]
		_, kt, _ := strings.Cut(k, "/")
		if n := int64(len(bs)); !ok {
			c.add(RuleTermCounter, fmt.Sprintf("no term counter active#%s on the person item, active bookings %d", kt, n), bs...)
		} else if t.num("active") < n || t.num("active") > n+erased[kt] {
			c.add(RuleTermCounter, fmt.Sprintf("term counter %d, active bookings %d", t.num("active"), n), append(slices.Clone(bs), t)...)
		}
		slices.SortFunc(bs, func(a, b item) int { return cmp.Compare(a.str("created_at"), b.str("created_at")) })
		for i, b := range bs {
			if limit := c.offerings[b.str("offering_id")].num("max_per_term"); limit > 0 && int64(i+1) > limit {
				c.add(RuleTermLimit, fmt.Sprintf("booking %d of the person's term, offering %s allows %d", i+1, b.str("offering_id"), limit), b)
			}
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.terms)) {
		t := c.terms[k]
		_, kt, _ := strings.Cut(k, "/")
		if _, ok := held[k]; !ok && (t.num("active") < 0 || t.num("active") > erased[kt]) {
			c.add(RuleTermCounter, fmt.Sprintf("term counter %d, active bookings 0", t.num("active")), t)
		}
	}
}

// idempotency: a record names a booking (or an application) of its own
// account that exists. Applications write one in their own transaction;
// bookings did until a booking became its key's record (its id made from
// the key), and their records from before expire.
func (c *checker) idempotency() {
	for _, it := range c.idem {
		if !c.o.Now.IsZero() && it.num("expires_at") < c.o.Now.Unix() {
			continue
		}
		account := strings.TrimPrefix(it.pk, "ACCOUNT#")
		switch b, a := it.str("booking_id"), it.str("application_id"); {
		case b != "":
			if _, ok := c.bookings[account+"/"+b]; !ok {
				c.add(RuleIdempotency, "idempotency record of booking "+b+", which is not in the account", it)
			}
		case a != "":
			if !c.apps[account+"/"+a] {
				c.add(RuleIdempotency, "idempotency record of application "+a+", which is not in the account", it)
			}
		default:
			c.add(RuleIdempotency, "idempotency record naming nothing", it)
		}
	}
}

// offerIndex: a booking is in the offers index (GSI1 OFFER_DUE#) exactly
// while it is offered, so the offers job sees every offer.
func (c *checker) offerIndex() {
	for _, k := range slices.Sorted(maps.Keys(c.bookings)) {
		b := c.bookings[k]
		in := strings.HasPrefix(b.str("GSI1PK"), "OFFER_DUE#")
		if b.str("status") == offered && !in {
			c.add(RuleOfferIndex, "offered booking missing from the offers index", b)
		} else if b.str("status") != offered && b.str("GSI1PK") != "" {
			c.add(RuleOfferIndex, b.str("status")+" booking still in the offers index", b)
		}
	}
}

// ledgerSums: each entry's delta is after − before, and an offering's entries
// add up to its places now (DESIGN.md, "The ledger"): its capacity while
// published or closed, not ended and its centre not suspended (an `ended` entry, written by the daily
// run, takes it out), zero otherwise. Offerings with no entry at all were
// written without the ledger (fixtures, the seed's direct puts) and are
// left alone unless in service.
func (c *checker) ledgerSums() {
	for _, id := range slices.Sorted(maps.Keys(c.ledger)) {
		es := c.ledger[id]
		var sum int64
		ended := false
		for _, e := range es {
			if e.num("after")-e.num("before") != e.num("delta") {
				c.add(RuleLedger, fmt.Sprintf("entry before %d after %d delta %d", e.num("before"), e.num("after"), e.num("delta")), e)
			}
			sum += e.num("delta")
			ended = ended || e.str("reason") == "ended"
		}
		o, ok := c.offerings[id]
		if !ok {
			continue // an offering of an earlier term the seed's history names, or one deleted
		}
		var places int64
		// A suspended centre's offering counts none (centre_suspended).
		if s := o.str("status"); (s == "published" || s == "closed") && !ended && o.m["centre_suspended"] == nil {
			places = o.num("capacity")
		}
		if sum != places {
			c.add(RuleLedger, fmt.Sprintf("offering %s (%s, capacity %d): ledger adds up to %d, places %d", id, o.str("status"), o.num("capacity"), sum, places), append([]item{o}, es...)...)
		}
	}
}

// audit: every change in places a staff transaction made (its ledger entry
// keyed by a random suffix) has its audit record from the same write: in
// the offering's centre, at the same instant, about that offering; so does
// every attendance day recorded; and a booking the centre cancelled is of
// an offering cancelled with its audit record.
func (c *checker) audit() {
	find := func(centre, stamp, target, actionPrefix string) bool {
		for _, a := range c.audits[centre+"/"+stamp] {
			if a.str("target") == target && strings.HasPrefix(a.str("action"), actionPrefix) {
				return true
			}
		}
		return false
	}
	for _, id := range slices.Sorted(maps.Keys(c.ledger)) {
		for _, e := range c.ledger[id] {
			if !uniqueSuffix.MatchString(e.sk) {
				continue
			}
			stamp, _, _ := strings.Cut(e.sk, "#")
			if !find(e.str("centre_id"), stamp, id, "offering.") {
				c.add(RuleAudit, "change in places by "+e.str("actor")+" without its audit record", e)
			}
		}
	}
	for _, d := range c.attendance {
		o := c.offerings[strings.TrimPrefix(d.pk, "OFFERING#")]
		date := strings.TrimPrefix(d.sk, "ATTENDANCE#")
		if !c.audited(o.str("centre_id"), o.str("id")+"@"+date, "attendance.record", d.str("updated_at")) {
			c.add(RuleAudit, "attendance of "+date+" without its audit record", d)
		}
	}
	seen := map[string]bool{} // offerings whose cancellation was looked up
	for _, k := range slices.Sorted(maps.Keys(c.bookings)) {
		b := c.bookings[k]
		if b.str("cancelled_by") != "centre" {
			continue
		}
		o, ok := c.offerings[b.str("offering_id")]
		id := b.str("offering_id")
		if !ok || o.str("status") != "cancelled" {
			c.add(RuleAudit, "booking cancelled by the centre, its offering not cancelled", b)
		} else if !seen[id] {
			seen[id] = true
			if !c.audited(o.str("centre_id"), id, "offering.cancel", "") {
				c.add(RuleAudit, "offering cancelled without its audit record", o)
			}
		}
	}
}

// audited reports whether the centre's log has a record of action on
// target (made at the instant at, an RFC 3339 time, when set).
func (c *checker) audited(centre, target, action, at string) bool {
	for _, a := range c.byCentre[centre] {
		if a.str("target") == target && a.str("action") == action && (at == "" || a.str("at") == at) {
			return true
		}
	}
	return false
}

// Print writes the report: figures, then each violation with its items,
// then one summary line in Chinese and English.
func (r Report) Print(w io.Writer) {
	fmt.Fprintf(w, "table %s: %d items\n", r.Table, r.Items)
	for _, t := range slices.Sorted(maps.Keys(r.ByType)) {
		fmt.Fprintf(w, "  %-22s %d\n", t, r.ByType[t])
	}
	fmt.Fprintf(w, "offerings %d; bookings", r.Offerings)
	for _, s := range slices.Sorted(maps.Keys(r.Bookings)) {
		fmt.Fprintf(w, " %s %d", s, r.Bookings[s])
	}
	fmt.Fprintln(w)
	for _, v := range r.Violations {
		fmt.Fprintf(w, "VIOLATION %s: %s\n", v.Rule, v.Detail)
		for _, k := range v.Keys {
			fmt.Fprintf(w, "    %s\n", k)
		}
	}
	if r.OK() {
		fmt.Fprintf(w, "不变量全部成立 / all invariants hold (%d items)\n", r.Items)
		return
	}
	fmt.Fprintf(w, "发现 %d 处违反不变量 / %d invariant violations found\n", len(r.Violations), len(r.Violations))
}
