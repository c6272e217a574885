/**
 * Spec → keepalived.conf for one node: the export direction of the adoption path, and the
 * configuration of a keepalived peer in mixed clusters. Deterministic, like the nginx renderer.
 * What keepalived cannot express (the built-in check kinds) is left out and listed in `omitted`,
 * never dropped silently.
 */
import type { ClusterSpec } from '../spec/cluster.js';
import type { HealthCheck } from '../spec/checks.js';
import type { VrrpInstance } from '../spec/vrrp-instance.js';
import { UnixNameSchema } from '../spec/grammar.js';

/** Something of the spec that the keepalived.conf does not carry, and why. */
export type KeepalivedExportOmission = { path: string; reason: string };

/** The exported text and what it leaves out. */
export type KeepalivedExport = { text: string; omitted: KeepalivedExportOmission[] };

const I1 = '    ';
const I2 = I1 + I1;

/** ms → keepalived seconds: whole seconds bare, otherwise with up to three decimals. */
function seconds(ms: number): string {
  return ms % 1000 === 0 ? String(ms / 1000) : (ms / 1000).toFixed(3).replace(/0+$/, '');
}

/**
 * Whole seconds for keywords keepalived reads as integers; rounds up so a delay never shrinks,
 * and records the rounding as an omission so the loss is visible.
 */
function wholeSeconds(ms: number, path: string, omitted: KeepalivedExportOmission[]): string {
  if (ms % 1000 !== 0)
    omitted.push({
      path,
      reason: `${ms} ms rounded up to ${Math.ceil(ms / 1000)} s: keepalived reads whole seconds here`,
    });
  return String(Math.ceil(ms / 1000));
}

/**
 * keepalived 2.2.7 refuses weights of ±254 ("must be in [-253, 253]") although its docs and the
 * spec (after DESIGN.md) allow them: clamp, and record the change.
 */
function kaWeight(w: number, path: string, omitted: KeepalivedExportOmission[]): number {
  if (Math.abs(w) <= 253) return w;
  omitted.push({ path, reason: `weight ${w} written as ${Math.sign(w) * 253}: keepalived accepts -253..253` });
  return Math.sign(w) * 253;
}

function renderScript(
  c: Extract<HealthCheck, { kind: 'script' }>,
  index: number,
  omitted: KeepalivedExportOmission[],
): string[] {
  // Grammar guarantees: argv words hold no whitespace or quotes, a shell line no quotes, so
  // single quotes inside keepalived's double-quoted script string group the shell line.
  const command = 'argv' in c.command ? c.command.argv.join(' ') : `/bin/sh -c '${c.command.shell}'`;
  const lines = [
    `vrrp_script ${c.name} {`,
    `${I1}script "${command}"`,
    `${I1}interval ${wholeSeconds(c.intervalMs, `checks.${index}.intervalMs`, omitted)}`,
  ];
  if (c.timeoutMs !== undefined)
    lines.push(`${I1}timeout ${wholeSeconds(c.timeoutMs, `checks.${index}.timeoutMs`, omitted)}`);
  lines.push(
    `${I1}weight ${kaWeight(c.weight, `checks.${index}.weight`, omitted)}`,
    `${I1}fall ${c.fall}`,
    `${I1}rise ${c.rise}`,
  );
  if (c.initFail) lines.push(`${I1}init_fail`);
  if (c.user) lines.push(`${I1}user ${c.user.user}${c.user.group ? ` ${c.user.group}` : ''}`);
  lines.push('}');
  return lines;
}

function renderInstance(
  inst: VrrpInstance,
  nodeName: string,
  exported: ReadonlySet<string>,
  omitted: KeepalivedExportOmission[],
  index: number,
): string[] {
  const m = inst.members.find((x) => x.node === nodeName);
  if (!m) return [];
  const ifname = m.interface ?? inst.interface;
  const lines = [
    `vrrp_instance ${inst.name} {`,
    `${I1}state ${m.initialState.toUpperCase()}`,
    `${I1}interface ${ifname}`,
    `${I1}virtual_router_id ${inst.vrid}`,
    `${I1}priority ${m.priority}`,
    `${I1}advert_int ${seconds(inst.advertIntervalMs)}`,
    `${I1}version ${inst.version}`,
  ];
  // keepalived takes the family from the first VIP; native_ipv6 states it for the reader.
  if (inst.family === 6) lines.push(`${I1}native_ipv6`);
  lines.push(inst.preempt ? `${I1}preempt` : `${I1}nopreempt`);
  if (inst.preemptDelayMs > 0) lines.push(`${I1}preempt_delay ${seconds(inst.preemptDelayMs)}`);
  if (inst.authentication)
    lines.push(
      `${I1}authentication {`,
      `${I2}auth_type PASS`,
      `${I2}auth_pass ${inst.authentication.password}`,
      `${I1}}`,
    );
  if (inst.authHmac) {
    const a = inst.authHmac;
    lines.push(
      `${I1}auth_hmac {`,
      ...a.keys.map((k) => `${I2}key ${k.id} hex:${k.hex.toLowerCase()}`),
      `${I2}active_key ${a.activeKey}`,
      `${I2}anti_replay ${a.antiReplay}`,
      ...(a.timeWindowS === undefined ? [] : [`${I2}time_window ${a.timeWindowS}`]),
      `${I2}mode ${a.mode}`,
      `${I1}}`,
    );
  }
  if (m.unicastSrcIp !== undefined) lines.push(`${I1}unicast_src_ip ${m.unicastSrcIp}`);
  if (m.unicastPeers.length > 0) lines.push(`${I1}unicast_peer {`, ...m.unicastPeers.map((p) => I2 + p), `${I1}}`);
  lines.push(
    `${I1}virtual_ipaddress {`,
    ...inst.vips.map(
      (v) =>
        `${I2}${v.address}${v.prefix === undefined ? '' : `/${v.prefix}`}${v.dev === undefined ? '' : ` dev ${v.dev}`}`,
    ),
    `${I1}}`,
  );
  if (inst.trackInterfaces.length > 0) {
    lines.push(
      `${I1}track_interface {`,
      ...inst.trackInterfaces.map(
        (t, j) =>
          `${I2}${t.interface} weight ${kaWeight(t.weight, `vrrpInstances.${index}.trackInterfaces.${j}.weight`, omitted)}`,
      ),
      `${I1}}`,
    );
  }
  const tracked = inst.trackChecks.flatMap((t, j) => {
    if (!exported.has(t.check)) {
      omitted.push({
        path: `vrrpInstances.${index}.trackChecks.${j}`,
        reason: `check "${t.check}" is a built-in kind keepalived has no vrrp_script for`,
      });
      return [];
    }
    const w =
      t.weight === undefined
        ? ''
        : ` weight ${kaWeight(t.weight, `vrrpInstances.${index}.trackChecks.${j}.weight`, omitted)}`;
    return [`${I2}${t.check}${w}`];
  });
  if (tracked.length > 0) lines.push(`${I1}track_script {`, ...tracked, `${I1}}`);
  lines.push(
    `${I1}garp_master_delay ${wholeSeconds(inst.garpMasterDelayMs, `vrrpInstances.${index}.garpMasterDelayMs`, omitted)}`,
    `${I1}garp_master_repeat ${inst.garpMasterRepeat}`,
    `${I1}garp_master_refresh ${wholeSeconds(inst.garpMasterRefreshMs, `vrrpInstances.${index}.garpMasterRefreshMs`, omitted)}`,
    `${I1}garp_master_refresh_repeat ${inst.garpMasterRefreshRepeat}`,
    '}',
  );
  return lines;
}

/**
 * Renders one node's keepalived.conf from a spec: `global_defs` (router_id = node name, script
 * security on), every script check as a `vrrp_script`, and every instance the node is a member of.
 * Values keepalived reads in whole seconds (script interval/timeout, garp delay and refresh) are
 * rounded up to whole seconds and listed in `omitted`; `advert_int` and `preempt_delay` keep
 * milliseconds (keepalived reads them as decimal seconds).
 *
 * @param spec - a spec that passed `ClusterSpecSchema`.
 * @param nodeName - the node to render; must be in `spec.nodes`.
 * @param options - `scriptUser`: keepalived `script_user` (scripts run as this user unless a check
 *   names one); default `root`, as keepalived does without script security.
 * @returns the text and the spec parts it could not carry.
 * @throws Error when the node is not in the spec.
 */
export function renderKeepalivedConfig(
  spec: ClusterSpec,
  nodeName: string,
  options: { scriptUser?: string } = {},
): KeepalivedExport {
  if (!spec.nodes.some((n) => n.name === nodeName)) {
    throw new Error(`node ${JSON.stringify(nodeName)} is not in cluster ${JSON.stringify(spec.name)}`);
  }
  const omitted: KeepalivedExportOmission[] = [];
  const used = new Set(
    spec.vrrpInstances
      .filter((i) => i.members.some((m) => m.node === nodeName))
      .flatMap((i) => i.trackChecks.map((t) => t.check)),
  );
  const scripts: { c: Extract<HealthCheck, { kind: 'script' }>; i: number }[] = [];
  spec.checks.forEach((c, i) => {
    if (c.kind === 'script') scripts.push({ c, i });
    else if (used.has(c.name))
      omitted.push({ path: `checks.${i}`, reason: `check kind "${c.kind}" has no keepalived equivalent` });
  });
  const exported = new Set(scripts.map(({ c }) => c.name));
  const globals = [`${I1}router_id ${nodeName}`, `${I1}enable_script_security`];
  // With enable_script_security and no script_user, keepalived runs scripts as the user
  // keepalived_script, which distributions do not create: it would drop every check. root is
  // what an unsecured keepalived uses, now with its ownership checks on the script path.
  const scriptUser = options.scriptUser ?? 'root';
  if (!UnixNameSchema.safeParse(scriptUser).success)
    throw new Error(`invalid scriptUser ${JSON.stringify(scriptUser)}`);
  globals.push(`${I1}script_user ${scriptUser}`);
  const blocks: string[][] = [
    [`! Rendered by Keepwatch for node ${nodeName} of cluster ${spec.name}.`],
    ['global_defs {', ...globals, '}'],
    ...scripts.map(({ c, i }) => renderScript(c, i, omitted)),
    ...spec.vrrpInstances
      .map((inst, i) => renderInstance(inst, nodeName, exported, omitted, i))
      .filter((b) => b.length > 0),
  ];
  return { text: blocks.map((b) => b.join('\n')).join('\n\n') + '\n', omitted };
}
