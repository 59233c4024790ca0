import { AccessTokenError, type ValidationErrorDetail } from '../errors.js';
import { VIDEO_ROOM_MAX_LENGTH } from '../grants.js';
import { unknownParamsError, unknownParamsMessage } from './body.js';
import type { MaybePromise } from './settle.js';
import type { ParamsValidationChain } from './types.js';

const ROOM_NOT_STRING = 'room must be a string';
const ROOM_WRONG_LENGTH = `room must be 1 to ${VIDEO_ROOM_MAX_LENGTH} characters`;

/** The room rule, counted in UTF-16 units as VideoGrant counts them: a room the route accepts is one the grant accepts. */
function roomMessage(room: unknown): string | undefined {
  if (typeof room !== 'string') return ROOM_NOT_STRING;
  return room.length >= 1 && room.length <= VIDEO_ROOM_MAX_LENGTH ? undefined : ROOM_WRONG_LENGTH;
}

const invalidParamsError = (details: ValidationErrorDetail[]) =>
  new AccessTokenError('BAD_REQUEST', `Invalid request: ${details.map((detail) => String(detail.msg).replace(/\.$/, '')).join('; ')}.`, { details });

/**
 * `room` and nothing else, without express-validator: the route of an app that has no validators,
 * whose bundle (on Workers, say) then never holds it. The details have express-validator's shape.
 */
function checkRoomOnly(params: Record<string, unknown>): Record<string, unknown> {
  const details: ValidationErrorDetail[] = [];
  const message = params.room === undefined ? undefined : roomMessage(params.room);
  if (message) details.push({ type: 'field', value: params.room, msg: message, path: 'room', location: 'body' });
  const unknown = Object.keys(params).filter((name) => name !== 'room');
  if (unknown.length > 0) details.push(...(unknownParamsError(unknown, params).details as ValidationErrorDetail[]));
  if (details.length > 0) throw invalidParamsError(details);
  return params;
}

// A name, not a string literal: bundlers (wrangler, Next.js) do not follow it, so a route without
// validators never carries express-validator's 235 KB, installed or not.
const EXPRESS_VALIDATOR = 'express-validator';

/** express-validator, loaded at run time when an app first needs it: it is an optional peer dependency. */
async function loadExpressValidator(): Promise<typeof import('express-validator')> {
  try {
    return await import(/* webpackIgnore: true */ /* @vite-ignore */ EXPRESS_VALIDATOR);
  } catch (cause) {
    throw new AccessTokenError(
      'INVALID_OPTIONS',
      'The validators option needs express-validator, loaded at run time: npm install express-validator. Runtimes that load no modules at run time (Cloudflare Workers, Vercel Edge) cannot run validators: check the params in your policy there.',
      { cause },
    );
  }
}

/** `room` and the app's chains through express-validator's checkExact, unknown params refused. */
async function createChainValidator(validators: readonly ParamsValidationChain[]) {
  const { body, checkExact, matchedData, validationResult } = await loadExpressValidator();
  const roomChain = body('room')
    .optional()
    .custom((room) => {
      const message = roomMessage(room);
      if (message) throw new Error(message);
      return true;
    });
  const exact = checkExact([roomChain, ...(validators as unknown as ReturnType<typeof body>[])], {
    locations: ['body'],
    message: (fields: { path: string }[]) => unknownParamsMessage(fields.map((field) => field.path)),
  });
  return async (params: Record<string, unknown>) => {
    const fakeRequest = { body: params };
    // checkExact runs the chains it is given, then looks for unknown fields.
    await exact.run(fakeRequest);
    const result = validationResult(fakeRequest);
    if (!result.isEmpty()) throw invalidParamsError(result.array() as ValidationErrorDetail[]);
    return matchedData(fakeRequest, { locations: ['body'] });
  };
}

/**
 * The params validator: `room` and the app's chains, unknown params refused (400 with
 * express-validator's error details). Resolves to the matched params the policy sees.
 */
export function createParamsValidator(
  validators: readonly ParamsValidationChain[],
): (params: Record<string, unknown>) => MaybePromise<Record<string, unknown>> {
  if (validators.length === 0) return checkRoomOnly;
  // Loading starts now, so the first request does not wait for it; a failure is that request's 500.
  const validating = createChainValidator(validators);
  validating.catch(() => {});
  return async (params) => (await validating)(params);
}
