import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The dashboard is served by the API server at `/`; `npm run dev -w @migratekit/web` proxies the API to a
// running `migratekit dev` so the same relative URLs work in both.
export default defineConfig({
  plugins: [react(), tailwindcss()],
  base: '/',
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 1200 },
  server: { proxy: { '/api': { target: process.env.MIGRATEKIT_API ?? 'http://127.0.0.1:8080', changeOrigin: false } } },
});
