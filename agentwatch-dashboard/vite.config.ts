import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

// `npm run dev` serves on :5173 and proxies the API (REST and the WebSocket) to a server on :8080.
// The proxy presents the server's own origin so its WebSocket origin check lets the dev page in.
const server = process.env.AGENTWATCH_URL ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [react()],
  base: '/',
  build: {
    // Maven packs target/classes into the jar; Spring Boot serves classpath:/static at /.
    outDir: 'target/classes/static',
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 1000,
  },
  server: {
    port: 5173,
    proxy: {
      '/api': {
        target: server,
        changeOrigin: true,
        ws: true,
        headers: { origin: server },
      },
    },
  },
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
  },
});
