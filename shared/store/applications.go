package store

import (
	"cmp"
	"context"
	"hash/fnv"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/wuxi-enrol/enrol/shared/domain"
	"github.com/wuxi-enrol/enrol/shared/paging"
)

// Applications to a lottery offering (issue 13) or a round (issue 14). An
// application is written as these items in one TransactWriteItems, none of
// them shared with other applicants, so applying has no hot item (a round's
// application has an entry at each offering it chose, and a marker for each
// sibling applying with the participant):
//
//	PK ACCOUNT#<sub>  SK APPLICATION#<id>
//	  the resident's record (applicationItem): what /v1/me/applications
//	  shows, its status, and after the draw its number, rank and booking
//	PK APPLICANTS#<offering>#<shard>  SK <id>
//	  the draw's entry (entryItem): what the draw needs to rank it and make
//	  its booking; the shard is a hash of the id (ApplicantShards), so a
//	  thousand applying at once write to sixteen partitions, and the draw
//	  reads them all strongly consistently; deleted when withdrawn
//	PK IDENTITY#<hmac>  SK APPLIED#<offering>
//	  one application per identity and offering, across accounts
//	  (attribute_not_exists → already_applied); deleted when withdrawn
const (
	prefixApplication = "APPLICATION#"
	prefixApplicants  = "APPLICANTS#"
	prefixApplied     = "APPLIED#"
	// ApplicantShards is how many partitions an offering's entries spread over.
	ApplicantShards = 16
)

func applicantShard(applicationID string) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(applicationID))
	return int(h.Sum32() % ApplicantShards)
}

func applicantsPK(offeringID string, shard int) string {
	return prefixApplicants + offeringID + "#" + strconv.Itoa(shard)
}

// applicationItem is the resident's record of an application.
type applicationItem struct {
	PK, SK         string
	Type           string `dynamodbav:"type"`
	ID             string `dynamodbav:"id"`
	OfferingID     string `dynamodbav:"offering_id"`
	Title          string `dynamodbav:"offering_title"`
	Kind           string `dynamodbav:"kind"`
	Term           string `dynamodbav:"term"`
	CentreID       string `dynamodbav:"centre_id"`
	CentreName     string `dynamodbav:"centre_name"`
	District       string `dynamodbav:"district"`
	StartsOn       string `dynamodbav:"starts_on"`
	ParticipantID  string `dynamodbav:"participant_id"`
	Status         string `dynamodbav:"status"`
	Ticket         string `dynamodbav:"ticket"`
	Tier           int    `dynamodbav:"tier"`
	Account        string `dynamodbav:"account"`
	Identity       string `dynamodbav:"identity"`
	CreatedAt      string `dynamodbav:"created_at"`
	WithdrawnAt    string `dynamodbav:"withdrawn_at,omitempty"`
	Number         string `dynamodbav:"number,omitempty"`
	Rank           int    `dynamodbav:"rank,omitempty"`
	BookingID      string `dynamodbav:"booking_id,omitempty"`
	NotDrawnReason string `dynamodbav:"not_drawn_reason,omitempty"`
	// Issue 14: the round, the choices in order (their outcome after the
	// draw), the siblings in the same unit, the claims by
	// "<offering>|<code>", and the policy version the close applied.
	RoundID           string               `dynamodbav:"round_id,omitempty"`
	Choices           []choiceItem         `dynamodbav:"choices,omitempty"`
	SiblingIDs        []string             `dynamodbav:"sibling_ids,omitempty"`
	SiblingIdentities []string             `dynamodbav:"sibling_identities,omitempty"`
	Claims            map[string]claimItem `dynamodbav:"claims,omitempty"`
	PolicyVersion     int                  `dynamodbav:"policy_version,omitempty"`
	// By is "staff" for an application made at a centre's counter.
	By string `dynamodbav:"by,omitempty"`
	// Personal is the participant's name (and the siblings'), sealed under
	// this item's key.
	Personal []byte `dynamodbav:"personal,omitempty"`
}

// choiceItem is one ranked offering of an application.
type choiceItem struct {
	Preference int      `dynamodbav:"preference"`
	OfferingID string   `dynamodbav:"offering_id"`
	Title      string   `dynamodbav:"title"`
	Kind       string   `dynamodbav:"kind"`
	CentreID   string   `dynamodbav:"centre_id"`
	CentreName string   `dynamodbav:"centre_name"`
	District   string   `dynamodbav:"district"`
	StartsOn   string   `dynamodbav:"starts_on"`
	Tier       int      `dynamodbav:"tier,omitempty"`
	TierCode   string   `dynamodbav:"tier_code,omitempty"`
	Rank       int      `dynamodbav:"rank,omitempty"`
	Result     string   `dynamodbav:"result,omitempty"`
	Position   int      `dynamodbav:"position,omitempty"`
	BookingIDs []string `dynamodbav:"booking_ids,omitempty"`
}

func choiceToItem(c domain.Choice) choiceItem {
	return choiceItem{
		Preference: c.Preference, OfferingID: c.OfferingID, Title: c.Offering.Title, Kind: string(c.Offering.Kind),
		CentreID: c.Offering.Centre.ID, CentreName: c.Offering.Centre.Name, District: string(c.Offering.Centre.District),
		StartsOn: c.Offering.StartsOn, Tier: c.Tier, TierCode: c.TierCode, Rank: c.Rank, Result: string(c.Result),
		Position: c.WaitlistPosition, BookingIDs: c.BookingIDs,
	}
}

// claimItem is one claim to a tier at one offering, and staff's decision.
type claimItem struct {
	Code       string `dynamodbav:"code"`
	OfferingID string `dynamodbav:"offering_id"`
	Status     string `dynamodbav:"status"`
	Note       string `dynamodbav:"note,omitempty"`
	DecidedAt  string `dynamodbav:"decided_at,omitempty"`
	DecidedBy  string `dynamodbav:"decided_by,omitempty"`
}

// ClaimKey names a claim in the resident's record's claims map.
func ClaimKey(offeringID, code string) string { return offeringID + "|" + code }

func claimToItem(c domain.Claim) claimItem {
	it := claimItem{Code: c.Code, OfferingID: c.OfferingID, Status: string(c.Status), Note: c.Note, DecidedBy: c.DecidedBy}
	if c.DecidedAt != nil {
		it.DecidedAt = utc(*c.DecidedAt)
	}
	return it
}

func (it claimItem) claim() domain.Claim {
	return domain.Claim{Code: it.Code, OfferingID: it.OfferingID, Status: domain.ClaimStatus(it.Status),
		Note: it.Note, DecidedAt: timeOrNil(it.DecidedAt), DecidedBy: it.DecidedBy}
}

// sortedClaims orders claims by the choice they concern, then by code, so
// an application shows them in one order.
func sortedClaims(m map[string]claimItem, choices []domain.Choice) []domain.Claim {
	pref := map[string]int{}
	for _, c := range choices {
		pref[c.OfferingID] = c.Preference
	}
	out := make([]domain.Claim, 0, len(m))
	for _, it := range m {
		out = append(out, it.claim())
	}
	slices.SortFunc(out, func(a, b domain.Claim) int {
		return cmp.Or(cmp.Compare(pref[a.OfferingID], pref[b.OfferingID]), cmp.Compare(a.OfferingID, b.OfferingID), cmp.Compare(a.Code, b.Code))
	})
	return out
}

// entryItem is an application as the draw reads it at one offering it
// chose: enough to rank it and to write its bookings without reading
// anything else.
type entryItem struct {
	PK, SK        string
	Type          string `dynamodbav:"type"`
	ID            string `dynamodbav:"id"`
	OfferingID    string `dynamodbav:"offering_id"`
	Account       string `dynamodbav:"account"`
	ParticipantID string `dynamodbav:"participant_id"`
	Identity      string `dynamodbav:"identity"`
	Tier          int    `dynamodbav:"tier"`
	CreatedAt     string `dynamodbav:"created_at"`
	// Issue 14: the round and which choice this offering is; the siblings;
	// the claims at this offering by code.
	RoundID           string               `dynamodbav:"round_id,omitempty"`
	Preference        int                  `dynamodbav:"preference,omitempty"`
	SiblingIDs        []string             `dynamodbav:"sibling_ids,omitempty"`
	SiblingIdentities []string             `dynamodbav:"sibling_identities,omitempty"`
	Claims            map[string]claimItem `dynamodbav:"claims,omitempty"`
	// Personal is sealed under the entry's own key (the draw opens it and
	// seals it again under each booking's): the participant's and the
	// siblings' name, birth date and last four.
	Personal []byte `dynamodbav:"personal,omitempty"`
}

func applicationKey(account, id string) map[string]types.AttributeValue {
	return key(accountPK(account), prefixApplication+id)
}

func entryKey(offeringID, id string) map[string]types.AttributeValue {
	return key(applicantsPK(offeringID, applicantShard(id)), id)
}

func appliedKey(identity, lotteryID string) map[string]types.AttributeValue {
	return key(identityPK(identity), prefixApplied+lotteryID)
}

// lotteryOf is what an application is one per identity of: its round, or
// its offering.
func lotteryOf(a domain.Application) string {
	if a.RoundID != "" {
		return a.RoundID
	}
	return a.OfferingID
}

// choicesOf are an application's choices; a record from before rounds had
// none stored, and its one choice is its offering.
func choicesOf(a domain.Application) []domain.Choice {
	if len(a.Choices) > 0 {
		return a.Choices
	}
	return []domain.Choice{{Preference: 1, OfferingID: a.OfferingID, Offering: a.Offering}}
}

// identities are the application's people: the participant, then the siblings.
func identities(a domain.Application) []string {
	out := []string{a.Identity}
	for _, s := range a.Siblings {
		out = append(out, s.Identity)
	}
	return out
}

// applicationItems are the new items of application a, unconditional (the
// caller adds the conditions its write needs): the resident's record, the
// draw's entry at each offering chosen, and one marker per person of the
// unit (one application per identity and lottery).
func (st *Store) applicationItems(ctx context.Context, a domain.Application) (record map[string]types.AttributeValue, entries, applied []map[string]types.AttributeValue, err error) {
	choices := choicesOf(a)
	rec := applicationItem{
		PK: accountPK(a.Account), SK: prefixApplication + a.ID, Type: "application",
		ID: a.ID, OfferingID: a.OfferingID, Title: a.Offering.Title, Kind: string(a.Offering.Kind), Term: a.Term,
		CentreID: a.Offering.Centre.ID, CentreName: a.Offering.Centre.Name, District: string(a.Offering.Centre.District),
		StartsOn: a.Offering.StartsOn, ParticipantID: a.ParticipantID, Status: string(a.Status), Ticket: a.Ticket,
		Tier: a.Tier, Account: a.Account, Identity: a.Identity, CreatedAt: utc(a.CreatedAt),
		RoundID: a.RoundID, SiblingIDs: a.SiblingIDs, PolicyVersion: a.PolicyVersion, By: a.By,
	}
	recPersonal := personal{Name: a.Participant.Name}
	entryPersonal := personal{Name: a.Participant.Name, BirthDate: a.BirthDate, Last4: a.IDNumberLast4}
	for _, sib := range a.Siblings {
		rec.SiblingIdentities = append(rec.SiblingIdentities, sib.Identity)
		recPersonal.Siblings = append(recPersonal.Siblings, personal{Name: sib.Name})
		entryPersonal.Siblings = append(entryPersonal.Siblings, personal{Name: sib.Name, BirthDate: sib.BirthDate, Last4: sib.IDNumberLast4})
	}
	if len(rec.SiblingIDs) == 0 {
		for _, sib := range a.Siblings {
			rec.SiblingIDs = append(rec.SiblingIDs, sib.ParticipantID)
		}
	}
	for _, c := range choices {
		rec.Choices = append(rec.Choices, choiceToItem(c))
	}
	if len(a.Claims) > 0 {
		rec.Claims = map[string]claimItem{}
		for _, c := range a.Claims {
			rec.Claims[ClaimKey(c.OfferingID, c.Code)] = claimToItem(c)
		}
	}
	if rec.Personal, err = st.seal(ctx, rec.PK, rec.SK, recPersonal); err != nil {
		return nil, nil, nil, err
	}
	if record, err = attributevalue.MarshalMap(rec); err != nil {
		return nil, nil, nil, classify(err)
	}
	for _, c := range choices {
		ek := entryKey(c.OfferingID, a.ID)
		ent := entryItem{
			PK: ek[attrPK].(*types.AttributeValueMemberS).Value, SK: a.ID, Type: "applicant",
			ID: a.ID, OfferingID: c.OfferingID, Account: a.Account, ParticipantID: a.ParticipantID,
			Identity: a.Identity, Tier: a.Tier, CreatedAt: utc(a.CreatedAt),
			RoundID: a.RoundID, Preference: c.Preference, SiblingIDs: rec.SiblingIDs, SiblingIdentities: rec.SiblingIdentities,
		}
		for _, cl := range a.Claims {
			if cl.OfferingID == c.OfferingID {
				if ent.Claims == nil {
					ent.Claims = map[string]claimItem{}
				}
				ent.Claims[cl.Code] = claimToItem(cl)
			}
		}
		if ent.Personal, err = st.seal(ctx, ent.PK, ent.SK, entryPersonal); err != nil {
			return nil, nil, nil, err
		}
		m, err := attributevalue.MarshalMap(ent)
		if err != nil {
			return nil, nil, nil, classify(err)
		}
		entries = append(entries, m)
	}
	for _, id := range identities(a) {
		m := appliedKey(id, lotteryOf(a))
		m["application_id"], m["account"] = s(a.ID), s(a.Account)
		applied = append(applied, m)
	}
	return record, entries, applied, nil
}

// unmarshalApplication reads the resident's record of an application.
func (st *Store) unmarshalApplication(ctx context.Context, m map[string]types.AttributeValue) (domain.Application, error) {
	var it applicationItem
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return domain.Application{}, classify(err)
	}
	p, err := st.open(ctx, it.PK, it.SK, it.Personal)
	if err != nil {
		return domain.Application{}, err
	}
	a := domain.Application{
		ID: it.ID, OfferingID: it.OfferingID,
		Offering: domain.BookedOffering{Title: it.Title, Kind: domain.Kind(it.Kind), StartsOn: it.StartsOn,
			Centre: domain.CentreRef{ID: it.CentreID, Name: it.CentreName, District: domain.District(it.District)}},
		ParticipantID: it.ParticipantID, Participant: domain.BookedParticipant{Name: p.Name},
		Status: domain.ApplicationStatus(it.Status), Ticket: it.Ticket, Tier: it.Tier, CreatedAt: parseTime(it.CreatedAt),
		Number: it.Number, Rank: it.Rank, BookingID: it.BookingID, NotDrawnReason: it.NotDrawnReason,
		WithdrawnAt: timeOrNil(it.WithdrawnAt), Account: it.Account, Identity: it.Identity, Term: it.Term,
		RoundID: it.RoundID, SiblingIDs: it.SiblingIDs, PolicyVersion: it.PolicyVersion, By: it.By,
	}
	a.Siblings = siblingsOf(it.SiblingIDs, it.SiblingIdentities, p.Siblings)
	for _, c := range it.Choices {
		a.Choices = append(a.Choices, domain.Choice{
			Preference: c.Preference, OfferingID: c.OfferingID,
			Offering: domain.BookedOffering{Title: c.Title, Kind: domain.Kind(c.Kind), StartsOn: c.StartsOn,
				Centre: domain.CentreRef{ID: c.CentreID, Name: c.CentreName, District: domain.District(c.District)}},
			Tier: c.Tier, TierCode: c.TierCode, Rank: c.Rank, Result: domain.ChoiceResult(c.Result),
			WaitlistPosition: c.Position, BookingIDs: c.BookingIDs,
		})
	}
	a.Choices = choicesOf(a)
	a.Claims = sortedClaims(it.Claims, a.Choices)
	return a, nil
}

// siblingsOf pairs the siblings' ids and identities with their sealed
// personal fields (absent once erased).
func siblingsOf(ids, identities []string, ps []personal) []domain.Sibling {
	var out []domain.Sibling
	for i, id := range ids {
		sib := domain.Sibling{ParticipantID: id}
		if i < len(identities) {
			sib.Identity = identities[i]
		}
		if i < len(ps) {
			sib.Name, sib.BirthDate, sib.IDNumberLast4 = ps[i].Name, ps[i].BirthDate, ps[i].Last4
		}
		out = append(out, sib)
	}
	return out
}

// unmarshalEntry reads a draw's entry: the application as the draw at its
// offering needs it, with the claims at that offering and the one choice
// the entry stands for.
func (st *Store) unmarshalEntry(ctx context.Context, m map[string]types.AttributeValue) (domain.Application, error) {
	var it entryItem
	if err := attributevalue.UnmarshalMap(m, &it); err != nil {
		return domain.Application{}, classify(err)
	}
	p, err := st.open(ctx, it.PK, it.SK, it.Personal)
	if err != nil {
		return domain.Application{}, err
	}
	pref := max(it.Preference, 1)
	a := domain.Application{
		ID: it.ID, OfferingID: it.OfferingID, ParticipantID: it.ParticipantID,
		Participant: domain.BookedParticipant{Name: p.Name}, Status: domain.ApplicationApplied,
		Tier: it.Tier, CreatedAt: parseTime(it.CreatedAt), Account: it.Account, Identity: it.Identity,
		BirthDate: p.BirthDate, IDNumberLast4: p.Last4,
		RoundID: it.RoundID, SiblingIDs: it.SiblingIDs,
		Choices: []domain.Choice{{Preference: pref, OfferingID: it.OfferingID}},
	}
	a.Siblings = siblingsOf(it.SiblingIDs, it.SiblingIdentities, p.Siblings)
	claims := map[string]claimItem{}
	for code, c := range it.Claims {
		c.Code, c.OfferingID = code, it.OfferingID
		claims[code] = c
	}
	a.Claims = sortedClaims(claims, a.Choices)
	return a, nil
}

// GetEntry reads one application's entry in an offering's draw (strongly
// consistent); an application not in it (never, withdrawn) is not found.
func (st *Store) GetEntry(ctx context.Context, offeringID, applicationID string) (domain.Application, error) {
	return get(ctx, st, entryKey(offeringID, applicationID), "application", func(m map[string]types.AttributeValue) (domain.Application, error) {
		return st.unmarshalEntry(ctx, m)
	})
}

// ApplicationEntries reads every application of an offering still in its
// draw (not withdrawn), from the draw's entries: one strongly consistent
// Query per shard (and per megabyte), so an application that landed before
// the read is in it. Each carries what its booking needs (account,
// participant, identity, tier, and the participant's name, birth date and
// last four, the siblings', the claims at this offering); the offering's
// facts are the caller's.
func (st *Store) ApplicationEntries(ctx context.Context, offeringID string) ([]domain.Application, error) {
	var out []domain.Application
	for shard := range ApplicantShards {
		err := st.queryAll(ctx, partition{pk: applicantsPK(offeringID, shard)}, func(m map[string]types.AttributeValue) error {
			a, err := st.unmarshalEntry(ctx, m)
			if err == nil {
				out = append(out, a)
			}
			return err
		}, consistent)
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// NewApplication is an application decided on and ready to write.
type NewApplication struct {
	Application domain.Application
	Offering    domain.Offering // as read
	// IdempotencyKey, when set, records the request under the key until
	// IdempotencyTill, so a retry finds the application it made.
	IdempotencyKey  string
	RequestHash     string
	IdempotencyTill time.Time
	// Audit, when set (an application made at a centre's counter), is
	// written in the same transaction.
	Audit *AuditEntry
}

// CreateApplication writes an application's items in one
// TransactWriteItems with its checks, in the order that decides which
// refusal is reported when several fail: a retry of the same request, a
// person verified by another account, a no-show block, an application by
// the same identity already there (already_applied), the term limit (one
// ConditionCheck of the identity's PERSON item for the verification, the
// block and the limit, not an ADD: an application counts only once the
// draw makes it a booking), then the record, the
// draw's entry and the participant still there and not being erased.
// Nothing written is shared with another applicant (not even the offering),
// so a thousand applying at once do not contend. It returns the refusal,
// ErrIdempotencyTaken, ErrContention (read again and retry), or the 503 or
// 500 the transaction's outcome calls for.
func (st *Store) CreateApplication(ctx context.Context, na NewApplication) error {
	a, o := na.Application, na.Offering
	now := a.CreatedAt
	record, entries, applied, err := st.applicationItems(ctx, a)
	if err != nil {
		return err
	}
	var t txn
	if na.IdempotencyKey != "" {
		st.idempotencyPut(&t, a.Account, na.IdempotencyKey, na.RequestHash, "application_id", a.ID, na.IdempotencyTill, now)
	}
	// Every person of the unit (the participant and any siblings) is
	// checked as one applying alone would be.
	for i, identity := range identities(a) {
		// One check of the person item: verified by no other account, no
		// no-show block, the term limit (no ADD: an application counts only
		// once the draw makes it a booking).
		names, values := map[string]string{}, map[string]types.AttributeValue{}
		cond := personGuard(o, a.Account, names, values)
		if limit := limitGuard(o, names, values); limit != "" {
			cond += " AND " + limit
		}
		t.add(personRefusal(o, a.Account, nil), types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
			TableName: &st.table, Key: key(identityPK(identity), skPerson),
			ConditionExpression: aws.String(cond), ExpressionAttributeNames: names, ExpressionAttributeValues: values,
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		}})
		t.add(checks(domain.RuleOneApplication, domain.Facts{}), types.TransactWriteItem{Put: &types.Put{
			TableName: &st.table, Item: applied[i], ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	}
	// A retry reuses the id, so a record already there is this request's
	// own earlier attempt racing it: read again.
	t.add(contended, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: record, ConditionExpression: aws.String("attribute_not_exists(PK)")}})
	for _, e := range entries {
		t.add(unconditional, types.TransactWriteItem{Put: &types.Put{TableName: &st.table, Item: e}})
	}
	t.add(contended, st.participantLive(a.Account, a.ParticipantID))
	for _, sib := range a.Siblings {
		t.add(contended, st.participantLive(a.Account, sib.ParticipantID))
	}
	if na.Audit != nil {
		t.add(unconditional, st.auditPut(*na.Audit))
	}
	return st.transact(ctx, &t)
}

// WithdrawApplication withdraws application a (status applied): its record
// becomes withdrawn with withdrawn_at, its draw entries and its people's
// markers go, in one transaction, on condition that the draw has not closed
// its ticket list (else applications_closed) and the record is still
// applied (else ErrContention: read again).
func (st *Store) WithdrawApplication(ctx context.Context, a domain.Application, now time.Time) error {
	var t txn
	t.add(checks(domain.RuleBeforeClose, domain.Facts{}), st.beforeClose(a))
	t.add(contended, types.TransactWriteItem{Update: &types.Update{
		TableName: &st.table, Key: applicationKey(a.Account, a.ID),
		UpdateExpression:         aws.String("SET #status = :withdrawn, withdrawn_at = :now"),
		ConditionExpression:      aws.String("#status = :applied"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{
			":withdrawn": s(string(domain.ApplicationWithdrawn)), ":applied": s(string(domain.ApplicationApplied)), ":now": s(utc(now)),
		},
	}})
	for _, c := range choicesOf(a) {
		t.add(unconditional, types.TransactWriteItem{Delete: &types.Delete{TableName: &st.table, Key: entryKey(c.OfferingID, a.ID)}})
	}
	for _, id := range identities(a) {
		t.add(unconditional, types.TransactWriteItem{Delete: &types.Delete{TableName: &st.table, Key: appliedKey(id, lotteryOf(a))}})
	}
	return st.transact(ctx, &t)
}

// beforeClose checks that the draw application a is in has not closed its
// tickets: its draw record (or its round's) is still committed.
func (st *Store) beforeClose(a domain.Application) types.TransactWriteItem {
	return types.TransactWriteItem{ConditionCheck: &types.ConditionCheck{
		TableName: &st.table, Key: lotteryDrawKey(a),
		ConditionExpression:       aws.String("#status = :committed"),
		ExpressionAttributeNames:  map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]types.AttributeValue{":committed": s(DrawCommitted)},
	}}
}

// GetApplication reads one of an account's applications; another
// account's is not found.
func (st *Store) GetApplication(ctx context.Context, account, id string) (domain.Application, error) {
	return get(ctx, st, applicationKey(account, id), "application", func(m map[string]types.AttributeValue) (domain.Application, error) {
		return st.unmarshalApplication(ctx, m)
	})
}

// ListApplications pages through an account's applications, newest first
// (application ids begin with their creation time).
func (st *Store) ListApplications(ctx context.Context, account string, page paging.Page) ([]domain.Application, string, error) {
	out := []domain.Application{}
	next, err := st.queryPage(ctx, partition{pk: accountPK(account), prefix: prefixApplication}, page, false, func(m map[string]types.AttributeValue) (bool, error) {
		a, err := st.unmarshalApplication(ctx, m)
		if err != nil {
			return false, err
		}
		out = append(out, a)
		return true, nil
	}, newestFirst, consistent)
	return out, next, err
}

// ApplicantCounts counts the applications in each lottery offering's draw
// (not withdrawn), from the draw's entries: a Select COUNT Query of each
// shard, the shards of one offering at once. The figure costs reads of the
// entries and writes nothing, so applying keeps no counter that every
// applicant would update.
func (st *Store) ApplicantCounts(ctx context.Context, offeringIDs []string) (map[string]int, error) {
	out := make(map[string]int, len(offeringIDs))
	for _, id := range offeringIDs {
		var counts [ApplicantShards]int
		var errs [ApplicantShards]error
		var wg sync.WaitGroup
		for shard := range ApplicantShards {
			wg.Go(func() { counts[shard], errs[shard] = st.countShard(ctx, applicantsPK(id, shard)) })
		}
		wg.Wait()
		for shard := range ApplicantShards {
			if errs[shard] != nil {
				return nil, errs[shard]
			}
			out[id] += counts[shard]
		}
	}
	return out, nil
}

// countShard counts the items of one partition (per megabyte read).
func (st *Store) countShard(ctx context.Context, pk string) (int, error) {
	q := st.query(partition{pk: pk})
	q.Select = types.SelectCount
	total := 0
	for {
		res, err := st.db.Query(ctx, q)
		if err != nil {
			return 0, classify(err)
		}
		total += int(res.Count)
		if len(res.LastEvaluatedKey) == 0 {
			return total, nil
		}
		q.ExclusiveStartKey = res.LastEvaluatedKey
	}
}

// ParticipantApplications are the account's applications for participantID,
// every status.
func (st *Store) ParticipantApplications(ctx context.Context, account, participantID string) ([]domain.Application, error) {
	var out []domain.Application
	err := st.queryAll(ctx, partition{pk: accountPK(account), prefix: prefixApplication}, func(m map[string]types.AttributeValue) error {
		a, err := st.unmarshalApplication(ctx, m)
		if err == nil && a.ParticipantID == participantID {
			out = append(out, a)
		}
		return err
	}, consistent)
	return out, err
}

// DeleteApplication deletes an application's record from its account (an
// erasure: the draw's entry and marker are gone already, withdrawn or
// drawn).
func (st *Store) DeleteApplication(ctx context.Context, a domain.Application) error {
	return st.DeleteItems(ctx, []map[string]types.AttributeValue{applicationKey(a.Account, a.ID)})
}

// TallyApplicants records on an undrawn lottery offering how many
// applications its draw holds, as counted at at (ApplicantCounts). An
// offering gone meanwhile is left alone.
func (st *Store) TallyApplicants(ctx context.Context, offeringID string, n int, at time.Time) error {
	_, err := st.db.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName: &st.table, Key: key(offeringPK(offeringID), skOffering),
		UpdateExpression:          aws.String("SET applicants_tally = :n, tallied_at = :at"),
		ConditionExpression:       aws.String("attribute_exists(PK)"),
		ExpressionAttributeValues: map[string]types.AttributeValue{":n": nAttr(n), ":at": s(utc(at))},
	})
	if errorFault(err) == faultCondition {
		return nil
	}
	return classify(err)
}
