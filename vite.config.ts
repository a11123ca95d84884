/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';

// The npm project lives at the repository root; the SPA sources live in ui/.
// The build lands in ui/dist, which embed.go embeds into the Go binary.
export default defineConfig({
  root: 'ui',
  base: '/',
  // Keep Vite's and Vitest's caches in the root node_modules (gitignored), not ui/node_modules.
  cacheDir: '../node_modules/.vite', // relative to root (ui/)
  plugins: [
    svelte({
      // Styles go to a CSS file: the server's CSP forbids inline <style>.
      compilerOptions: { css: 'external' },
    }),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Never inline assets as data: URLs or scripts; CSP is default-src 'self'.
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: false,
  },
  server: {
    proxy: {
      '/ws': { target: 'ws://127.0.0.1:8080', ws: true },
      '/api': 'http://127.0.0.1:8080',
      '/healthz': 'http://127.0.0.1:8080',
    },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
    // app.css is read (as ?raw) by lib/palette.test.ts; other CSS stays unprocessed in tests.
    css: { include: [/app\.css/] },
  },
});
