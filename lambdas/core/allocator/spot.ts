/**
 * Expected cost of running on Fargate Spot: interruptions come with a two-minute warning (SIGTERM,
 * `Mosaic.Interrupted`), the chunk is retried from its start and no finished chunk is lost, so an
 * interruption costs the part of the chunk done so far plus one more start.
 *
 * AWS publishes no Fargate Spot interruption rate; the model takes 5% per task-hour, the upper
 * bound of the lowest band ("<5%") of the EC2 Spot Instance Advisor read per hour instead of per
 * month — deliberately pessimistic (docs/decisions.md).
 */
import type { Capacity, CapacityProvider } from '../../contracts/index.js';

export const SPOT_INTERRUPTIONS_PER_HOUR = 0.05;

/** The ECS capacity provider RunTask uses for each capacity. */
export const CAPACITY_PROVIDER: Record<Capacity, CapacityProvider> = { 'on-demand': 'FARGATE', spot: 'FARGATE_SPOT' };

/** Chance that a run of `seconds` on Spot is interrupted (interruptions as a Poisson process of `rate` per hour). */
export function interruptionProbability(seconds: number, rate = SPOT_INTERRUPTIONS_PER_HOUR): number {
  return 1 - Math.exp((-rate * Math.max(0, seconds)) / 3600);
}

/**
 * Expected extra seconds of a run on Spot: an interrupted run loses on average half of it plus
 * one more start. Pass wall seconds for the wall time, billed seconds (and the billed start) for
 * the bill; the chance is always that of the wall time.
 */
export function expectedReworkSeconds(wallSeconds: number, seconds: number, startupSeconds: number, rate = SPOT_INTERRUPTIONS_PER_HOUR): number {
  return interruptionProbability(wallSeconds, rate) * (seconds / 2 + startupSeconds);
}
