import { body, checkExact, matchedData, type ValidationChain, validationResult } from 'express-validator';
import { AccessTokenError, type ValidationErrorDetail } from '../errors.js';
import { VIDEO_ROOM_MAX_LENGTH } from '../grants.js';
import { unknownParamsMessage } from './body.js';

// Counted in UTF-16 units, as VideoGrant counts it: a room the route accepts is one the grant accepts.
const isRoomName = (room: unknown): boolean => typeof room === 'string' && room.length >= 1 && room.length <= VIDEO_ROOM_MAX_LENGTH;

const ROOM_CHAIN = body('room')
  .optional()
  .isString()
  .withMessage('room must be a string')
  .bail()
  .custom(isRoomName)
  .withMessage(`room must be 1 to ${VIDEO_ROOM_MAX_LENGTH} characters`);

/**
 * True when ROOM_CHAIN alone would pass these params unchanged: nothing, or only a valid `room`.
 * Such requests (most of them, on a route without app validators) skip express-validator, which
 * costs about 15 µs per request.
 */
function isValidRoomOnly(params: Record<string, unknown>): boolean {
  const keys = Object.keys(params);
  return keys.length === 0 || (keys.length === 1 && keys[0] === 'room' && isRoomName(params.room));
}

/**
 * The params validator: `room` and the app's chains, unknown params refused (400 with
 * express-validator's error details). Resolves to the matched params the policy sees.
 */
export function createParamsValidator(validators: readonly ValidationChain[]): (params: Record<string, unknown>) => Promise<Record<string, unknown>> {
  const exact = checkExact([ROOM_CHAIN, ...validators], {
    locations: ['body'],
    message: (fields: { path: string }[]) => unknownParamsMessage(fields.map((field) => field.path)),
  });
  return async (params) => {
    if (validators.length === 0 && isValidRoomOnly(params)) return params;
    const fakeRequest = { body: params };
    // checkExact runs the chains it is given, then looks for unknown fields.
    await exact.run(fakeRequest);
    const result = validationResult(fakeRequest);
    if (!result.isEmpty()) {
      const details = result.array() as ValidationErrorDetail[];
      throw new AccessTokenError('BAD_REQUEST', `Invalid request: ${details.map((detail) => String(detail.msg).replace(/\.$/, '')).join('; ')}.`, { details });
    }
    return matchedData(fakeRequest, { locations: ['body'] });
  };
}
