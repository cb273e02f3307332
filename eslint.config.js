// ESLint with the TypeScript rules (type-aware where it catches real bugs: floating promises,
// misused promises). Formatting is Prettier's job, so no stylistic rules here.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench/results/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // src/core is the library: it never reaches for the process or the CLI's libraries (ADR 4).
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['commander', 'chalk', '@inquirer/prompts', 'cli-progress', 'node:process', 'process'],
          patterns: ['**/cli/**', '**/adapters/**'],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'core code gets env, cwd and streams through its arguments' },
      ],
    },
  },
  {
    // src/cli reaches adapters only through Deps (src/cli/deps.ts is where they are constructed),
    // whether imported statically or loaded lazily with import().
    files: ['src/cli/**/*.ts'],
    ignores: ['src/cli/deps.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/adapters/**'],
              allowTypeImports: true,
              message: 'construct adapters in src/cli/deps.ts and reach them through Deps',
            },
          ],
        },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ImportExpression[source.value=/(^|\\/)adapters\\//]',
          message: 'construct adapters in src/cli/deps.ts and reach them through Deps',
        },
        {
          selector: 'ImportExpression[source.type="TemplateLiteral"]',
          message: 'import() a literal path, so the adapters rule (and the bundler) can see it',
        },
        {
          // commander hands actions `any`: every argument of an action callback says its type.
          selector:
            'CallExpression[callee.property.name="action"] > :matches(ArrowFunctionExpression, FunctionExpression) > Identifier.params:not([typeAnnotation])',
          message: 'type the command options (an interface per command), not any',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { ...globals.node } },
  },
  {
    // CommonJS (bin/package.json): the CLI starts without Node's ESM loader (docs/adr/0031).
    files: ['bin/**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['test/**/*.ts'],
    rules: {
      // Tests read parsed JSON documents and database rows without declaring their whole shape.
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
);
