import { defineConfig } from 'vitest/config';

// Unit and integration tests (real relays, real socket.io clients, php-cli). Browser and WordPress flows live in
// e2e/ and run under Playwright.
export default defineConfig({
  test: {
    include: ['{protocol,relay,cli,scaffold,block,console,plugin-template,bench,stack}/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', 'e2e/**'],
    testTimeout: 20_000,
    hookTimeout: 30_000,
    pool: 'forks',
    reporters: ['default'],
  },
});
