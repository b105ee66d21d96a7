package local_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/infra/localdb"
	"github.com/wuxi-enrol/enrol/infra/samtemplate"
	"github.com/wuxi-enrol/enrol/shared/config"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/idnumber"
	"github.com/wuxi-enrol/enrol/shared/store"
)

// person is someone registered through the API, as the attacker hopes to
// learn them.
type person struct{ account, name, birth, number string }

// TestAttackerRecoversNothing plays the attacker of issue 10 with everything
// a reader of the table and its backups (a full Scan of every item) and of
// the functions' configuration (the exact environment the stack gives each
// function, and template.yaml's) has — but not KMS: the ID numbers, names
// and birth dates of the people registered must not come back.
func TestAttackerRecoversNothing(t *testing.T) {
	e := start(t)
	e.offering("o-custody", 10)
	var people []person
	for i, region := range []string{"320202", "320211", "320213", "320281"} {
		for j := range 2 {
			n := 2*i + j
			birth := time.Date(1985+n, time.Month(1+n), 3+n, 0, 0, 0, 0, domain.CityZone)
			p := person{account: fmt.Sprintf("custody-%d", j), name: fmt.Sprintf("保密居民%c", '甲'+rune(n)),
				birth: birth.Format(domain.DateLayout), number: idnumber.Make(region, birth, 100+n)}
			tok := e.token(p.account, "residents")
			r := e.do("POST", "/v1/me/participants", tok, map[string]any{"name": p.name, "birth_date": p.birth, "id_number": p.number})
			e.expect(r, 201, "")
			// The owner still sees the last four characters.
			if got := r.str("id_number_last4"); got != idnumber.Last4(p.number) {
				t.Fatalf("%s: id_number_last4 %q, want %q", p.name, got, idnumber.Last4(p.number))
			}
			e.expect(e.book(tok, "o-custody", r.str("id"), false), 201, "")
			people = append(people, p)
		}
	}
	r := e.do("GET", "/v1/me/participants", e.token("custody-0", "residents"), nil)
	e.expect(r, 200, "")
	if !strings.Contains(string(r.body), idnumber.Last4(people[0].number)) || !strings.Contains(string(r.body), people[0].name) {
		t.Fatalf("the owner no longer sees name and last4: %s", r.body)
	}

	items := scanEverything(t, e)
	secrets := configValues(t, e)
	t.Logf("the attacker holds %d items and %d configuration values", len(items), len(secrets))

	// The old attack: birth date and last4 from an item, every region code,
	// and an HMAC with every configuration value as the key.
	found := 0
	personal := 0
	for _, it := range items {
		identity := it.text["identity"]
		if identity == "" {
			continue
		}
		if _, sealed := it.raw["personal"]; sealed {
			personal++
		}
		for _, number := range candidates(it) {
			if matches(identity, number, secrets) {
				found++
				t.Errorf("recovered %s from item %s/%s", number, it.text["PK"], it.text["SK"])
			}
		}
	}
	if personal < 2*len(people) {
		t.Errorf("%d items carry a sealed personal attribute, want one per participant and booking (%d)", personal, 2*len(people))
	}
	// Nothing beside the sealed attribute names or narrows the person.
	for _, it := range items {
		for attr, v := range it.text {
			if attr == "personal" {
				continue
			}
			personItem := it.text["identity"] != "" // a participant's or a booking's
			if strings.Contains(attr, "last4") || personItem && (attr == "birth_date" || attr == "name" || attr == "participant_name") {
				t.Errorf("%s/%s keeps %s in the clear", it.text["PK"], it.text["SK"], attr)
			}
			for _, p := range people {
				compact := strings.ReplaceAll(p.birth, "-", "")
				for _, leak := range []string{p.name, p.birth, compact, p.number} {
					if strings.Contains(v, leak) {
						t.Errorf("%s/%s attribute %s holds %q", it.text["PK"], it.text["SK"], attr, leak)
					}
				}
			}
		}
	}
	t.Logf("numbers recovered: %d of %d", found, len(people))
}

// TestAttackWorks keeps the attack honest: given what the old items kept
// and the key, it does recover the number.
func TestAttackWorks(t *testing.T) {
	birth := time.Date(2019, 5, 6, 0, 0, 0, 0, domain.CityZone)
	number := idnumber.Make("320214", birth, 123)
	mac := hmac.New(sha256.New, []byte("some-configured-key-0123456789"))
	mac.Write([]byte(number))
	it := scanned{text: map[string]string{"birth_date": "2019-05-06", "id_number_last4": idnumber.Last4(number)}}
	hits := 0
	for _, c := range candidates(it) {
		if matches(hex.EncodeToString(mac.Sum(nil)), c, []string{"x", "some-configured-key-0123456789"}) && c == number {
			hits++
		}
	}
	if hits != 1 {
		t.Fatalf("the attack finds %d, want the number", hits)
	}
}

type scanned struct {
	raw  map[string]types.AttributeValue
	text map[string]string // every attribute as the text it holds
}

func scanEverything(t *testing.T, e *env) []scanned {
	t.Helper()
	db, err := store.NewClient(context.Background(), config.Config{DynamoDBEndpoint: e.st.DynamoDBEndpoint(), Region: "cn-north-1"})
	if err != nil {
		t.Fatal(err)
	}
	var out []scanned
	p := dynamodb.NewScanPaginator(db, &dynamodb.ScanInput{TableName: &e.table, ConsistentRead: new(true)})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range page.Items {
			it := scanned{raw: m, text: map[string]string{}}
			for k, v := range m {
				it.text[k] = text(v)
			}
			out = append(out, it)
		}
	}
	return out
}

// text is everything an attribute holds, as text (binary as its bytes).
func text(v types.AttributeValue) string {
	switch x := v.(type) {
	case *types.AttributeValueMemberS:
		return x.Value
	case *types.AttributeValueMemberN:
		return x.Value
	case *types.AttributeValueMemberB:
		return string(x.Value)
	case *types.AttributeValueMemberSS:
		return strings.Join(x.Value, " ")
	case *types.AttributeValueMemberNS:
		return strings.Join(x.Value, " ")
	case *types.AttributeValueMemberL:
		var parts []string
		for _, e := range x.Value {
			parts = append(parts, text(e))
		}
		return strings.Join(parts, " ")
	case *types.AttributeValueMemberM:
		var parts []string
		for k, e := range x.Value {
			parts = append(parts, k+"="+text(e))
		}
		return strings.Join(parts, " ")
	}
	return ""
}

// configValues: every environment value the stack gives any function, and
// every value template.yaml's Environment sets.
func configValues(t *testing.T, e *env) []string {
	t.Helper()
	tpl, err := samtemplate.Load(localdb.TemplatePath())
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{"": true}
	for _, id := range tpl.FunctionLogicalIDs() {
		env, err := e.st.FunctionEnv(id)
		if err != nil {
			t.Fatal(err)
		}
		for _, v := range env {
			seen[v] = true
		}
		for _, v := range tpl.Functions[id].Environment {
			seen[v] = true
		}
	}
	for _, v := range tpl.Globals.Function.Environment {
		seen[v] = true
	}
	if len(seen) < 5 {
		t.Fatalf("only %d configuration values; the attacker's view is empty", len(seen))
	}
	return slices.Sorted(func(yield func(string) bool) {
		for v := range seen {
			if !yield(v) {
				return
			}
		}
	})
}

var (
	dateRE  = regexp.MustCompile(`\b(\d{4})-(\d{2})-(\d{2})\b`)
	last4RE = regexp.MustCompile(`^\d{3}[\dX]$`)
)

// candidates are the numbers an item allows: any date it holds as the birth
// date, any 4-character value as the last four, and every region code the
// seed and this test use (a real attacker tries the ~3,000 real ones).
func candidates(it scanned) []string {
	var births, last4s []string
	for _, v := range it.text {
		for _, m := range dateRE.FindAllStringSubmatch(v, -1) {
			births = append(births, m[1]+m[2]+m[3])
		}
		if last4RE.MatchString(v) {
			last4s = append(last4s, v)
		}
	}
	var out []string
	for region := 320200; region <= 320299; region++ {
		for _, b := range births {
			for _, l := range last4s {
				out = append(out, fmt.Sprintf("%d%s%s", region, b, l))
			}
		}
	}
	return out
}

// matches: identity is the HMAC of number under one of keys, or its hash.
func matches(identity, number string, keys []string) bool {
	plain := sha256.Sum256([]byte(number))
	if hex.EncodeToString(plain[:]) == identity {
		return true
	}
	for _, k := range keys {
		m := hmac.New(sha256.New, []byte(k))
		m.Write([]byte(number))
		if hex.EncodeToString(m.Sum(nil)) == identity {
			return true
		}
	}
	return false
}
