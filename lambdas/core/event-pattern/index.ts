/** EventBridge event patterns: compile once, match many; the same matcher evaluates rules' `if` over facts. */
export { compilePattern, matches, validatePattern, EventPatternError, type EventMatcher } from './compile.js';
