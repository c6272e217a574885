import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { fileURLToPath } from 'node:url';

/**
 * The import boundaries of DESIGN.md are enforced by the root eslint.config.js. These tests lint
 * small sources as if they stood at a path in the tree and expect the rule to fire (or not).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const eslint = new ESLint({ cwd: root });

async function problems(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${path}` });
  return (result?.messages ?? []).map((m) => `${m.ruleId}: ${m.message}`);
}

type Case = { name: string; path: string; code: string; rule: string | null };

describe('import boundaries', () => {
  it.each<Case>([
    {
      name: 'vrrp may not import node:fs',
      path: 'packages/vrrp/src/codec/x.ts',
      code: "import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n",
      rule: 'no-restricted-imports',
    },
    {
      name: 'vrrp may not import node:dgram',
      path: 'packages/vrrp/src/machine/x.ts',
      code: "import dgram from 'dgram';\nexport const x = dgram;\n",
      rule: 'no-restricted-imports',
    },
    {
      name: 'vrrp may not import another package of ours',
      path: 'packages/vrrp/src/x.ts',
      code: "import { x as y } from '@keepwatch/shared';\nexport const x = y;\n",
      rule: 'no-restricted-imports',
    },
    {
      name: 'vrrp may not read the wall clock',
      path: 'packages/vrrp/src/machine/x.ts',
      code: 'export const now = Date.now();\n',
      rule: 'no-restricted-globals',
    },
    {
      name: 'vrrp may not set timers',
      path: 'packages/vrrp/src/machine/x.ts',
      code: 'setTimeout(() => undefined, 1);\n',
      rule: 'no-restricted-globals',
    },
    {
      name: 'vrrp may not use Math.random',
      path: 'packages/vrrp/src/machine/x.ts',
      code: 'export const r = Math.random();\n',
      rule: 'no-restricted-properties',
    },
    {
      name: 'shared may not import node:child_process',
      path: 'packages/shared/src/nginx/x.ts',
      code: "import { execFile } from 'node:child_process';\nexport const x = execFile;\n",
      rule: 'no-restricted-imports',
    },
    {
      name: 'shared may not import values from vrrp',
      path: 'packages/shared/src/x.ts',
      code: "import { step } from '@keepwatch/vrrp';\nexport const x = step;\n",
      rule: 'no-restricted-imports',
    },
    {
      name: 'agent may not import the web app',
      path: 'apps/agent/src/x.ts',
      code: "import { x as y } from '@keepwatch/web';\nexport const x = y;\n",
      rule: 'no-restricted-imports',
    },
    {
      name: 'web may not import the agent',
      path: 'apps/web/src/app/x.ts',
      code: "import { x as y } from '@keepwatch/agent';\nexport const x = y;\n",
      rule: 'no-restricted-imports',
    },
    {
      name: 'web pages may not import Prisma',
      path: 'apps/web/src/app/x.ts',
      code: "import { PrismaClient } from '@prisma/client';\nexport const x = PrismaClient;\n",
      rule: 'no-restricted-imports',
    },
    {
      name: 'product code may not import the lab',
      path: 'apps/agent/src/x.ts',
      code: "import { Lab } from '@keepwatch/lab';\nexport const x = Lab;\n",
      rule: 'no-restricted-imports',
    },
    {
      name: 'no deep imports into a package',
      path: 'apps/agent/src/x.ts',
      code: "import { x as y } from '@keepwatch/vrrp/src/machine/instance';\nexport const x = y;\n",
      rule: 'no-restricted-imports',
    },
    {
      name: 'agent may not read process.env outside config/',
      path: 'apps/agent/src/vrrp/x.ts',
      code: 'export const x = process.env.HOME;\n',
      rule: 'no-restricted-properties',
    },
  ])('$name', async ({ path, code, rule }) => {
    expect((await problems(path, code)).some((p) => p.startsWith(`${rule}:`))).toBe(true);
  });

  it.each<Case>([
    {
      name: 'shared may import types from vrrp',
      path: 'packages/shared/src/x.ts',
      code: "import type { Advert } from '@keepwatch/vrrp';\nexport type X = Advert;\n",
      rule: null,
    },
    {
      name: 'the agent may import vrrp and shared',
      path: 'apps/agent/src/x.ts',
      code: "import { a } from '@keepwatch/vrrp';\nimport { b } from '@keepwatch/shared';\nexport const x = [a, b];\n",
      rule: null,
    },
    {
      name: 'the web server may import Prisma',
      path: 'apps/web/src/server/db/x.ts',
      code: "import { PrismaClient } from '@prisma/client';\nexport const x = PrismaClient;\n",
      rule: null,
    },
    {
      name: 'the vrrp simulation may hold time',
      path: 'packages/vrrp/src/sim/x.ts',
      code: 'export const r = (n: number) => n + 1;\n',
      rule: null,
    },
  ])('$name', async ({ path, code }) => {
    expect((await problems(path, code)).filter((p) => /^no-restricted/.test(p))).toEqual([]);
  });
});
