/**
 * The key pair that signs media cookies: its public half (from the environment's config) as a
 * CloudFront public key in a key group the `/media/*` behaviour trusts, and a Secrets Manager
 * secret for its private half, which only the API Lambda may read.
 *
 * The private key is never in the repository nor in a template: the operator creates the key
 * pair, commits the public key to `lib/config/environments.ts` (`cdn.publicKeyPem`) and puts the
 * private key into the secret after the first deploy (README, Deploy). Until then the secret holds
 * a random string and the media-cookies route says the key is not installed.
 */
import { createPublicKey } from 'node:crypto';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { EnvironmentConfig } from '../config/environments.js';
import { acknowledge } from '../nag.js';

/** The key's PEM as CloudFront takes it, or an error saying what is wrong with it (RSA 2048, SPKI PEM). */
export function cdnPublicKeyPem(pem: string): string {
  const text = pem.trim();
  if (!/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----$/.test(text.replace(/\r\n/g, '\n')))
    throw new Error('cdn.publicKeyPem must be a PEM public key ("-----BEGIN PUBLIC KEY-----", e.g. openssl rsa -pubout)');
  const key = createPublicKey(text);
  if (key.asymmetricKeyType !== 'rsa' || key.asymmetricKeyDetails?.modulusLength !== 2048)
    throw new Error(`cdn.publicKeyPem must be an RSA 2048 key (CloudFront's requirement), not ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.modulusLength ?? ''}`.trim());
  return `${text.replace(/\r\n/g, '\n')}\n`;
}

export interface CdnSigningProps {
  config: EnvironmentConfig;
  publicKeyPem: string;
}

export class CdnSigning extends Construct {
  readonly publicKey: cloudfront.PublicKey;
  readonly keyGroup: cloudfront.KeyGroup;
  /** The private key's PEM, put there by the operator; read by the API Lambda only. */
  readonly privateKey: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: CdnSigningProps) {
    super(scope, id);
    const { config } = props;
    this.publicKey = new cloudfront.PublicKey(this, 'PublicKey', {
      encodedKey: cdnPublicKeyPem(props.publicKeyPem),
      comment: `Mosaic ${config.name}: verifies signed media cookies (its private key is in the CdnSigning secret)`,
    });
    this.keyGroup = new cloudfront.KeyGroup(this, 'KeyGroup', {
      items: [this.publicKey],
      comment: `Mosaic ${config.name}: signers of /media/* (job outputs)`,
    });
    this.privateKey = new secretsmanager.Secret(this, 'PrivateKey', {
      description: `Mosaic ${config.name}: the PEM private key signing media cookies (the pair of cdn.publicKeyPem; put it with aws secretsmanager put-secret-value, README Deploy)`,
      removalPolicy: config.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    acknowledge(this.privateKey, 'AwsSolutions-SMG4',
      'The secret is the private half of a CloudFront key pair whose public half is in the key group: rotating it means adding a new public key to the key group (cdn.publicKeyPem), deploying, then putting the new private key; a Secrets Manager rotation Lambda cannot change what CloudFront trusts.');
  }
}
