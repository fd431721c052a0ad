import { describe, expect, it } from 'vitest';
import { InputInvalidError } from '../../../../lambdas/contracts/index.js';
import {
  candidateSizes,
  costOf,
  estimateJobCost,
  FARGATE_SIZES,
  isValidFargatePair,
  isValidLambdaSize,
  lambdaVcpu,
  PRICES,
  priceTable,
} from '../../../../lambdas/core/allocator/index.js';

describe('price tables', () => {
  it('cover us-east-1, eu-west-1 and ap-southeast-1 for both architectures, dated and sourced', () => {
    for (const region of ['us-east-1', 'eu-west-1', 'ap-southeast-1']) {
      const p = priceTable(region);
      expect(p.region).toBe(region);
      expect(p.takenOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(p.source.every((s) => s.startsWith('https://aws.amazon.com/'))).toBe(true);
      for (const arch of ['x86_64', 'arm64'] as const) {
        expect(p.lambda[arch].gbSecond).toBeGreaterThan(0);
        expect(p.fargate[arch].vcpuHour).toBeGreaterThan(0);
      }
      // Graviton is cheaper on both platforms.
      expect(p.lambda.arm64.gbSecond).toBeLessThan(p.lambda.x86_64.gbSecond);
      expect(p.fargate.arm64.vcpuHour).toBeLessThan(p.fargate.x86_64.vcpuHour);
    }
  });

  it('rejects an unknown region with a typed error naming the known ones', () => {
    expect(() => priceTable('mars-north-1')).toThrow(InputInvalidError);
    expect(() => priceTable('mars-north-1')).toThrow(/mars-north-1.*known regions: us-east-1, eu-west-1, ap-southeast-1/);
  });
});

describe('costOf (checked by hand, us-east-1)', () => {
  const p = PRICES['us-east-1'];

  it('Lambda 10,240 MB for 60 s: 600 GB-s × $0.0000166667 + one request', () => {
    expect(costOf({ platform: 'lambda', vcpu: lambdaVcpu(10240), memoryMiB: 10240 }, 60, p)).toBeCloseTo(600 * 0.0000166667 + 0.0000002, 12);
  });

  it('Lambda /tmp above 512 MB is charged per GB-s', () => {
    const withTmp = costOf({ platform: 'lambda', vcpu: 5.79, memoryMiB: 10240, ephemeralMiB: 10240 }, 60, p);
    expect(withTmp).toBeCloseTo(600 * 0.0000166667 + 0.0000002 + 9.5 * 60 * 0.0000000309, 12);
  });

  it('Lambda arm64 uses the Graviton rate; billing is in 1 ms steps', () => {
    expect(costOf({ platform: 'lambda', vcpu: 0.58, memoryMiB: 1024 }, 1, p, 'arm64')).toBeCloseTo(0.0000133334 + 0.0000002, 12);
    expect(costOf({ platform: 'lambda', vcpu: 0.58, memoryMiB: 1024 }, 0.0001, p)).toBeCloseTo(0.001 * 0.0000166667 + 0.0000002, 14);
  });

  it('Fargate bills a one-minute minimum: 4 vCPU/8 GiB for 30 s costs a minute', () => {
    const perHour = 4 * 0.04048 + 8 * 0.004445;
    expect(costOf({ platform: 'fargate', vcpu: 4, memoryMiB: 8192 }, 30, p)).toBeCloseTo(perHour / 60, 12);
    expect(costOf({ platform: 'fargate', vcpu: 4, memoryMiB: 8192 }, 90.2, p)).toBeCloseTo((perHour * 91) / 3600, 12);
  });

  it('Fargate ephemeral storage above 20 GiB is charged per GB-hour', () => {
    const c = costOf({ platform: 'fargate', vcpu: 1, memoryMiB: 2048, ephemeralMiB: 50 * 1024 }, 3600, p);
    expect(c).toBeCloseTo(0.04048 + 2 * 0.004445 + 30 * 0.000111, 12);
  });

  it('estimateJobCost sums the allocations', () => {
    expect(estimateJobCost([{ estimatedCostUsd: 0.5 }, { estimatedCostUsd: 0.25 }])).toBe(0.75);
    expect(estimateJobCost([])).toBe(0);
  });
});

describe('platform limits', () => {
  it('knows the valid Fargate CPU/memory pairs', () => {
    expect(isValidFargatePair(0.25, 512)).toBe(true);
    expect(isValidFargatePair(0.25, 2048)).toBe(true);
    expect(isValidFargatePair(0.25, 3072)).toBe(false);
    expect(isValidFargatePair(0.5, 4096)).toBe(true);
    expect(isValidFargatePair(1, 1024)).toBe(false);
    expect(isValidFargatePair(4, 30 * 1024)).toBe(true);
    expect(isValidFargatePair(4, 31 * 1024)).toBe(false);
    expect(isValidFargatePair(8, 20 * 1024)).toBe(true); // 16 GB + 4 GB steps
    expect(isValidFargatePair(8, 18 * 1024)).toBe(false);
    expect(isValidFargatePair(16, 120 * 1024)).toBe(true);
    expect(isValidFargatePair(16, 36 * 1024)).toBe(false);
    expect(isValidFargatePair(3, 8192)).toBe(false);
    expect(FARGATE_SIZES.find((r) => r.vcpu === 4)!.memoryGiB).toHaveLength(23);
  });

  it('knows the Lambda memory range and its vCPU share', () => {
    expect(isValidLambdaSize(127)).toBe(false);
    expect(isValidLambdaSize(128)).toBe(true);
    expect(isValidLambdaSize(10240)).toBe(true);
    expect(isValidLambdaSize(10241)).toBe(false);
    expect(isValidLambdaSize(1024.5)).toBe(false);
    expect(lambdaVcpu(1769)).toBe(1);
    expect(lambdaVcpu(10240)).toBeCloseTo(5.79, 2);
  });

  it('the candidate ladder holds only valid sizes, in capacity order, with stable indices', () => {
    const all = candidateSizes();
    expect(all.length).toBeGreaterThanOrEqual(20);
    all.forEach((s, i) => {
      expect(s.index).toBe(i);
      expect(s.platform === 'lambda' ? isValidLambdaSize(s.memoryMiB) : isValidFargatePair(s.vcpu, s.memoryMiB)).toBe(true);
      if (i > 0) {
        const prev = all[i - 1];
        expect(s.vcpu > prev.vcpu || (s.vcpu === prev.vcpu && s.memoryMiB >= prev.memoryMiB)).toBe(true);
      }
    });
    // The fixed baselines of the benchmark are rungs of the ladder.
    expect(all.some((s) => s.platform === 'lambda' && s.memoryMiB === 10240)).toBe(true);
    expect(all.some((s) => s.platform === 'fargate' && s.vcpu === 4 && s.memoryMiB === 8192)).toBe(true);
    expect(all.some((s) => s.platform === 'fargate' && s.vcpu === 16 && s.memoryMiB === 32768)).toBe(true);

    const lambdaOnly = candidateSizes({ platforms: ['lambda'], minSizeIndex: 7 });
    expect(lambdaOnly.every((s) => s.platform === 'lambda' && s.index >= 7)).toBe(true);
    expect(lambdaOnly.map((s) => s.index)).toEqual(all.filter((s) => s.platform === 'lambda' && s.index >= 7).map((s) => s.index));
  });
});
