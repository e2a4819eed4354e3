import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The console is served by Fastify from dist/: nothing is loaded from a CDN (closed government
// networks). The first route (sign-in and the worklists) is one chunk; charts, the audit pages and
// the Excel writer load when a page needs them (see the budget in test/bundle-budget.test.ts).
export default defineConfig({
  root: '.',
  base: '/',
  plugins: [react()],
  build: {
    target: 'es2022',
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: false,
  },
});
