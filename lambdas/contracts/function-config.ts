import { z } from 'zod';

/** `lambdas/functions/<name>/function.json`: how the platform runs a media function. */
export const FunctionConfigSchema = z
  .object({
    name: z.string().regex(/^[a-z][a-z0-9-]*$/),
    description: z.string().min(1),
    /** The result-cache key includes it: bump it when the function's output changes. */
    version: z.number().int().positive(),
    memoryMiB: z.number().int().min(128).max(10_240),
    timeoutSec: z.number().int().min(1).max(900),
    ephemeralStorageMiB: z.number().int().min(512).max(10_240),
    architecture: z.enum(['arm64', 'x86_64']),
    platforms: z.array(z.enum(['lambda', 'fargate'])).min(1),
    defaultPlatform: z.enum(['lambda', 'fargate']),
    /** Whether results are cached by content hash. */
    cacheable: z.boolean(),
    /**
     * Sized per task by the allocator (the workflow's Allocate state): the stack deploys one Lambda
     * per size of LAMBDA_MEMORY_LADDER_MIB, and Fargate tasks get CPU/memory overrides.
     */
    allocated: z.boolean().default(false),
  })
  .strict()
  .refine((c) => c.platforms.includes(c.defaultPlatform), { message: 'defaultPlatform must be one of platforms' });
export type FunctionConfig = z.infer<typeof FunctionConfigSchema>;
