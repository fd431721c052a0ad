/**
 * The page cursors of job listings, on both stores: the store's position after a page's last
 * job, as base64url JSON. A store accepts only a position of its own shape (`accept`), so a
 * client cannot steer a query elsewhere; anything else is the same InputInvalidError.
 */
import { InputInvalidError } from './errors.js';

export const encodeCursor = (position: unknown): string => Buffer.from(JSON.stringify(position)).toString('base64url');

export function decodeCursor<T>(cursor: string, accept: (position: unknown) => position is T): T {
  try {
    const position = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (accept(position)) return position;
  } catch {
    // falls through to the error below
  }
  throw new InputInvalidError('invalid cursor: pass the nextCursor of a previous page', { cursor });
}
