// The privacy notice, and the resident's account: download everything held, delete it all.
import { useState, useEffect } from 'preact/hooks';
import { get, api, download } from './api.js';
import { t, lang } from './i18n.js';
import { useSignal, signal } from './signal.js';
import { PageHeading, ErrorBox, Ok, Loading, useLoad, announce, errorText, Field, go } from './ui.jsx';
import { Markdown } from './markdown.jsx';
import { signOut } from './auth.js';

// The notice in force, fetched once a page load (the consent step and the page share it).
let notice = null;
export const loadNotice = () => (notice ||= get('/v1/privacy-notice', { auth: false }).catch((e) => { notice = null; throw e; }));

export function Privacy() {
  const l = useSignal(lang);
  const { data: n, error, loading, reload } = useLoad(loadNotice, []);
  // The text's own title is the page's heading; its version and date follow it
  // (shared/privacy's test holds every edition to naming both).
  const text = n ? (l === 'en' ? n.en : n.zh) : '';
  const title = /^\s*#\s+([^\n]+)/.exec(text);
  return (
    <article class="notice" data-version={n ? n.version : undefined}>
      <PageHeading>{title ? title[1] : t('privacyNotice')}</PageHeading>
      {loading && <Loading />}
      <ErrorBox error={error} onRetry={reload} />
      {n && <Markdown md={title ? text.slice(title.index + title[0].length) : text} />}
    </article>
  );
}

// A message for the page the app goes to next (e.g. after the account is deleted).
export const flash = signal(null);
export function Flash({ path }) {
  const f = useSignal(flash);
  useEffect(() => { if (f && f.path !== path) flash.value = null; }, [path]);
  return f && f.path === path ? <Ok>{f.text}</Ok> : null;
}

// Either language's word confirms, whichever the page is in.
const confirms = (typed) => ['注销', 'delete'].includes(typed.trim().toLowerCase());

export function Account({ cfg, session }) {
  useSignal(lang);
  const [saved, setSaved] = useState('');
  const [exportError, setExportError] = useState(null);
  const [exporting, setExporting] = useState(false);
  const [typed, setTyped] = useState('');
  const [mismatch, setMismatch] = useState(false);
  const [deleteError, setDeleteError] = useState(null);
  const [deleting, setDeleting] = useState(false);

  const exportData = async () => {
    setExporting(true); setExportError(null); setSaved('');
    try {
      const name = await download('/v1/me/export');
      setSaved(name); announce(t('downloaded', name));
    } catch (e) { setExportError(e); announce(errorText(e)); } finally { setExporting(false); }
  };
  const deleteAccount = async (e) => {
    e.preventDefault();
    if (!confirms(typed)) { setMismatch(true); announce(t('deleteAccountMismatch', t('deleteWord'))); return; }
    setMismatch(false); setDeleting(true); setDeleteError(null);
    try {
      await api('DELETE', '/v1/me');
      flash.value = { path: '/', text: t('accountDeleted') };
      signOut(cfg);
      go('#/');
      announce(t('accountDeleted'));
    } catch (err) { setDeleteError(err); announce(errorText(err)); } finally { setDeleting(false); }
  };
  return (
    <>
      <PageHeading>{t('accountTitle')}</PageHeading>
      <p>{t('accountId')}<code class="sub">{session.sub}</code></p>
      <section aria-labelledby="data-h">
        <h2 id="data-h">{t('myData')}</h2>
        <p id="export-intro">{t('exportIntro')}</p>
        <button type="button" aria-describedby="export-intro" disabled={exporting} onClick={exportData}>{t('exportBtn')}</button>
        <ErrorBox error={exportError} focusKey={exportError} onRetry={exportData} />
        <Ok>{saved && t('downloaded', saved)}</Ok>
      </section>
      <section aria-labelledby="privacy-h">
        <h2 id="privacy-h">{t('privacyNotice')}</h2>
        <p>{t('privacyRights')} <a href="#/privacy">{t('readNotice')}</a></p>
      </section>
      <section class="panel danger-zone" aria-labelledby="delete-h">
        <h2 id="delete-h">{t('deleteAccountTitle')}</h2>
        <p id="delete-intro">{t('deleteAccountIntro')}</p>
        <form onSubmit={deleteAccount} noValidate>
          <Field id="delete-confirm" label={t('deleteAccountType', t('deleteWord'))} error={mismatch ? t('deleteAccountMismatch', t('deleteWord')) : null}>
            {(a) => <input {...a} autoComplete="off" autoCapitalize="characters" value={typed} onInput={(e) => setTyped(e.currentTarget.value)} />}
          </Field>
          <button type="submit" class="danger" aria-describedby="delete-intro" disabled={deleting}>{t('deleteAccountBtn')}</button>
        </form>
        <ErrorBox error={deleteError} focusKey={deleteError} onRetry={() => deleteAccount({ preventDefault() {} })} />
      </section>
    </>
  );
}
