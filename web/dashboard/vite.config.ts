// Builds the dashboard and the simulator page into dist/ (served by src/http/dashboard.ts).
import { resolve } from 'node:path';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig(({ command }) => ({
  root,
  base: '/',
  esbuild: { jsx: 'automatic', jsxDev: command !== 'build' },
  build: {
    outDir: resolve(root, 'dist'),
    emptyOutDir: true,
    target: 'es2020',
    rollupOptions: {
      input: { dashboard: resolve(root, 'index.html'), simulator: resolve(root, 'simulator.html') },
    },
  },
  // A build is for serving: React's production build even when a test runner set NODE_ENV=test.
  define: command === 'build' ? { 'process.env.NODE_ENV': JSON.stringify('production') } : {},
  logLevel: 'warn',
}));
