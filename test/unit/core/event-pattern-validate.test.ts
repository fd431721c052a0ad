/** eventPatternIssues: what EventBridge refuses, each problem reported with the path to it. */
import { describe, expect, it } from 'vitest';
import { eventPatternIssues } from '../../../lambdas/core/event-pattern/index.js';

const at = (pattern: unknown) => eventPatternIssues(pattern).map((i) => `${i.path.join('.')}: ${i.message}`);

describe('eventPatternIssues: valid patterns', () => {
  it.each([
    ['exact values', { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], detail: { state: ['terminated'] } }],
    ['null, "", booleans and numbers', { detail: { a: [null], b: [''], c: [true, false], d: [123456789012, -1.5] } }],
    ['every operator', { d: { a: [{ prefix: 'x' }, { prefix: { 'equals-ignore-case': 'X' } }, { suffix: '.png' }, { suffix: { 'equals-ignore-case': '.PNG' } }, { 'equals-ignore-case': 'a' }, { wildcard: 'dir/*.png' }, { wildcard: 'a\\*b\\\\c' }, { exists: false }, { cidr: '10.0.0.0/24' }, { cidr: '2001:db8::/64' }] } }],
    ['numeric forms', { a: [{ numeric: ['=', 301.8] }, { numeric: ['<', 10] }, { numeric: ['>=', -5e9] }, { numeric: ['>', 0, '<=', 5] }, { numeric: ['>=', 1.123456, '<', 2] }] }],
    ['anything-but forms', { a: [{ 'anything-but': 'x' }, { 'anything-but': 1 }, { 'anything-but': ['a', 'b'] }, { 'anything-but': [1, 2] }, { 'anything-but': { prefix: 'init' } }, { 'anything-but': { suffix: ['.png', '.jpg'] } }, { 'anything-but': { wildcard: '*/lib/*' } }, { 'anything-but': { 'equals-ignore-case': ['A', 'b'] } }] }],
    ['$or at the top and nested', { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'], $or: [{ metricId: [1234] }, { spaceId: [1000] }] }], detail: { $or: [{ a: ['1'] }, { b: ['2'] }] } }],
  ])('%s', (_name, pattern) => {
    expect(at(pattern)).toEqual([]);
  });
});

describe('eventPatternIssues: invalid patterns name the path and the problem', () => {
  it.each([
    ['a pattern that is not an object', ['aws.s3'], /^: an event pattern must be a JSON object, not an array/],
    ['a bare value instead of a list', { source: 'aws.s3' }, /^source: must be an object .* not string "aws.s3" \(did you mean \["aws.s3"\]\?\)/],
    ['an empty value list', { detail: { state: [] } }, /^detail\.state: empty arrays are not allowed/],
    ['an empty object', { detail: {} }, /^detail: empty objects are not allowed/],
    ['an array as a value', { a: [['x']] }, /^a\.0: a value to match cannot be an array/],
    ['an operator object with two keys', { a: [{ prefix: 'a', suffix: 'b' }] }, /^a\.0: an operator object has exactly one key.*"prefix", "suffix"/],
    ['an unknown operator', { a: [{ contains: 'x' }] }, /^a\.0: unknown operator "contains"; EventBridge knows "prefix"/],
    ['prefix of a number', { a: [{ prefix: 5 }] }, /^a\.0\.prefix: "prefix" takes a string or \{ "equals-ignore-case": string \}, not number 5/],
    ['suffix with an unknown modifier', { a: [{ suffix: { wildcard: '*.x' } }] }, /^a\.0\.suffix: "suffix" takes a string/],
    ['equals-ignore-case of a list', { a: [{ 'equals-ignore-case': ['a'] }] }, /^a\.0\.equals-ignore-case: "equals-ignore-case" takes a string, not an array/],
    ['consecutive wildcards', { a: [{ wildcard: 'a**b' }] }, /^a\.0\.wildcard: consecutive wildcard characters at position 1/],
    ['a wildcard escaping another character', { a: [{ wildcard: 'a\\b' }] }, /^a\.0\.wildcard: invalid escape at position 1/],
    ['exists with a string', { a: [{ exists: 'yes' }] }, /^a\.0\.exists: "exists" takes true or false/],
    ['cidr without a mask', { ip: [{ cidr: '10.0.0.0' }] }, /^ip\.0\.cidr: "10.0.0.0" is not a CIDR block/],
    ['cidr with a bad address', { ip: [{ cidr: '10.0.0.300/24' }] }, /^ip\.0\.cidr: "10.0.0.300" is not an IPv4 or IPv6 address/],
    ['cidr /32', { ip: [{ cidr: '10.0.0.1/32' }] }, /^ip\.0\.cidr: mask bits must be below 32 for IPv4/],
    ['cidr /128', { ip: [{ cidr: '::1/128' }] }, /^ip\.0\.cidr: mask bits must be below 128 for IPv6/],
    ['cidr with a non-numeric mask', { ip: [{ cidr: 'bad-/64filter' }] }, /^ip\.0\.cidr: "bad-" is not an IPv4 or IPv6 address/],
    ['numeric that is not a list', { n: [{ numeric: 5 }] }, /^n\.0\.numeric: "numeric" takes an operator and a number/],
    ['numeric with an unknown operator', { n: [{ numeric: ['!=', 5] }] }, /^n\.0\.numeric\.0: unknown numeric operator "!="/],
    ['numeric comparing with a string', { n: [{ numeric: ['>', '5'] }] }, /^n\.0\.numeric\.1: must be a number, not string "5"/],
    ['a range starting with <', { n: [{ numeric: ['<', 5, '>', 1] }] }, /^n\.0\.numeric\.0: a numeric range starts with ">" or ">="/],
    ['a range ending with =', { n: [{ numeric: ['>', 1, '=', 5] }] }, /^n\.0\.numeric\.2: a numeric range ends with "<" or "<="/],
    ['an empty range', { n: [{ numeric: ['>', 5, '<', 5] }] }, /^n\.0\.numeric: the range is empty/],
    ['a number beyond 5e9', { n: [{ numeric: ['>', 6e9] }] }, /^n\.0\.numeric\.1: 6000000000 is out of range/],
    ['seven decimal places', { n: [{ numeric: ['=', 1.0000001] }] }, /^n\.0\.numeric\.1: 1\.0000001 has more than six decimal places/],
    ['anything-but mixing strings and numbers', { a: [{ 'anything-but': ['a', 1] }] }, /^a\.0\.anything-but: an "anything-but" list holds only strings or only numbers/],
    ['anything-but of null', { a: [{ 'anything-but': null }] }, /^a\.0\.anything-but: "anything-but" takes a string, a number, a list or an operator object, not null/],
    ['an empty anything-but list', { a: [{ 'anything-but': [] }] }, /^a\.0\.anything-but: "anything-but" needs at least one value/],
    ['anything-but of an unsupported operator', { a: [{ 'anything-but': { exists: true } }] }, /^a\.0\.anything-but: "anything-but" takes a value, a list, or one of/],
    ['anything-but of an empty prefix', { a: [{ 'anything-but': { prefix: '' } }] }, /^a\.0\.anything-but\.prefix: an empty "anything-but" prefix is not allowed/],
    ['anything-but of a bad wildcard in a list', { a: [{ 'anything-but': { wildcard: ['ok*', 'x**'] } }] }, /^a\.0\.anything-but\.wildcard\.1: consecutive wildcard characters/],
    ['$or that is not a list', { $or: { a: ['1'] } }, /^\$or: \$or must be an array of at least two objects/],
    ['$or with one alternative', { $or: [{ a: ['1'] }] }, /^\$or: \$or must be an array of at least two objects/],
    ['$or with a value instead of an object', { $or: [{ a: ['1'] }, ['b']] }, /^\$or\.1: each \$or alternative must be an object of fields, not an array/],
    ['an operator used as a field inside $or', { $or: [{ numeric: 123 }, { prefix: 'abc' }] }, /^\$or\.0\.numeric: "numeric" is an operator, not a field name/],
    ['a field both outside and inside $or (no AND on one field)', { detail: { key: [{ prefix: 'inbox/' }] }, $or: [{ detail: { key: [{ suffix: '.mp4' }] } }, { detail: { key: [{ suffix: '.mov' }] } }] }, /^detail\.key: "detail\.key" is matched both inside and outside a \$or/],
  ])('%s', (_name, pattern, expected) => {
    const issues = at(pattern);
    expect(issues.some((i) => expected.test(i)), issues.join('\n')).toBe(true);
  });

  it('reports every problem, not just the first', () => {
    const issues = eventPatternIssues({ source: 'aws.s3', detail: { a: [], b: [{ numeric: ['>', 'x'] }], c: { $or: [{ d: ['1'] }] } } });
    expect(issues.map((i) => i.path)).toEqual([['source'], ['detail', 'a'], ['detail', 'b', 0, 'numeric', 1], ['detail', 'c', '$or']]);
  });
});
