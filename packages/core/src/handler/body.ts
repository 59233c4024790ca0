import { AccessTokenError } from '../errors.js';
import { header } from './response.js';
import { type MaybePromise, settle } from './settle.js';
import { quoted } from '../text.js';
import type { TokenRequest } from './types.js';

/**
 * Only `application/json`, on every POST, an empty body included: a page of another site cannot send
 * it without a CORS preflight, which the route never answers. (`+json` types are other formats.)
 */
const isJson = (contentType: string | undefined): boolean => contentType !== undefined && /^application\/json\s*(;|$)/i.test(contentType.trim());

/** The `charset` parameter of a Content-Type, lower-cased, or undefined. */
const charsetOf = (contentType: string): string | undefined => /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(contentType)?.[1]?.toLowerCase();

const notJsonError = () =>
  new AccessTokenError('UNSUPPORTED_MEDIA_TYPE', 'Send every POST with Content-Type: application/json, and the params (if any) as a JSON object.');

/**
 * The body grantor reads itself must be plain UTF-8 JSON: token params are a few bytes, so a
 * compressed or re-encoded body is refused (415) rather than decoded or misread.
 */
function checkEncoding(headers: TokenRequest['headers'], contentType: string | undefined): void {
  const encoding = header(headers, 'content-encoding')?.trim().toLowerCase();
  if (encoding && encoding !== 'identity') {
    throw new AccessTokenError('UNSUPPORTED_MEDIA_TYPE', `Content-Encoding ${quoted(encoding.slice(0, 32))} is not accepted: send the JSON uncompressed.`);
  }
  const charset = contentType && charsetOf(contentType);
  if (charset && charset !== 'utf-8' && charset !== 'utf8') {
    throw new AccessTokenError('UNSUPPORTED_MEDIA_TYPE', `charset ${quoted(charset.slice(0, 32))} is not accepted: send the JSON as UTF-8.`);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

export const tooLargeError = (limit: number) => new AccessTokenError('PAYLOAD_TOO_LARGE', `The request body is larger than ${limit} bytes.`);

export const abortedError = () => new AccessTokenError('REQUEST_ABORTED', 'The client closed the connection before the request body was complete.');

export const invalidJsonError = () => new AccessTokenError('BAD_REQUEST', 'The request body is not valid JSON.');

export const notAnObjectError = () => new AccessTokenError('BAD_REQUEST', 'The request body must be a JSON object, e.g. {"room":"lobby"}.');

/** Nested objects deeper than this are refused: token params are flat, and validators walk every level. */
const MAX_DEPTH = 20;

/**
 * Names that are members of every object. As params they are never meant, and express-validator
 * and app code that reads `params[name]` would find the inherited member instead.
 */
const RESERVED_NAMES = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

export const unknownParamsMessage = (paths: readonly string[]) =>
  `Unknown parameter${paths.length > 1 ? 's' : ''} ${paths.map(quoted).join(', ')}. This route accepts "room" and the params named in its validators option`;

export function unknownParamsError(paths: readonly string[], values: Record<string, unknown> = {}): AccessTokenError {
  const msg = unknownParamsMessage(paths);
  const fields = paths.map((path) => (Object.hasOwn(values, path) ? { path, value: values[path], location: 'body' } : { path, location: 'body' }));
  return new AccessTokenError('BAD_REQUEST', `Invalid request: ${msg}.`, { details: [{ type: 'unknown_fields', msg, fields }] });
}

/** The reserved names used as keys anywhere in the params, as dotted paths; throws past MAX_DEPTH. */
function reservedPaths(value: unknown, path: string, depth: number, found: string[]): string[] {
  if (typeof value !== 'object' || value === null) return found;
  if (depth > MAX_DEPTH) throw new AccessTokenError('BAD_REQUEST', `The request body is nested more than ${MAX_DEPTH} levels deep.`);
  for (const key of Object.keys(value)) {
    const keyPath = path ? `${path}.${key}` : key;
    if (RESERVED_NAMES.has(key)) found.push(keyPath);
    else reservedPaths((value as Record<string, unknown>)[key], keyPath, depth + 1, found);
  }
  return found;
}

/** The parts of a Node.js request (`http.IncomingMessage`) that tell whether its whole body is in its buffer. */
interface NodeRequest {
  /** Only a Node.js request has it (`IncomingMessage`, HTTP/2's request): `readableLength` then counts body bytes its parser received. */
  complete: boolean;
  readableLength: number;
  /** Not flowing (a flowing stream's `read()` takes only its first chunk) and no text decoding set. */
  readableFlowing: boolean | null;
  readableEncoding: string | null;
  /** The whole buffer in one chunk, or null when it is empty. */
  read(): Uint8Array | null;
  /** Lets the stream end as it would after a full read, with nothing left to read. */
  resume(): unknown;
}

/**
 * A Node.js request whose buffer already holds all the bytes its Content-Length declares (a token
 * request's few bytes usually come in the packet of its headers): the parser has no more body to give,
 * so one `read()` takes it, without the async iterator's listeners and promises nor the turn of the
 * event loop it waits for the end of the message.
 */
function isBufferedInFull(stream: AsyncIterable<Uint8Array>, declaredLength: number): stream is AsyncIterable<Uint8Array> & NodeRequest {
  const candidate = stream as Partial<NodeRequest>;
  return (
    typeof candidate.complete === 'boolean' &&
    candidate.readableLength === declaredLength &&
    candidate.readableFlowing !== true &&
    candidate.readableEncoding === null &&
    typeof candidate.read === 'function' &&
    typeof candidate.resume === 'function'
  );
}

/** The chunks of a body as one UTF-8 text. */
function decodeUtf8(chunks: readonly Uint8Array[], size: number): string {
  try {
    let bytes = chunks[0] ?? new Uint8Array(0);
    if (chunks.length > 1) {
      bytes = new Uint8Array(size);
      let offset = 0;
      for (const chunk of chunks) {
        bytes.set(chunk, offset);
        offset += chunk.byteLength;
      }
    }
    return utf8.decode(bytes);
  } catch {
    throw new AccessTokenError('BAD_REQUEST', 'The request body is not valid UTF-8.');
  }
}

/** `declaredLength`: the request's Content-Length (at most `limit`), or NaN when it has none. */
function readStream(stream: AsyncIterable<Uint8Array>, limit: number, declaredLength: number): MaybePromise<string> {
  if (!isBufferedInFull(stream, declaredLength)) return readChunks(stream, limit);
  const body = stream.read();
  stream.resume();
  return body === null ? '' : decodeUtf8([body], body.byteLength);
}

/**
 * Any other body (still arriving, chunked, a fetch body) through its async iterator: leaving it
 * early (413) or on an error destroys the stream, which stops reading from the client.
 */
async function readChunks(stream: AsyncIterable<Uint8Array>, limit: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      size += chunk.byteLength;
      if (size > limit) throw tooLargeError(limit);
      chunks.push(chunk);
    }
  } catch (error) {
    // Reading a request body fails only when the client goes away (or sends a broken framing).
    throw error instanceof AccessTokenError ? error : abortedError();
  }
  return decodeUtf8(chunks, size);
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw invalidJsonError();
  }
}

function parsedBody(request: TokenRequest<any, any>, contentType: string | undefined, limit: number, declaredLength: number): MaybePromise<unknown> {
  if (request.body && 'parsed' in request.body) return request.body.parsed;
  checkEncoding(request.headers, contentType);
  return request.body ? settle(readStream(request.body.stream, limit, declaredLength), parseJson) : undefined;
}

function jsonObject(received: unknown): Record<string, unknown> {
  if (received === undefined) return {};
  if (typeof received !== 'object' || received === null || Array.isArray(received)) {
    throw notAnObjectError();
  }
  return received as Record<string, unknown>;
}

/**
 * The params the client sent: the JSON body for POST, the query string for GET. Only a JSON object
 * of at most `limit` bytes, without reserved names at any depth, gets through.
 */
export function readParams(request: TokenRequest<any, any>, limit: number): MaybePromise<Record<string, unknown>> {
  if (request.method === 'GET') return checkParams(request.query ?? {}, limit, false);
  const contentType = header(request.headers, 'content-type');
  if (!isJson(contentType)) throw notJsonError();
  // Also when the app's parser read the body first: the route's limit holds whoever reads.
  const declaredLength = Number(header(request.headers, 'content-length'));
  if (declaredLength > limit) throw tooLargeError(limit);
  // The declared length says nothing of a parsed body: chunked, or inflated from gzip by the parser.
  // A body an app parser read is measured once it is known to be shallow.
  const measureParsed = request.body !== undefined && 'parsed' in request.body;
  return settle(parsedBody(request, contentType, limit, declaredLength), (received) => checkParams(jsonObject(received), limit, measureParsed));
}

function checkParams(received: Record<string, unknown>, limit: number, measureParsed: boolean): Record<string, unknown> {
  const params = { ...received };
  // The depth check comes first: it bounds the recursion of everything that walks the params after it.
  const reserved = reservedPaths(params, '', 0, []);
  if (reserved.length > 0) throw unknownParamsError(reserved);
  // Its compact JSON text: what an uncompressed body of these params takes at least.
  if (measureParsed && utf8Encoder.encode(JSON.stringify(params)).byteLength > limit) throw tooLargeError(limit);
  return params;
}
