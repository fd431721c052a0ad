/**
 * The job table's key schema (single-table: jobs, steps, events, cache entries), shared by the
 * DynamoDB adapter and the CDK stack so both mean the same table. All keys are strings; every
 * GSI projects all attributes.
 */
export const TABLE_KEYS = {
  partitionKey: 'pk',
  sortKey: 'sk',
  gsis: [
    { name: 'byStatus', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    { name: 'byCreatedAt', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    { name: 'bySource', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
  ],
} as const;
