// Test support: the reference scenario's files as the tutorial wrote them (copied unchanged into
// the __fixtures__ folders), with its private addresses (192.168.121.N) mapped onto the RFC 5737
// documentation range (192.0.2.N) as they are read — so no value a test compares or renders is a
// private-range address, and the line numbers stay the tutorial's.
import { readFileSync } from 'node:fs';

const FILES = {
  'keepalived-master.conf': '../src/keepalived/__fixtures__/keepalived-master.conf',
  'keepalived-backup.conf': '../src/keepalived/__fixtures__/keepalived-backup.conf',
  'check_nginx.sh': '../src/keepalived/__fixtures__/check_nginx.sh',
  'lb.conf': '../src/nginx/__fixtures__/lb.conf',
} as const;

export type SeedFile = keyof typeof FILES;

/** 192.168.121.N → 192.0.2.N. */
export function mapSeedAddresses(text: string): string {
  return text.replace(/\b192\.168\.121\.(\d{1,3})\b/g, '192.0.2.$1');
}

/** A seed file's text, addresses mapped. */
export function seedFixture(name: SeedFile): string {
  return mapSeedAddresses(readFileSync(new URL(FILES[name], import.meta.url), 'utf8'));
}
