/**
 * The matcher against AWS's documentation: every case is a pattern and an event from (or built
 * directly on) an example in the Amazon EventBridge User Guide — "Creating event patterns",
 * "Matching on multiple field values" (arrays), "Matching null values and empty strings",
 * "Comparison operators / content filtering", "Matching events on event field values" — or the
 * README of aws/event-ruler (the library EventBridge matches with), with the result AWS documents.
 */
import { describe, expect, it } from 'vitest';
import { compilePattern, matches } from '../../../lambdas/core/event-pattern/index.js';

interface Case {
  name: string;
  /** The documentation page (section) the case comes from. */
  doc: string;
  pattern: unknown;
  event: unknown;
  expected: boolean;
}

// ---- events from the documentation ---------------------------------------------------------

/** aws/event-ruler README and "content filtering": the EC2 state-change event with numbers and an IP. */
const EC2 = {
  version: '0',
  id: 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '012345679012',
  time: '2017-10-02T16:24:49Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  detail: { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', 'instance-id': 'i-000000aaaaaa00000', state: 'running' },
};
/** EC2 with `detail` fields replaced or added (undefined removes one). */
function ec2(detail: Record<string, unknown>, top: Record<string, unknown> = {}): Record<string, unknown> {
  const merged: Record<string, unknown> = { ...EC2.detail, ...detail };
  for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
  return { ...EC2, ...top, detail: merged };
}

/** "Creating event patterns": an instance terminated. */
const EC2_TERMINATED = {
  version: '0',
  id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '111122223333',
  time: '2017-12-22T18:43:48Z',
  region: 'us-west-1',
  resources: ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  detail: { 'instance-id': 'i-1234567890abcdef0', state: 'terminated' },
};
const TERMINATED_PATTERN = { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } };

/** "Matching null values and empty strings". */
const AUTOSCALING = {
  version: '0',
  id: '3e3c153a-8339-4e30-8c35-687ebef853fe',
  'detail-type': 'EC2 Instance Launch Successful',
  source: 'aws.autoscaling',
  account: '123456789012',
  time: '2015-11-11T21:31:47Z',
  region: 'us-east-1',
  resources: [],
  detail: { eventVersion: '', responseElements: null },
};

/** "Arrays in event patterns": the pattern's resources and an event whose second resource is the first of them. */
const ARRAY_PATTERN = {
  resources: [
    'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
    'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f',
    'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f',
  ],
};
const ARRAY_EVENT = {
  ...AUTOSCALING,
  resources: [
    'arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate',
    'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f',
  ],
};

/** Amazon S3 "Object Created" as S3 sends it to EventBridge (S3 user guide, EventBridge message structure). */
const S3_CREATED = {
  version: '0',
  id: '17793124-05d4-b198-2fde-7ededc63b103',
  'detail-type': 'Object Created',
  source: 'aws.s3',
  account: '111122223333',
  time: '2021-11-12T00:00:00Z',
  region: 'ca-central-1',
  resources: ['arn:aws:s3:::DOC-EXAMPLE-BUCKET1'],
  detail: {
    version: '0',
    bucket: { name: 'DOC-EXAMPLE-BUCKET1' },
    object: { key: 'example-key', size: 5, etag: 'b1946ac92492d2347c6235b4d2611184', 'version-id': 'IYV3p45BT0ac8hjHg1houSdS1a.Mro8e', sequencer: '617f08299329d189' },
    'request-id': 'N4N7GDK58NMKJ12R',
    requester: '123456789012',
    'source-ip-address': '1.2.3.4',
    reason: 'PutObject',
  },
};
const S3_PATTERN = { source: ['aws.s3'], 'detail-type': ['Object Created'], detail: { bucket: { name: ['DOC-EXAMPLE-BUCKET1'] }, object: { key: [{ prefix: 'example-key' }] } } };

/** Operators table and $or examples: a CloudWatch-like event. */
const CLOUDWATCH = (fields: Record<string, unknown>) => ({ source: 'aws.cloudwatch', ...fields });

/** aws/event-ruler README, "JSON Array Matching". */
const EMPLOYEES = { employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }, { firstName: 'Peter', lastName: 'Jones' }] };
const EMPLOYEES_NESTED = { employees: [[{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }], [{ firstName: 'Peter', lastName: 'Jones' }]] };

const detail = (fields: Record<string, unknown>) => ({ detail: fields });

// ---- the table ---------------------------------------------------------------------------

const PATTERNS_DOC = 'Creating event patterns';
const ARRAYS_DOC = 'Arrays in event patterns / matching on multiple field values';
const NULLS_DOC = 'Matching null values and empty strings';
const OPS = (section: string) => `Comparison operators: ${section}`;
const RULER = (section: string) => `aws/event-ruler README: ${section}`;
const COMPLEX = {
  time: [{ prefix: '2017-10-02' }],
  detail: {
    state: [{ 'anything-but': 'initializing' }],
    'c-count': [{ numeric: ['>', 0, '<=', 5] }],
    'd-count': [{ numeric: ['<', 10] }],
    'x-limit': [{ 'anything-but': [100, 200, 300] }],
    'source-ip': [{ cidr: '10.0.0.0/8' }],
  },
};
const NUMERIC_DOC_PATTERN = detail({ 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] });
const OR_METRIC = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] };
const OR_NUMERIC = detail({ $or: [{ 'c-count': [{ numeric: ['>', 0, '<=', 5] }] }, { 'd-count': [{ numeric: ['<', 10] }] }, { 'x-limit': [{ numeric: ['=', 3.018e2] }] }] });
const OR_PARALLEL = {
  $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }],
  detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] },
};
const OR_WITH_AND = {
  source: ['aws.cloudwatch'],
  $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] }, { scope: ['Service'] }],
};
const OR_NESTED = {
  source: ['aws.cloudwatch'],
  $or: [
    { metricName: ['CPUUtilization', 'ReadLatency'] },
    { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] },
    { scope: ['Service'] },
  ],
};
// "If you include a key more than once the last reference will be the one used" (content filtering, note).
const DUPLICATE_KEY = JSON.parse('{ "detail": { "location": [ { "prefix": "us-" } ], "location": [ { "anything-but": "us-east" } ] } }') as unknown;

const CASES: Case[] = [
  // Creating event patterns
  { doc: PATTERNS_DOC, name: 'EC2 terminated: source, detail-type and detail.state all match', pattern: TERMINATED_PATTERN, event: EC2_TERMINATED, expected: true },
  { doc: PATTERNS_DOC, name: 'EC2 terminated pattern, instance running', pattern: TERMINATED_PATTERN, event: { ...EC2_TERMINATED, detail: { ...EC2_TERMINATED.detail, state: 'running' } }, expected: false },
  { doc: PATTERNS_DOC, name: 'fields the pattern does not name are ignored', pattern: { source: ['aws.ec2'] }, event: EC2_TERMINATED, expected: true },
  { doc: PATTERNS_DOC, name: 'detail-type differs', pattern: { ...TERMINATED_PATTERN, 'detail-type': ['EC2 Spot Instance Interruption Warning'] }, event: EC2_TERMINATED, expected: false },
  { doc: PATTERNS_DOC, name: 'field names must appear with the same nesting (state is under detail)', pattern: { state: ['terminated'] }, event: EC2_TERMINATED, expected: false },
  { doc: PATTERNS_DOC, name: 'matching is case-sensitive', pattern: { source: ['AWS.EC2'] }, event: EC2_TERMINATED, expected: false },
  { doc: PATTERNS_DOC, name: 'a field the event lacks does not match', pattern: { detail: { 'instance-type': ['t2.micro'] } }, event: EC2_TERMINATED, expected: false },

  // Arrays / multiple values
  { doc: ARRAYS_DOC, name: 'source is aws.ec2 or aws.fargate (EC2 event)', pattern: { source: ['aws.ec2', 'aws.fargate'] }, event: EC2_TERMINATED, expected: true },
  { doc: ARRAYS_DOC, name: 'source is aws.ec2 or aws.fargate (S3 event)', pattern: { source: ['aws.ec2', 'aws.fargate'] }, event: S3_CREATED, expected: false },
  { doc: ARRAYS_DOC, name: 'event array intersects the pattern array (first pattern item = second event item)', pattern: ARRAY_PATTERN, event: ARRAY_EVENT, expected: true },
  { doc: ARRAYS_DOC, name: 'event array shares no item with the pattern array', pattern: ARRAY_PATTERN, event: { ...ARRAY_EVENT, resources: [ARRAY_EVENT.resources[0]] }, expected: false },
  { doc: ARRAYS_DOC, name: 'an empty event array matches no value', pattern: ARRAY_PATTERN, event: AUTOSCALING, expected: false },
  { doc: ARRAYS_DOC, name: 'an empty event array is not null', pattern: { resources: [null] }, event: AUTOSCALING, expected: false },
  { doc: ARRAYS_DOC, name: 'pattern values are ORed against a scalar', pattern: { region: ['us-west-1', 'us-east-1'] }, event: EC2, expected: true },
  { doc: RULER('Simple matching'), name: 'resources, detail-type and one of two states', pattern: { 'detail-type': ['EC2 Instance State-change Notification'], resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'], detail: { state: ['initializing', 'running'] } }, event: EC2, expected: true },
  { doc: RULER('Simple matching'), name: 'same rule, state stopped', pattern: { 'detail-type': ['EC2 Instance State-change Notification'], resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'], detail: { state: ['initializing', 'running'] } }, event: ec2({ state: 'stopped' }), expected: false },

  // Null values and empty strings
  { doc: NULLS_DOC, name: 'eventVersion is an empty string', pattern: detail({ eventVersion: [''] }), event: AUTOSCALING, expected: true },
  { doc: NULLS_DOC, name: 'responseElements is null', pattern: detail({ responseElements: [null] }), event: AUTOSCALING, expected: true },
  { doc: NULLS_DOC, name: 'null does not match an empty string', pattern: detail({ eventVersion: [null] }), event: AUTOSCALING, expected: false },
  { doc: NULLS_DOC, name: 'an empty string does not match null', pattern: detail({ responseElements: [''] }), event: AUTOSCALING, expected: false },
  { doc: NULLS_DOC, name: 'source, detail-type and a null field together ("Matching events on event field values")', pattern: { source: ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], detail: { responseElements: [null] } }, event: AUTOSCALING, expected: true },
  { doc: NULLS_DOC, name: 'a missing field is not null', pattern: detail({ requestParameters: [null] }), event: AUTOSCALING, expected: false },

  // Value matching of other JSON types ("Matching events on event field values")
  { doc: 'Matching events on event field values', name: 'nested number and top-level number (Macie finding severity score and count)', pattern: { source: ['aws.macie'], 'detail-type': ['Macie Finding'], detail: { severity: { score: [1] }, count: [2] } }, event: { source: 'aws.macie', 'detail-type': 'Macie Finding', detail: { severity: { score: 1, description: 'Low' }, count: 2 } }, expected: true },
  { doc: 'Matching events on event field values', name: 'Macie finding with another score', pattern: { source: ['aws.macie'], detail: { severity: { score: [1] } } }, event: { source: 'aws.macie', detail: { severity: { score: 3 } } }, expected: false },
  { doc: 'Matching events on event field values', name: 'a number matches the same number written differently (3.0e2 = 300)', pattern: detail({ 'x-limit': [300] }), event: ec2({ 'x-limit': 3.0e2 }), expected: true },
  { doc: 'Matching events on event field values', name: 'a number does not match the same digits as a string', pattern: detail({ 'c-count': [5] }), event: ec2({ 'c-count': '5' }), expected: false },
  { doc: 'Matching events on event field values', name: 'boolean true', pattern: detail({ encrypted: [true] }), event: ec2({ encrypted: true }), expected: true },
  { doc: 'Matching events on event field values', name: 'the string "true" is not the boolean', pattern: detail({ encrypted: ['true'] }), event: ec2({ encrypted: true }), expected: false },

  // Prefix
  { doc: OPS('prefix matching'), name: 'time starts with 2017-10-02', pattern: { time: [{ prefix: '2017-10-02' }] }, event: EC2, expected: true },
  { doc: OPS('prefix matching'), name: 'time on another day', pattern: { time: [{ prefix: '2017-10-02' }] }, event: EC2_TERMINATED, expected: false },
  { doc: OPS('prefix matching'), name: 'Auto Scaling events from European regions', pattern: { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] }, event: { ...AUTOSCALING, region: 'eu-west-1' }, expected: true },
  { doc: OPS('prefix matching'), name: 'Auto Scaling event from a US region', pattern: { source: ['aws.autoscaling'], region: [{ prefix: 'eu-' }] }, event: AUTOSCALING, expected: false },
  { doc: OPS('prefix matching'), name: 'prefix works on strings only (a number never matches)', pattern: detail({ 'c-count': [{ prefix: '5' }] }), event: EC2, expected: false },
  { doc: OPS('prefix matching while ignoring case'), name: 'service starts with EventB in any case: "eventbridge"', pattern: detail({ service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }), event: ec2({ service: 'eventbridge' }), expected: true },
  { doc: OPS('prefix matching while ignoring case'), name: 'service starts with EventB in any case: "EVENTBUS"', pattern: detail({ service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }), event: ec2({ service: 'EVENTBUS' }), expected: true },
  { doc: OPS('prefix matching while ignoring case'), name: 'service "Events" does not start with EventB', pattern: detail({ service: [{ prefix: { 'equals-ignore-case': 'EventB' } }] }), event: ec2({ service: 'Events' }), expected: false },

  // Suffix
  { doc: OPS('suffix matching'), name: 'FileName ends with .png', pattern: { FileName: [{ suffix: '.png' }] }, event: { FileName: 'image.png' }, expected: true },
  { doc: OPS('suffix matching'), name: 'suffix is case-sensitive', pattern: { FileName: [{ suffix: '.png' }] }, event: { FileName: 'image.PNG' }, expected: false },
  { doc: OPS('suffix matching while ignoring case'), name: '.png in any case: image.PNG', pattern: detail({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }), event: ec2({ FileName: 'image.PNG' }), expected: true },
  { doc: OPS('suffix matching while ignoring case'), name: '.png in any case: image.jpg', pattern: detail({ FileName: [{ suffix: { 'equals-ignore-case': '.png' } }] }), event: ec2({ FileName: 'image.jpg' }), expected: false },
  { doc: OPS('ends with (ignore case)'), name: 'service ends with tbridge in any case', pattern: { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] }, event: { service: 'EventBRIDGE' }, expected: true },

  // Anything-but
  { doc: OPS('anything-but matching'), name: 'state anything but initializing (running)', pattern: detail({ state: [{ 'anything-but': 'initializing' }] }), event: EC2, expected: true },
  { doc: OPS('anything-but matching'), name: 'state anything but initializing (initializing)', pattern: detail({ state: [{ 'anything-but': 'initializing' }] }), event: ec2({ state: 'initializing' }), expected: false },
  { doc: OPS('anything-but matching'), name: 'x-limit anything but 123 (301.8)', pattern: detail({ 'x-limit': [{ 'anything-but': 123 }] }), event: EC2, expected: true },
  { doc: OPS('anything-but matching'), name: 'x-limit anything but 123 (123)', pattern: detail({ 'x-limit': [{ 'anything-but': 123 }] }), event: ec2({ 'x-limit': 123 }), expected: false },
  { doc: OPS('anything-but matching'), name: 'state anything but stopped or overloaded (running)', pattern: detail({ state: [{ 'anything-but': ['stopped', 'overloaded'] }] }), event: EC2, expected: true },
  { doc: OPS('anything-but matching'), name: 'state anything but stopped or overloaded (overloaded)', pattern: detail({ state: [{ 'anything-but': ['stopped', 'overloaded'] }] }), event: ec2({ state: 'overloaded' }), expected: false },
  { doc: OPS('anything-but matching'), name: 'x-limit anything but 100, 200, 300 (301.8)', pattern: detail({ 'x-limit': [{ 'anything-but': [100, 200, 300] }] }), event: EC2, expected: true },
  { doc: OPS('anything-but matching'), name: 'x-limit anything but 100, 200, 300 (200)', pattern: detail({ 'x-limit': [{ 'anything-but': [100, 200, 300] }] }), event: ec2({ 'x-limit': 200 }), expected: false },
  { doc: OPS('anything-but matching'), name: 'state does not start with init (initializing)', pattern: detail({ state: [{ 'anything-but': { prefix: 'init' } }] }), event: ec2({ state: 'initializing' }), expected: false },
  { doc: OPS('anything-but matching'), name: 'state does not start with init (running)', pattern: detail({ state: [{ 'anything-but': { prefix: 'init' } }] }), event: EC2, expected: true },
  { doc: OPS('anything-but matching'), name: 'anything-but prefix matches a number (nothing to exclude)', pattern: detail({ state: [{ 'anything-but': { prefix: 'init' } }] }), event: ec2({ state: 12 }), expected: true },
  { doc: OPS('anything-but (begins with)'), name: 'Region is not in the US (eu-west-1)', pattern: { Region: [{ 'anything-but': { prefix: 'us-' } }] }, event: { Region: 'eu-west-1' }, expected: true },
  { doc: OPS('anything-but (begins with)'), name: 'Region is not in the US (us-east-2)', pattern: { Region: [{ 'anything-but': { prefix: 'us-' } }] }, event: { Region: 'us-east-2' }, expected: false },
  { doc: OPS('anything-but (ends with)'), name: 'FileName does not end with .png (photo.png)', pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] }, event: { FileName: 'photo.png' }, expected: false },
  { doc: OPS('anything-but (ends with)'), name: 'FileName does not end with .png (photo.jpg)', pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] }, event: { FileName: 'photo.jpg' }, expected: true },
  { doc: OPS('anything-but (ignore case)'), name: 'state anything but initializing in any case (INITIALIZING)', pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, event: { state: 'INITIALIZING' }, expected: false },
  { doc: OPS('anything-but (ignore case)'), name: 'state anything but initializing in any case (running)', pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, event: { state: 'running' }, expected: true },
  { doc: OPS('anything-but (ignore case)'), name: 'a list of values ignoring case (STOPPED)', pattern: { state: [{ 'anything-but': { 'equals-ignore-case': ['Stopped', 'Overloaded'] } }] }, event: { state: 'STOPPED' }, expected: false },
  { doc: OPS('anything-but using a wildcard'), name: 'FilePath does not include /lib/ (/usr/lib/libc.so)', pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, event: { FilePath: '/usr/lib/libc.so' }, expected: false },
  { doc: OPS('anything-but using a wildcard'), name: 'FilePath does not include /lib/ (/usr/bin/ls)', pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, event: { FilePath: '/usr/bin/ls' }, expected: true },
  { doc: OPS('anything-but matching'), name: 'anything-but needs the field: a missing field does not match', pattern: detail({ location: [{ 'anything-but': 'us-east' }] }), event: EC2, expected: false },
  { doc: OPS('anything-but matching'), name: 'anything-but matches a null value (null is not excluded)', pattern: detail({ state: [{ 'anything-but': ['stopped'] }] }), event: ec2({ state: null }), expected: true },
  { doc: OPS('anything-but matching'), name: 'an event array matches when some element is not excluded ([100, 50])', pattern: detail({ price: [{ 'anything-but': [100, 500] }] }), event: ec2({ price: [100, 50] }), expected: true },
  { doc: OPS('anything-but matching'), name: 'an event array whose elements are all excluded ([100, 500])', pattern: detail({ price: [{ 'anything-but': [100, 500] }] }), event: ec2({ price: [100, 500] }), expected: false },
  { doc: OPS('anything-but matching'), name: 'Weather is anything but "Raining" (Sunny)', pattern: { Weather: [{ 'anything-but': ['Raining'] }] }, event: { Weather: 'Sunny' }, expected: true },

  // Numeric
  { doc: OPS('numeric matching'), name: 'c-count in (0, 5], d-count < 10, x-limit = 3.018e2', pattern: NUMERIC_DOC_PATTERN, event: EC2, expected: true },
  { doc: OPS('numeric matching'), name: 'c-count 6 is outside (0, 5]', pattern: NUMERIC_DOC_PATTERN, event: ec2({ 'c-count': 6 }), expected: false },
  { doc: OPS('numeric matching'), name: 'c-count 0 is outside (0, 5] (open lower bound)', pattern: NUMERIC_DOC_PATTERN, event: ec2({ 'c-count': 0 }), expected: false },
  { doc: OPS('numeric matching'), name: 'd-count 10 is not < 10', pattern: NUMERIC_DOC_PATTERN, event: ec2({ 'd-count': 10 }), expected: false },
  { doc: OPS('numeric matching'), name: 'x-limit 301.9 is not = 3.018e2', pattern: NUMERIC_DOC_PATTERN, event: ec2({ 'x-limit': 301.9 }), expected: false },
  { doc: OPS('numeric matching'), name: 'numeric works on JSON numbers only ("5" is a string)', pattern: detail({ 'c-count': [{ numeric: ['>', 0] }] }), event: ec2({ 'c-count': '5' }), expected: false },
  { doc: OPS('equals (numeric)'), name: 'Price is 100', pattern: { Price: [{ numeric: ['=', 100] }] }, event: { Price: 100 }, expected: true },
  { doc: OPS('range (numeric)'), name: 'Price is more than 10 and at most 20 (20)', pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] }, event: { Price: 20 }, expected: true },
  { doc: OPS('range (numeric)'), name: 'Price is more than 10 and at most 20 (10)', pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] }, event: { Price: 10 }, expected: false },
  { doc: OPS('range (numeric)'), name: 'an event array matches when some element is in range', pattern: { Price: [{ numeric: ['>', 10, '<=', 20] }] }, event: { Price: [1, 15] }, expected: true },
  { doc: OPS('numeric matching'), name: 'numbers beyond ±5e9 are outside what EventBridge compares', pattern: { Size: [{ numeric: ['>', 0] }] }, event: { Size: 6e9 }, expected: false },

  // IP addresses
  { doc: OPS('IP address matching'), name: '10.0.0.255 is in 10.0.0.0/24', pattern: detail({ sourceIPAddress: [{ cidr: '10.0.0.0/24' }] }), event: ec2({ sourceIPAddress: '10.0.0.255' }), expected: true },
  { doc: OPS('IP address matching'), name: '10.0.1.1 is not in 10.0.0.0/24', pattern: detail({ sourceIPAddress: [{ cidr: '10.0.0.0/24' }] }), event: ec2({ sourceIPAddress: '10.0.1.1' }), expected: false },
  { doc: RULER('IP Address Matching'), name: 'source-ip 10.0.0.33 in 10.0.0.0/24', pattern: detail({ 'source-ip': [{ cidr: '10.0.0.0/24' }] }), event: EC2, expected: true },
  { doc: OPS('IP address matching'), name: 'IPv6 address inside 2001:db8::/32', pattern: detail({ sourceIPAddress: [{ cidr: '2001:db8::/32' }] }), event: ec2({ sourceIPAddress: '2001:db8:85a3::8a2e:370:7334' }), expected: true },
  { doc: OPS('IP address matching'), name: 'IPv6 address outside 2001:db8::/32', pattern: detail({ sourceIPAddress: [{ cidr: '2001:db8::/32' }] }), event: ec2({ sourceIPAddress: '2001:db9::1' }), expected: false },
  { doc: OPS('IP address matching'), name: 'an IPv4 block does not match an IPv6 address', pattern: detail({ sourceIPAddress: [{ cidr: '10.0.0.0/8' }] }), event: ec2({ sourceIPAddress: '::1' }), expected: false },
  { doc: OPS('IP address matching'), name: 'a string that is not an address does not match', pattern: detail({ sourceIPAddress: [{ cidr: '10.0.0.0/24' }] }), event: ec2({ sourceIPAddress: 'localhost' }), expected: false },

  // Exists
  { doc: OPS('exists matching'), name: 'detail.state exists (pending)', pattern: detail({ state: [{ exists: true }] }), event: ec2({ state: 'pending' }), expected: true },
  { doc: OPS('exists matching'), name: 'detail.state exists: an event without it', pattern: detail({ state: [{ exists: true }] }), event: { 'detail-type': 'EC2 Instance State-change Notification', detail: { 'c-count': { c1: 100 } } }, expected: false },
  { doc: OPS('exists matching'), name: 'detail.c-count does not exist', pattern: detail({ 'c-count': [{ exists: false }] }), event: { 'detail-type': 'EC2 Instance State-change Notification', detail: { state: 'initializing' } }, expected: true },
  { doc: OPS('exists matching'), name: 'c-count is not a leaf node, so it "does not exist"', pattern: detail({ 'c-count': [{ exists: false }] }), event: { detail: { state: 'initializing', 'c-count': { c1: 100 } } }, expected: true },
  { doc: OPS('exists matching'), name: 'detail.c-count exists (5), so exists:false fails', pattern: detail({ 'c-count': [{ exists: false }] }), event: EC2, expected: false },
  { doc: OPS('exists matching'), name: 'exists:true does not match an intermediate node', pattern: detail({ 'c-count': [{ exists: true }] }), event: { detail: { 'c-count': { c1: 100 } } }, expected: false },
  { doc: OPS('exists matching'), name: 'a null value exists', pattern: detail({ responseElements: [{ exists: true }] }), event: AUTOSCALING, expected: true },
  { doc: OPS('exists matching'), name: 'a null value is present, so exists:false fails', pattern: detail({ responseElements: [{ exists: false }] }), event: AUTOSCALING, expected: false },
  { doc: OPS('exists matching'), name: 'ProductName exists: the whole detail is missing', pattern: detail({ ProductName: [{ exists: true }] }), event: { source: 'x' }, expected: false },
  { doc: OPS('exists matching'), name: 'ProductName does not exist: the whole detail is missing', pattern: detail({ ProductName: [{ exists: false }] }), event: { source: 'x' }, expected: true },

  // Equals-ignore-case
  { doc: OPS('equals-ignore-case matching'), name: 'Name is "alice" in any case (Alice)', pattern: { Name: [{ 'equals-ignore-case': 'alice' }] }, event: { Name: 'Alice' }, expected: true },
  { doc: OPS('equals-ignore-case matching'), name: 'Name is "alice" in any case (Alicia)', pattern: { Name: [{ 'equals-ignore-case': 'alice' }] }, event: { Name: 'Alicia' }, expected: false },
  { doc: RULER('Equals-ignore-case matching'), name: 'source is EC2 in any case', pattern: { source: [{ 'equals-ignore-case': 'EC2' }] }, event: { source: 'ec2' }, expected: true },
  { doc: OPS('equals'), name: 'Name is "Alice" exactly', pattern: { Name: ['Alice'] }, event: { Name: 'Alice' }, expected: true },
  { doc: OPS('empty'), name: 'LastName is empty', pattern: { LastName: [''] }, event: { LastName: '' }, expected: true },

  // Wildcard
  { doc: OPS('wildcard matching'), name: 'a .png file in dir', pattern: { FileName: [{ wildcard: 'dir/*.png' }] }, event: { FileName: 'dir/photo.png' }, expected: true },
  { doc: OPS('wildcard matching'), name: '* also matches "/" (dir/sub/photo.png)', pattern: { FileName: [{ wildcard: 'dir/*.png' }] }, event: { FileName: 'dir/sub/photo.png' }, expected: true },
  { doc: OPS('wildcard matching'), name: 'a .png file elsewhere', pattern: { FileName: [{ wildcard: 'dir/*.png' }] }, event: { FileName: 'other/photo.png' }, expected: false },
  { doc: OPS('wildcard matching'), name: '"*Title*" matches Title in the middle', pattern: { Subject: [{ wildcard: '*Title*' }] }, event: { Subject: 'Big Title Here' }, expected: true },
  { doc: RULER('Wildcard matching'), name: 'Simple*Service (SimpleQueueService)', pattern: { source: [{ wildcard: 'Simple*Service' }] }, event: { source: 'SimpleQueueService' }, expected: true },
  { doc: RULER('Wildcard matching'), name: 'Simple*Service: * matches nothing (SimpleService)', pattern: { source: [{ wildcard: 'Simple*Service' }] }, event: { source: 'SimpleService' }, expected: true },
  { doc: RULER('Wildcard matching'), name: 'Simple*Service (SimpleQueueServices)', pattern: { source: [{ wildcard: 'Simple*Service' }] }, event: { source: 'SimpleQueueServices' }, expected: false },
  { doc: OPS('wildcard matching'), name: 'event bus ARN in us-east-1 of any account', pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] }, event: { EventBusArn: 'arn:aws:events:us-east-1:123456789012:event-bus/default' }, expected: true },
  { doc: OPS('wildcard matching'), name: 'event bus ARN in another region', pattern: { EventBusArn: [{ wildcard: 'arn:aws:events:us-east-1:*:event-bus/*' }] }, event: { EventBusArn: 'arn:aws:events:eu-west-1:123456789012:event-bus/default' }, expected: false },
  { doc: RULER('Wildcard matching'), name: 'an escaped \\* is a literal star', pattern: { Name: [{ wildcard: 'a\\*b' }] }, event: { Name: 'a*b' }, expected: true },
  { doc: RULER('Wildcard matching'), name: 'an escaped \\* does not match other characters', pattern: { Name: [{ wildcard: 'a\\*b' }] }, event: { Name: 'axb' }, expected: false },

  // Complex example
  { doc: OPS('complex example with multiple matching'), name: 'prefix, anything-but, numeric ranges and cidr together', pattern: COMPLEX, event: EC2, expected: true },
  { doc: OPS('complex example with multiple matching'), name: 'the same with state initializing', pattern: COMPLEX, event: ec2({ state: 'initializing' }), expected: false },
  { doc: OPS('complex example with multiple matching'), name: 'the same with x-limit 300 (excluded)', pattern: COMPLEX, event: ec2({ 'x-limit': 300 }), expected: false },
  { doc: OPS('content filtering: repeated key'), name: 'a key given twice: the last one counts (eu-west-1 is not us-east)', pattern: DUPLICATE_KEY, event: ec2({ location: 'eu-west-1' }), expected: true },
  { doc: OPS('content filtering: repeated key'), name: 'a key given twice: the last one counts (us-east)', pattern: DUPLICATE_KEY, event: ec2({ location: 'us-east' }), expected: false },

  // $or
  { doc: OPS('$or matching'), name: 'source and (metricName or namespace): metricName matches', pattern: OR_METRIC, event: CLOUDWATCH({ metricName: 'CPUUtilization', namespace: 'Custom' }), expected: true },
  { doc: OPS('$or matching'), name: 'source and (metricName or namespace): namespace matches', pattern: OR_METRIC, event: CLOUDWATCH({ metricName: 'NetworkIn', namespace: 'AWS/ES' }), expected: true },
  { doc: OPS('$or matching'), name: 'source and (metricName or namespace): neither', pattern: OR_METRIC, event: CLOUDWATCH({ metricName: 'NetworkIn', namespace: 'Custom' }), expected: false },
  { doc: OPS('$or matching'), name: 'source and (metricName or namespace): source differs', pattern: OR_METRIC, event: { source: 'aws.ec2', metricName: 'CPUUtilization' }, expected: false },
  { doc: OPS('$or matching'), name: 'detail $or of numeric conditions: x-limit = 3.018e2 alone suffices', pattern: OR_NUMERIC, event: ec2({ 'c-count': 6, 'd-count': 12 }), expected: true },
  { doc: OPS('$or matching'), name: 'detail $or of numeric conditions: none', pattern: OR_NUMERIC, event: ec2({ 'c-count': 6, 'd-count': 12, 'x-limit': 1 }), expected: false },
  { doc: RULER('"$or" primitive: parallel Or'), name: 'both $or groups satisfied', pattern: OR_PARALLEL, event: { namespace: 'AWS/EC2', detail: { 'detail-type': 'CloudWatch Alarm State Change' } }, expected: true },
  { doc: RULER('"$or" primitive: parallel Or'), name: 'second $or group unsatisfied', pattern: OR_PARALLEL, event: { namespace: 'AWS/EC2', detail: { source: 'aws.ec2' } }, expected: false },
  { doc: RULER('"$or" primitive: Or has an And inside'), name: 'metricType and namespace together', pattern: OR_WITH_AND, event: CLOUDWATCH({ metricType: 'MetricType', namespace: 'AWS/ES' }), expected: true },
  { doc: RULER('"$or" primitive: Or has an And inside'), name: 'metricType without namespace', pattern: OR_WITH_AND, event: CLOUDWATCH({ metricType: 'MetricType' }), expected: false },
  { doc: RULER('"$or" primitive: nested Or and And'), name: 'metricType, namespace and spaceId 1000', pattern: OR_NESTED, event: CLOUDWATCH({ metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 1000 }), expected: true },
  { doc: RULER('"$or" primitive: nested Or and And'), name: 'metricType and namespace but neither metricId nor spaceId', pattern: OR_NESTED, event: CLOUDWATCH({ metricType: 'MetricType', namespace: 'AWS/EC2', spaceId: 7 }), expected: false },
  { doc: OPS('or (different fields)'), name: 'Location is "New York" or Day is "Monday" (Monday in Boston)', pattern: { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] }, event: { Location: 'Boston', Day: 'Monday' }, expected: true },
  { doc: OPS('and'), name: 'Location is "New York" and Day is "Monday" (Monday in Boston)', pattern: { Location: ['New York'], Day: ['Monday'] }, event: { Location: 'Boston', Day: 'Monday' }, expected: false },

  // Arrays of objects
  { doc: RULER('JSON Array Matching'), name: 'a field of an object inside an array', pattern: { employees: { firstName: ['Anna'] } }, event: EMPLOYEES, expected: true },
  { doc: RULER('JSON Array Matching'), name: 'fields from two different array elements never combine (Anna Jones)', pattern: { employees: { firstName: ['Anna'], lastName: ['Jones'] } }, event: EMPLOYEES, expected: false },
  { doc: RULER('JSON Array Matching'), name: 'fields of one array element combine (Anna Smith)', pattern: { employees: { firstName: ['Anna'], lastName: ['Smith'] } }, event: EMPLOYEES, expected: true },
  { doc: RULER('JSON Array Matching'), name: 'multi-level arrays are flattened', pattern: { employees: { firstName: ['Peter'] } }, event: EMPLOYEES_NESTED, expected: true },

  // S3 (S3 user guide: EventBridge)
  { doc: 'Amazon S3: using EventBridge (Object Created)', name: 'bucket name and key prefix', pattern: S3_PATTERN, event: S3_CREATED, expected: true },
  { doc: 'Amazon S3: using EventBridge (Object Created)', name: 'another bucket', pattern: S3_PATTERN, event: { ...S3_CREATED, detail: { ...S3_CREATED.detail, bucket: { name: 'DOC-EXAMPLE-BUCKET2' } } }, expected: false },
];

describe('event pattern matcher: AWS documentation examples', () => {
  it('has at least 80 cases, each with a documentation source', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(80);
    expect(CASES.every((c) => c.doc.length > 0)).toBe(true);
    expect(CASES.filter((c) => c.expected).length).toBeGreaterThan(20);
    expect(CASES.filter((c) => !c.expected).length).toBeGreaterThan(20);
  });

  it.each(CASES.map((c) => [`${c.doc} — ${c.name}`, c] as const))('%s', (_title, c) => {
    expect(compilePattern(c.pattern)(c.event)).toBe(c.expected);
    // The one-off form agrees with the compiled form.
    expect(matches(c.pattern as never, c.event)).toBe(c.expected);
  });
});

describe('event pattern matcher: edge cases', () => {
  it('an event that is not an object only meets patterns of absent fields', () => {
    expect(compilePattern({ source: ['x'] })(null)).toBe(false);
    expect(compilePattern({ source: [{ exists: false }] })('text')).toBe(true);
  });

  it('field names of Object.prototype are read as own properties only', () => {
    expect(compilePattern({ constructor: [{ exists: true }] })({})).toBe(false);
    expect(compilePattern({ toString: ['x'] })({ toString: 'x' })).toBe(true);
    expect(compilePattern({ detail: { constructor: { name: ['Object'] } } })({ detail: {} })).toBe(false);
  });

  it('an invalid pattern throws with every problem and its path', () => {
    expect(() => compilePattern({ source: 'aws.s3', detail: { n: [{ numeric: ['>', 'x'] }] } })).toThrow(/source: .*did you mean \["aws.s3"\]\?.*detail\.n\[0\]\.numeric\[1\]: must be a number/);
  });

  it('case-insensitive tests handle characters whose case forms differ in length', () => {
    expect(compilePattern({ k: [{ 'equals-ignore-case': 'straße' }] })({ k: 'STRASSE' })).toBe(true);
    expect(compilePattern({ k: [{ suffix: { 'equals-ignore-case': 'ß' } }] })({ k: 'GROSS' })).toBe(true);
    expect(compilePattern({ k: [{ prefix: { 'equals-ignore-case': 'ÉTÉ' } }] })({ k: 'été 2024' })).toBe(true);
  });

  it('exact strings that are IP addresses compare as addresses', () => {
    expect(compilePattern({ ip: ['::1'] })({ ip: '0:0:0:0:0:0:0:1' })).toBe(true);
    expect(compilePattern({ ip: ['10.0.0.1'] })({ ip: '10.0.0.2' })).toBe(false);
  });

  it('a cidr range runs from the address as written to the top of its block, as in EventBridge', () => {
    const m = compilePattern({ ip: [{ cidr: '10.0.0.8/29' }] });
    expect([7, 8, 15, 16].map((n) => m({ ip: `10.0.0.${n}` }))).toEqual([false, true, true, false]);
  });

  it('exists:false alone matches an empty array; exists:true does not', () => {
    expect(compilePattern({ resources: [{ exists: false }] })({ resources: [] })).toBe(true);
    expect(compilePattern({ resources: [{ exists: true }] })({ resources: [] })).toBe(false);
    expect(compilePattern({ resources: [{ exists: true }] })({ resources: [[], ['arn']] })).toBe(true);
  });
});
