import type { NativeNet } from '../transport/native.js';

/**
 * Calls `onExit` once when process `pid` exits, through a pidfd (no polling): the agent notices a
 * dead nginx master within milliseconds. Throws when the process is already gone. Returns a
 * cancel function; both paths release the pidfd exactly once.
 */
export function watchPidExit(net: NativeNet, pid: number, onExit: () => void): () => void {
  const fd = net.pidfdOpen(pid);
  let open = true;
  const release = () => {
    if (!open) return;
    open = false;
    watcher.stop();
    net.closeFd(fd);
  };
  const watcher = new net.Watcher(fd, () => {
    if (!open) return;
    release();
    onExit();
  });
  return release;
}
