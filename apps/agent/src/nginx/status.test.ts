import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_HAND_EDIT_JSON_BYTES } from '@keepwatch/shared';
import { spawn } from 'node:child_process';
import { drainingWorkers, handEditReplaced, RenderedFileDrift } from './status.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('handEditReplaced', () => {
  it('carries a small file whole, with the hash of its bytes', () => {
    const file = Buffer.from('upstream webs {\n\tserver 192.0.2.21:80;\n}\n');
    expect(handEditReplaced(file)).toEqual({ onDiskSha256: sha(file), text: file.toString(), truncated: false });
  });

  it('cuts a big file so its JSON fits the cap, keeping the hash of the whole file', () => {
    const file = Buffer.from('\t"x"\n'.repeat(40_000)); // escapes make JSON twice the size
    const r = handEditReplaced(file);
    expect(r.truncated).toBe(true);
    expect(r.onDiskSha256).toBe(sha(file));
    expect(Buffer.byteLength(JSON.stringify(r.text)) - 2).toBeLessThanOrEqual(MAX_HAND_EDIT_JSON_BYTES);
    expect(Buffer.byteLength(JSON.stringify(r.text)) - 2).toBeGreaterThan(MAX_HAND_EDIT_JSON_BYTES - 8);
    expect(file.toString().startsWith(r.text)).toBe(true);
  });

  it('replaces control characters the protocol refuses', () => {
    const r = handEditReplaced(Buffer.from('a\u0000b\u001bc\td\r\n'));
    expect(r.text).toBe('a\ufffdb\ufffdc\td\r\n');
  });

  it('never ends a cut text on half a surrogate pair', () => {
    const r = handEditReplaced(Buffer.from('😀'.repeat(MAX_HAND_EDIT_JSON_BYTES)));
    expect(r.truncated).toBe(true);
    expect(r.text.length % 2).toBe(0);
  });
});

describe('RenderedFileDrift', () => {
  let dir: string;
  let file: string;
  let drift: RenderedFileDrift;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'kw-drift-'));
    file = join(dir, 'keepwatch.conf');
    writeFileSync(file, 'upstream webs {}\n');
    drift = new RenderedFileDrift(file);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reports nothing before the agent wrote the file', () => {
    expect(drift.check()).toBeNull();
  });

  it('reports no drift while the file is what the agent wrote', () => {
    drift.wrote('upstream webs {}\n');
    expect(drift.check()).toEqual({ drifted: false });
  });

  it('reports a hand edit with the hash of the file on disk', () => {
    drift.wrote('upstream webs {}\n');
    appendFileSync(file, '# by hand\n');
    expect(drift.check()).toEqual({
      drifted: true,
      onDiskSha256: createHash('sha256').update('upstream webs {}\n# by hand\n').digest('hex'),
    });
  });

  it('reports a removed file as drifted with no hash', () => {
    drift.wrote('upstream webs {}\n');
    rmSync(file);
    expect(drift.check()).toEqual({ drifted: true, onDiskSha256: null });
  });

  it('keeps the hash of what it wrote across a restart, so a hand edit made meanwhile is drift', () => {
    const state = join(dir, 'state', 'nginx-written.json');
    new RenderedFileDrift(file, state).wrote('upstream webs {}\n');
    appendFileSync(file, '# while the agent was down\n');
    expect(new RenderedFileDrift(file, state).check()).toMatchObject({ drifted: true });
  });

  it('starts with no drift to report when nothing was kept', () => {
    expect(new RenderedFileDrift(file, join(dir, 'missing.json')).check()).toBeNull();
  });

  it("answers what it said before while the agent's own apply rewrites the file", async () => {
    drift.wrote('upstream webs {}\n');
    const seen = await drift.during(async () => {
      writeFileSync(file, 'upstream webs { server 192.0.2.21:80; }\n');
      return drift.check();
    });
    expect(seen).toEqual({ drifted: false });
    // The apply did not keep it (no wrote()): now it is a difference.
    expect(drift.check()).toMatchObject({ drifted: true });
  });
});

describe('drainingWorkers', () => {
  it('counts the children titled as an old nginx worker shutting down, and only those', async () => {
    // Children of this process with nginx's titles (bash's exec -a sets argv[0], as nginx rewrites it).
    const titled = (title: string) => spawn('bash', ['-c', `exec -a "${title}" sleep 20`], { stdio: 'ignore' });
    const children = [titled('nginx: worker process is shutting down'), titled('nginx: worker process')];
    try {
      for (let i = 0; i < 100 && drainingWorkers(process.pid) < 1; i++) await new Promise((r) => setTimeout(r, 20));
      expect(drainingWorkers(process.pid)).toBe(1);
    } finally {
      for (const c of children) c.kill('SIGKILL');
    }
  });
});
