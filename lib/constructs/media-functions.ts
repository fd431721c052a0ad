/**
 * One NodejsFunction per `<functionsDir>/<name>/function.json` (adding a folder adds a function),
 * and a Fargate task definition for every function whose `platforms` include "fargate".
 */
import { ArnFormat, Duration, RemovalPolicy, Size, Stack } from 'aws-cdk-lib';
import * as ecs from 'aws-cdk-lib/aws-ecs';
import * as ecrAssets from 'aws-cdk-lib/aws-ecr-assets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { METRICS_NAMESPACE } from '../../lambdas/contracts/metrics.js';
import { LAMBDA_MEMORY_LADDER_MIB } from '../../lambdas/contracts/allocation.js';
import { SECRET_REFS_ENV, SECRET_VALUE_ENV_PREFIX, type SecretRef } from '../../lambdas/contracts/function-config.js';
import type { EnvironmentConfig } from '../config/environments.js';
import { acknowledge } from '../nag.js';
import { PATHS } from '../paths.js';
import { FargatePlatform } from './fargate-platform.js';
import { FfmpegLayer, LAYER_FFMPEG, LAYER_FFPROBE } from './ffmpeg-layer.js';
import { fargateSizeOf, loadFunctionDefinitions, pascalCase, type MediaFunctionDefinition } from './function-configs.js';
import { grantMediaAccess, type MediaResources } from './media-access.js';
import { acknowledgeNodeLambda, nodeLambdaDefaults } from './node-lambda.js';

/** The container name in every media task definition (the ASL's ContainerOverrides name it). */
export const MEDIA_CONTAINER_NAME = 'media';

/** The ARN a secret reference names: an SSM parameter, or a Secrets Manager secret (by ARN, or by name with its random suffix). */
export function secretResourceArn(scope: Construct, ref: SecretRef): string {
  const stack = Stack.of(scope);
  if ('ssm' in ref) return stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: ref.ssm.replace(/^\//, ''), arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
  if (ref.secretsManager.startsWith('arn:')) return ref.secretsManager;
  return stack.formatArn({ service: 'secretsmanager', resource: 'secret', resourceName: `${ref.secretsManager}-??????`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

/** Fargate's smallest configurable ephemeral storage (20 GiB is the unconfigurable default). */
export const MIN_FARGATE_STORAGE_GIB = 21;

export interface MediaFunctionsProps {
  config: EnvironmentConfig;
  resources: MediaResources;
  /** Folder of `<name>/function.json` (default `lambdas/functions`). */
  functionsDir?: string;
}

export interface MediaFunction {
  definition: MediaFunctionDefinition;
  lambda: NodejsFunction;
  /** Present when the function may run on Fargate. */
  task?: ecs.FargateTaskDefinition;
  /**
   * For `"allocated": true` functions: one Lambda per memory size the allocator may choose
   * (LAMBDA_MEMORY_LADDER_MIB), keyed by MiB. The Allocate state names one of them per task.
   */
  variants?: Map<number, NodejsFunction>;
}

export class MediaFunctions extends Construct {
  readonly functions: MediaFunction[];
  /** Present when any function may run on Fargate. */
  readonly fargate?: FargatePlatform;

  constructor(scope: Construct, id: string, props: MediaFunctionsProps) {
    super(scope, id);
    const { config, resources } = props;
    const definitions = loadFunctionDefinitions(props.functionsDir ?? PATHS.functionsDir);
    for (const { config: fn, file } of definitions) {
      if (fn.architecture !== 'x86_64')
        throw new Error(`${file}: architecture "${fn.architecture}" is not supported: the ffmpeg layer and the media image are built from the x86_64 static ffmpeg in node_modules (no ${fn.architecture} binary is installed); use "x86_64"`);
    }
    const layer = new FfmpegLayer(this, 'Ffmpeg').layer;
    const sharedEnv = {
      MOSAIC_SOURCE_BUCKET: resources.sourceBucketName,
      MOSAIC_DERIVATIVE_BUCKET: resources.derivativeBucketName,
      MOSAIC_TABLE: resources.table.tableName,
      MOSAIC_EVENT_BUS: resources.eventBus.eventBusName,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: config.logLevel,
    };

    const needsFargate = definitions.some((d) => d.config.platforms.includes('fargate'));
    this.fargate = needsFargate ? new FargatePlatform(this, 'Fargate', { config }) : undefined;
    const image = needsFargate
      ? ecs.ContainerImage.fromDockerImageAsset(
          new ecrAssets.DockerImageAsset(this, 'MediaImage', { directory: PATHS.mediaContainer, platform: ecrAssets.Platform.LINUX_AMD64, exclude: ['node_modules'] }),
        )
      : undefined;

    this.functions = definitions.map((definition) => {
      const { config: fn, pascalName } = definition;
      const id = `${pascalName}Function`;
      const reserved = fn.reservedConcurrency ?? (config.encodeFunctions.includes(fn.name) ? config.encodeReservedConcurrency : undefined);
      const secrets = Object.entries(fn.secrets ?? {});
      // Secrets travel as references only; the Lambda reads them through the Parameters and Secrets extension.
      const secretEnv: Record<string, string> = secrets.length ? { [SECRET_REFS_ENV]: JSON.stringify(fn.secrets) } : {};
      const ssmArns = secrets.flatMap(([, r]) => ('ssm' in r ? [secretResourceArn(this, r)] : []));
      const secretArns = secrets.flatMap(([, r]) => ('secretsManager' in r ? [secretResourceArn(this, r)] : []));
      const makeLambda = (lambdaId: string, memoryMiB: number, ephemeralMiB: number, reservedConcurrency?: number, sized = false) => {
        const f = new NodejsFunction(this, lambdaId, {
          ...nodeLambdaDefaults(this, lambdaId, config),
          entry: PATHS.lambdaBootstrap,
          description: `Mosaic ${fn.name}${memoryMiB === fn.memoryMiB ? '' : ` (${memoryMiB} MB)`}: ${fn.description}`.slice(0, 256),
          memorySize: memoryMiB,
          timeout: Duration.seconds(fn.timeoutSec),
          ephemeralStorageSize: Size.mebibytes(ephemeralMiB),
          architecture: lambda.Architecture.X86_64,
          layers: [layer],
          ...(reservedConcurrency !== undefined ? { reservedConcurrentExecutions: reservedConcurrency } : {}),
          ...(secrets.length
            ? {
                paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(lambda.ParamsAndSecretsVersions.V1_0_103, {
                  cacheEnabled: true,
                  cacheSize: Math.max(1, secrets.length),
                  logLevel: lambda.ParamsAndSecretsLogLevel.WARN,
                }),
              }
            : {}),
          environment: {
            // The function's own variables first: the platform's below win (names are validated not to collide).
            ...fn.environment,
            ...sharedEnv,
            ...secretEnv,
            MOSAIC_FUNCTION: fn.name,
            MOSAIC_FFMPEG: LAYER_FFMPEG,
            MOSAIC_FFPROBE: LAYER_FFPROBE,
            POWERTOOLS_SERVICE_NAME: `mosaic-${fn.name}`,
            NODE_OPTIONS: '--enable-source-maps',
            // Marks an allocator size variant (its memory), so dashboards and tests can tell them apart.
            ...(sized ? { MOSAIC_ALLOCATED_SIZE_MIB: String(memoryMiB) } : {}),
          },
        });
        grantMediaAccess(f, resources, f);
        // Exactly the function's secrets: the extension calls GetParameter / GetSecretValue as the function.
        if (ssmArns.length) f.addToRolePolicy(new iam.PolicyStatement({ actions: ['ssm:GetParameter'], resources: ssmArns }));
        if (secretArns.length) f.addToRolePolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: secretArns }));
        acknowledgeNodeLambda(f);
        return f;
      };
      const fnLambda = makeLambda(id, fn.memoryMiB, fn.ephemeralStorageMiB, reserved);
      // The allocator's sizes; the reserved concurrency stays on the base function (reserving it
      // for every variant would multiply it past an account's limit).
      const variants = fn.allocated
        ? new Map(
            LAMBDA_MEMORY_LADDER_MIB.map((mib) => [
              mib,
              mib === fn.memoryMiB ? fnLambda : makeLambda(`${id}${mib}`, mib, Math.max(fn.ephemeralStorageMiB, 10_240), undefined, true),
            ]),
          )
        : undefined;

      let task: ecs.FargateTaskDefinition | undefined;
      if (fn.platforms.includes('fargate') && image) {
        const size = fargateSizeOf(fn);
        task = new ecs.FargateTaskDefinition(this, `${pascalName}Task`, {
          cpu: size.cpu,
          memoryLimitMiB: size.memoryLimitMiB,
          ephemeralStorageGiB: Math.max(MIN_FARGATE_STORAGE_GIB, Math.ceil(fn.ephemeralStorageMiB / 1024)),
          runtimePlatform: { cpuArchitecture: ecs.CpuArchitecture.X86_64, operatingSystemFamily: ecs.OperatingSystemFamily.LINUX },
        });
        const taskLogs = new logs.LogGroup(this, `${pascalName}TaskLogs`, {
          retention: config.logRetentionDays,
          removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
        });
        task.addContainer(MEDIA_CONTAINER_NAME, {
          containerName: MEDIA_CONTAINER_NAME,
          image,
          essential: true,
          logging: ecs.LogDrivers.awsLogs({ streamPrefix: fn.name, logGroup: taskLogs }),
          // MOSAIC_FUNCTION / MOSAIC_INPUT / MOSAIC_TASK_TOKEN come as overrides from the workflow.
          environment: { ...fn.environment, ...sharedEnv, ...secretEnv, MOSAIC_FUNCTION: fn.name, POWERTOOLS_SERVICE_NAME: `mosaic-${fn.name}` },
          // ECS reads each secret when the task starts (the execution role gets read access to exactly it).
          ...(secrets.length
            ? {
                secrets: Object.fromEntries(
                  secrets.map(([name, ref]) => [`${SECRET_VALUE_ENV_PREFIX}${name}`, ecsSecret(this, `${pascalName}Secret${pascalCase(name)}`, ref)]),
                ),
              }
            : {}),
        });
        grantMediaAccess(task.taskRole, resources, task);
        acknowledge(task, 'AwsSolutions-ECS2',
          'The container environment holds only non-secret configuration (bucket, table and event bus names, function name, log level, the function.json environment); the task role provides credentials, and function secrets come as ECS secrets (valueFrom SSM or Secrets Manager), never as values.');
        acknowledge(task, 'AwsSolutions-IAM5[Resource::*]',
          'The execution role pulls the media image: ecr:GetAuthorizationToken supports no resource-level permissions, so AWS requires Resource "*" (the pull itself is limited to the asset repository).');
      }
      return { definition, lambda: fnLambda, ...(task ? { task } : {}), ...(variants ? { variants } : {}) };
    });
  }

  /** The function whose name is `name` (`encode-video`) or whose PascalCase name is (`EncodeVideo`). */
  find(name: string): MediaFunction | undefined {
    return this.functions.find((f) => f.definition.config.name === name || f.definition.pascalName === name);
  }
}

/** An ECS container secret read from the reference's SSM parameter or Secrets Manager secret (JSON key optional). */
function ecsSecret(scope: Construct, id: string, ref: SecretRef): ecs.Secret {
  if ('ssm' in ref) return ecs.Secret.fromSsmParameter(ssm.StringParameter.fromSecureStringParameterAttributes(scope, id, { parameterName: ref.ssm }));
  const secret = ref.secretsManager.startsWith('arn:')
    ? secretsmanager.Secret.fromSecretCompleteArn(scope, id, ref.secretsManager)
    : secretsmanager.Secret.fromSecretNameV2(scope, id, ref.secretsManager);
  return ecs.Secret.fromSecretsManager(secret, ref.key);
}
