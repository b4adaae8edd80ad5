import tseslint from 'typescript-eslint';

// The layers of harness/ (DESIGN.md), lowest first: a folder may import only from its own layer
// and those below it. Tests and their support code may import anything.
const LAYERS = [
  ['core'],
  ['documents'],
  ['store', 'sandbox', 'providers'],
  ['agent', 'experiment'],
  ['evaluation'],
  ['pipeline'],
  ['analysis'],
  ['audit'],
  ['commands'],
  ['cli'],
];
const layering = LAYERS.flatMap((layer, i) => layer.map((folder) => {
  const above = LAYERS.slice(i + 1).flat();
  // Folders of the same layer do not import each other either, except through a lower one.
  const beside = layer.filter((other) => other !== folder);
  const banned = [...beside, ...above];
  return {
    files: [`harness/${folder}/**/*.ts`],
    ignores: ['**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: banned.length === 0 ? [] : [{
        regex: `^(\\.\\./)+(${banned.join('|')})/`,
        message: `harness/${folder} may import only from ${LAYERS.slice(0, i).flat().concat(folder).join(', ')} (DESIGN.md layering)`,
      }] }],
    },
  };
}));

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
  ...layering,
);
