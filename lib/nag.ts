/**
 * Helpers for cdk-nag acknowledgements. Every acknowledgement is made next to the resource it
 * concerns, with its reason; these helpers only build the finding ids.
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/** Acknowledge one cdk-nag finding (`RuleId` or `RuleId[FindingId]`) on `scope` and everything under it. */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  Validations.of(scope).acknowledge({ id, reason });
}

/**
 * The AwsSolutions-IAM5 finding id of a wildcard resource, e.g. `arn:<AWS::Partition>:s3:::bucket/*`.
 * cdk-nag flattens the resolved CloudFormation expression the same way (Ref → `<Name>`,
 * GetAtt → `<Name.Attr>`, Join → concatenation). Valid only for expressions that do not cross stacks.
 */
export function wildcardResourceFinding(scope: IConstruct, resource: string): string {
  return `AwsSolutions-IAM5[Resource::${flatten(Stack.of(scope).resolve(resource))}]`;
}

/** The AwsSolutions-IAM4 finding id of an AWS managed policy, e.g. `service-role/AWSLambdaBasicExecutionRole`. */
export function managedPolicyFinding(policyName: string): string {
  return `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${policyName}]`;
}

/**
 * The AwsSolutions-IAM5 finding ids of every wildcard (action or resource) in a policy document,
 * as cdk-nag names them; for acknowledging the statements of constructs we do not write ourselves
 * (CDK Pipelines' roles), each with a reason chosen by the caller from the finding.
 */
export function wildcardFindings(scope: IConstruct, policyDocument: unknown): string[] {
  const doc = Stack.of(scope).resolve(policyDocument) as { Statement?: { Action?: unknown; Resource?: unknown }[] } | undefined;
  const ids = new Set<string>();
  const list = (x: unknown): unknown[] => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
  for (const st of doc?.Statement ?? []) {
    for (const a of list(st.Action)) if (typeof a === 'string' && a.includes('*')) ids.add(`AwsSolutions-IAM5[Action::${a}]`);
    for (const r of list(st.Resource)) {
      const flat = flatten(r);
      if (flat.includes('*')) ids.add(`AwsSolutions-IAM5[Resource::${flat}]`);
    }
  }
  return [...ids];
}

function flatten(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/\}/g, '>');
  const o = node as Record<string, unknown>;
  if (o['Fn::Join']) {
    const [delimiter, items] = o['Fn::Join'] as [string, unknown[]];
    return items.map(flatten).join(delimiter);
  }
  if (o['Fn::Sub']) return flatten(o['Fn::Sub']);
  if (o['Fn::GetAtt']) {
    const [resource, attribute] = o['Fn::GetAtt'] as [unknown, unknown];
    return `<${flatten(resource)}.${flatten(attribute)}>`;
  }
  if (o['Fn::ImportValue']) return flatten(o['Fn::ImportValue']);
  if (o.Ref) return `<${flatten(o.Ref)}>`;
  return JSON.stringify(node);
}
