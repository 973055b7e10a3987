// Lint for every TypeScript and JavaScript source of the project: ESLint's and typescript-eslint's
// recommended rules (syntax-level, no type information, so it stays fast), run by `npm test`.
// Formatting is Prettier's job (.prettierrc.json); no style rules here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { defineConfig } from 'eslint/config';

export default defineConfig(
  { ignores: ['dist/', 'out/', 'node_modules/', '.cache/', 'test-artifacts/', 'schemas/', 'media/', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      // `_name` marks a parameter or binding kept on purpose (an interface's signature, a destructured rest).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['webview-ui/src/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // Benchmarks and tests load packages and fixtures chosen at run time (tokenizer versions, workers)
    // and walk parsed JSON of every shape.
    files: ['bench/**', 'test/**'],
    rules: { '@typescript-eslint/no-require-imports': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // CommonJS entry points (the CLI's bin, a test extension, a --require hook) load with require().
    files: ['**/*.cjs', 'bin/*.js', 'test/integration/fixtures/**/*.js'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node, suite: 'readonly', test: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
