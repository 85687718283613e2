// One linter config for the whole repo (prettier does formatting; this catches mistakes).
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'out/', '.lab/', '.tools/', 'test-results/', 'artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // The core must stay usable outside VS Code: only src/extension may import `vscode`.
      'no-restricted-imports': [
        'error',
        { paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }] },
      ],
    },
  },
  {
    files: ['src/extension/**', 'test/vscode/suite/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The client core knows nothing of the lab: lab ids, users and the lab's login driver live in src/lab.
    files: ['src/core/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }],
          patterns: [
            {
              group: ['**/lab/*', '../lab', '../../lab', '**/lab-defaults'],
              message:
                'src/core may not import the lab (nor its identities, src/servers/shared/lab-defaults.ts).',
            },
          ],
        },
      ],
    },
  },
  {
    // The lab sits above the servers it starts: servers take the lab's identities from their own
    // src/servers/shared/lab-defaults.ts (which the lab, the CLI and the tests share), never from src/lab.
    files: ['src/servers/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [{ name: 'vscode', message: 'Only src/extension may import vscode.' }],
          patterns: [
            { group: ['**/lab/*', '../lab', '../../lab'], message: 'src/servers may not import src/lab.' },
          ],
        },
      ],
    },
  },
  {
    files: ['test/vscode/suite/**', 'test/e2e/**'],
    languageOptions: { globals: { ...globals.mocha, ...globals.browser } },
  },
);
