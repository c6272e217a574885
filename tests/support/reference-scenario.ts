import { expect } from 'vitest';
import { REF, throughVip, waitServed, type Lab } from '@keepwatch/lab';

/**
 * The reference scenario's outside view after a change (shared/seed/scenario.md): `holder` alone
 * holds the VIP within `timeoutMs`, and requests through it are served again and reach both web
 * backends. For the scenario on keepalived and on keepwatch-agent alike.
 */
export async function expectServedBy(lab: Lab, holder: 'lb1' | 'lb2', timeoutMs = 5_000): Promise<void> {
  await lab.waitForHolders(REF.vip, [holder], timeoutMs);
  await waitServed(lab);
  expect(new Set(await throughVip(lab, 4))).toEqual(new Set(['web1', 'web2']));
}
