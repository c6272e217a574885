import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { MAX_HAND_EDIT_JSON_BYTES } from '@keepwatch/shared';
import { handEditReplaced } from './status.js';

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
