/**
 * Parts of a plan that grow with the title and so travel by reference (an object key and a
 * count) instead of inline: Step Functions caps a state's input and output at 256 KiB and an ECS
 * RunTask override at 8 KiB, and a two-hour title has thousands of chunk tasks.
 */
import { z } from 'zod';

/** A rung's chunks: objects `<prefix>c0000.mp4` … `<prefix>c<count−1>.mp4`, in chunk order. */
export const ChunkSetSchema = z.object({ prefix: z.string().min(1), count: z.number().int().positive() });
export type ChunkSet = z.infer<typeof ChunkSetSchema>;

/** The one naming of chunk objects (Plan names them, encode-video writes them, assemble reads them). */
export const chunkKey = (prefix: string, index: number): string => `${prefix}c${String(index).padStart(4, '0')}.mp4`;

export const chunkSetKeys = (set: ChunkSet): string[] => Array.from({ length: set.count }, (_, i) => chunkKey(set.prefix, i));

/** A task list written as one JSON array object (a Distributed Map's ItemReader reads it). */
export const TaskListRefSchema = z.object({ key: z.string().min(1), count: z.number().int().nonnegative() });
export type TaskListRef = z.infer<typeof TaskListRefSchema>;

/** Where Plan writes a job's encode-video tasks: under its work prefix (`.mosaic/work/<jobId>/`). */
export const videoTaskListKey = (workPrefix: string): string => `${workPrefix}plan/video-tasks.json`;

/** Where Plan writes a job's package task (a Fargate task reads it by key: tracks and subtitles make it large). */
export const packageInputKey = (workPrefix: string): string => `${workPrefix}plan/package.json`;
