// Builds the dashboard and the simulator page into dist/ (served by src/http/dashboard.ts).
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: '/',
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    target: 'es2020',
    rollupOptions: {
      input: { dashboard: resolve(root, 'index.html'), simulator: resolve(root, 'simulator.html') },
    },
  },
  logLevel: 'warn',
});
