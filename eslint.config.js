import js from '@eslint/js'
import { defineConfig } from 'eslint/config'
import tseslint from 'typescript-eslint'

// Recommended rules only, without type information, so `npm run lint` stays a few seconds.
// The custom part is the layering rule of the house (route → domain module → db): it is enforced here
// with import restrictions and proven by test/security/lint-boundaries.test.ts.

// Relative imports that climb out of app/ into the data layer or the job workers.
const DATA_LAYER = {
  regex: String.raw`^(\.\./)+(db|workers)(/|$)`,
  message:
    'Only server modules (*.server.ts, app/server/) may reach db/ or workers/: call a domain module (app/<area>/*.server.ts) instead.',
}

export default defineConfig(
  {
    ignores: ['build/', 'data/', 'node_modules/', 'db/migrations/', '.cache/', 'test-results/'],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A leading underscore marks a parameter or binding that is deliberately unused
      // (Hono/Remix callback signatures, destructuring a field away).
      '@typescript-eslint/no-unused-vars': [
        'error',
        {
          argsIgnorePattern: '^_',
          varsIgnorePattern: '^_',
          caughtErrorsIgnorePattern: '^_',
          destructuredArrayIgnorePattern: '^_',
          ignoreRestSiblings: true,
        },
      ],
      // `declare module '@remix-run/node' { interface Future {...} }` and the AppLoadContext
      // augmentation are how Remix asks to be extended.
      '@typescript-eslint/no-empty-object-type': ['error', { allowInterfaces: 'with-single-extends' }],
      // Refusing control characters (redirect targets, header and log values) is a security
      // check this codebase makes on purpose; the rule only knows them as likely typos.
      'no-control-regex': 'off',
    },
  },
  {
    // Plain JavaScript here is configuration and scripts run by Node.
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },

  // ── Layering ────────────────────────────────────────────────────────────────────────────
  {
    // Anything in app/ may end up in the browser bundle: it must not pull in the database
    // client or the job queue. A type-only import is erased at build time and is allowed.
    files: ['app/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ ...DATA_LAYER, allowTypeImports: true }] }],
    },
  },
  {
    // Server-only modules: Remix never bundles *.server.* for the client, and app/server/ is
    // the Node entry point.
    files: ['app/**/*.server.{ts,tsx}', 'app/server/**/*.{ts,tsx}'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off' },
  },
  {
    // Route modules are thin: loader/action → domain module → db. Not even a type from db/,
    // so that a route's data shape is the domain module's, not a table's.
    files: ['app/routes/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: DATA_LAYER.regex,
              message: 'Route modules never import db/ or workers/ (not even types): call a domain module in app/<area>/*.server.ts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The data layer sits below the application: it must not depend on it.
    files: ['db/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: String.raw`^((\.\./)+app(/|$)|~/)`,
              message: 'db/ must not import from app/: pass what it needs (e.g. a hash function) as a parameter.',
            },
          ],
        },
      ],
    },
  },
)
