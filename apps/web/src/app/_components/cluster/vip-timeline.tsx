'use client';
/**
 * The VIP ownership timeline: per VRRP instance, a band of who held the VIP over the last hour or
 * day and one lane per member node with its state, drawn from the stored transitions. Every
 * transition is a marker that tells its reason on hover and on keyboard focus; a table below the
 * chart says the same in text (the chart's text alternative).
 */
import { useQuery } from '@tanstack/react-query';
import { useId, useMemo, useState } from 'react';
import { api } from '~/trpc/client';
import { buildTimeline, holdersText, xOf, type InstanceTimeline, type LaneState, type Mark } from '../../_lib/timeline';
import { Banner, Button, Loading } from '../ui';
import { TableHead } from '../table';

/** The windows offered; "10 min" for what just happened (a failover is seconds wide in an hour). */
const RANGES = { '10 min': 600_000, hour: 3600_000, day: 24 * 3600_000 } as const;
type Range = keyof typeof RANGES;

const LABEL_W = 84;
const PLOT_W = 880;
const ROW_H = 22;
const GAP = 6;

/** Fill per lane state; unknown and stale are hatched (see the pattern), never a state colour. */
const STATE_FILL: Record<string, string> = {
  master: 'fill-emerald-500 dark:fill-emerald-400',
  backup: 'fill-slate-300 dark:fill-slate-600',
  initialize: 'fill-slate-200 dark:fill-slate-700',
  fault: 'fill-red-500 dark:fill-red-400',
};
/** Colours for holders in the ownership band (by member order). */
const HOLDER_FILL = [
  'fill-sky-600 dark:fill-sky-400',
  'fill-violet-600 dark:fill-violet-400',
  'fill-amber-500 dark:fill-amber-400',
  'fill-teal-600 dark:fill-teal-400',
];

function time(t: number, range: Range): string {
  const d = new Date(t);
  return range !== 'day'
    ? d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' })
    : d.toLocaleString([], { weekday: 'short', hour: '2-digit', minute: '2-digit' });
}

export function VipTimeline(props: {
  clusterId: string;
  instances: { name: string; vips: string[]; members: string[] }[];
  lastSeen: Record<string, number | null>;
  staleAfterMs: number | undefined;
  now: number;
  refetchMs: number;
}) {
  const [range, setRange] = useState<Range>('hour');
  const q = useQuery({
    queryKey: ['clusters.timeline', props.clusterId, range],
    queryFn: () =>
      api.clusters.timeline.query({ clusterId: props.clusterId, since: new Date(Date.now() - RANGES[range]) }),
    refetchInterval: props.refetchMs,
  });
  const until = props.now;
  const since = until - RANGES[range];
  const timelines = useMemo(
    () =>
      q.data
        ? buildTimeline({
            since: new Date(since),
            until: new Date(until),
            instances: props.instances.map((i) => ({ name: i.name, members: i.members })),
            initial: q.data.initial,
            transitions: q.data.transitions,
            lastSeen: props.lastSeen,
            ...(props.staleAfterMs !== undefined ? { staleAfterMs: props.staleAfterMs } : {}),
          })
        : [],
    [q.data, since, until, props.instances, props.lastSeen, props.staleAfterMs],
  );
  return (
    <div className="space-y-3">
      <div role="group" aria-label="Timeline range" className="flex items-center gap-1">
        {(Object.keys(RANGES) as Range[]).map((r) => (
          <Button
            key={r}
            tone={range === r ? 'primary' : 'secondary'}
            aria-pressed={range === r}
            onClick={() => setRange(r)}
          >
            Last {r}
          </Button>
        ))}
        {q.data?.truncated && (
          <span className="ml-2 text-xs text-amber-700 dark:text-amber-300">
            only the newest transitions of this window are shown
          </span>
        )}
      </div>
      {q.isPending && <Loading what="the VIP timeline" />}
      {q.isError && <Banner tone="error">Timeline unavailable: {q.error.message}</Banner>}
      {timelines.map((tl) => {
        const inst = props.instances.find((i) => i.name === tl.instance);
        return (
          <InstanceChart key={tl.instance} tl={tl} vips={inst?.vips ?? []} since={since} until={until} range={range} />
        );
      })}
    </div>
  );
}

function InstanceChart({
  tl,
  vips,
  since,
  until,
  range,
}: {
  tl: InstanceTimeline;
  vips: string[];
  since: number;
  until: number;
  range: Range;
}) {
  const uid = useId();
  const [active, setActive] = useState<Mark | null>(null);
  const x = (t: number) => LABEL_W + xOf(t, since, until, PLOT_W);
  const rows = 1 + tl.lanes.length;
  const height = rows * (ROW_H + GAP) + 22;
  const color = new Map(tl.lanes.map((l, i) => [l.node, HOLDER_FILL[i % HOLDER_FILL.length]!]));
  const ticks = Array.from({ length: 5 }, (_, i) => since + ((until - since) * i) / 4);
  const summary = `${tl.instance} (${vips.join(', ')}) over the last ${range}: ${tl.holders.map((h) => `${holdersText(h.holders, h.unknown)} from ${time(h.start, range)}`).join('; ')}. ${tl.marks.length} transition${tl.marks.length === 1 ? '' : 's'}.`;
  const laneY = (i: number) => (i + 1) * (ROW_H + GAP);
  return (
    <figure className="relative" aria-labelledby={`${uid}-cap`}>
      <figcaption id={`${uid}-cap`} className="mb-1 text-sm font-medium">
        Who held {tl.instance} ({vips.join(', ')}) — last {range}
      </figcaption>
      <div className="overflow-x-auto">
        <svg
          viewBox={`0 0 ${LABEL_W + PLOT_W + 8} ${height}`}
          style={{ minWidth: 640 }}
          className="w-full text-slate-700 dark:text-slate-200"
          role="group"
          aria-label={summary}
          data-testid={`timeline-${tl.instance}`}
        >
          <desc>{summary}</desc>
          <defs>
            <pattern
              id={`${uid}-hatch`}
              width="6"
              height="6"
              patternUnits="userSpaceOnUse"
              patternTransform="rotate(45)"
            >
              <rect width="6" height="6" className="fill-white dark:fill-slate-900" />
              <line x1="0" y1="0" x2="0" y2="6" className="stroke-slate-400" strokeWidth="2" />
            </pattern>
          </defs>
          <text x={0} y={ROW_H / 2 + 4} className="fill-current text-[11px] font-semibold">
            holder
          </text>
          {tl.holders.map((h, i) => (
            <rect
              key={i}
              x={x(h.start)}
              y={0}
              width={Math.max(0.5, x(h.end) - x(h.start))}
              height={ROW_H}
              className={
                h.holders.length === 1
                  ? color.get(h.holders[0]!)
                  : h.holders.length > 1
                    ? 'fill-red-600'
                    : h.unknown
                      ? ''
                      : 'fill-red-200 dark:fill-red-900'
              }
              fill={h.holders.length === 0 && h.unknown ? `url(#${uid}-hatch)` : undefined}
            >
              <title>{`${holdersText(h.holders, h.unknown)}: ${time(h.start, range)} – ${time(h.end, range)}`}</title>
            </rect>
          ))}
          {tl.holders.map((h, i) =>
            h.holders.length > 0 && x(h.end) - x(h.start) > 40 ? (
              <text
                key={`t${i}`}
                x={x(h.start) + 4}
                y={ROW_H / 2 + 4}
                className="pointer-events-none fill-white text-[11px] font-semibold"
              >
                {h.holders.join(' + ')}
              </text>
            ) : null,
          )}
          {tl.lanes.map((lane, li) => (
            <g key={lane.node}>
              <text x={0} y={laneY(li) + ROW_H / 2 + 4} className="fill-current text-[11px]">
                {lane.node}
              </text>
              {lane.segments.map((s, si) => (
                <rect
                  key={si}
                  x={x(s.start)}
                  y={laneY(li) + 4}
                  width={Math.max(0.5, x(s.end) - x(s.start))}
                  height={ROW_H - 8}
                  className={STATE_FILL[s.state as string] ?? ''}
                  fill={STATE_FILL[s.state as string] ? undefined : `url(#${uid}-hatch)`}
                >
                  <title>{`${lane.node}: ${stateText(s.state)} ${time(s.start, range)} – ${time(s.end, range)}${s.reason ? ` (${s.reason})` : ''}`}</title>
                </rect>
              ))}
            </g>
          ))}
          {tl.marks.map((m, mi) => {
            const li = tl.lanes.findIndex((l) => l.node === m.node);
            const label = `${m.node} ${m.from} → ${m.to} at ${time(m.at, range)}: ${m.reason} (priority ${m.priority})`;
            return (
              <g
                key={mi}
                tabIndex={0}
                role="img"
                aria-label={label}
                className="cursor-help outline-none [&:focus-visible>circle]:stroke-sky-500 [&:focus-visible>circle]:stroke-[3]"
                onMouseEnter={() => setActive(m)}
                onMouseLeave={() => setActive((a) => (a === m ? null : a))}
                onFocus={() => setActive(m)}
                onBlur={() => setActive((a) => (a === m ? null : a))}
              >
                <circle
                  cx={x(m.at)}
                  cy={laneY(li) + ROW_H / 2}
                  r={5}
                  className="fill-white stroke-slate-800 dark:fill-slate-900 dark:stroke-slate-100"
                  strokeWidth={1.5}
                />
                <title>{label}</title>
              </g>
            );
          })}
          {ticks.map((t, i) => (
            <text
              key={i}
              x={x(t)}
              y={height - 4}
              textAnchor={i === 0 ? 'start' : i === ticks.length - 1 ? 'end' : 'middle'}
              className="fill-current text-[10px]"
            >
              {time(t, range)}
            </text>
          ))}
        </svg>
      </div>
      <ul
        className="mt-1 flex flex-wrap gap-x-3 gap-y-1 text-xs text-slate-600 dark:text-slate-300"
        aria-label="Legend"
      >
        {tl.lanes.map((l) => (
          <li key={l.node} className="flex items-center gap-1">
            <svg width="12" height="12" aria-hidden="true">
              <rect width="12" height="12" className={color.get(l.node)} />
            </svg>
            held by {l.node}
          </li>
        ))}
        {(
          [
            ['fill-emerald-500', 'master'],
            ['fill-slate-300', 'backup'],
            ['fill-red-500', 'fault'],
            ['fill-red-200', 'nobody holds it'],
          ] as const
        ).map(([c, t]) => (
          <li key={t} className="flex items-center gap-1">
            <svg width="12" height="12" aria-hidden="true">
              <rect width="12" height="12" className={c} />
            </svg>
            {t}
          </li>
        ))}
        <li className="flex items-center gap-1">
          <svg width="12" height="12" aria-hidden="true">
            <rect width="12" height="12" fill={`url(#${uid}-hatch)`} />
          </svg>
          no report / stale
        </li>
      </ul>
      {active && (
        <p
          role="status"
          className="mt-1 rounded border border-slate-300 bg-white px-2 py-1 text-xs shadow dark:border-slate-600 dark:bg-slate-800"
          data-testid="timeline-tooltip"
        >
          <strong>{active.node}</strong> {active.from} → {active.to} at {time(active.at, range)} — reason:{' '}
          <span className="font-mono">{active.reason}</span> (priority {active.priority})
        </p>
      )}
      <details className="mt-1 text-sm">
        <summary className="cursor-pointer text-slate-600 dark:text-slate-300">Timeline as a table</summary>
        <table className="mt-1 w-full text-left text-xs">
          <caption className="sr-only">
            Who held {tl.instance}, period by period, and each transition with its reason
          </caption>
          <TableHead
            look="bare"
            columns={[{ label: 'From', className: 'pr-3' }, { label: 'To', className: 'pr-3' }, 'Held by']}
          />
          <tbody>
            {tl.holders.map((h, i) => (
              <tr key={i}>
                <td className="pr-3">{time(h.start, range)}</td>
                <td className="pr-3">{time(h.end, range)}</td>
                <td>{holdersText(h.holders, h.unknown)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {tl.marks.length > 0 && (
          <ul className="mt-1 list-inside list-disc text-xs">
            {tl.marks.map((m, i) => (
              <li key={i}>
                {time(m.at, range)} {m.node}: {m.from} → {m.to} ({m.reason})
              </li>
            ))}
          </ul>
        )}
      </details>
    </figure>
  );
}

function stateText(s: LaneState): string {
  if (s === 'unknown') return 'no report';
  if (s === 'stale') return 'stale (reports stopped)';
  return s;
}
