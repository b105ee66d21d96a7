// Issue 14's pieces shown wherever an application is: its choices in order, its siblings,
// its claims with their status, and after the draw the explanation of its rank (the same
// for the resident, centre staff and city officers).
import { get } from './api.js';
import { t, tIn, lang } from './i18n.js';
import { useLoad } from './ui.jsx';
import { drawHref } from './lottery.jsx';
import { policyHref } from './policy.jsx';
import './i18n-rounds.js';

const enc = encodeURIComponent;

// Chinese and English side by side, the page's language first.
export function Both({ zh, en, block }) {
  const l = lang.value;
  if (!en || zh === en) return <>{zh || en}</>;
  return <>{l === 'en' ? en : zh} <span lang={l === 'en' ? 'zh-CN' : 'en'} class={'other-lang' + (block ? ' block' : '')}>{l === 'en' ? zh : en}</span></>;
}

// The priority policy in force now for kind (public), or null when the kind has none.
const policies = new Map();
export function loadPolicy(kind) {
  if (!kind) return Promise.resolve(null);
  if (!policies.has(kind)) {
    const p = get('/v1/city/priority-policies/' + enc(kind), { auth: false }).catch((e) => {
      policies.delete(kind);
      if (e.status === 404) return null;
      throw e;
    });
    policies.set(kind, p);
  }
  return policies.get(kind);
}
export const usePolicy = (kind) => useLoad(() => loadPolicy(kind), [kind]);

// The tiers a resident may claim: all but the last ("everyone else").
export const claimable = (policy) => (policy && policy.tiers ? policy.tiers.slice(0, -1) : []);
export const tierOf = (policy, code) => (policy && policy.tiers ? policy.tiers.find((x) => x.code === code) : null);

// A claimed tier by its name, 第 n 优先级「名称」 (or its code when the policy does not name it).
export function TierName({ policy, code, tier }) {
  const x = tierOf(policy, code) || (tier && { tier: tier.tier, zh: tier.zh, en: tier.en });
  if (!x) return <code>{code}</code>;
  return <Both zh={tIn('zh-CN', 'tierNamed', x.tier, x.zh)} en={tIn('en', 'tierNamed', x.tier, x.en)} />;
}

export function ClaimStatus({ c }) {
  return (
    <span class={'claim-st claim-' + c.status} data-testid="claim-status" data-status={c.status}>
      <Both zh={tIn('zh-CN', 'cst_' + c.status)} en={tIn('en', 'cst_' + c.status)} />
    </span>
  );
}

// The facts of issue 14 on an application card: siblings, choices in order, claims.
export function ApplicationExtras({ a, policy, titles = {} }) {
  const choices = a.choices || [];
  const claims = a.claims || [];
  const round = !!a.round_id;
  const title = (id) => titles[id] || (choices.find((c) => c.offering_id === id) || {}).offering?.title || id;
  return (
    <>
      {a.siblings && a.siblings.length > 0 && (
        <p data-testid="siblings"><strong>{t('siblingsL')}</strong>{t('colon')}{a.siblings.map((s) => s.name).join('、')}</p>
      )}
      {round && choices.length > 0 && (
        <div class="choices-shown">
          <p><strong>{t('choicesL')}</strong></p>
          <ol class="choices" data-testid="choices">
            {[...choices].sort((x, y) => x.preference - y.preference).map((c) => (
              <li key={c.offering_id} data-offering={c.offering_id}>
                <a href={'#/offerings/' + enc(c.offering_id)}>{title(c.offering_id)}</a>
                {c.offering && c.offering.centre && <span class="muted"> · {c.offering.centre.name}</span>}
              </li>
            ))}
          </ol>
        </div>
      )}
      {claims.length > 0 && (
        <div class="claims-shown">
          <p><strong>{t('claimsL')}</strong></p>
          <ul class="claims" data-testid="claims">
            {claims.map((c) => (
              <li key={c.offering_id + '|' + c.code} data-code={c.code} data-offering={c.offering_id}>
                <TierName policy={policy} code={c.code} />
                {round && <span class="muted"> · {title(c.offering_id)}</span>}
                {t('colon')}<ClaimStatus c={c} />
                {c.status === 'rejected' && c.note && <span class="claim-note" data-testid="claim-note">{t('noteL')}{t('colon')}{c.note}</span>}
              </li>
            ))}
          </ul>
        </div>
      )}
    </>
  );
}

const RESULT = (r) => <Both zh={tIn('zh-CN', 'cr_' + r)} en={tIn('en', 'cr_' + r)} />;

// 说明: why the application got its rank: the summary line in both languages and, per
// choice, the tier (and the claim that set it), the rank there, the result and the waitlist
// place, with the draw's 核验 page.
export function Explanation({ a, id = 'ex-' + a.id }) {
  const ex = a.explanation;
  if (!ex) return null;
  const h = id + '-h';
  return (
    <section class="explain" aria-labelledby={h} data-testid="explanation">
      <h3 id={h} class="h4">{t('explainTitle')}</h3>
      <p class="summary" data-testid="summary-zh" lang="zh-CN">{ex.summary_zh}</p>
      <p class="summary other-lang" data-testid="summary-en" lang="en">{ex.summary_en}</p>
      <dl class="facts">
        {ex.policy_version > 0 && <div><dt>{t('policyVersionL')}</dt><dd data-testid="policy-version">{t('policyVersion', ex.policy_version)}</dd></div>}
        {ex.number && <div class="span"><dt>{t('lotteryNumber')}</dt><dd><code class="sub" data-testid="number">{ex.number}</code></dd></div>}
      </dl>
      <div class="table-wrap" role="region" aria-labelledby={h} tabIndex={0}>
        <table class="data explain-table">
          <caption class="sr-only">{t('explainTitle')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('preferenceL')}</th><th scope="col">{t('offeringL')}</th><th scope="col">{t('tier')}</th>
              <th scope="col">{t('claimL')}</th><th scope="col">{t('rankL')}</th><th scope="col">{t('resultL')}</th><th scope="col">{t('waitPosL')}</th>
            </tr>
          </thead>
          <tbody>
            {ex.choices.map((c) => (
              <tr key={c.offering_id} data-offering={c.offering_id} data-result={c.result}>
                <th scope="row">{t('prefN', c.preference)}</th>
                <td><a href={drawHref(c.offering_id, a.id)} aria-label={t('drawLinkOf', c.title)}>{c.title}</a>{c.centre && c.centre.name && <span class="muted"> · {c.centre.name}</span>}</td>
                <td data-testid="tier">{c.tier_zh ? (lang.value === 'en' ? tIn('en', 'tierNamed', c.tier, c.tier_en) : tIn('zh-CN', 'tierNamed', c.tier, c.tier_zh)) : t('tierNo', c.tier)}</td>
                <td>{c.claim ? <>{t('claimConfirmed')} <code>{c.claim}</code></> : '–'}</td>
                <td class="num" data-testid="rank">{c.rank || '–'}</td>
                <td data-testid="result">{RESULT(c.result)}</td>
                <td class="num" data-testid="position">{c.waitlist_position || '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <p class="actions"><a href={drawHref(ex.choices.length ? ex.choices[0].offering_id : a.offering_id, a.id)} data-testid="verify-link">{t('verifyThisDraw')}</a></p>
    </section>
  );
}

// The messages of an API error about field (participant_id, siblings[1], choices, claims[0]...).
export function fieldErrorOf(error, field) {
  if (!error || !error.errors) return null;
  const e = error.errors.filter((x) => x.field === field || x.field.startsWith(field + '[') || x.field.startsWith(field + '.'));
  return e.length ? e.map((x) => x.message).join(' ') : null;
}

// 一同申请的兄弟姐妹: the account's other children, ticked to apply as one unit.
export function SiblingsField({ list, value, error, onChange }) {
  if (!list.length) return null;
  return (
    <fieldset class={error ? 'has-error' : ''} aria-describedby={'sib-hint' + (error ? ' sib-err' : '')} data-testid="siblings-pick">
      <legend>{t('siblingsLegend')}</legend>
      <p class="hint" id="sib-hint">{t('siblingsHint')}</p>
      {list.map((p) => (
        <div class="field check" key={p.id}>
          <input type="checkbox" id={'sib-' + p.id} checked={value.includes(p.id)}
            onChange={(e) => onChange(e.currentTarget.checked ? [...value, p.id] : value.filter((x) => x !== p.id))} />
          <label for={'sib-' + p.id}>{p.name} · {p.birth_date}</label>
        </div>
      ))}
      {error && <p class="field-error" id="sib-err">{error}</p>}
    </fieldset>
  );
}

// 申请优先级: a box per claimable tier of the policy in force, with the evidence staff check.
export function ClaimsField({ policy, kind, value, error, onChange }) {
  const tiers = claimable(policy);
  if (!tiers.length) return null;
  return (
    <fieldset class={error ? 'has-error' : ''} aria-describedby={'cl-hint' + (error ? ' cl-err' : '')} data-testid="claims-pick">
      <legend>{t('claimsLegend')}</legend>
      <p class="hint" id="cl-hint">{t('claimsHint', policy.version)} <a href={policyHref(kind)}>{t('policyFull')}</a></p>
      {tiers.map((x) => (
        <div class="claim-pick" key={x.code}>
          <div class="field check">
            <input type="checkbox" id={'cl-' + x.code} value={x.code} checked={value.includes(x.code)} aria-describedby={'cl-ev-' + x.code}
              onChange={(e) => onChange(e.currentTarget.checked ? [...value, x.code] : value.filter((c) => c !== x.code))} />
            <label for={'cl-' + x.code}><Both zh={tIn('zh-CN', 'tierNamed', x.tier, x.zh)} en={tIn('en', 'tierNamed', x.tier, x.en)} /></label>
          </div>
          <p class="hint" id={'cl-ev-' + x.code}>{t('claimEvidence')}{t('colon')}{x.evidence}</p>
        </div>
      ))}
      {error && <p class="field-error" id="cl-err">{error}</p>}
    </fieldset>
  );
}
