/** EventBridge event patterns: compile once, match many; the same matcher evaluates rules' `if` over facts. */
export { compilePattern, matches, validatePattern, EventPatternError, type EventMatcher } from './compile.js';
export { explainMismatch, type Mismatch } from './explain.js';
export { wildcard as wildcardTest } from './string-tests.js';
