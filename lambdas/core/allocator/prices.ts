/**
 * On-demand prices of Lambda and Fargate (Linux) per region, as data.
 *
 * Provenance: there is no network access where this was written, so these are the public list
 * prices as known on `takenOn` (the date of the author's knowledge), not fetched from the AWS
 * Price List API. us-east-1 figures are the widely published ones; the eu-west-1 and
 * ap-southeast-1 ephemeral-storage rates are the least certain. Re-check them against `source`
 * before relying on absolute dollar figures; relative choices depend mostly on the ratios.
 * Lambda's volume tiers (above 6 billion GB-s a month) and Savings Plans / Spot are not modelled.
 */
import { InputInvalidError, type Architecture } from '../../contracts/index.js';

export interface LambdaPrices {
  /** USD per GB-second of configured memory. */
  gbSecond: number;
  /** USD per invocation. */
  perRequest: number;
}

export interface FargatePrices {
  vcpuHour: number;
  gbHour: number;
}

export interface PriceTable {
  region: string;
  currency: 'USD';
  /** ISO date the figures were taken. */
  takenOn: string;
  source: string[];
  lambda: Record<Architecture, LambdaPrices> & {
    /** USD per GB-second of ephemeral storage configured above the free 512 MB. */
    ephemeralGbSecond: number;
  };
  fargate: Record<Architecture, FargatePrices> & {
    /** USD per GB-hour of ephemeral storage configured above the free 20 GiB. */
    ephemeralGbHour: number;
  };
}

const TAKEN_ON = '2025-01-01';
const SOURCES = ['https://aws.amazon.com/lambda/pricing/', 'https://aws.amazon.com/fargate/pricing/'];
/** Lambda's duration and request prices are the same in these three regions. */
const LAMBDA_STANDARD = {
  x86_64: { gbSecond: 0.0000166667, perRequest: 0.2 / 1e6 },
  arm64: { gbSecond: 0.0000133334, perRequest: 0.2 / 1e6 },
};

export const PRICES: Record<string, PriceTable> = {
  'us-east-1': {
    region: 'us-east-1',
    currency: 'USD',
    takenOn: TAKEN_ON,
    source: SOURCES,
    lambda: { ...LAMBDA_STANDARD, ephemeralGbSecond: 0.0000000309 },
    fargate: {
      x86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
      arm64: { vcpuHour: 0.03238, gbHour: 0.00356 },
      ephemeralGbHour: 0.000111,
    },
  },
  'eu-west-1': {
    region: 'eu-west-1',
    currency: 'USD',
    takenOn: TAKEN_ON,
    source: SOURCES,
    lambda: { ...LAMBDA_STANDARD, ephemeralGbSecond: 0.000000034 },
    fargate: {
      x86_64: { vcpuHour: 0.04048, gbHour: 0.004445 },
      arm64: { vcpuHour: 0.03238, gbHour: 0.00356 },
      ephemeralGbHour: 0.000122,
    },
  },
  'ap-southeast-1': {
    region: 'ap-southeast-1',
    currency: 'USD',
    takenOn: TAKEN_ON,
    source: SOURCES,
    lambda: { ...LAMBDA_STANDARD, ephemeralGbSecond: 0.0000000367 },
    fargate: {
      x86_64: { vcpuHour: 0.05056, gbHour: 0.00553 },
      arm64: { vcpuHour: 0.04045, gbHour: 0.00442 },
      ephemeralGbHour: 0.000133,
    },
  },
};

export function knownRegions(): string[] {
  return Object.keys(PRICES);
}

export function priceTable(region: string): PriceTable {
  if (!Object.hasOwn(PRICES, region)) {
    throw new InputInvalidError(`no price table for region "${region}"; known regions: ${knownRegions().join(', ')}`, { region });
  }
  return PRICES[region];
}
