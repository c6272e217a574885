// The warm-restart file's format and the one rule for resuming from it, shared by the running
// agent (state/warm.ts writes it) and the start-up replay (warm-start/replay.ts reads it before
// anything else loads). Checked by hand, not with zod: the replay runs before the agent's modules
// are evaluated (exec → first advert is budgeted), and the file is the agent's own, mode 0600.
import { readFileSync, statSync } from 'node:fs';
import { isIP } from 'node:net';

/** The warm-restart file in the agent's state directory. */
export const WARM_STATE_FILE = 'vrrp-state.json';

/** One advert exactly as last sent: its destination and the VRRP message (hex, no IP header). */
export type WarmPacket = { dst: string; hex: string };

/**
 * auth_hmac: how to sign the repeats. A repeated trailer would be refused as a replay, so the
 * replay signs each repeat afresh with the key that signed the last advert (the file is 0600, as
 * the cached revision that holds the same key).
 */
export type WarmSigning = {
  keyId: number;
  keyHex: string;
  /** The last sequence sent, decimal (64-bit). */
  seq: string;
  antiReplay: 'time' | 'monotonic';
  timeWindowS: number;
};

/** What the replay needs to send an instance's advert again without its configuration. */
export type WarmAdvert = {
  family: 4 | 6;
  ifname: string;
  src: string;
  intervalMs: number;
  packets: WarmPacket[];
  sign?: WarmSigning;
};

function parseSigning(x: unknown): WarmSigning | undefined {
  if (!isRecord(x)) return undefined;
  const { keyId, keyHex, seq, antiReplay, timeWindowS } = x;
  if (typeof keyId !== 'number' || !Number.isInteger(keyId) || keyId < 1 || keyId > 255) return undefined;
  if (typeof keyHex !== 'string' || !/^(?:[0-9a-f]{2}){32,64}$/.test(keyHex)) return undefined;
  if (typeof seq !== 'string' || !/^\d{1,20}$/.test(seq)) return undefined;
  if (antiReplay !== 'time' && antiReplay !== 'monotonic') return undefined;
  if (typeof timeWindowS !== 'number' || !Number.isInteger(timeWindowS) || timeWindowS < 1 || timeWindowS > 300)
    return undefined;
  return { keyId, keyHex, seq, antiReplay, timeWindowS };
}

export type WarmInstance = { state: string; advert?: WarmAdvert };

/** What the agent persists for a warm restart: each instance's last state, its last advert, and when. */
export type WarmState = { savedAt: number; instances: Record<string, WarmInstance> };

/** Linux IFNAMSIZ is 16 with the NUL. */
const IFNAME = /^[A-Za-z0-9_.:@-]{1,15}$/;
/** A VRRP message is 8 bytes of header plus addresses and (v2) 8 bytes of authentication: well under 1500. */
const HEX = /^(?:[0-9a-f]{2}){8,1480}$/;

const isRecord = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function parseAdvert(x: unknown): WarmAdvert | undefined {
  if (!isRecord(x)) return undefined;
  const { family, ifname, src, intervalMs, packets } = x;
  if (family !== 4 && family !== 6) return undefined;
  if (typeof ifname !== 'string' || !IFNAME.test(ifname)) return undefined;
  if (typeof src !== 'string' || isIP(src) !== family) return undefined;
  if (typeof intervalMs !== 'number' || !Number.isInteger(intervalMs) || intervalMs < 10 || intervalMs > 40_950)
    return undefined;
  if (!Array.isArray(packets) || packets.length === 0 || packets.length > 64) return undefined;
  const out: WarmPacket[] = [];
  for (const p of packets) {
    if (!isRecord(p) || typeof p.dst !== 'string' || isIP(p.dst) !== family) return undefined;
    if (typeof p.hex !== 'string' || !HEX.test(p.hex)) return undefined;
    out.push({ dst: p.dst, hex: p.hex });
  }
  if (x.sign === undefined) return { family, ifname, src, intervalMs, packets: out };
  const sign = parseSigning(x.sign);
  // A signed advert the replay cannot sign again would only be refused: repeat none.
  return sign ? { family, ifname, src, intervalMs, packets: out, sign } : undefined;
}

/** The file's content, or null when it is not a warm-state file this agent wrote (then nothing resumes). */
export function parseWarmState(text: string | null): WarmState | null {
  if (text === null) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(raw) || typeof raw.savedAt !== 'number' || !isRecord(raw.instances)) return null;
  const instances: Record<string, WarmInstance> = {};
  for (const [name, v] of Object.entries(raw.instances)) {
    if (!isRecord(v) || typeof v.state !== 'string') continue;
    const advert = parseAdvert(v.advert);
    instances[name] = advert ? { state: v.state, advert } : { state: v.state };
  }
  return { savedAt: raw.savedAt, instances };
}

/**
 * The warm file at `path`, dated by its mtime when that is later than its content (a running
 * master touches it on every advert instead of rewriting it). Null when missing or not ours.
 */
export function readWarmState(path: string): WarmState | null {
  let text: string;
  let mtimeMs: number;
  try {
    text = readFileSync(path, 'utf8');
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return null;
  }
  const warm = parseWarmState(text);
  // savedAt 0 is a graceful stop's mark: nothing resumes, whatever the mtime.
  return warm && warm.savedAt > 0 ? { ...warm, savedAt: Math.max(warm.savedAt, mtimeMs) } : warm;
}

/**
 * Whether `instance` resumes as master at `now`: the file said master less than
 * min(3 advert intervals, maxAgeMs) ago — before any peer's Master_Down_Timer (3 intervals plus
 * Skew_Time, RFC 5798 6.4.2) could have fired, so no peer can have taken over meanwhile.
 */
export function resumesAsMaster(
  warm: WarmState | null,
  instance: string,
  advertIntervalMs: number,
  now: number,
  maxAgeMs: number,
): boolean {
  if (warm?.instances[instance]?.state !== 'master') return false;
  const age = now - warm.savedAt;
  return age >= 0 && age < Math.min(3 * advertIntervalMs, maxAgeMs);
}
