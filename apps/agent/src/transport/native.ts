import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as SeaApi from 'node:sea';

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

/** One address of an interface as rtnetlink lists it (native/netlink.cc). */
export type InterfaceAddress = {
  family: 4 | 6;
  address: string;
  prefix: number;
  scope: 'global' | 'link' | 'host' | 'other';
  secondary: boolean;
};

/** A link's state change from rtnetlink (up: IFF_UP and IFF_RUNNING; false once removed). */
export type LinkEvent = { index: number; name: string; up: boolean };

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
  /** Adds (replacing) or removes an address; 0 or the errno the kernel answered. */
  addrChange(add: boolean, family: 4 | 6, ifindex: number, address: string, prefix: number, nodad: boolean): number;
  /** The interface's addresses in the kernel's order (family 0: both). */
  addrList(family: 0 | 4 | 6, ifindex: number): InterfaceAddress[];
  /** A non-blocking socket that receives every link change (RTMGRP_LINK). */
  openLinkEvents(): number;
  /** The queued link changes; null when the kernel dropped some (read every link again). */
  readLinkEvents(fd: number): LinkEvent[] | null;
  /**
   * Starts a check script with clone(CLONE_VM|CLONE_VFORK) in its own process group, as uid/gid
   * (-1: the agent's); stdin /dev/null, stdout and stderr into `output` (a pipe's read end).
   * Throws naming the step that failed (e.g. "execve /x: No such file or directory").
   */
  spawnProbe(
    file: string,
    argv: string[],
    envp: string[],
    uid: number,
    gid: number,
  ): { pid: number; pidfd: number; output: number };
  /** A spawned script's exit status (null while it runs); reaps it. */
  reapProbe(pid: number): { code: number | null; signal: number | null } | null;
};

let cached: NativeNet | null = null;

/** The addon's asset key in the single executable (scripts/package-agent/sea.mjs puts it there). */
export const SEA_ADDON_ASSET = 'keepwatch_net.node';

/**
 * Loads the native addon: from the single executable's assets when running as one, else the file
 * built by node-gyp at `npm install` (dev, tests, the tarball's bundle). Fails with a message that
 * says what to do, not only that a file is missing.
 */
export function loadNative(opts: { runtimeDirectory?: string | undefined } = {}): NativeNet {
  if (cached) return cached;
  const sea = seaApi();
  const inSea = sea?.isSea() ?? false;
  try {
    cached = sea && inSea ? loadFromExecutable(sea, opts.runtimeDirectory) : loadBuilt();
  } catch (e) {
    throw new Error(
      inSea
        ? `keepwatch-agent: the native network addon inside this executable could not be loaded (${(e as Error).message}).`
        : `keepwatch-agent: the native network addon could not be loaded (${(e as Error).message}). ` +
            'It is built by node-gyp at `npm install` (needs g++, make and python3): run `npm rebuild @keepwatch/agent`.',
      { cause: e },
    );
  }
  return cached;
}

/** node:sea, or null where Node has none (before 20.12, which the tarball accepts): then this is no single executable. */
function seaApi(): typeof SeaApi | null {
  try {
    return createRequire(import.meta.url)('node:sea') as typeof SeaApi;
  } catch {
    return null;
  }
}

function loadBuilt(): NativeNet {
  const require = createRequire(import.meta.url);
  return require('../../build/Release/keepwatch_net.node') as NativeNet;
}

/**
 * dlopen needs a file, and the agent runs as root: a predictable path in a shared folder would let
 * another user plant or swap the library between our write and our dlopen. So the file goes into a
 * folder that mkdtemp creates atomically (random name, mode 0700, owned by us: nobody else can
 * enter it), is created with O_CREAT|O_EXCL ('wx': never follows or reuses an existing entry),
 * read/execute for us only, and is removed right after dlopen — the mapping stays valid. systemd's
 * RuntimeDirectory= (root-owned, private to the unit; main.ts passes it) is used when the unit gives one; a folder
 * mounted noexec fails the dlopen, so the next candidate is tried.
 */
function loadFromExecutable(sea: typeof SeaApi, runtimeDirectory: string | undefined): NativeNet {
  const bytes = new Uint8Array(sea.getRawAsset(SEA_ADDON_ASSET) as ArrayBuffer);
  const candidates = [runtimeDirectory, tmpdir(), '/dev/shm'].filter((d): d is string => !!d);
  const failures: string[] = [];
  for (const base of candidates) {
    let dir = '';
    try {
      dir = mkdtempSync(join(base, 'keepwatch-addon-'));
      const file = join(dir, SEA_ADDON_ASSET);
      writeFileSync(file, bytes, { flag: 'wx', mode: 0o500 });
      const module = { exports: {} as NativeNet };
      process.dlopen(module, file);
      return module.exports;
    } catch (e) {
      failures.push(`${base}: ${(e as Error).message}`);
    } finally {
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  }
  throw new Error(failures.join('; '));
}
