// The build is committed (src/renewals/web/static/app) so that `pip install .` serves the SPA
// without Node; `npm run check-build` proves the committed files are exactly what these sources
// build to. Everything here is chosen for byte-for-byte reproducible output.
import { defineConfig } from 'vite'

export default defineConfig({
  base: '/app/',
  build: {
    outDir: '../../src/renewals/web/static/app',
    emptyOutDir: true,
    sourcemap: false,
    // Every browser that runs this app has native module preload.
    modulePreload: { polyfill: false },
    reportCompressedSize: false,
    rolldownOptions: {
      output: {
        // Content hashes: deterministic for the same sources, and safe to cache.
        entryFileNames: 'assets/[name]-[hash].js',
        chunkFileNames: 'assets/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
  server: {
    // `npm run dev`: the API of a local `renewals serve --demo`.
    proxy: {
      '/graphql': { target: 'http://127.0.0.1:8000', ws: true },
      '/checkout': 'http://127.0.0.1:8000',
    },
  },
})
