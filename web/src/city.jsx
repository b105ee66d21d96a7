// City officers' dashboard: places and use by district, growth and targets, demand.
// Charts come from ./charts.js, loaded on demand so no other page downloads ECharts.
import { useEffect, useRef, useState } from 'preact/hooks';
import { get, download } from './api.js';
import { t, lang, fmtPct, fmtNum, fmtDateTime } from './i18n.js';
import { useSignal } from './signal.js';
import { PageHeading, ErrorBox, Ok, Loading, useLoad, announce, errorText } from './ui.jsx';
import { ExplainForm } from './claims.jsx';
import { isDistrictOfficer, isOfficer } from './auth.js';

// Only city officers set targets: the editor loads when one opens the page.
function LazyTargets(props) {
  const [m, setM] = useState(null);
  useEffect(() => { let alive = true; import('./targets.jsx').then((x) => alive && setM(x), () => {}); return () => { alive = false; }; }, []);
  return m ? <m.TargetsEditor {...props} /> : null;
}

let chartsModule = null;
const loadCharts = () => (chartsModule ||= import('./charts.js'));

function Chart({ id, option, label, tall, height }) {
  const ref = useRef(null);
  useEffect(() => {
    let alive = true;
    loadCharts().then((m) => { if (alive && ref.current) m.draw(ref.current, option); });
    const onResize = () => chartsModule && chartsModule.then((m) => ref.current && m.resizeAll([ref.current]));
    window.addEventListener('resize', onResize);
    return () => { alive = false; window.removeEventListener('resize', onResize); const el = ref.current; chartsModule && chartsModule.then((m) => el && m.dispose(el)); };
  }, [option]);
  return (
    <figure class="chart-fig">
      <div ref={ref} id={id} class={'chart' + (tall ? ' tall' : '')} style={height ? { height: height + 'px' } : undefined} role="img" aria-label={label + ' — ' + t('chartAlt')} data-chart={id} />
      <figcaption class="sr-only">{t('chartAlt')}</figcaption>
    </figure>
  );
}

function CsvButton({ path, label }) {
  const [error, setError] = useState(null);
  const [msg, setMsg] = useState('');
  const dl = async () => {
    setError(null); setMsg('');
    try { const n = await download(path); setMsg(t('downloaded', n)); announce(t('downloaded', n)); }
    catch (e) { setError(e); announce(errorText(e)); }
  };
  return (
    <div class="csv">
      <button type="button" onClick={dl}>{label || t('csv')}</button>
      <ErrorBox error={error} onRetry={dl} />
      <Ok>{msg}</Ok>
    </div>
  );
}

const axisText = { color: '#333' };
// At phone width: room at the top for the legend and the axes' names, which start at their
// axis (left axis) or end at it (right axis) so that none is cut off; labels contained.
const phoneGrid = { left: 8, right: 8, top: 64, bottom: 8, containLabel: true };
const nameLeft = { ...axisText, align: 'left' }, nameRight = { ...axisText, align: 'right' };

// A district officer sees the same page for their district: the API answers for it
// alone, so the by-district comparisons become by kind and the totals are the district's.
export function CityDashboard({ session }) {
  useSignal(lang);
  const district = isDistrictOfficer(session) ? session.district : '';
  const data = useLoad(async () => {
    const [capacity, histChildcare, histAll, targets, demand] = await Promise.all([
      get('/v1/city/capacity'),
      get('/v1/city/capacity/history?kind=childcare'),
      get('/v1/city/capacity/history'),
      get('/v1/city/targets'),
      get('/v1/city/demand?limit=10'),
    ]);
    return { capacity, histChildcare, histAll, targets, demand };
  }, [lang.value]);
  const d = data.data;
  return (
    <>
      <PageHeading>{district ? t('districtTitle', t('d_' + district)) : t('cityTitle')}</PageHeading>
      {district && <p class="intro" data-district={district}>{t('districtScope', t('d_' + district))}</p>}
      <details class="panel" data-testid="explain-panel">
        <summary><h2 class="inline">{t('explainLookup')}</h2></summary>
        <p class="hint">{t('explainLookupIntro')}</p>
        <ExplainForm />
      </details>
      {data.loading && !d && <Loading />}
      <ErrorBox error={data.error} onRetry={data.reload} />
      {d && <Dashboard d={d} district={district} />}
      {isOfficer(session) && <LazyTargets onSaved={data.reload} />}
    </>
  );
}

function Dashboard({ d, district }) {
  const dn = (r) => t('d_' + r.district);
  const cap = d.capacity;
  // One district: its places by kind, where the city compares districts.
  const capRows = district ? cap.by_kind : cap.by_district;
  const capName = district ? (r) => t('kind_' + r.kind) : dn;
  const capTitle = district ? t('capByKind') : t('capByDistrict');
  const totalName = district ? t('districtTotal', t('d_' + district)) : t('total');
  const capOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: phoneGrid,
    xAxis: { type: 'category', data: capRows.map(capName), axisLabel: { ...axisText, interval: 0, rotate: district ? 0 : 45, width: 80, overflow: 'break' } },
    yAxis: [
      { type: 'value', name: t('capacity'), nameTextStyle: nameLeft, axisLabel: axisText },
      { type: 'value', name: t('utilization'), nameTextStyle: nameRight, min: 0, max: 100, axisLabel: { ...axisText, formatter: '{value}%' } },
    ],
    series: [
      { name: t('capacity'), type: 'bar', barMaxWidth: 24, data: capRows.map((r) => r.capacity) },
      { name: t('confirmedN'), type: 'bar', barMaxWidth: 24, data: capRows.map((r) => r.confirmed) },
      { name: t('utilization'), type: 'line', yAxisIndex: 1, data: capRows.map((r) => +(r.utilization * 100).toFixed(1)) },
    ],
  };
  const hc = d.histChildcare.items, ha = d.histAll.items;
  const growthOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { ...phoneGrid, right: 24 },
    xAxis: { type: 'category', data: ha.map((p) => p.date), axisLabel: { ...axisText, hideOverlap: true } },
    yAxis: { type: 'value', name: t('capacity'), nameTextStyle: nameLeft, axisLabel: axisText },
    series: [
      { name: t('kind_childcare'), type: 'line', showSymbol: false, data: alignTo(ha, hc) },
      { name: t('all'), type: 'line', showSymbol: false, data: ha.map((p) => p.capacity) },
    ],
  };
  const tg = d.targets.items;
  const targetOption = {
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 16, right: 24, top: 40, bottom: 8, containLabel: true },
    xAxis: { type: 'value', splitNumber: 3, axisLabel: { ...axisText, hideOverlap: true } },
    yAxis: { type: 'category', data: tg.map((x) => `${x.year} ${t('kind_' + x.kind)}`), axisLabel: { ...axisText, width: 96, overflow: 'break' } },
    series: [
      { name: t('achieved'), type: 'bar', stack: 'target', barMaxWidth: 48, data: tg.map((x) => Math.max(0, x.achieved)) },
      { name: t('remaining'), type: 'bar', stack: 'target', barMaxWidth: 48, data: tg.map((x) => x.remaining) },
    ],
  };
  // Waitlists run to hundreds, full offerings to a few: each gets its own grid and axis,
  // one above the other over the same districts, so neither's bars shrink to slivers.
  const dem = d.demand;
  const districts = dem.by_district.map(dn);
  const demandOption = {
    tooltip: { trigger: 'axis' },
    axisPointer: { link: [{ xAxisIndex: 'all' }] },
    legend: { top: 0 },
    grid: [
      { left: 8, right: 16, top: 60, height: '28%', containLabel: true },
      { left: 8, right: 16, top: '57%', bottom: 4, containLabel: true },
    ],
    xAxis: [
      { type: 'category', gridIndex: 0, data: districts, axisLabel: { show: false } },
      { type: 'category', gridIndex: 1, data: districts, axisLabel: { ...axisText, interval: 0, rotate: 30 } },
    ],
    yAxis: [
      // Each axis's name starts at the axis, so a narrow screen does not cut it off.
      { type: 'value', gridIndex: 0, name: t('waitlist'), nameTextStyle: { ...axisText, align: 'left' }, axisLabel: axisText, minInterval: 1 },
      { type: 'value', gridIndex: 1, name: t('fullOfferings'), nameTextStyle: { ...axisText, align: 'left' }, axisLabel: axisText, minInterval: 1 },
    ],
    series: [
      { name: t('waitlist'), type: 'bar', xAxisIndex: 0, yAxisIndex: 0, barMaxWidth: 28, data: dem.by_district.map((r) => r.waitlisted) },
      { name: t('fullOfferings'), type: 'bar', xAxisIndex: 1, yAxisIndex: 1, barMaxWidth: 28, data: dem.by_district.map((r) => r.full_offerings) },
    ],
  };
  return (
    <>
      <p class="muted">{t('asOf', fmtDateTime(cap.as_of))}</p>
      <section class="kpis" aria-label={totalName}>
        <div class="kpi"><span class="kpi-v">{fmtNum(cap.total.capacity)}</span><span class="kpi-l">{t('capacity')}</span></div>
        <div class="kpi"><span class="kpi-v">{fmtNum(cap.total.confirmed)}</span><span class="kpi-l">{t('confirmedN')}</span></div>
        <div class="kpi"><span class="kpi-v">{fmtNum(cap.total.waitlisted)}</span><span class="kpi-l">{t('waitlist')}</span></div>
        <div class="kpi"><span class="kpi-v">{fmtPct(cap.total.utilization)}</span><span class="kpi-l">{t('utilization')}</span></div>
      </section>

      <section aria-labelledby="cap-h" class="panel">
        <h2 id="cap-h">{capTitle}</h2>
        <Chart id="chart-capacity" option={capOption} label={capTitle} />
        <CsvButton path="/v1/city/capacity?format=csv" />
        <Table id="table-capacity" caption={t('tableOf', capTitle)}
          head={[district ? t('kind') : t('district'), t('capacity'), t('confirmedN'), t('waitlist'), t('available'), t('utilization'), t('centres'), t('offerings')]}
          rows={[...capRows.map((r) => [capName(r), r.capacity, r.confirmed, r.waitlisted, r.available, fmtPct(r.utilization), r.centres, r.offerings]),
            [totalName, cap.total.capacity, cap.total.confirmed, cap.total.waitlisted, cap.total.available, fmtPct(cap.total.utilization), cap.total.centres, cap.total.offerings]]} />
      </section>

      <section aria-labelledby="growth-h" class="panel">
        <h2 id="growth-h">{t('growth')}</h2>
        <Chart id="chart-growth" option={growthOption} label={t('growth')} />
        <div class="actions">
          <CsvButton path="/v1/city/capacity/history?kind=childcare&format=csv" label={t('csv') + ' · ' + t('kind_childcare')} />
          <CsvButton path="/v1/city/capacity/history?format=csv" label={t('csv') + ' · ' + t('all')} />
        </div>
        <details>
          <summary>{t('tableOf', t('growth'))}</summary>
          <Table id="table-growth" caption={t('tableOf', t('growth'))} head={[t('date'), t('kind_childcare'), t('all')]}
            rows={ha.map((p, i) => [p.date, alignTo(ha, hc)[i] ?? '', p.capacity]).reverse()} />
        </details>
        <h3 id="target-h">{t('targetTitle')}</h3>
        <Chart id="chart-target" option={targetOption} label={t('targetTitle')} height={120 + 64 * tg.length} />
        <CsvButton path="/v1/city/targets?format=csv" />
        <Table id="table-target" caption={t('tableOf', t('targetTitle'))} head={[t('title'), t('target'), t('achieved'), t('remaining'), t('progress')]}
          rows={tg.map((x) => [x.title, x.target, x.achieved, x.remaining, fmtPct(x.progress)])} />
      </section>

      <section aria-labelledby="demand-h" class="panel">
        <h2 id="demand-h">{district ? t('demandOne') : t('demand')}</h2>
        <Chart id="chart-demand" option={demandOption} label={district ? t('demandOne') : t('demand')} tall />
        <CsvButton path="/v1/city/demand?format=csv" />
        <Table id="table-demand" caption={t('tableOf', t('demand'))} head={[t('district'), t('offerings'), t('fullOfferings'), t('capacity'), t('confirmedN'), t('waitlist'), t('medianHours')]}
          rows={dem.by_district.map((r) => [dn(r), r.offerings, r.full_offerings, r.capacity, r.confirmed, r.waitlisted, r.median_hours_to_full ?? '–'])} />
        <h3 id="oversub-h">{t('oversub')}</h3>
        <Table id="table-oversub" caption={t('oversub')} head={[t('title'), t('centre'), t('district'), t('capacity'), t('confirmedN'), t('waitlist'), t('oversubscription'), t('hoursToFull')]}
          rows={dem.items.map((r) => [r.title, r.centre_name, t('d_' + r.district), r.capacity, r.confirmed, r.waitlisted, r.oversubscription.toFixed(2), r.hours_to_full ?? '–'])} />
      </section>
    </>
  );
}

// The childcare series on the dates of the all-kinds series.
function alignTo(base, other) {
  const m = new Map(other.map((p) => [p.date, p.capacity]));
  return base.map((p) => m.get(p.date) ?? null);
}

function Table({ id, caption, head, rows }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table class="data" id={id}>
        <caption>{caption}</caption>
        <thead><tr>{head.map((h, i) => <th key={i} scope="col">{h}</th>)}</tr></thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={i}>{r.map((c, j) => (j === 0 ? <th key={j} scope="row">{c}</th> : <td key={j} class={typeof c === 'number' ? 'num' : ''}>{typeof c === 'number' ? fmtNum(c) : c}</td>))}</tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
