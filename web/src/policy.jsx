// Priority policies: who comes first in a kind's lotteries. Anyone reads the version in
// force (#/policies/<kind>); officers read every version and write the next
// (#/city/policies/<kind>, ?version=<n> to read one).
import { useState, useEffect } from 'preact/hooks';
import { get, api } from './api.js';
import { t, lang, addTexts, fmtDateTime, KINDS } from './i18n.js';
import { useSignal } from './signal.js';
import { route, PageHeading, ErrorBox, Ok, Loading, useLoad, announce, errorText, Field } from './ui.jsx';
import { fromLocalInput } from './staff.jsx';

addTexts({
  navPolicy: '优先级政策', policyTitle: '优先级政策', publicPolicyTitle: '录取优先规则', policyLink: '录取优先规则（谁优先）',
  publicPolicyIntro: '抽签时按档次先后：第 1 档的申请人最先按抽签号排序，然后是第 2 档，依此类推；同一档内只看随机抽签号，申请先后不影响结果。申请时可勾选符合的档次，由机构工作人员在申请截止前核验所列材料，核验通过才计入；未勾选或未通过核验的，按最后一档参加抽签。',
  noPolicy: '该类项目目前没有优先规则：所有申请人同等参加抽签。',
  policyVersionN: (n, d) => `第 ${n} 版 · 自 ${d} 起生效`, policyInForce: '现行版本', policyVersions: '全部版本',
  tierCol: '档次', codeCol: '代码', zhCol: '中文名称', enCol: '英文名称', nameCol: '类别', evidenceCol: '需核验的材料', noEvidence: '无需材料',
  versionCol: '版本', effectiveCol: '生效时间', statusCol: '状态', writtenCol: '发布时间', viewVersion: (n) => `查看第 ${n} 版`, versionN: (n) => `第 ${n} 版`,
  ps_in_force: '现行', ps_scheduled: '待生效', ps_superseded: '已被取代', noVersions: '还没有任何版本。',
  newVersion: '发布新版本', newVersionIntro: '内容从最新版本复制而来，修改后发布；每次发布都是新的一版，旧版本保留可查。最后一档是其他所有申请人，不填证明材料。生效时间留空即立即生效；晚于现在的版本到时才生效，在此之前现行版本不变。',
  effectiveFromL: '生效时间（UTC+8，留空为立即生效）', tierN: (n) => `第 ${n} 档`, lastTierN: (n) => `第 ${n} 档（最后一档：其他所有申请人）`,
  codeHint: '2–32 位小写字母、数字或下划线，以字母开头；申请中勾选的档次用它', evidenceL: '工作人员核验的证明材料',
  addTier: '添加一档', removeTier: (n) => `删除第 ${n} 档`, moveUp: (n) => `第 ${n} 档上移`, moveDown: (n) => `第 ${n} 档下移`,
  publish: '发布新版本', publishedNow: (n) => `已发布第 ${n} 版，现已生效。`, publishedLater: (n, d) => `已发布第 ${n} 版，将于 ${d} 生效。`,
  backToCity: '全市看板',
}, {
  navPolicy: 'Priority policy', policyTitle: 'Priority policy', publicPolicyTitle: 'Who comes first', policyLink: 'Who comes first (priority rules)',
  publicPolicyIntro: 'The draw goes tier by tier: applicants in tier 1 are ranked first by their lottery numbers, then tier 2, and so on; within a tier only the random number counts, not when you applied. When applying you may tick the tiers that fit; centre staff check the evidence listed before applications close, and only a confirmed claim counts. Without a confirmed claim you are drawn in the last tier.',
  noPolicy: 'No priority rules are in force for this kind: every applicant is drawn alike.',
  policyVersionN: (n, d) => `Version ${n} · in force from ${d}`, policyInForce: 'In force now', policyVersions: 'All versions',
  tierCol: 'Tier', codeCol: 'Code', zhCol: 'Chinese name', enCol: 'English name', nameCol: 'Who', evidenceCol: 'Evidence staff check', noEvidence: 'none needed',
  versionCol: 'Version', effectiveCol: 'Effective from', statusCol: 'Status', writtenCol: 'Written', viewVersion: (n) => `View version ${n}`, versionN: (n) => `Version ${n}`,
  ps_in_force: 'In force', ps_scheduled: 'Scheduled', ps_superseded: 'Superseded', noVersions: 'No versions yet.',
  newVersion: 'Write a new version', newVersionIntro: 'Copied from the latest version: edit it and publish. Every change is a new version; old ones stay readable. The last tier is everyone else and has no evidence. Leave the time empty to take effect now; a later one takes effect at its time, and the version in force stays until then.',
  effectiveFromL: 'Effective from (UTC+8; empty: now)', tierN: (n) => `Tier ${n}`, lastTierN: (n) => `Tier ${n} (the last: everyone else)`,
  codeHint: '2–32 lowercase letters, digits or underscores, starting with a letter; claims in applications use it', evidenceL: 'Evidence staff check',
  addTier: 'Add a tier', removeTier: (n) => `Remove tier ${n}`, moveUp: (n) => `Move tier ${n} up`, moveDown: (n) => `Move tier ${n} down`,
  publish: 'Publish the new version', publishedNow: (n) => `Version ${n} is published and in force now.`, publishedLater: (n, d) => `Version ${n} is published; it takes effect ${d}.`,
  backToCity: 'City dashboard',
});

const enc = encodeURIComponent;
export const policyHref = (kind) => '#/policies/' + enc(kind || 'childcare');
const adminHref = (kind, version) => '#/city/policies/' + enc(kind) + (version ? '?version=' + version : '');
const apiPath = (kind) => '/v1/city/priority-policies/' + enc(kind);
const pickKind = (k) => (KINDS.includes(k) ? k : 'childcare');

function KindTabs({ kind, href }) {
  return (
    <nav aria-label={t('kind')} class="kind-tabs">
      <ul>{KINDS.map((k) => <li key={k}><a href={href(k)} aria-current={k === kind ? 'page' : undefined}>{t('kind_' + k)}</a></li>)}</ul>
    </nav>
  );
}

// A version's tiers: the public sees the page's language, officers both names and the codes.
function TierTable({ p, full, id }) {
  const en = lang.value === 'en';
  const head = full ? [t('tierCol'), t('codeCol'), t('zhCol'), t('enCol'), t('evidenceCol')] : [t('tierCol'), t('nameCol'), t('evidenceCol')];
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={t('versionN', p.version)}>
      <table class="data" id={id} data-kind={p.kind} data-version={p.version}>
        <caption>{t('policyVersionN', p.version, fmtDateTime(p.effective_from))}</caption>
        <thead><tr>{head.map((h) => <th key={h} scope="col">{h}</th>)}</tr></thead>
        <tbody>
          {p.tiers.map((tr) => (
            <tr key={tr.code} data-code={tr.code}>
              <th scope="row" class="num">{tr.tier}</th>
              {full && <td><code>{tr.code}</code></td>}
              {full ? <><td lang="zh-CN">{tr.zh}</td><td lang="en">{tr.en}</td></> : <td>{en ? tr.en : tr.zh}</td>}
              <td>{tr.evidence || <span class="muted">{t('noEvidence')}</span>}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

// The version in force, or null when the kind has none (404).
const current = (kind) => get(apiPath(kind), { auth: false }).catch((e) => { if (e.code === 'not_found') return null; throw e; });

// #/policies/<kind>: the public, read-only view.
export function PublicPolicy({ kind }) {
  useSignal(lang);
  const k = pickKind(kind);
  const p = useLoad(() => current(k), [k]);
  return (
    <>
      <PageHeading>{t('publicPolicyTitle')}</PageHeading>
      <KindTabs kind={k} href={policyHref} />
      <p class="intro">{t('publicPolicyIntro')}</p>
      {p.loading && <Loading />}
      <ErrorBox error={p.error} onRetry={p.reload} />
      {!p.loading && !p.error && (p.data ? <TierTable p={p.data} id="policy-public" /> : <p class="empty" data-testid="no-policy">{t('noPolicy')}</p>)}
    </>
  );
}

// #/city/policies/<kind>: officers' page.
export function PolicyAdmin({ kind }) {
  useSignal(lang);
  const r = useSignal(route);
  const k = pickKind(kind);
  const version = Number(r.query.get('version')) || 0;
  const data = useLoad(async () => {
    const [inForce, versions] = await Promise.all([current(k), get(apiPath(k) + '/versions?limit=200')]);
    return { inForce, versions: versions.items };
  }, [k]);
  const shown = useLoad(() => (version ? get(apiPath(k) + '/versions/' + version) : null), [k, version]);
  const d = data.data;
  return (
    <>
      <p><a href="#/city" class="back">← {t('backToCity')}</a></p>
      <PageHeading>{t('policyTitle')}</PageHeading>
      <KindTabs kind={k} href={(x) => adminHref(x)} />
      {data.loading && !d && <Loading />}
      <ErrorBox error={data.error} onRetry={data.reload} />
      {d && (
        <>
          <section class="panel" aria-labelledby="pol-now-h">
            <h2 id="pol-now-h">{t('policyInForce')}</h2>
            {d.inForce ? <TierTable p={d.inForce} full id="policy-current" /> : <p class="empty">{t('noPolicy')}</p>}
          </section>
          <section class="panel" aria-labelledby="pol-versions-h">
            <h2 id="pol-versions-h">{t('policyVersions')}</h2>
            <Versions kind={k} items={d.versions} />
            <ErrorBox error={shown.error} onRetry={shown.reload} />
            {shown.data && <div data-testid="policy-shown"><h3 id="pol-shown-h">{t('versionN', shown.data.version)} · {t('ps_' + shown.data.status)}</h3><TierTable p={shown.data} full id="policy-version" /></div>}
          </section>
          <NewVersion key={k} kind={k} latest={d.versions[0]} onDone={data.reload} />
        </>
      )}
    </>
  );
}

function Versions({ kind, items }) {
  if (!items.length) return <p class="empty">{t('noVersions')}</p>;
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={t('policyVersions')}>
      <table class="data" id="policy-versions">
        <caption>{t('policyVersions')}</caption>
        <thead><tr>{[t('versionCol'), t('effectiveCol'), t('statusCol'), t('writtenCol')].map((h) => <th key={h} scope="col">{h}</th>)}</tr></thead>
        <tbody>
          {items.map((v) => (
            <tr key={v.version} data-version={v.version} data-status={v.status}>
              <th scope="row"><a href={adminHref(kind, v.version)} aria-label={t('viewVersion', v.version)}>{t('versionN', v.version)}</a></th>
              <td>{fmtDateTime(v.effective_from)}</td>
              <td class={'ps-' + v.status}>{t('ps_' + v.status)}</td>
              <td>{fmtDateTime(v.created_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

const blankTier = () => ({ code: '', zh: '', en: '', evidence: '' });

// The form of the next version, starting from the latest's tiers.
function NewVersion({ kind, latest, onDone }) {
  const init = () => (latest ? latest.tiers.map(({ code, zh, en, evidence }) => ({ code, zh, en, evidence })) : [blankTier(), { code: 'general', zh: '其他申请人', en: 'Everyone else', evidence: '' }]);
  const [tiers, setTiers] = useState(init);
  const [from, setFrom] = useState('');
  const [error, setError] = useState(null);
  const [ok, setOk] = useState('');
  const [busy, setBusy] = useState(false);
  useEffect(() => setTiers(init()), [latest && latest.version]);
  // Only the field named exactly: tiers[1].code is not tiers[0].code.
  const fe = (field) => { const e = error && (error.errors || []).find((x) => x.field === field); return e ? e.message : null; };
  const edit = (i, key) => (e) => { const v = e.currentTarget.value; setTiers((ts) => ts.map((tr, j) => (j === i ? { ...tr, [key]: v } : tr))); };
  const move = (i, by) => setTiers((ts) => { const out = ts.slice(); [out[i], out[i + by]] = [out[i + by], out[i]]; return out; });
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null); setOk('');
    try {
      const body = { tiers, ...(from ? { effective_from: fromLocalInput(from) } : {}) };
      const p = await api('PUT', apiPath(kind), { body });
      const msg = p.status === 'in_force' ? t('publishedNow', p.version) : t('publishedLater', p.version, fmtDateTime(p.effective_from));
      setOk(msg); announce(msg); setFrom('');
      onDone();
    } catch (err) { setError(err); announce(errorText(err)); } finally { setBusy(false); }
  };
  const n = tiers.length;
  return (
    <section class="panel" aria-labelledby="pol-new-h">
      <h2 id="pol-new-h">{t('newVersion')}</h2>
      <p class="hint">{t('newVersionIntro')}</p>
      <form onSubmit={submit} noValidate data-testid="policy-form">
        <Field id="pol-from" label={t('effectiveFromL')} error={fe('effective_from')}>{(a) => <input {...a} type="datetime-local" value={from} onInput={(e) => setFrom(e.currentTarget.value)} />}</Field>
        {fe('tiers') && <p class="field-error" role="alert" id="pol-tiers-err">{fe('tiers')}</p>}
        {tiers.map((tr, i) => {
          const f = (k) => `tiers[${i}].${k}`;
          const last = i === n - 1;
          return (
            <fieldset key={i} class={'tier' + ([f('code'), f('zh'), f('en'), f('evidence'), f('tier')].some(fe) ? ' tier-invalid' : '')} data-tier={i + 1}>
              <legend>{last ? t('lastTierN', i + 1) : t('tierN', i + 1)}</legend>
              <Field id={`pol-${i}-code`} label={t('codeCol')} hint={i === 0 ? t('codeHint') : undefined} error={fe(f('code'))}>{(a) => <input {...a} name={f('code')} value={tr.code} onInput={edit(i, 'code')} autocapitalize="off" spellcheck={false} />}</Field>
              <Field id={`pol-${i}-zh`} label={t('zhCol')} error={fe(f('zh'))}>{(a) => <input {...a} name={f('zh')} lang="zh-CN" value={tr.zh} onInput={edit(i, 'zh')} />}</Field>
              <Field id={`pol-${i}-en`} label={t('enCol')} error={fe(f('en'))}>{(a) => <input {...a} name={f('en')} lang="en" value={tr.en} onInput={edit(i, 'en')} />}</Field>
              <Field id={`pol-${i}-evidence`} label={t('evidenceL')} error={fe(f('evidence'))}>{(a) => <textarea {...a} name={f('evidence')} rows={2} value={tr.evidence} onInput={edit(i, 'evidence')} />}</Field>
              {fe(f('tier')) && <p class="field-error">{fe(f('tier'))}</p>}
              <div class="actions">
                <button type="button" disabled={i === 0} onClick={() => move(i, -1)} aria-label={t('moveUp', i + 1)}>↑</button>
                <button type="button" disabled={last} onClick={() => move(i, 1)} aria-label={t('moveDown', i + 1)}>↓</button>
                <button type="button" disabled={n <= 2} onClick={() => setTiers((ts) => ts.filter((_, j) => j !== i))}>{t('removeTier', i + 1)}</button>
              </div>
            </fieldset>
          );
        })}
        <div class="actions">
          <button type="button" disabled={n >= 10} onClick={() => setTiers((ts) => [...ts.slice(0, -1), blankTier(), ts[ts.length - 1]])}>{t('addTier')}</button>
          <button type="submit" class="primary" disabled={busy}>{t('publish')}</button>
        </div>
      </form>
      <ErrorBox error={error} onRetry={() => submit({ preventDefault() {} })} />
      <Ok>{ok}</Ok>
    </section>
  );
}
