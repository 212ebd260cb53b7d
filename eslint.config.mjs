// @ts-check
import eslint from '@eslint/js';
import tseslint from 'typescript-eslint';

const TEST_CALL = 'CallExpression[callee.name=/^(test|describe|it|suite)$/]';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'data/**', 'docs/**', 'packages/sdk/src/generated/**', '**/*.mjs'],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': [
        'error',
        // node:test's test()/describe() return promises the runner itself awaits.
        {
          allowForKnownSafeCalls: [
            { from: 'package', name: ['test', 'it', 'describe', 'suite', 'before', 'after'], package: 'node:test' },
          ],
        },
      ],
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  // Architecture boundaries (docs/architecture.md): production code never loads a simulator except from a dev
  // folder; routes never reach a repository; only the composition root builds services.
  {
    files: ['packages/{server,agent,cli}/src/**/*.ts'],
    ignores: ['**/dev/**', '**/*.test.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@migratekit/sim-*'],
              message: 'Simulators are dev tools: import them only from a dev/ folder (and load them lazily).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/server/src/**/*.ts'],
    ignores: ['packages/server/src/composition/**', '**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'NewExpression[callee.name=/(Service|Daemon|^JobLog|^AgentHub|^NbdTarget|^EventBus)$/]',
          message: 'Services and adapters are built once, in packages/server/src/composition/ (docs/architecture.md).',
        },
      ],
    },
  },
  {
    files: ['packages/server/src/routes/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'NewExpression[callee.name=/(Service|Daemon|^JobLog|^AgentHub|^NbdTarget|^EventBus)$/]',
          message: 'Services and adapters are built once, in packages/server/src/composition/ (docs/architecture.md).',
        },
        {
          selector: "MemberExpression[property.name='repositories']",
          message: 'Routes call a service; repositories belong to services (docs/architecture.md).',
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@migratekit/sim-*'],
              message: 'Simulators are dev tools: import them only from a dev/ folder (and load them lazily).',
            },
            {
              group: ['@migratekit/db', '@migratekit/db/*'],
              importNamePattern: 'Repository$|^createRepositories$|^Repositories$',
              message: 'Routes call a service; repositories belong to services (docs/architecture.md).',
            },
          ],
        },
      ],
    },
  },
  {
    // Every test file has a time limit: each test or suite not inside another one names its `timeout`
    // (scripts/add-test-timeouts.mjs adds the missing ones). run-tests.mjs adds a per-file watchdog on top.
    files: ['**/*.test.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: `${TEST_CALL}:not(${TEST_CALL} ${TEST_CALL}):not(:has(> ObjectExpression:has(> Property[key.name="timeout"])))`,
          message: 'A top-level test or describe needs a { timeout } option (node scripts/add-test-timeouts.mjs).',
        },
      ],
    },
  },
);
