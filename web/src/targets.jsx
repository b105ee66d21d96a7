// City officers set the targets (issue 19): one per year and kind, every change kept.
// PUT /v1/city/targets/{year}/{kind} {target, baseline, title}; the history of each from
// GET /v1/city/targets?history=true (oldest first; shown newest first).
import { useState, useRef } from 'preact/hooks';
import { get, api } from './api.js';
import { t, lang, addTexts, fmtDateTime, fmtNum, KINDS } from './i18n.js';
import { useSignal } from './signal.js';
import { ErrorBox, Ok, Loading, useLoad, announce, errorText, Field, fieldError } from './ui.jsx';

addTexts({
  targetsEdit: '设定目标', targetsEditIntro: '每个年度、每种类型一个目标；修改后新数值立即用于进度，旧数值保留在变更记录中。',
  targetYear: '年度', targetKind: '类型', targetNumber: '目标（新增名额数）', targetBaseline: '起算日', targetTitleL: '目标名称',
  targetTitleHint: '看板和下载文件中显示的名称，例如“2026 年新增普惠性托位 3,000 个”', saveTarget: '保存目标',
  targetSaved: (y, k) => `${y} 年${k}的目标已保存。`, editThis: (y, k) => `修改 ${y} 年${k}的目标`, editBtn: '修改',
  targetHistory: '变更记录', targetHistoryOf: (y, k) => `${y} 年${k}目标的变更记录`, changedAt: '修改时间', changedBy: '修改人', noHistory: '没有变更记录。',
  historyN: (n) => `${n} 次设定`, yearFormat: '年度应为 4 位数字，例如 2026。',
}, {
  targetsEdit: 'Set targets', targetsEditIntro: 'One target per year and kind. A change counts at once for progress; earlier values stay in the history.',
  targetYear: 'Year', targetKind: 'Kind', targetNumber: 'Target (new places)', targetBaseline: 'Counted from', targetTitleL: 'Title',
  targetTitleHint: 'As the dashboard and downloads show it, e.g. "3,000 new inclusive childcare places in 2026"', saveTarget: 'Save the target',
  targetSaved: (y, k) => `The ${y} target for ${k} is saved.`, editThis: (y, k) => `Edit the ${y} target for ${k}`, editBtn: 'Edit',
  targetHistory: 'History', targetHistoryOf: (y, k) => `History of the ${y} target for ${k}`, changedAt: 'Changed', changedBy: 'By', noHistory: 'No changes recorded.',
  historyN: (n) => `set ${n} times`, yearFormat: 'The year is four digits, e.g. 2026.',
});

const thisYear = () => Number(new Date().toLocaleDateString('sv-SE', { timeZone: 'Asia/Shanghai' }).slice(0, 4));
const blank = () => { const y = thisYear(); return { year: String(y), kind: 'childcare', target: '', baseline: y + '-01-01', title: '' }; };

export function TargetsEditor({ onSaved }) {
  useSignal(lang);
  const list = useLoad(() => get('/v1/city/targets?history=true'), [lang.value]);
  const [f, setF] = useState(blank);
  const [error, setError] = useState(null);
  const [ok, setOk] = useState('');
  const [busy, setBusy] = useState(false);
  const [tries, setTries] = useState(0);
  const form = useRef(null);
  const upd = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const fe = (k) => fieldError(error, k);
  const pick = (x) => {
    setF({ year: String(x.year), kind: x.kind, target: String(x.target), baseline: x.baseline || '', title: x.title || '' });
    setError(null); setOk('');
    const el = form.current && form.current.querySelector('#tg-target');
    if (el) { el.focus(); el.scrollIntoView({ block: 'center' }); }
  };
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true); setError(null); setOk('');
    const year = f.year.trim(), kind = f.kind;
    // The year is part of the address: checked here, as the API checks the rest.
    if (!/^\d{4}$/.test(year)) {
      const err = { code: 'validation_failed', errors: [{ field: 'year', message: t('yearFormat') }] };
      setError(err); setTries((n) => n + 1); setBusy(false); announce(t('yearFormat'));
      return;
    }
    try {
      await api('PUT', `/v1/city/targets/${encodeURIComponent(year)}/${encodeURIComponent(kind)}`, {
        body: { target: f.target.trim() === '' ? 0 : Number(f.target), baseline: f.baseline, title: f.title.trim() },
      });
      const msg = t('targetSaved', year, t('kind_' + kind));
      setOk(msg); announce(msg);
      list.reload();
      if (onSaved) onSaved();
    } catch (err) { setError(err); setTries((n) => n + 1); announce(errorText(err)); } finally { setBusy(false); }
  };
  const items = (list.data && list.data.items) || [];
  return (
    <section class="panel" aria-labelledby="tg-h" data-testid="targets-editor">
      <h2 id="tg-h">{t('targetsEdit')}</h2>
      <p class="hint">{t('targetsEditIntro')}</p>
      {list.loading && !list.data && <Loading />}
      <ErrorBox error={list.error} onRetry={list.reload} />
      {items.length > 0 && (
        <ul class="people" id="targets-list">
          {items.map((x) => {
            const kn = t('kind_' + x.kind);
            const hist = (x.history || []).slice().reverse();
            return (
              <li class="person" key={x.year + '/' + x.kind} data-target={x.year + '/' + x.kind}>
                <p class="who"><strong>{x.year} · {kn}</strong> <span>{x.title}</span></p>
                <p class="muted">{t('target')} {fmtNum(x.target)} · {t('targetBaseline')} {x.baseline}</p>
                <p class="actions"><button type="button" aria-label={t('editThis', x.year, kn)} onClick={() => pick(x)}>{t('editBtn')}</button></p>
                <details>
                  <summary>{t('targetHistory')} · {t('historyN', hist.length)}</summary>
                  {hist.length === 0 ? <p class="empty">{t('noHistory')}</p> : (
                    <div class="table-wrap" tabIndex={0} role="region" aria-label={t('targetHistoryOf', x.year, kn)}>
                      <table class="data target-history">
                        <caption>{t('targetHistoryOf', x.year, kn)}</caption>
                        <thead><tr><th scope="col">{t('changedAt')}</th><th scope="col">{t('target')}</th><th scope="col">{t('targetBaseline')}</th><th scope="col">{t('targetTitleL')}</th><th scope="col">{t('changedBy')}</th></tr></thead>
                        <tbody>
                          {hist.map((h, i) => (
                            <tr key={i}>
                              <th scope="row">{fmtDateTime(h.changed_at)}</th>
                              <td class="num">{fmtNum(h.target)}</td><td>{h.baseline}</td><td>{h.title}</td><td>{h.changed_by}</td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </div>
                  )}
                </details>
              </li>
            );
          })}
        </ul>
      )}
      <form ref={form} onSubmit={submit} noValidate class="grid-form" data-testid="target-form">
        <Field id="tg-year" label={t('targetYear')} error={fe('year')}>{(a) => <input {...a} name="year" inputMode="numeric" required value={f.year} onInput={upd('year')} />}</Field>
        <Field id="tg-kind" label={t('targetKind')} error={fe('kind')}>
          {(a) => <select {...a} name="kind" value={f.kind} onChange={upd('kind')}>{KINDS.map((k) => <option key={k} value={k}>{t('kind_' + k)}</option>)}</select>}
        </Field>
        <Field id="tg-target" label={t('targetNumber')} error={fe('target')}>{(a) => <input {...a} name="target" type="number" min="1" required value={f.target} onInput={upd('target')} />}</Field>
        <Field id="tg-baseline" label={t('targetBaseline')} error={fe('baseline')}>{(a) => <input {...a} name="baseline" type="date" required value={f.baseline} onInput={upd('baseline')} />}</Field>
        <Field id="tg-title" label={t('targetTitleL')} hint={t('targetTitleHint')} error={fe('title')}>{(a) => <input {...a} name="title" required maxLength={200} value={f.title} onInput={upd('title')} />}</Field>
        <button type="submit" class="primary" disabled={busy}>{t('saveTarget')}</button>
      </form>
      <ErrorBox error={error} focusKey={tries} onRetry={() => submit({ preventDefault() {} })} />
      <Ok>{ok}</Ok>
    </section>
  );
}
