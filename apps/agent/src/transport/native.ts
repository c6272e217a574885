import { createRequire } from 'node:module';

/** One received VRRP packet as the kernel reported it. */
export type RawPacket = {
  /** The VRRP message, without the IP header. */
  data: Buffer;
  src: string;
  dst: string;
  /** IPv4 TTL or IPv6 hop limit; -1 when the kernel did not say. */
  ttl: number;
  ifindex: number;
  truncated: boolean;
};

export type InterfaceInfo = { index: number; mac: string; up: boolean };

export type Watcher = { stop(): void };

/** The native addon's surface (apps/agent/native/keepwatch_net.cc). */
export type NativeNet = {
  openVrrp(family: 4 | 6, ifname: string, joinMulticast: boolean): number;
  recvVrrp(fd: number, family: 4 | 6): RawPacket | null;
  sendVrrp(fd: number, family: 4 | 6, ifindex: number, src: string | null, dst: string, data: Buffer): void;
  sendFrame(ifname: string, frame: Buffer): void;
  interfaceInfo(ifname: string): InterfaceInfo;
  closeFd(fd: number): void;
  /** A pidfd for `pid`: readable (for a Watcher) once the process has exited. */
  pidfdOpen(pid: number): number;
  /** One datagram to systemd's notify socket. */
  sdNotify(socketPath: string, message: string): void;
  Watcher: new (fd: number, onReadable: (status: number) => void) => Watcher;
};

let cached: NativeNet | null = null;

/**
 * Loads the addon built by node-gyp at `npm install`. Fails with a message that says what to do,
 * not only that a file is missing.
 */
export function loadNative(): NativeNet {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  try {
    cached = require('../../build/Release/keepwatch_net.node') as NativeNet;
  } catch (e) {
    throw new Error(
      `keepwatch-agent: the native network addon could not be loaded (${(e as Error).message}). ` +
        'It is built by node-gyp at `npm install` (needs g++, make and python3): run `npm rebuild @keepwatch/agent`.',
      { cause: e },
    );
  }
  return cached;
}
