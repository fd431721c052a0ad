/**
 * On-demand prices of Lambda and Fargate (Linux) per region, as data, and of the services a job's
 * run uses around its compute (Step Functions, EventBridge, DynamoDB, S3, CloudWatch Logs).
 *
 * Provenance: there is no network access where this was written, so these are the public list
 * prices as known on `takenOn` (the date of the author's knowledge), not fetched from the AWS
 * Price List API. us-east-1 figures are the widely published ones; the eu-west-1 and
 * ap-southeast-1 ephemeral-storage rates are the least certain. Re-check them against `source`
 * before relying on absolute dollar figures; relative choices depend mostly on the ratios.
 * Lambda's volume tiers (above 6 billion GB-s a month) and Savings Plans are not modelled; Fargate Spot is (FARGATE_SPOT).
 *
 * Services (`services`), same provenance. Certain enough: Step Functions Standard $0.025 per 1,000
 * state transitions, EventBridge $1.00 per million custom events, S3 Standard $0.005 per 1,000
 * PUT/COPY/POST/LIST and $0.0004 per 1,000 GET/HEAD (the same in the three regions), us-east-1
 * DynamoDB on-demand after the November 2024 price cut ($0.625 per million write request units,
 * $0.125 per million read request units) and us-east-1 CloudWatch Logs ingestion ($0.50 per GB).
 * Least certain: the eu-west-1 and ap-southeast-1 DynamoDB figures (halved from the pre-cut list
 * prices $1.4135/$0.283 and $1.425/$0.285 per million, so AWS's own rounding may differ in the last
 * digit), CloudWatch Logs ingestion outside us-east-1 ($0.57 and $0.70 per GB), and Step Functions
 * in ap-southeast-1 (taken as $0.025 like the other two). Free tiers (4,000 transitions, 25 GB of
 * DynamoDB storage, 5 GB of logs a month, ...) are account-wide and not modelled; neither are
 * storage per GB-month, data transfer, or custom-metric charges (per metric per month, not per job).
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

/**
 * Per-request prices of the services around the compute. Lambda's per-request price is
 * `lambda[architecture].perRequest`; Fargate has none.
 */
export interface ServicePrices {
  /** Step Functions Standard workflows: USD per state transition (retries count). */
  stepFunctionsTransition: number;
  /** EventBridge: USD per custom event put (each 64 KB chunk of an entry counts as one). AWS service events are free. */
  eventBridgeCustomEvent: number;
  /** DynamoDB on-demand, Standard table class: USD per write request unit (one write of up to 1 KB). */
  dynamoWriteRequestUnit: number;
  /** DynamoDB on-demand: USD per read request unit (one strongly consistent read of up to 4 KB). */
  dynamoReadRequestUnit: number;
  /** S3 Standard: USD per PUT, COPY, POST or LIST request (each part of a multipart upload counts). */
  s3PutRequest: number;
  /** S3 Standard: USD per GET, SELECT or other request (HEAD included). DELETE is free. */
  s3GetRequest: number;
  /** CloudWatch Logs (Standard class): USD per GB ingested. EMF metrics are billed as log ingestion. */
  logsIngestionGb: number;
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
  services: ServicePrices;
}

const TAKEN_ON = '2025-01-01';
const SOURCES = [
  'https://aws.amazon.com/lambda/pricing/',
  'https://aws.amazon.com/fargate/pricing/',
  'https://aws.amazon.com/step-functions/pricing/',
  'https://aws.amazon.com/eventbridge/pricing/',
  'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  'https://aws.amazon.com/s3/pricing/',
  'https://aws.amazon.com/cloudwatch/pricing/',
];
/** Lambda's duration and request prices are the same in these three regions. */
const LAMBDA_STANDARD = {
  x86_64: { gbSecond: 0.0000166667, perRequest: 0.2 / 1e6 },
  arm64: { gbSecond: 0.0000133334, perRequest: 0.2 / 1e6 },
};

/** Step Functions, EventBridge and S3 request prices are the same in these three regions. */
const STANDARD_REQUESTS = {
  stepFunctionsTransition: 0.025 / 1000,
  eventBridgeCustomEvent: 1 / 1e6,
  s3PutRequest: 0.005 / 1000,
  s3GetRequest: 0.0004 / 1000,
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
    services: { ...STANDARD_REQUESTS, dynamoWriteRequestUnit: 0.625 / 1e6, dynamoReadRequestUnit: 0.125 / 1e6, logsIngestionGb: 0.5 },
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
    services: { ...STANDARD_REQUESTS, dynamoWriteRequestUnit: 0.70675 / 1e6, dynamoReadRequestUnit: 0.1415 / 1e6, logsIngestionGb: 0.57 },
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
    services: { ...STANDARD_REQUESTS, dynamoWriteRequestUnit: 0.7125 / 1e6, dynamoReadRequestUnit: 0.1425 / 1e6, logsIngestionGb: 0.7 },
  },
};

/**
 * Fargate Spot (Linux/x86 only: Spot has no arm64). AWS prices Spot per region and changes it with
 * spare capacity; its pricing page promises "up to a 70% discount off the regular Fargate price".
 * The model takes that discount on vCPU and memory (ephemeral storage at the on-demand rate) —
 * the best case, so `expectedInterruptionsPerHour` (core/allocator/spot.ts) carries the risk.
 */
export const FARGATE_SPOT = {
  discount: 0.7,
  takenOn: '2026-12-02',
  source: 'https://aws.amazon.com/fargate/pricing/ ("Fargate Spot Pricing for Amazon ECS": up to a 70% discount)',
} as const;

/** Spot prices of a region's x86 Fargate, from the on-demand ones. */
export function fargateSpotPrices(prices: PriceTable): FargatePrices {
  const p = prices.fargate.x86_64;
  return { vcpuHour: p.vcpuHour * (1 - FARGATE_SPOT.discount), gbHour: p.gbHour * (1 - FARGATE_SPOT.discount) };
}

export function knownRegions(): string[] {
  return Object.keys(PRICES);
}

export function priceTable(region: string): PriceTable {
  if (!Object.hasOwn(PRICES, region)) {
    throw new InputInvalidError(`no price table for region "${region}"; known regions: ${knownRegions().join(', ')}`, { region });
  }
  return PRICES[region];
}
