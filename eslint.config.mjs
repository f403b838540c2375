// Lint rules written as config: module boundaries between Nx projects, ordered imports, no floating
// promises, no default exports, no console in libraries, explicit types on exported functions.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import simpleImportSort from 'eslint-plugin-simple-import-sort';
import tseslint from 'typescript-eslint';

/** Which projects may depend on which, by tag (type, then scope). */
const DEP_CONSTRAINTS = [
  { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
  { sourceTag: 'type:chart', onlyDependOnLibsWithTags: ['type:lib', 'type:artifact'] },
  { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib', 'type:artifact'] },
  { sourceTag: 'type:tool', onlyDependOnLibsWithTags: ['type:lib', 'type:chart', 'type:tool', 'type:artifact'] },
  { sourceTag: 'type:test', onlyDependOnLibsWithTags: ['type:lib', 'type:chart', 'type:tool', 'type:artifact'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  { sourceTag: 'scope:jitsi', onlyDependOnLibsWithTags: ['scope:shared', 'scope:jitsi'] },
  { sourceTag: 'scope:bbb', onlyDependOnLibsWithTags: ['scope:shared', 'scope:bbb'] },
  { sourceTag: 'scope:ops', onlyDependOnLibsWithTags: ['scope:shared', 'scope:ops'] },
  { sourceTag: 'scope:infra', onlyDependOnLibsWithTags: ['scope:shared', 'scope:infra'] },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'charts/**', '**/generated/**', '.nx/**', '.cache/**', '.scratch/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    files: ['**/*.ts'],
    plugins: { '@nx': nx, 'simple-import-sort': simpleImportSort },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          allow: [],
          depConstraints: DEP_CONSTRAINTS,
        },
      ],
      'simple-import-sort/imports': 'error',
      'simple-import-sort/exports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/explicit-module-boundary-types': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' },
      ],
      'no-restricted-syntax': ['error', { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' }],
    },
  },
  {
    // An app's tests may check their fakes against the API description a tool keeps (the IONOS fake validates every
    // exchange against the committed OpenAPI subset): that one entry point is allowed, for tests only.
    files: ['apps/*/test/**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        { enforceBuildableLibDependency: false, allow: ['@meetscale/ionoscloud-bindings/openapi'], depConstraints: DEP_CONSTRAINTS },
      ],
    },
  },
  {
    files: ['packages/**/src/**/*.ts', 'tools/**/src/**/*.ts'],
    ignores: ['**/cli.ts', '**/main.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    // zod schema builders: their inferred types are the API (spelling them out would duplicate the schema).
    files: ['**/common-values.ts', '**/workload-values.ts', '**/src/values.ts'],
    rules: { '@typescript-eslint/explicit-module-boundary-types': 'off' },
  },
  {
    // the local state walks the objects the API server and the stack's JSON return, whose shape is what it reads
    files: ['tools/local-state/src/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/test/**/*.ts', '**/*.test.ts'],
    // tests walk rendered manifests, whose shape is what they assert
    rules: { '@typescript-eslint/explicit-module-boundary-types': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
