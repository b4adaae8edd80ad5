import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'runs/**', 'harness/core/types/*.generated.ts'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', { selector: "MemberExpression[object.name='process'][property.name='exit']", message: 'only harness/cli/main.ts ends the process' }],
    },
  },
  { files: ['harness/cli/main.ts', 'harness/build/**', 'bench/**'], rules: { 'no-restricted-syntax': 'off' } },
);
