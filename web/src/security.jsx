// 账号安全 / Account security: a member of staff or an officer enrols an authenticator app
// (TOTP) here. Cognito's hosted UI offers no TOTP setup while MFA is optional, so the page
// calls the user pools API itself with the user's access token (scope
// aws.cognito.signin.user.admin): AssociateSoftwareToken, VerifySoftwareToken,
// SetUserMFAPreference. These take no AWS credentials (no SigV4): Cognito authorises them
// by the access token alone (AWS SDK docs, AssociateSoftwareTokenRequest). Locally the
// Cognito stand-in answers them at config.cognitoEndpoint. Hidden as AuthMode oidc: the
// city's provider handles MFA.
import { useState } from 'preact/hooks';
import { t, lang } from './i18n.js';
import { useSignal } from './signal.js';
import { PageHeading, Field, Ok, announce } from './ui.jsx';
import { accessToken } from './auth.js';

export const totpEnrolment = (cfg) => cfg.mode === 'cognito' || !!cfg.cognitoEndpoint;

// One JSON 1.1 call; a refusal throws its error type (e.g. NotAuthorizedException).
async function idp(cfg, op, body) {
  const url = cfg.cognitoEndpoint || `https://cognito-idp.${cfg.region}.amazonaws.com/`;
  let r;
  try {
    r = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'AWSCognitoIdentityProviderService.' + op },
      body: JSON.stringify(body),
    });
  } catch {
    throw { type: 'network' };
  }
  const j = await r.json().catch(() => ({}));
  if (!r.ok) throw { type: String(j.__type || r.headers.get('x-amzn-errortype') || 'failed').split(/[#:]/).filter(Boolean).pop() };
  return j;
}

// What the user is told about a refusal: which word in i18n.js.
function problem(type) {
  if (type === 'NotAuthorizedException') return 'totpExpired';
  if (type === 'EnableSoftwareTokenMFAException' || type === 'CodeMismatchException') return 'totpWrongCode';
  return 'totpFailed';
}

// The key in groups of four, as it is easiest to type into an app.
export const groupSecret = (s) => (s.match(/.{1,4}/g) || []).join(' ');

export function otpauthUri(secret, account) {
  // Key Uri Format: label "issuer:account", both URL-encoded, and the issuer again.
  return `otpauth://totp/enrol:${encodeURIComponent(account)}?secret=${secret}&issuer=enrol`;
}

export function Security({ cfg, session, onSignInAgain }) {
  useSignal(lang);
  const [step, setStep] = useState('start'); // start → code → done
  const [secret, setSecret] = useState('');
  const [code, setCode] = useState('');
  const [err, setErr] = useState('');
  const [busy, setBusy] = useState(false);
  const token = accessToken();

  const fail = (key) => { setErr(key); announce(t(key)); };
  const begin = async () => {
    setBusy(true); setErr('');
    try {
      const out = await idp(cfg, 'AssociateSoftwareToken', { AccessToken: token });
      setSecret(out.SecretCode); setCode(''); setStep('code');
      announce(t('totpStep2'));
    } catch (e) { fail(problem(e.type)); } finally { setBusy(false); }
  };
  const verify = async (e) => {
    e.preventDefault();
    const c = code.replace(/\s+/g, '');
    if (!/^\d{6}$/.test(c)) { fail('totpCodeFormat'); return; }
    setBusy(true); setErr('');
    try {
      await idp(cfg, 'VerifySoftwareToken', { AccessToken: token, UserCode: c, FriendlyDeviceName: 'enrol' });
      await idp(cfg, 'SetUserMFAPreference', { AccessToken: token, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
      setStep('done'); setSecret('');
      announce(t('totpDone'));
    } catch (ex) { fail(problem(ex.type)); } finally { setBusy(false); }
  };

  const again = <button type="button" class="primary" onClick={onSignInAgain}>{t('signInAgain')}</button>;
  let body;
  if (!token || err === 'totpExpired') {
    // A tab without this sign-in's access token (opened from another tab), or one expired.
    body = (
      <div class="msg msg-warn" role="alert" data-totp="sign-in">
        <p>{t(token ? 'totpExpired' : 'totpNeedsSignIn')}</p>
        <p class="actions">{again}</p>
      </div>
    );
  } else if (step === 'done') {
    body = (
      <>
        <Ok>{t('totpDone')}</Ok>
        <p>{t('totpSignInAgain')}</p>
        <p class="actions" data-totp="done">{again}</p>
      </>
    );
  } else {
    body = (
      <>
        <ol class="steps">
          <li>{t('totpStep1')}</li>
          <li>{t('totpStep2')}</li>
          <li>{t('totpStep3')}</li>
        </ol>
        {step === 'start' && <p><button type="button" class="primary big" disabled={busy} onClick={begin}>{t('totpStart')}</button></p>}
        {step === 'code' && (
          <>
            <section aria-labelledby="totp-key-h">
              <h2 id="totp-key-h">{t('totpKey')}</h2>
              <p><code class="totp-secret" data-secret={secret}>{groupSecret(secret)}</code></p>
              <p class="hint">{t('totpKeyHint')}</p>
              <p><a href={otpauthUri(secret, session.phone || session.sub)} data-otpauth>{t('totpOpenApp')}</a></p>
            </section>
            <form onSubmit={verify} noValidate>
              <Field id="totp-code" label={t('totpCode')} hint={t('totpCodeHint')} error={err === 'totpWrongCode' || err === 'totpCodeFormat' ? t(err) : null}>
                {(a) => <input {...a} inputMode="numeric" autoComplete="one-time-code" maxLength={7} value={code} onInput={(e) => setCode(e.currentTarget.value)} />}
              </Field>
              <button type="submit" class="primary" disabled={busy}>{t('totpVerify')}</button>
            </form>
          </>
        )}
        {err === 'totpFailed' && <div class="msg msg-error" role="alert"><p>{t('totpFailed')}</p></div>}
      </>
    );
  }
  return (
    <>
      <PageHeading>{t('securityTitle')}</PageHeading>
      <p>{t('securityIntro')}</p>
      {body}
    </>
  );
}
