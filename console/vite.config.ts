import { defineConfig } from 'vite';

// Built by `npm install` (the `prepare` script) into console/dist, which `bpetl serve` sends at `/`.
export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  logLevel: 'warn',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // Every file is inlined into a hashed asset or the index: nothing is fetched from elsewhere.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
