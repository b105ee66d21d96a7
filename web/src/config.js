// Runtime configuration from /config.json (served by the local stack and by CloudFront in AWS).
// Without one (404 in development) the app assumes the local stack on the same origin.
const LOCAL = { mode: 'local', apiUrl: '' };

export async function loadConfig() {
  try {
    const r = await fetch('/config.json', { cache: 'no-store', headers: { Accept: 'application/json' } });
    if (!r.ok) return LOCAL;
    const c = await r.json();
    if (!c || typeof c !== 'object' || !c.mode) return LOCAL;
    return { ...LOCAL, ...c, apiUrl: (c.apiUrl || '').replace(/\/+$/, '') };
  } catch {
    return LOCAL;
  }
}
