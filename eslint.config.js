// Lint for the TypeScript that runs on Node (CLI, relay, protocol, scaffold, tests). The block is linted by
// wp-scripts with the WordPress rules (see block/).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/**', 'dist/**', 'block/**', 'console/**', 'plugin-template/**', '**/.generated/**', 'test-results/**', 'playwright-report/**', 'bench/results/**', '.wp-env-home/**', '.wp-realtime/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
);
