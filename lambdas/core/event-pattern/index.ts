/** EventBridge event patterns: validate, compile once and match many, explain a mismatch; the same matcher evaluates rules' `if` over facts. */
export { compilePattern, matches, EventPatternError, type EventMatcher } from './matcher.js';
export { eventPatternIssues, formatPatternPath, wildcardSyntaxError, PATTERN_OPERATORS, type PatternIssue, type PatternPath, type PatternValidationOptions } from './validate.js';
export { parseCidr, parseIpAddress, type CidrRange } from './ip.js';
export { explainMismatch, type Mismatch } from './explain.js';
export { wildcard as wildcardTest } from './string-tests.js';
