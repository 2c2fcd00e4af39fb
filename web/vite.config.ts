// Vite build of the certkeeper UI. JSX is compiled by esbuild straight to Preact's
// automatic runtime, so no Babel preset is needed. Output: dist/ with hashed files under
// dist/assets/, nothing inline (the server sends a strict CSP: everything from 'self').
import { defineConfig } from 'vite';

declare const process: { env: Record<string, string | undefined> };

export default defineConfig({
  esbuild: {
    jsx: 'automatic',
    jsxImportSource: 'preact',
  },
  build: {
    outDir: 'dist',
    assetsDir: 'assets',
    target: 'es2020',
    sourcemap: false,
    // Keep every asset a file of its own: data: URLs would need a wider CSP.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    chunkSizeWarningLimit: 400,
  },
  server: {
    // `npm run dev` against a running certkeeper: CK_API=http://127.0.0.1:8080 npm run dev
    proxy: process.env.CK_API ? { '/api': process.env.CK_API } : undefined,
  },
});
