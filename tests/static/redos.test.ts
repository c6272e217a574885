import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { checkSync } from 'recheck';

/**
 * Finding 5 of issue #15: every regular expression in the product's source (apps and packages,
 * not tests) is checked by recheck, a ReDoS checker (automaton analysis, fuzzing as fallback). A
 * pattern with exponential or polynomial backtracking fails here, before it can freeze the
 * dashboard's event loop or an agent on hostile input. Static: no timing is measured.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const SOURCE_ROOTS = ['apps', 'packages'];
const SKIP_DIRS = new Set(['node_modules', 'dist', '.next', 'generated', '.cache', '.turbo', 'testing']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return SKIP_DIRS.has(e.name) ? [] : sourceFiles(p);
    return /\.(ts|tsx|mts|mjs|js)$/.test(e.name) && !/\.(test|spec)\.\w+$/.test(e.name) && !e.name.endsWith('.d.ts')
      ? [p]
      : [];
  });
}

interface Pattern {
  where: string;
  source: string;
  flags: string;
}

/** Regex literals, and `new RegExp('…', '…')` / `RegExp('…')` with literal arguments. */
function patternsIn(file: string): Pattern[] {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const out: Pattern[] = [];
  const where = (n: ts.Node) => `${relative(root, file)}:${sf.getLineAndCharacterOfPosition(n.getStart()).line + 1}`;
  const visit = (n: ts.Node): void => {
    if (ts.isRegularExpressionLiteral(n)) {
      const text = n.text;
      const end = text.lastIndexOf('/');
      out.push({ where: where(n), source: text.slice(1, end), flags: text.slice(end + 1) });
    } else if (
      (ts.isNewExpression(n) || ts.isCallExpression(n)) &&
      ts.isIdentifier(n.expression) &&
      n.expression.text === 'RegExp'
    ) {
      const [src, flags] = n.arguments ?? [];
      if (src && ts.isStringLiteralLike(src))
        out.push({
          where: where(n),
          source: src.text,
          flags: flags && ts.isStringLiteralLike(flags) ? flags.text : '',
        });
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return out;
}

/**
 * Patterns recheck rates quadratic (a `x+$` tail, tried from every start) that only ever see short,
 * bounded strings: harmless there. Listed by file and pattern, each with its bound; anything else
 * vulnerable fails the test, and so does an entry here that no longer matches a pattern.
 */
const BOUNDED_POLYNOMIAL: Record<string, string> = {
  'apps/web/src/server/services/ssh/fingerprint.ts /=+$/': 'a base64 sha256 digest: 44 characters',
  'packages/shared/src/keepalived/render.ts /0+$/': 'a number formatted with toFixed(3)',
  'packages/shared/src/nginx/render.ts /\\/+$/': 'the nginx temp dir from the agent config (an AbsolutePath, ≤ 4096)',
  'packages/vrrp/src/codec/auth.ts /\\0+$/': 'the VRRPv2 password: 8 bytes at most',
  'packages/lab/src/reference-keepalived.ts /^\\s*lvs_sync_daemon_interface ens192\\n/m':
    'a fixture of the test lab, not input',
};

const files = SOURCE_ROOTS.flatMap((d) =>
  readdirSync(join(root, d), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => sourceFiles(join(root, d, e.name))),
);
const patterns = files.flatMap(patternsIn);

describe('regular expressions in the source', () => {
  it('finds the patterns it is meant to check (the grammars among them)', () => {
    expect(patterns.some((p) => p.where.startsWith('packages/shared/src/spec/grammar.ts'))).toBe(true);
    expect(patterns.length).toBeGreaterThan(50);
  });

  it('has no pattern with exponential backtracking, nor a polynomial one outside the bounded list', () => {
    const used = new Set<string>();
    const bad = patterns.flatMap((p) => {
      const r = checkSync(p.source, p.flags, { timeout: 10_000 });
      if (r.status !== 'vulnerable') return [];
      const key = `${p.where.replace(/:\d+$/, '')} /${p.source}/${p.flags}`;
      if (r.complexity.type === 'polynomial' && key in BOUNDED_POLYNOMIAL) {
        used.add(key);
        return [];
      }
      return [`${p.where} /${p.source}/${p.flags}: ${r.complexity.summary} (attack: ${r.attack.pattern})`];
    });
    expect(bad).toEqual([]);
    expect(Object.keys(BOUNDED_POLYNOMIAL).filter((k) => !used.has(k))).toEqual([]);
  });
});
