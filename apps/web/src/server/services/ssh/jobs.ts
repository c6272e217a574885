/**
 * Bootstrap jobs and their progress, in memory (one dashboard process runs a job from start to
 * end; a restart loses the log, not the outcome, which is the node coming online). The UI polls
 * `bootstrap.job` about once a second — simpler than a subscription, and a job is short. Bounded:
 * at most MAX_JOBS jobs (the oldest finished ones go first) and MAX_LINES lines per job.
 */
import { randomUUID } from 'node:crypto';

export const MAX_JOBS = 100;
export const MAX_LINES = 2000;

export type JobLine = { at: Date; level: 'step' | 'output' | 'error' | 'done'; text: string };
export type JobState = 'running' | 'succeeded' | 'failed';
export type JobView = {
  id: string;
  nodeId: string;
  node: string;
  target: string;
  state: JobState;
  startedAt: Date;
  finishedAt: Date | null;
  error: string | null;
  lines: JobLine[];
};

export class Job {
  readonly id = randomUUID();
  readonly startedAt = new Date();
  state: JobState = 'running';
  finishedAt: Date | null = null;
  error: string | null = null;
  private readonly lines: JobLine[] = [];
  private dropped = 0;

  constructor(
    readonly nodeId: string,
    readonly node: string,
    readonly target: string,
  ) {}

  add(level: JobLine['level'], text: string): void {
    if (this.lines.length >= MAX_LINES) {
      this.lines.splice(1, 1);
      this.dropped++;
    }
    this.lines.push({ at: new Date(), level, text });
  }

  succeed(text: string): void {
    this.add('done', text);
    this.state = 'succeeded';
    this.finishedAt = new Date();
  }

  fail(error: string): void {
    this.add('error', error);
    this.state = 'failed';
    this.error = error;
    this.finishedAt = new Date();
  }

  view(since = 0): JobView {
    return {
      id: this.id,
      nodeId: this.nodeId,
      node: this.node,
      target: this.target,
      state: this.state,
      startedAt: this.startedAt,
      finishedAt: this.finishedAt,
      error: this.error,
      lines: this.lines.slice(since),
    };
  }
}

export class JobStore {
  private readonly jobs = new Map<string, Job>();

  create(nodeId: string, node: string, target: string): Job {
    if (this.jobs.size >= MAX_JOBS) {
      const oldest = [...this.jobs.values()].find((j) => j.state !== 'running');
      if (oldest) this.jobs.delete(oldest.id);
    }
    const job = new Job(nodeId, node, target);
    this.jobs.set(job.id, job);
    return job;
  }

  get(id: string): Job | undefined {
    return this.jobs.get(id);
  }

  /** Newest first. */
  list(): Job[] {
    return [...this.jobs.values()].reverse();
  }

  runningFor(nodeId: string): Job | undefined {
    return [...this.jobs.values()].find((j) => j.nodeId === nodeId && j.state === 'running');
  }
}

/** The process's job store (the custom server's module graph holds one). */
export const bootstrapJobs = new JobStore();
