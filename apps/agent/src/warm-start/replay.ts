// Exec → first advert: a restarted agent repeats, before its modules load, the adverts its
// previous process sent as master a moment ago, so no peer's Master_Down_Timer fires while the
// rest of the agent starts (RFC 5798 6.4.2: 3 × Advertisement_Interval + Skew_Time; at 0.1 s
// adverts that is ~0.37 s, less than Node needs to evaluate the agent). Only node built-ins, the
// addon and the warm file's format are loaded here: this module's cost is the budget.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEF_STATE_DIR, DEF_WARM_RESTART_MAX_AGE_MS } from '../config/defaults.js';
import {
  readWarmState,
  resumesAsMaster,
  WARM_STATE_FILE,
  type WarmAdvert,
  type WarmState,
} from '../state/warm-format.js';
import type { NativeNet } from '../transport/native.js';
import { nextSendSequence, signAdvert } from '@keepwatch/vrrp/auth-hmac/sign';

/** What the rest of the agent takes over from the replay. */
export type WarmReplay = {
  /** When the process began: the moment the warm file's age was judged. */
  startedAt: number;
  /** The instances whose adverts are being repeated. */
  instances: readonly string[];
  /** Stops repeating (the agent's own VRRP sockets are about to take over). Idempotent. */
  stop(): void;
};

/**
 * The state directory of `run --config FILE`, read without validating the rest of the file (the
 * agent validates it right after; a file it refuses stops the agent, which ends the replay).
 * Null for any other command, or when the file cannot be read.
 */
export function stateDirOf(argv: readonly string[], readFile: (path: string) => string): string | null {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: false,
      options: { config: { type: 'string', short: 'c' } },
    });
  } catch {
    return null;
  }
  const config = parsed.values.config;
  if (parsed.positionals[0] !== 'run' || typeof config !== 'string') return null;
  try {
    const raw: unknown = JSON.parse(readFile(config));
    const dir = typeof raw === 'object' && raw !== null ? (raw as { stateDir?: unknown }).stateDir : undefined;
    if (dir === undefined) return DEF_STATE_DIR;
    return typeof dir === 'string' && dir.startsWith('/') ? dir : null;
  } catch {
    return null;
  }
}

/** The adverts to repeat: the warm file's masters young enough to resume (resumesAsMaster). */
export function advertsToReplay(warm: WarmState | null, now: number): Map<string, WarmAdvert> {
  const out = new Map<string, WarmAdvert>();
  for (const [name, instance] of Object.entries(warm?.instances ?? {})) {
    const advert = instance.advert;
    if (advert && resumesAsMaster(warm, name, advert.intervalMs, now, DEF_WARM_RESTART_MAX_AGE_MS))
      out.set(name, advert);
  }
  return out;
}

/**
 * auth_hmac: each repeat signed afresh (a repeated trailer is a replay to every receiver), with
 * the sequence going on from the last one sent. Null for an unsigned advert.
 */
export function resigner(
  advert: WarmAdvert,
  now: () => number,
): ((packets: { dst: string; data: Buffer }[]) => { dst: string; data: Buffer }[]) | null {
  const sign = advert.sign;
  if (!sign) return null;
  const key = { id: sign.keyId, key: Uint8Array.from(Buffer.from(sign.keyHex, 'hex')) };
  const config = { keys: [key], activeKey: key.id, mode: 'enforce' as const, ...sign };
  let last = BigInt(sign.seq);
  return (packets) => {
    last = nextSendSequence(last, now(), config);
    return packets.map((p) => {
      const message = p.data.subarray(0, p.data.length - 28);
      const ctx = { family: advert.family, src: advert.src, dst: p.dst };
      return { dst: p.dst, data: Buffer.from(signAdvert(message, ctx, key, last)) };
    });
  };
}

/**
 * Sends each resuming instance's last advert at once and again every advert interval until
 * `stop()`. Never throws: any failure only means the agent's own start sends the first advert.
 */
export function startWarmReplay(
  argv: readonly string[],
  loadNet: () => NativeNet,
  now: () => number = Date.now,
): WarmReplay {
  const startedAt = now();
  const timers: ReturnType<typeof setInterval>[] = [];
  const fds: { net: NativeNet; fd: number }[] = [];
  const stop = () => {
    for (const t of timers.splice(0)) clearInterval(t);
    for (const { net, fd } of fds.splice(0)) net.closeFd(fd);
  };
  const read = (path: string) => readFileSync(path, 'utf8');
  const dir = stateDirOf(argv, read);
  if (dir === null) return { startedAt, instances: [], stop };
  const adverts = advertsToReplay(readWarmState(join(dir, WARM_STATE_FILE)), startedAt);
  if (adverts.size === 0) return { startedAt, instances: [], stop };
  try {
    const net = loadNet();
    for (const advert of adverts.values()) {
      const fd = net.openVrrp(advert.family, advert.ifname, false);
      fds.push({ net, fd });
      const ifindex = net.interfaceInfo(advert.ifname).index;
      const packets = advert.packets.map((p) => ({ dst: p.dst, data: Buffer.from(p.hex, 'hex') }));
      const signer = resigner(advert, now);
      const send = () => {
        for (const p of signer ? signer(packets) : packets) {
          try {
            net.sendVrrp(fd, advert.family, ifindex, advert.src, p.dst, p.data);
          } catch {
            // the link may be down: the agent's own instance reports it once it runs
          }
        }
      };
      send();
      const timer = setInterval(send, advert.intervalMs);
      timer.unref();
      timers.push(timer);
    }
  } catch {
    stop();
    return { startedAt, instances: [], stop };
  }
  return { startedAt, instances: [...adverts.keys()], stop };
}
