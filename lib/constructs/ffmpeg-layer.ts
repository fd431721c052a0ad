/**
 * A Lambda layer with static ffmpeg and ffprobe at /opt/bin, staged from the x86_64 builds that
 * npm installs (`@ffmpeg-installer/linux-x64`, `@ffprobe-installer/linux-x64`). No arm64 build is
 * installed, so the layer is x86_64 only.
 */
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { AssetHashType, DockerImage, RemovalPolicy } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { PATHS } from '../paths.js';

/** Where the layer's binaries are on Lambda (layers are extracted to /opt). */
export const LAYER_FFMPEG = '/opt/bin/ffmpeg';
export const LAYER_FFPROBE = '/opt/bin/ffprobe';

export interface FfmpegLayerProps {
  ffmpegPath?: string;
  ffprobePath?: string;
}

export class FfmpegLayer extends Construct {
  readonly layer: lambda.LayerVersion;

  constructor(scope: Construct, id: string, props: FfmpegLayerProps = {}) {
    super(scope, id);
    const binaries = { ffmpeg: props.ffmpegPath ?? PATHS.ffmpegBinary, ffprobe: props.ffprobePath ?? PATHS.ffprobeBinary };
    for (const [name, path] of Object.entries(binaries)) {
      if (!existsSync(path)) throw new Error(`${name} for the Lambda layer not found at ${path}: run npm ci (it installs the static x86_64 build)`);
    }
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      description: 'Static ffmpeg and ffprobe (x86_64) at /opt/bin',
      compatibleArchitectures: [lambda.Architecture.X86_64],
      compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
      removalPolicy: RemovalPolicy.DESTROY,
      code: lambda.Code.fromAsset(dirname(binaries.ffmpeg), {
        // Hashing 150 MB of binaries on every synth is slow; the installer versions and sizes identify them.
        assetHashType: AssetHashType.CUSTOM,
        assetHash: `ffmpeg-layer-${fingerprint(binaries.ffmpeg)}-${fingerprint(binaries.ffprobe)}`,
        bundling: {
          // Never used: local bundling below always succeeds (it only copies two files).
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/busybox:stable'),
          local: {
            tryBundle(outputDir: string): boolean {
              mkdirSync(join(outputDir, 'bin'), { recursive: true });
              for (const [name, path] of Object.entries(binaries)) {
                const target = join(outputDir, 'bin', name);
                copyFileSync(path, target);
                chmodSync(target, 0o755);
              }
              return true;
            },
          },
        },
      }),
    });
  }
}

/** `<package version>-<size>` of an installer binary. */
function fingerprint(binary: string): string {
  let version = 'unknown';
  try {
    version = (JSON.parse(readFileSync(join(dirname(binary), 'package.json'), 'utf8')) as { version?: string }).version ?? version;
  } catch {
    // no package.json beside a binary passed explicitly: the size alone identifies it
  }
  return `${version}-${statSync(binary).size}`;
}
