// Decode + step throughput of @keepwatch/vrrp on one core: how many received adverts per second
// one instance can take (codec decode, instance checks, backup rules). Run `npm run bench`
// (after `npx turbo run build --filter=@keepwatch/vrrp`). Prints the median of several runs.
import {
  VRRP_MULTICAST_V4,
  decodeAdvert,
  encodeAdvert,
  initialState,
  step,
  type Advert,
  type InstanceConfig,
  type InstanceState,
} from '@keepwatch/vrrp';

const RUNS = 7;
const RUN_MS = 400;

const config: InstanceConfig = {
  name: 'VI_BENCH',
  version: 3,
  family: 4,
  vrid: 51,
  basePriority: 100,
  advertIntervalMs: 100,
  vips: ['192.0.2.100', '192.0.2.101'],
  primaryAddress: '192.0.2.10',
};
const advert: Advert = {
  version: 3,
  vrid: 51,
  priority: 150,
  advertIntervalMs: 100,
  addresses: ['192.0.2.100', '192.0.2.101'],
};
const ctx = { family: 4 as const, src: '192.0.2.11', dst: VRRP_MULTICAST_V4, ttl: 255 };
const bytes = encodeAdvert(advert, ctx);

function started(): InstanceState {
  return step(initialState(config), { type: 'startup' }, 0).state;
}

/** Runs `body` in batches for RUN_MS and returns operations per second. */
function measure(body: (i: number) => void): number {
  const batch = 10_000;
  let ops = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < RUN_MS) {
    for (let i = 0; i < batch; i++) body(ops + i);
    ops += batch;
    t = performance.now();
  }
  return (ops * 1000) / (t - t0);
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
}

function report(label: string, body: () => (i: number) => void): number {
  body()(0); // warm up the closure's state once
  measure(body()); // JIT warm-up run
  const runs = Array.from({ length: RUNS }, () => measure(body()));
  const m = median(runs);
  console.log(
    `${label.padEnd(34)} ${Math.round(m).toLocaleString('en-US').padStart(12)} adverts/s  (median of ${RUNS}, min ${Math.round(Math.min(...runs)).toLocaleString('en-US')})`,
  );
  return m;
}

console.log(
  `@keepwatch/vrrp throughput, one core, node ${process.version}, v3 IPv4 advert with 2 VIPs (${bytes.length} bytes)`,
);

report('decode', () => (_i) => {
  const r = decodeAdvert(bytes, ctx);
  if (!r.ok) throw new Error(r.reason);
});

report('step (backup, advert-received)', () => {
  let s = started();
  const event = { type: 'advert-received' as const, advert, src: ctx.src, ttl: 255 };
  return (i) => {
    s = step(s, event, i).state;
  };
});

const combined = report('decode + step', () => {
  let s = started();
  return (i) => {
    const r = decodeAdvert(bytes, ctx);
    if (!r.ok) throw new Error(r.reason);
    s = step(s, { type: 'advert-received', advert: r.advert, src: ctx.src, ttl: 255 }, i).state;
  };
});

// At keepalived's default 1 s interval, one core could serve this many instances' adverts.
console.log(
  `=> decode + step: ${Math.round(combined).toLocaleString('en-US')} adverts/s, ~${(1e6 / combined).toFixed(2)} µs per advert`,
);
