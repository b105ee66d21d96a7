import { defineConfig } from 'vite';

// In development the API runs on a local stack (`PORT=3400 go run ./infra/local/cmd/enrol-local`);
// ENROL_API moves it. /config.json is proxied too: when the stack does not serve it (404),
// the app falls back to {"mode":"local","apiUrl":""}.
const api = process.env.ENROL_API || 'http://127.0.0.1:3400';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  server: {
    host: '127.0.0.1',
    port: 5173,
    proxy: { '/v1': api, '/_local': api, '/config.json': api },
  },
  build: {
    outDir: 'dist',
    target: 'es2020',
    sourcemap: false,
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 700, // the ECharts chunk, loaded only by the city dashboard
  },
});
