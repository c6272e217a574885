/**
 * The renewal timer (issue #17 item 2), in the dashboard process: every `intervalMs` it orders the
 * ACME certificates that are not issued yet or due (schedule.ts), a few per tick and one at a time,
 * so a CA outage costs a bounded number of requests. A row is claimed before its order (its next
 * attempt moved past the order's length), so two dashboards on one database do not both order it.
 */
import type { Logger } from '../../../logger';
import type { Actor, Db } from '../../types';
import { orderCertificate, type OrderFn } from './order';
import { orderDue } from './schedule';

export const DEF_RENEW_INTERVAL_MS = 60_000;
/** Orders per tick at most. */
export const RENEW_BATCH = 4;
/** How long a claimed row is left to the order that claimed it. */
export const CLAIM_MS = 10 * 60_000;

const ACTOR: Actor = { kind: 'system', name: 'acme-renewal', sourceAddress: null };

export interface RenewerOptions {
  db: Db;
  log: Logger;
  secretKey: Buffer;
  now?: () => Date;
  intervalMs?: number;
  order?: OrderFn;
}

export class AcmeRenewer {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private readonly now: () => Date;

  constructor(private readonly opts: RenewerOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.tick(), this.opts.intervalMs ?? DEF_RENEW_INTERVAL_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** One pass: orders up to RENEW_BATCH due certificates. A pass still running is not doubled. */
  tick(): Promise<void> {
    this.running ??= this.pass().finally(() => (this.running = null));
    return this.running;
  }

  private async pass(): Promise<void> {
    try {
      const now = this.now();
      const rows = await this.opts.db.certificate.findMany({
        where: { source: 'acme', OR: [{ nextAttemptAt: null }, { nextAttemptAt: { lte: now } }] },
        select: { id: true, name: true, notBefore: true, notAfter: true, nextAttemptAt: true },
        orderBy: [{ notAfter: { sort: 'asc', nulls: 'first' } }],
      });
      for (const r of rows.filter((r) => orderDue(r, now)).slice(0, RENEW_BATCH)) {
        const claimed = await this.opts.db.certificate.updateMany({
          where: { id: r.id, nextAttemptAt: r.nextAttemptAt },
          data: { nextAttemptAt: new Date(now.getTime() + CLAIM_MS) },
        });
        if (claimed.count !== 1) continue;
        const c = await orderCertificate(this.opts.db, ACTOR, r.id, {
          secretKey: this.opts.secretKey,
          now: this.now,
          order: this.opts.order,
        });
        if (c.lastError) this.opts.log.warn({ certificate: r.name, error: c.lastError }, 'ACME order failed');
        else this.opts.log.info({ certificate: r.name, notAfter: c.notAfter }, 'ACME certificate issued');
      }
    } catch (err) {
      this.opts.log.error({ err }, 'ACME renewal pass failed');
    }
  }
}
