/** Pieces every route file shares: error responses for the document, path parameters. */
import { z } from '@hono/zod-openapi';
import { ApiErrorBodySchema } from '../../../contracts/index.js';

const err = (description: string) => ({ description, content: { 'application/json': { schema: ApiErrorBodySchema } } });

export const errorResponses = {
  400: err('Invalid request: `details.issues` lists `{ path, message, code }` per field'),
  401: err('Missing or invalid API key'),
  404: err('No such resource'),
  409: err('Conflicts with the current state'),
  413: err('Request body too large'),
  415: err('Unsupported media type'),
  422: err('The function ran and failed on this input'),
} as const;

export const pick = <K extends keyof typeof errorResponses>(...codes: K[]) =>
  Object.fromEntries(codes.map((c) => [c, errorResponses[c]])) as Pick<typeof errorResponses, K>;

export const JobIdParams = z.object({ id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' }, example: '20250101120000-a1b2c3' }) });

export const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

export const jsonBody = <T extends z.ZodType>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });
