import type { NativeNet } from './transport/native.js';

/**
 * systemd notifications (Type=notify): READY=1 once the agent runs, STOPPING=1 when it begins
 * to stop, WATCHDOG=1 periodically when the unit sets WatchdogSec. A no-op outside systemd.
 */
export class SystemdNotifier {
  private watchdog: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly net: NativeNet,
    private readonly socketPath: string | undefined,
    private readonly watchdogUsec: number | undefined,
  ) {}

  private send(message: string): void {
    if (!this.socketPath) return;
    try {
      this.net.sdNotify(this.socketPath, message);
    } catch {
      // systemd gone or not listening: nothing to tell
    }
  }

  ready(): void {
    this.send('READY=1');
    if (this.watchdogUsec && this.watchdogUsec > 0) {
      this.watchdog = setInterval(() => this.send('WATCHDOG=1'), Math.max(100, this.watchdogUsec / 2000));
      this.watchdog.unref();
    }
  }

  stopping(): void {
    if (this.watchdog) clearInterval(this.watchdog);
    this.send('STOPPING=1');
  }
}
