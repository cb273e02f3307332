import { describeStage, formatDuration } from './stages.js';
import type { RolloutContext } from './context.js';
import type { RolloutRecord } from '../../ports/registry.js';

/*
 * Clocks (ADR 26). Every event carries its machine's time as read; the audit chain carries the true
 * order. A clock behind the chain's last event, or a stage that starts in this machine's future, is
 * said loudly (stderr and --json warnings). A stage never starts before the chain's last event (a
 * clock behind cannot shorten the next bake time), and a bake time needs two readings: this
 * machine's clock, and a look recorded since the stage began (blocker.ts).
 */

/** Clocks of different machines within this much of each other are in agreement. */
export const CLOCK_TOLERANCE_MS = 60_000;

/** How far this machine's clock is behind the chain's last event (null: within the tolerance). */
export async function clockBehind(ctx: Pick<RolloutContext, 'registry' | 'clock'>): Promise<string | null> {
  const last = await ctx.registry.lastEvent();
  if (!last) return null;
  const now = ctx.clock.now();
  const behind = Date.parse(last.at) - now.getTime();
  if (!(behind > CLOCK_TOLERANCE_MS)) return null;
  return `this machine's clock (${now.toISOString()}) is ${formatDuration(behind)} behind the registry's last event (#${last.seq} at ${last.at}): events recorded now would be out of order`;
}

/** Say (ctx.warn) when this machine's clock is behind the registry's last event. */
export async function checkClock(ctx: RolloutContext): Promise<void> {
  const behind = await clockBehind(ctx);
  if (behind) ctx.warn(`${behind}; set this machine's clock right (NTP)`);
}

/**
 * When a stage entered now starts: now, or the chain's last event if this clock is behind it, so
 * a clock behind never shortens a bake time. Inside the step's registry write.
 */
export async function stageStart(ctx: Pick<RolloutContext, 'registry' | 'clock'>): Promise<string> {
  const now = ctx.clock.now().toISOString();
  const last = (await ctx.registry.lastEvent())?.at;
  return last && Date.parse(last) > Date.parse(now) ? new Date(Date.parse(last)).toISOString() : now;
}

/** A stage whose recorded start is in this machine's future: one of the clocks is wrong. */
export function warnFutureStage(ctx: RolloutContext, r: RolloutRecord): void {
  const ahead = Date.parse(r.stepStartedAt) - ctx.clock.now().getTime();
  if (ahead > CLOCK_TOLERANCE_MS)
    ctx.warn(
      `the ${describeStage(r.plan[r.step]!)} stage of ${r.model} started at ${r.stepStartedAt}, ${formatDuration(ahead)} ahead of this machine's clock (${ctx.clock.now().toISOString()}): one of the clocks is wrong; its bake time counts from ${r.stepStartedAt}`,
    );
}

/**
 * A look that confirms a bake time: an event recorded since the stage began (in chain order, up to
 * `upTo`, before this command wrote anything) whose time is at or after the bake time's end — and
 * not in this clock's future (a look from a clock that ran ahead confirms nothing).
 */
export async function bakeConfirmed(ctx: RolloutContext, r: RolloutRecord, upTo: number | null): Promise<boolean> {
  const min = r.plan[r.step]!.minDurationMs;
  if (min <= 0) return true;
  const end = new Date(Date.parse(r.stepStartedAt) + min).toISOString();
  const entered = (await ctx.registry.lastStep({ rollout: r.key }))?.seq ?? 0;
  const until = new Date(ctx.clock.now().getTime() + CLOCK_TOLERANCE_MS).toISOString();
  const looks = await ctx.registry.events({ since: end, until, limit: 20 });
  return looks.some((e) => e.seq > entered && (upTo === null || e.seq <= upTo));
}
