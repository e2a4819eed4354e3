import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.data/**', '.tap/**', 'coverage/**', '**/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'error',
    },
  },
  {
    files: ['scripts/**', 'services/*/scripts/**', '**/bench/**', 'infra/**', '**/test/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // Plain JavaScript that runs on Node before anything is compiled (scripts/build.mjs, launch.mjs).
    files: ['scripts/*.mjs'],
    languageOptions: { globals: { process: 'readonly', URL: 'readonly', performance: 'readonly', Buffer: 'readonly', console: 'readonly' } },
  },
  {
    // CommonJS preloaded into servers by tests (node --require).
    files: ['test/support/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
