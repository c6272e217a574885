/**
 * Offline schema diffing for authoring migrations (development only; the running dashboard never
 * loads this). The Prisma CLI needs a native engine it downloads at start, which these machines
 * cannot reach; the same engine compiled to WebAssembly (`@prisma/schema-engine-wasm`, pinned to
 * the build matching our Prisma version) is driven here with an in-memory PGlite as its database
 * and shadow database, so no PostgreSQL server is needed either.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { bindMigrationAwareSqlAdapterFactory } from '@prisma/driver-adapter-utils';
import * as engineModule from '@prisma/schema-engine-wasm/schema_engine_bg';
import { MIGRATIONS_DIR } from './migrate';

export const SCHEMA_PATH = fileURLToPath(new URL('../../../../../prisma/schema.prisma', import.meta.url));

let loaded: Promise<void> | undefined;
// The package's own entry imports the .wasm file as an ES module, which Node cannot do yet; load
// the bytes and wire the bindings by hand, as its entry would.
function loadEngine(): Promise<void> {
  loaded ??= (async () => {
    const url = import.meta
      .resolve('@prisma/schema-engine-wasm/schema_engine_bg')
      .replace(/schema_engine_bg(\.js)?$/, 'schema_engine_bg.wasm');
    const bytes = await readFile(fileURLToPath(url));
    const { instance } = await WebAssembly.instantiate(bytes, {
      './schema_engine_bg.js': engineModule as unknown as WebAssembly.ModuleImports,
    });
    engineModule.__wbg_set_wasm(instance.exports);
    (instance.exports.__wbindgen_start as (() => void) | undefined)?.();
  })();
  return loaded;
}

/**
 * The SQL that takes a database built by the committed migrations to `prisma/schema.prisma`:
 * empty (`-- This is an empty migration.`) when they agree.
 */
export async function diffMigrationsToSchema(
  opts: { schemaPath?: string; migrationsDir?: string } = {},
): Promise<string> {
  await loadEngine();
  const schema = await readFile(opts.schemaPath ?? SCHEMA_PATH, 'utf8');
  const dir = opts.migrationsDir ?? MIGRATIONS_DIR;
  const names = (await readdir(dir, { withFileTypes: true }))
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const migrationDirectories = await Promise.all(
    names.map(async (name) => ({
      path: name,
      migrationFile: {
        path: 'migration.sql',
        content: { tag: 'ok' as const, value: await readFile(join(dir, name, 'migration.sql'), 'utf8') },
      },
    })),
  );
  const lite = new PGlite();
  const adapter = bindMigrationAwareSqlAdapterFactory(new PrismaPGlite(lite) as never);
  const files = [{ path: 'schema.prisma', content: schema }];
  const engine = await engineModule.SchemaEngine.new({ datamodels: [['schema.prisma', schema]] }, () => {}, adapter);
  try {
    const r = await engine.diff({
      from: {
        tag: 'migrations',
        baseDir: dir,
        lockfile: {
          path: 'migration_lock.toml',
          content: await readFile(join(dir, 'migration_lock.toml'), 'utf8').catch(() => null),
        },
        migrationDirectories,
        shadowDbInitScript: '',
      },
      to: { tag: 'schemaDatamodel', files },
      script: true,
      exitCode: null,
      filters: { externalTables: [], externalEnums: [] },
    });
    return r.stdout ?? '';
  } finally {
    engine.free();
    await lite.close();
  }
}

/** True when a diff script changes nothing. */
export function isEmptyDiff(sql: string): boolean {
  return sql.split('\n').every((l) => l.trim() === '' || l.trim().startsWith('--'));
}
