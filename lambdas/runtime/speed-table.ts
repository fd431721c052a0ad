/**
 * The allocator's speed table, kept as one versioned document in the JobStore: the priors from
 * the speed model overlaid with what this installation measured (`mosaic calibrate` and every
 * encode task's observed duration, exponentially weighted).
 */
import { isVersionConflict, SpeedTableSchema, type SpeedSample, type SpeedTable } from '../contracts/index.js';
import { DEFAULT_SPEED_TABLE, observe } from '../core/allocator/speed-model.js';
import type { DocumentStore } from '../ports.js';

export const SPEED_TABLE_DOCUMENT = 'speed-table';
const WRITE_ATTEMPTS = 8;

/**
 * Every encode task writes this one document, so on AWS many chunks finishing together collide:
 * a conflict waits a random, growing moment before reading again (no lock-step retries).
 * Anything but a conflict, or conflicts past the last attempt, is thrown.
 */
async function afterConflict(e: unknown, attempt: number): Promise<void> {
  if (!isVersionConflict(e) || attempt + 1 >= WRITE_ATTEMPTS) throw e;
  await new Promise((r) => setTimeout(r, Math.random() * 20 * 2 ** attempt));
}

/** Only the measured entries (no priors). A stored document that no longer parses is ignored, not fatal. */
export async function loadMeasuredSpeeds(jobs: DocumentStore): Promise<{ table: SpeedTable; version: number | null }> {
  const doc = await jobs.getDocument(SPEED_TABLE_DOCUMENT);
  if (!doc) return { table: {}, version: null };
  const parsed = SpeedTableSchema.safeParse(doc.data);
  return { table: parsed.success ? parsed.data : {}, version: doc.version };
}

/** Priors overlaid with the measured entries: what the allocator predicts with. */
export async function loadSpeedTable(jobs: DocumentStore): Promise<SpeedTable> {
  return { ...DEFAULT_SPEED_TABLE, ...(await loadMeasuredSpeeds(jobs)).table };
}

/**
 * Folds observed durations into the stored table (read, observe, write with the version read;
 * a concurrent writer makes us read again). Returns the stored table.
 */
export async function recordSpeedSamples(jobs: DocumentStore, samples: SpeedSample[], alpha?: number): Promise<SpeedTable> {
  for (let i = 0; ; i++) {
    const { table, version } = await loadMeasuredSpeeds(jobs);
    // Observe against priors + measured, then keep only keys that now carry measurements.
    let next: SpeedTable = { ...DEFAULT_SPEED_TABLE, ...table };
    for (const s of samples) next = observe(next, s, alpha);
    const measured = Object.fromEntries(Object.entries(next).filter(([, e]) => e.samples > 0));
    try {
      await jobs.putDocument(SPEED_TABLE_DOCUMENT, measured, version);
      return measured;
    } catch (e) {
      await afterConflict(e, i);
    }
  }
}

/** Writes entries as given over the stored table (calibration's fitted figures). */
export async function mergeSpeedEntries(jobs: DocumentStore, entries: SpeedTable): Promise<SpeedTable> {
  for (let i = 0; ; i++) {
    const { table, version } = await loadMeasuredSpeeds(jobs);
    const merged = { ...table, ...entries };
    try {
      await jobs.putDocument(SPEED_TABLE_DOCUMENT, merged, version);
      return merged;
    } catch (e) {
      await afterConflict(e, i);
    }
  }
}
