/** The single DynamoDB table: jobs, steps, events and result-cache entries. */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.js';
import { TABLE_KEYS } from '../config/storage.js';

export interface JobTableProps {
  config: EnvironmentConfig;
}

export class JobTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: JobTableProps) {
    super(scope, id);
    const string = (name: string): dynamodb.Attribute => ({ name, type: dynamodb.AttributeType.STRING });
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: string(TABLE_KEYS.partitionKey),
      sortKey: string(TABLE_KEYS.sortKey),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      deletionProtection: props.config.retainData,
      removalPolicy: props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const gsi of TABLE_KEYS.gsis) {
      this.table.addGlobalSecondaryIndex({
        indexName: gsi.name,
        partitionKey: string(gsi.partitionKey),
        sortKey: string(gsi.sortKey),
        projectionType: dynamodb.ProjectionType.ALL,
      });
    }
  }

  /** ARNs of the table and of each of its indexes, named one by one (no `index/*`). */
  get arns(): string[] {
    return [this.table.tableArn, ...TABLE_KEYS.gsis.map((gsi) => `${this.table.tableArn}/index/${gsi.name}`)];
  }
}
