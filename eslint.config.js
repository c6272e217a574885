// One flat config for the whole repository. It enforces the import boundaries of DESIGN.md:
// - @keepwatch/vrrp imports nothing of ours and no Node I/O, and has no clock or randomness of its own;
// - @keepwatch/shared is pure too; from @keepwatch/vrrp (pure as well) it imports types, the address
//   parsers and the VRRP state list, so an address or a state has one definition (issue 13; this
//   widens DESIGN.md's "types only");
// - apps/agent and apps/web never import each other;
// - Prisma only under apps/web/src/server;
// - product code never imports @keepwatch/lab;
// - process.env is read in one file per app (config/, env.ts).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const NODE_IO = [
  'fs',
  'fs/promises',
  'net',
  'dgram',
  'child_process',
  'cluster',
  'http',
  'https',
  'http2',
  'tls',
  'dns',
  'os',
  'worker_threads',
  'timers',
  'timers/promises',
  'process',
  'readline',
  'perf_hooks',
  'inspector',
  'vm',
  'v8',
].flatMap((m) => [m, `node:${m}`]);

const nodeIo = { paths: NODE_IO.map((name) => ({ name, message: 'This package is pure: no Node I/O (DESIGN.md).' })) };
const noLab = {
  group: ['@keepwatch/lab', '@keepwatch/lab/*'],
  message: 'Product code never imports the lab (DESIGN.md).',
};
const noPrisma = {
  group: ['@prisma/*', 'prisma', '**/server/db/**'],
  message: 'Prisma is used only under apps/web/src/server (DESIGN.md).',
};
const noDeep = {
  group: ['@keepwatch/*/src/*', '@keepwatch/*/dist/*'],
  message: "Import a package's public API, not its files (STYLE §B11).",
};

/** The agent and the web app never import each other: the pattern that keeps `app` out. */
const noApp = (app) => ({
  group: [`@keepwatch/${app}`, `@keepwatch/${app}/*`, `**/apps/${app}/**`],
  message: 'agent and web never import each other (DESIGN.md).',
});
const noAgent = noApp('agent');
const noWeb = noApp('web');

/** One no-restricted-imports block: `patterns` (and `paths`) are errors in `files`, `ignores` aside. */
function restrictImports({ files, ignores, paths, patterns }) {
  return {
    files,
    ...(ignores && { ignores }),
    rules: { 'no-restricted-imports': ['error', { ...(paths && { paths }), patterns }] },
  };
}

const pureGlobals = [
  ...['setTimeout', 'setInterval'].map((name) => ({
    name,
    message: 'The core has no timers: deadlines live in the state (STYLE §F30).',
  })),
  { name: 'setImmediate', message: 'The core has no timers.' },
  { name: 'Date', message: 'Time comes from the injected clock as `now` (STYLE §F29).' },
  { name: 'process', message: 'The core has no process access.' },
  { name: 'performance', message: 'Time comes from the injected clock as `now`.' },
];

export default tseslint.config(
  {
    ignores: [
      '**/dist/**',
      '**/.cache/**',
      '**/.next/**',
      '**/node_modules/**',
      '**/generated/**',
      '**/build/**',
      '**/next-env.d.ts',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2023, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { patterns: [noDeep] }],
    },
  },
  // @keepwatch/vrrp: nothing of ours, no Node I/O.
  restrictImports({
    files: ['packages/vrrp/**/*.ts'],
    ...nodeIo,
    patterns: [{ group: ['@keepwatch/*'], message: '@keepwatch/vrrp imports nothing of ours (DESIGN.md).' }, noPrisma],
  }),
  // ... and no clock or randomness of its own (sim/ and tests may hold time; the bench measures it).
  {
    files: ['packages/vrrp/src/**/*.ts'],
    ignores: ['packages/vrrp/src/sim/**', 'packages/vrrp/src/**/*.test.ts'],
    rules: {
      'no-restricted-globals': ['error', ...pureGlobals],
      'no-restricted-properties': [
        'error',
        { object: 'Math', property: 'random', message: 'Randomness comes from the injected Rng (STYLE §F29).' },
      ],
    },
  },
  // @keepwatch/shared: pure; from @keepwatch/vrrp only types, the address parsers and VRRP_STATES.
  restrictImports({
    files: ['packages/shared/src/**/*.ts'],
    ignores: ['packages/shared/src/**/*.test.ts'],
    ...nodeIo,
    patterns: [
      {
        group: ['@keepwatch/*', '!@keepwatch/vrrp'],
        message: '@keepwatch/shared imports no @keepwatch package but @keepwatch/vrrp (eslint.config.js).',
      },
      {
        group: ['@keepwatch/vrrp'],
        allowTypeImports: true,
        allowImportNames: ['parseIPv4', 'parseIPv6', 'parseAddress', 'canonicalAddress', 'VRRP_STATES'],
        message:
          '@keepwatch/shared may import from @keepwatch/vrrp only types, the address parsers and VRRP_STATES (eslint.config.js).',
      },
      noPrisma,
    ],
  }),
  // apps/agent never imports the web app, the lab or Prisma.
  restrictImports({
    files: ['apps/agent/**/*.ts'],
    ignores: ['apps/agent/**/*.test.ts'],
    patterns: [noWeb, noLab, noPrisma, noDeep],
  }),
  // apps/web never imports the agent or the lab; Prisma only under src/server.
  restrictImports({
    files: ['apps/web/**/*.{ts,tsx}'],
    ignores: ['apps/web/**/*.test.ts', 'apps/web/**/*.spec.ts', 'apps/web/src/server/**'],
    patterns: [noAgent, noLab, noPrisma, noDeep],
  }),
  restrictImports({ files: ['apps/web/src/server/**/*.ts'], patterns: [noAgent, noLab, noDeep] }),
  // apps/web/test is test support, not product code: it takes the reference spec and the
  // throw-away PostgreSQL server from the lab, as the integration tests and the bench do.
  restrictImports({ files: ['apps/web/test/**/*.ts'], patterns: [noAgent, noPrisma, noDeep] }),
  // Source files stay ≤ 350 lines (issue 13): tests, fixtures and the native addon aside. This
  // block covers every workspace's source: the agent, vrrp, shared, the lab, the demo and the
  // dashboard (its generated Prisma client is ignored above).
  {
    files: [
      'apps/agent/src/**/*.ts',
      'packages/vrrp/src/**/*.ts',
      'packages/shared/src/**/*.ts',
      'packages/lab/src/**/*.ts',
      'demo/src/**/*.ts',
      'apps/web/src/**/*.{ts,tsx}',
      'apps/web/*.ts',
      'apps/web/scripts/**/*.mjs',
    ],
    ignores: ['**/*.test.ts', '**/__fixtures__/**', '**/__golden__/**', '**/__traces__/**'],
    rules: {
      'max-lines': ['error', { max: 350, skipBlankLines: false, skipComments: false }],
    },
  },
  // process.env is read in one place per app (STYLE §C16).
  {
    files: ['apps/**/*.{ts,tsx}', 'packages/shared/**/*.ts'],
    ignores: [
      'apps/web/src/env.ts',
      'apps/web/server.ts',
      'apps/agent/src/config/**',
      '**/*.test.ts',
      '**/*.spec.ts',
      '**/*.config.ts',
    ],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Read the environment only in env.ts / config/ (STYLE §C16).' },
      ],
    },
  },
);
