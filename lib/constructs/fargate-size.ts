/**
 * A valid Fargate CPU/memory pair for a function's `memoryMiB`: vCPUs as Lambda would give that
 * memory (1 vCPU per 1,769 MiB, rounded up to a Fargate size), memory rounded up to whole GiB and
 * raised to the CPU size's minimum.
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
 */
export interface FargateSize {
  cpu: number;
  memoryLimitMiB: number;
}

interface CpuSize {
  cpu: number;
  minMiB: number;
  maxMiB: number;
  stepMiB: number;
}

/** 0.25 vCPU takes 512, 1024 or 2048 MiB only; never chosen here (a function gets at least 1 vCPU). */
const QUARTER_VCPU_MIB = [512, 1024, 2048];
const SIZES: readonly CpuSize[] = [
  { cpu: 512, minMiB: 1024, maxMiB: 4096, stepMiB: 1024 },
  { cpu: 1024, minMiB: 2048, maxMiB: 8192, stepMiB: 1024 },
  { cpu: 2048, minMiB: 4096, maxMiB: 16384, stepMiB: 1024 },
  { cpu: 4096, minMiB: 8192, maxMiB: 30720, stepMiB: 1024 },
  { cpu: 8192, minMiB: 16384, maxMiB: 61440, stepMiB: 4096 },
  { cpu: 16384, minMiB: 32768, maxMiB: 122880, stepMiB: 8192 },
];

/** MiB of Lambda memory that come with one vCPU. */
const LAMBDA_MIB_PER_VCPU = 1769;

export function fargateSize(memoryMiB: number): FargateSize {
  const vcpuUnits = Math.ceil(memoryMiB / LAMBDA_MIB_PER_VCPU) * 1024;
  for (const size of SIZES) {
    if (size.cpu < vcpuUnits) continue;
    const wanted = Math.max(size.minMiB, Math.ceil(memoryMiB / size.stepMiB) * size.stepMiB);
    if (wanted <= size.maxMiB) return { cpu: size.cpu, memoryLimitMiB: wanted };
  }
  throw new Error(`no Fargate size fits ${memoryMiB} MiB`);
}

/** Whether `cpu`/`memoryLimitMiB` is a combination Fargate accepts. */
export function isValidFargateSize({ cpu, memoryLimitMiB }: FargateSize): boolean {
  if (cpu === 256) return QUARTER_VCPU_MIB.includes(memoryLimitMiB);
  const size = SIZES.find((s) => s.cpu === cpu);
  return !!size && memoryLimitMiB >= size.minMiB && memoryLimitMiB <= size.maxMiB && (memoryLimitMiB - size.minMiB) % size.stepMiB === 0;
}
