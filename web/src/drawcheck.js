// enrol-lottery-v1 redone in the browser with WebCrypto, from the public draw document
// alone, as the contract ("Lottery offerings") fixes it and shared/lottery implements it:
//   ticket     = sha256("enrol-ticket-v1|" + offering_id + "|" + application_id)
//   digest     = sha256(sorted tickets joined by "\n")
//   commitment = sha256(secret)   (the secret's hex string, as written)
//   seed       = sha256("enrol-lottery-v1|" + secret + "|" + digest + "|" + randomness)
//   number     = HMAC-SHA256(key = the 32 bytes of seed, message = the ticket's hex string)
//   rank       = by tier ascending, then number, then ticket
// Each finding names the member it concerns and says it in Chinese and English, in the
// order the Go verifier (cmd/verify-draw) lists them.

export const ALGORITHM = 'enrol-lottery-v1';
const enc = new TextEncoder();

const toHex = (buf) => Array.from(new Uint8Array(buf), (b) => b.toString(16).padStart(2, '0')).join('');
export async function sha256(s) {
  return toHex(await crypto.subtle.digest('SHA-256', enc.encode(s)));
}
export const ticketOf = (offeringId, applicationId) => sha256('enrol-ticket-v1|' + offeringId + '|' + applicationId);

// Lowercase hex of n bytes (any nonzero even length when n is 0), as the Go code requires.
export function isHex(s, n = 0) {
  return typeof s === 'string' && s !== '' && s.length % 2 === 0 && (!n || s.length === 2 * n) && /^[0-9a-f]+$/.test(s);
}
const fromHex = (s) => new Uint8Array(s.match(/../g).map((h) => parseInt(h, 16)));
const cmp = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
const short = (h) => (typeof h === 'string' && h.length > 16 ? h.slice(0, 16) + '…' : String(h));

function finding(field, zh, en, ticket) {
  return { field, ticket, zh, en };
}

// The tickets' own checks (well formed, listed once) and their digest: what a document
// shows once applications close.
export async function checkTickets(doc) {
  const out = [];
  const tickets = Array.isArray(doc.tickets) ? doc.tickets : [];
  const seen = new Set();
  for (const tk of tickets) {
    if (!isHex(tk, 32)) out.push(finding('tickets', `签号“${short(tk)}”应为64位小写十六进制`, `ticket “${short(tk)}” must be 64 lowercase hex digits`, tk));
    if (seen.has(tk)) out.push(finding('tickets', `签号${short(tk)}出现了两次`, `ticket ${short(tk)} is listed twice`, tk));
    seen.add(tk);
  }
  const digest = await sha256([...tickets].sort(cmp).join('\n'));
  if (digest !== doc.applicants_digest) {
    out.push(finding('applicants_digest',
      `签号列表的摘要为${short(digest)}，与截止时公布的摘要${short(doc.applicants_digest)}不符：名单有增减或改动`,
      `the tickets' digest is ${short(digest)}, not the ${short(doc.applicants_digest)} published at the close: tickets were added, removed or changed`));
  }
  return { findings: out, digest, seen };
}

// verify(doc, progress) recomputes a drawn document. progress(done, total) is called as the
// numbers are computed. It resolves to {findings, checks, results, seed} where checks is one
// line per member ({field, ok}) and results the recomputed ranks (in rank order).
export async function verify(doc, progress = () => {}) {
  const findings = [];
  if (doc.status !== 'drawn') {
    findings.push(finding('status', `状态为“${doc.status}”，尚未抽签，无可核验`, `the status is “${doc.status}”: nothing is drawn yet to check`));
    return { findings, checks: [], results: [] };
  }
  const published = Array.isArray(doc.results) ? doc.results : [];
  const byTicket = new Map();
  for (const r of published) {
    if (byTicket.has(r.ticket)) { findings.push(finding('results', `签号${short(r.ticket)}的结果出现了两次`, `ticket ${short(r.ticket)} has two results`, r.ticket)); continue; }
    byTicket.set(r.ticket, r);
  }
  if (doc.algorithm !== ALGORITHM) {
    findings.push(finding('algorithm', `算法为“${doc.algorithm}”，本页只核验“${ALGORITHM}”`, `the algorithm is “${doc.algorithm}”; this page checks “${ALGORITHM}” only`));
    return { findings, checks: [{ field: 'algorithm', ok: false }], results: [] };
  }
  const secret = String(doc.secret ?? ''), randomness = String(doc.beacon?.randomness ?? '');
  if (!isHex(secret)) findings.push(finding('secret', '密钥应为小写十六进制', 'the secret must be lowercase hex'));
  const commitment = await sha256(secret);
  if (commitment !== doc.commitment) {
    findings.push(finding('commitment',
      `公布的密钥与开放申请时公布的承诺值不符：密钥的哈希为${short(commitment)}，承诺值为${short(doc.commitment)}`,
      `the secret is not the one committed to when applications opened: it hashes to ${short(commitment)}, the commitment is ${short(doc.commitment)}`));
  }
  if (!isHex(randomness)) findings.push(finding('beacon.randomness', '信标随机数应为小写十六进制', "the beacon's randomness must be lowercase hex"));
  const tickets = Array.isArray(doc.tickets) ? doc.tickets : [];
  const tk = await checkTickets(doc);
  findings.push(...tk.findings);
  // The tiers are those the results carry, for listed tickets (the document cannot show a
  // tier is deserved, only that the ranks follow from the tiers given).
  const tier = (t) => { const r = byTicket.get(t); return r && Number.isInteger(r.tier) ? r.tier : 1; };
  for (const t of [...tk.seen].sort(cmp)) {
    const v = tier(t);
    if (v < 1) findings.push(finding('tiers', `签号${short(t)}的优先级为${v}，应不小于1`, `ticket ${short(t)} has tier ${v}; tiers start at 1`, t));
  }

  const seed = await sha256(ALGORITHM + '|' + secret + '|' + doc.applicants_digest + '|' + randomness);
  if (doc.seed !== seed) {
    findings.push(finding('seed', `公布的种子为${short(doc.seed)}，由密钥、摘要和信标随机数重算得${short(seed)}`,
      `the published seed is ${short(doc.seed)}; the secret, digest and beacon randomness give ${short(seed)}`));
  }
  const key = await crypto.subtle.importKey('raw', fromHex(seed), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const results = new Array(tickets.length);
  const CHUNK = 2000;
  for (let i = 0; i < tickets.length; i += CHUNK) {
    const part = tickets.slice(i, i + CHUNK);
    const nums = await Promise.all(part.map((t) => crypto.subtle.sign('HMAC', key, enc.encode(t))));
    part.forEach((t, j) => { results[i + j] = { ticket: t, tier: tier(t), number: toHex(nums[j]) }; });
    progress(Math.min(i + CHUNK, tickets.length), tickets.length);
    await new Promise((r) => setTimeout(r, 0)); // let the page show the progress
  }
  progress(tickets.length, tickets.length);
  results.sort((a, b) => a.tier - b.tier || cmp(a.number, b.number) || cmp(a.ticket, b.ticket));
  results.forEach((r, i) => { r.rank = i + 1; });

  let numbersOk = 0, ranksOk = 0, tiersOk = 0;
  const rest = new Map(byTicket);
  for (const want of results) {
    const got = rest.get(want.ticket);
    if (!got) { findings.push(finding('results', `签号${short(want.ticket)}没有公布结果`, `ticket ${short(want.ticket)} has no published result`, want.ticket)); continue; }
    rest.delete(want.ticket);
    if (got.tier !== want.tier) findings.push(finding('results.tier', `签号${short(want.ticket)}公布的优先级为${got.tier}，应为${want.tier}`, `ticket ${short(want.ticket)}: the published tier is ${got.tier}, it should be ${want.tier}`, want.ticket));
    else tiersOk++;
    if (got.number !== want.number) findings.push(finding('results.number', `签号${short(want.ticket)}公布的随机号为${short(got.number)}，重算得${short(want.number)}`, `ticket ${short(want.ticket)}: the published number is ${short(got.number)}, recomputed ${short(want.number)}`, want.ticket));
    else numbersOk++;
    if (got.rank !== want.rank) findings.push(finding('results.rank', `签号${short(want.ticket)}公布的名次为${got.rank}，重算得${want.rank}`, `ticket ${short(want.ticket)}: the published rank is ${got.rank}, recomputed ${want.rank}`, want.ticket));
    else ranksOk++;
  }
  for (const r of published) {
    if (rest.has(r.ticket)) {
      rest.delete(r.ticket);
      findings.push(finding('results', `签号${short(r.ticket)}有结果，却不在签号列表中`, `ticket ${short(r.ticket)} has a result but is not among the tickets`, r.ticket));
    }
  }
  const bad = (...fields) => findings.some((f) => fields.includes(f.field));
  const n = results.length;
  const checks = [
    { field: 'algorithm', ok: true },
    { field: 'commitment', ok: !bad('commitment', 'secret') },
    { field: 'applicants_digest', ok: !bad('applicants_digest', 'tickets') },
    { field: 'seed', ok: !bad('seed', 'beacon.randomness') },
    { field: 'numbers', ok: numbersOk === n, count: numbersOk, of: n },
    { field: 'ranks', ok: ranksOk === n && tiersOk === n, count: ranksOk, of: n },
    { field: 'results', ok: !bad('results') && published.length === n },
  ];
  return { findings, checks, results, seed };
}
