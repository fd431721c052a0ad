/**
 * Where Fargate media tasks run: a VPC with two public subnets and no NAT gateway (an idle
 * platform costs nothing; tasks get a public IP to reach ECR and AWS APIs, and free gateway
 * endpoints keep S3 and DynamoDB traffic inside the VPC), flow logs, a security group without
 * ingress, and an ECS cluster with Container Insights and the FARGATE and FARGATE_SPOT capacity providers.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.js';

export interface FargatePlatformProps {
  config: EnvironmentConfig;
}

export class FargatePlatform extends Construct {
  readonly vpc: ec2.Vpc;
  readonly cluster: ecs.Cluster;
  readonly securityGroup: ec2.SecurityGroup;
  /** The two public subnets tasks are placed in (`${FargateSubnet1}`, `${FargateSubnet2}`). */
  readonly subnets: ec2.ISubnet[];

  constructor(scope: Construct, id: string, props: FargatePlatformProps) {
    super(scope, id);
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.config.logRetentionDays,
      removalPolicy: props.config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr('10.64.0.0/16'),
      maxAzs: 2,
      natGateways: 0,
      subnetConfiguration: [{ name: 'tasks', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 20 }],
      flowLogs: { all: { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.ALL } },
      gatewayEndpoints: {
        S3: { service: ec2.GatewayVpcEndpointAwsService.S3 },
        DynamoDB: { service: ec2.GatewayVpcEndpointAwsService.DYNAMODB },
      },
    });
    this.subnets = this.vpc.publicSubnets;
    if (this.subnets.length !== 2) throw new Error(`the Fargate VPC must have 2 public subnets, has ${this.subnets.length}`);
    this.securityGroup = new ec2.SecurityGroup(this, 'TaskSecurityGroup', {
      vpc: this.vpc,
      description: 'Mosaic Fargate media tasks: no ingress; egress to ECR, S3, DynamoDB, EventBridge, Step Functions',
      allowAllOutbound: true,
    });
    // FARGATE and FARGATE_SPOT: an encode task runs on the capacity provider its allocation names
    // (Spot for economy work, whose interruptions the workflow retries).
    this.cluster = new ecs.Cluster(this, 'Cluster', { vpc: this.vpc, containerInsightsV2: ecs.ContainerInsights.ENABLED, enableFargateCapacityProviders: true });
  }
}
