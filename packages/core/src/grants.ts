import { AccessTokenError } from './errors.js';
import { quoted } from './text.js';

/**
 * A grant: a product permission inside a token. `key` is its name in the `grants` claim and
 * `toPayload()` its value. Fields are public and read when the token is signed, as in twilio-node.
 */
export abstract class Grant<TPayload extends object = object> {
  abstract readonly key: string;
  abstract toPayload(): TPayload;
  /** Throws an AccessTokenError when a field cannot be what Twilio accepts. */
  validate(): void {}
}

type Payload = Record<string, unknown>;

/** Sets `payload[field] = value` when the value is truthy, as every official helper library does. */
function putIfTruthy(payload: Payload, field: string, value: unknown): void {
  if (value) payload[field] = value;
}

const SID_PATTERN = /^[A-Z]{2}[0-9a-fA-F]{32}$/;

function checkSid(grant: string, option: string, value: unknown, prefix: string): void {
  if (value === undefined || value === null || value === '') return;
  if (typeof value !== 'string' || !value.startsWith(prefix) || !SID_PATTERN.test(value)) {
    throw new AccessTokenError(
      'INVALID_GRANT',
      `${grant}.${option} must be a SID starting with "${prefix}" followed by 32 hex characters (got ${describeSid(value)}).`,
    );
  }
}

function checkString(grant: string, option: string, value: unknown, maxLength = 256): void {
  if (value === undefined || value === null || value === '') return;
  if (typeof value !== 'string' || value.length > maxLength) {
    throw new AccessTokenError('INVALID_GRANT', `${grant}.${option} must be a string of at most ${maxLength} characters (got ${describe(value)}).`);
  }
}

/**
 * A short, safe description of a rejected value for error messages. Strings as long as an API key
 * secret (32 characters) or longer are described by length only, so a secret put in the wrong
 * option (swapped environment variables) never reaches a log.
 */
export function describe(value: unknown): string {
  if (typeof value === 'string') return value.length >= 32 ? `a ${value.length}-character string` : quoted(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

/**
 * For options that expect a SID: a SID-shaped value is shown in full (a SID names a resource and is
 * no secret), any other string by its length only, since a misplaced secret most often lands here.
 */
export function describeSid(value: unknown): string {
  if (typeof value !== 'string') return describe(value);
  if (SID_PATTERN.test(value)) return quoted(value);
  // A SID pasted with a space or newline around it (common from .env files) is still shown: SIDs are no secrets.
  if (SID_PATTERN.test(value.trim())) return `${quoted(value)}, a SID with whitespace around it`;
  return `a ${value.length}-character string that is not a SID`;
}

export interface ChatGrantOptions {
  /**
   * Conversations / Chat service SID (`IS...`).
   * @default undefined (left out of the token)
   */
  serviceSid?: string | undefined;
  /**
   * An identifier for the device or browser tab, for multi-device users.
   * @default undefined (left out of the token)
   */
  endpointId?: string | undefined;
  /**
   * Deployment role SID (`RL...`).
   * @default undefined (left out of the token)
   */
  deploymentRoleSid?: string | undefined;
  /**
   * Push credential SID (`CR...`).
   * @default undefined (left out of the token)
   */
  pushCredentialSid?: string | undefined;
}

/** Conversations and Chat (`chat`). */
export class ChatGrant extends Grant {
  readonly key = 'chat';
  serviceSid?: string | undefined;
  endpointId?: string | undefined;
  deploymentRoleSid?: string | undefined;
  pushCredentialSid?: string | undefined;

  constructor(options: ChatGrantOptions = {}) {
    super();
    this.serviceSid = options.serviceSid;
    this.endpointId = options.endpointId;
    this.deploymentRoleSid = options.deploymentRoleSid;
    this.pushCredentialSid = options.pushCredentialSid;
  }

  toPayload(): Payload {
    const payload: Payload = {};
    putIfTruthy(payload, 'service_sid', this.serviceSid);
    putIfTruthy(payload, 'endpoint_id', this.endpointId);
    putIfTruthy(payload, 'deployment_role_sid', this.deploymentRoleSid);
    putIfTruthy(payload, 'push_credential_sid', this.pushCredentialSid);
    return payload;
  }

  override validate(): void {
    checkSid('chat', 'serviceSid', this.serviceSid, 'IS');
    checkString('chat', 'endpointId', this.endpointId);
    checkSid('chat', 'deploymentRoleSid', this.deploymentRoleSid, 'RL');
    checkSid('chat', 'pushCredentialSid', this.pushCredentialSid, 'CR');
  }
}

export interface VoiceGrantOptions {
  /**
   * Allow incoming calls to this identity. Only `true` grants it.
   * @default undefined (left out of the token)
   */
  incomingAllow?: boolean | undefined;
  /**
   * TwiML application SID (`AP...`) for outgoing calls.
   * @default undefined (left out of the token)
   */
  outgoingApplicationSid?: string | undefined;
  /**
   * Parameters passed to the TwiML application; sent only with `outgoingApplicationSid`.
   * @default undefined (left out of the token)
   */
  outgoingApplicationParams?: Record<string, unknown> | undefined;
  /**
   * Push credential SID (`CR...`) for mobile push notifications.
   * @default undefined (left out of the token)
   */
  pushCredentialSid?: string | undefined;
  /**
   * An identifier for the device or browser tab, for multi-device users.
   * @default undefined (left out of the token)
   */
  endpointId?: string | undefined;
}

/** Programmable Voice (`voice`). */
export class VoiceGrant extends Grant {
  readonly key = 'voice';
  incomingAllow?: boolean | undefined;
  outgoingApplicationSid?: string | undefined;
  outgoingApplicationParams?: Record<string, unknown> | undefined;
  pushCredentialSid?: string | undefined;
  endpointId?: string | undefined;

  constructor(options: VoiceGrantOptions = {}) {
    super();
    this.incomingAllow = options.incomingAllow;
    this.outgoingApplicationSid = options.outgoingApplicationSid;
    this.outgoingApplicationParams = options.outgoingApplicationParams;
    this.pushCredentialSid = options.pushCredentialSid;
    this.endpointId = options.endpointId;
  }

  toPayload(): Payload {
    const payload: Payload = {};
    if (this.incomingAllow === true) payload.incoming = { allow: true };
    if (this.outgoingApplicationSid) {
      const outgoing: Payload = { application_sid: this.outgoingApplicationSid };
      putIfTruthy(outgoing, 'params', this.outgoingApplicationParams);
      payload.outgoing = outgoing;
    }
    putIfTruthy(payload, 'push_credential_sid', this.pushCredentialSid);
    putIfTruthy(payload, 'endpoint_id', this.endpointId);
    return payload;
  }

  override validate(): void {
    const { incomingAllow, outgoingApplicationParams: params } = this;
    if (incomingAllow !== undefined && incomingAllow !== null && typeof incomingAllow !== 'boolean') {
      throw new AccessTokenError('INVALID_GRANT', `voice.incomingAllow must be a boolean (got ${describe(incomingAllow)}).`);
    }
    checkSid('voice', 'outgoingApplicationSid', this.outgoingApplicationSid, 'AP');
    if (params !== undefined && params !== null && (typeof params !== 'object' || Array.isArray(params))) {
      throw new AccessTokenError('INVALID_GRANT', `voice.outgoingApplicationParams must be a plain object (got ${describe(params)}).`);
    }
    checkSid('voice', 'pushCredentialSid', this.pushCredentialSid, 'CR');
    checkString('voice', 'endpointId', this.endpointId);
  }
}

/** The longest room name a Video grant carries, in UTF-16 units. */
export const VIDEO_ROOM_MAX_LENGTH = 128;

export interface VideoGrantOptions {
  /**
   * Room name or Room SID (`RM...`) the token may join; omit for any room.
   * @default undefined (left out of the token)
   */
  room?: string | undefined;
}

/** Programmable Video (`video`). */
export class VideoGrant extends Grant {
  readonly key = 'video';
  room?: string | undefined;

  constructor(options: VideoGrantOptions = {}) {
    super();
    this.room = options.room;
  }

  toPayload(): Payload {
    const payload: Payload = {};
    putIfTruthy(payload, 'room', this.room);
    return payload;
  }

  override validate(): void {
    checkString('video', 'room', this.room, VIDEO_ROOM_MAX_LENGTH);
  }
}

export interface SyncGrantOptions {
  /**
   * Sync service SID (`IS...`).
   * @default undefined (left out of the token)
   */
  serviceSid?: string | undefined;
  /**
   * An identifier for the device or browser tab, for multi-device users.
   * @default undefined (left out of the token)
   */
  endpointId?: string | undefined;
}

/** Sync (`data_sync`). */
export class SyncGrant extends Grant {
  readonly key = 'data_sync';
  serviceSid?: string | undefined;
  endpointId?: string | undefined;

  constructor(options: SyncGrantOptions = {}) {
    super();
    this.serviceSid = options.serviceSid;
    this.endpointId = options.endpointId;
  }

  toPayload(): Payload {
    const payload: Payload = {};
    putIfTruthy(payload, 'service_sid', this.serviceSid);
    putIfTruthy(payload, 'endpoint_id', this.endpointId);
    return payload;
  }

  override validate(): void {
    checkSid('sync', 'serviceSid', this.serviceSid, 'IS');
    checkString('sync', 'endpointId', this.endpointId);
  }
}

export interface TaskRouterGrantOptions {
  /**
   * Workspace SID (`WS...`).
   * @default undefined (left out of the token)
   */
  workspaceSid?: string | undefined;
  /**
   * Worker SID (`WK...`).
   * @default undefined (left out of the token)
   */
  workerSid?: string | undefined;
  /**
   * The TaskRouter role, e.g. "worker".
   * @default undefined (left out of the token)
   */
  role?: string | undefined;
}

/** TaskRouter (`task_router`). */
export class TaskRouterGrant extends Grant {
  readonly key = 'task_router';
  workspaceSid?: string | undefined;
  workerSid?: string | undefined;
  role?: string | undefined;

  constructor(options: TaskRouterGrantOptions = {}) {
    super();
    this.workspaceSid = options.workspaceSid;
    this.workerSid = options.workerSid;
    this.role = options.role;
  }

  toPayload(): Payload {
    const payload: Payload = {};
    putIfTruthy(payload, 'workspace_sid', this.workspaceSid);
    putIfTruthy(payload, 'worker_sid', this.workerSid);
    putIfTruthy(payload, 'role', this.role);
    return payload;
  }

  override validate(): void {
    checkSid('taskRouter', 'workspaceSid', this.workspaceSid, 'WS');
    checkSid('taskRouter', 'workerSid', this.workerSid, 'WK');
    checkString('taskRouter', 'role', this.role);
  }
}

export interface PlaybackGrantOptions {
  /**
   * The grant object returned by Twilio Live's PlaybackGrant API, passed through unchanged.
   * @default undefined (left out of the token)
   */
  grant?: Record<string, unknown> | undefined;
}

/** Twilio Live playback (`player`). */
export class PlaybackGrant extends Grant {
  readonly key = 'player';
  grant?: Record<string, unknown> | undefined;

  constructor(options: PlaybackGrantOptions = {}) {
    super();
    this.grant = options.grant;
  }

  toPayload(): Payload {
    return this.grant || {};
  }

  override validate(): void {
    const { grant } = this;
    if (grant !== undefined && grant !== null && (typeof grant !== 'object' || Array.isArray(grant))) {
      throw new AccessTokenError('INVALID_GRANT', `playback.grant must be the object Twilio Live returned (got ${describe(grant)}).`);
    }
  }
}

/**
 * Grants as a typed plain object, for `signer.sign()` and policies:
 * `{ video: { room: 'r1' }, voice: { incomingAllow: true } }`. Emitted in the object's key order.
 */
export interface GrantsSpec {
  chat?: ChatGrantOptions | undefined;
  voice?: VoiceGrantOptions | undefined;
  video?: VideoGrantOptions | undefined;
  sync?: SyncGrantOptions | undefined;
  taskRouter?: TaskRouterGrantOptions | undefined;
  /** The grant object from Twilio Live, as for `PlaybackGrant`'s `grant` option. */
  playback?: Record<string, unknown> | undefined;
}

const GRANT_FACTORIES: { [K in keyof Required<GrantsSpec>]: (options: NonNullable<GrantsSpec[K]>) => Grant } = {
  chat: (options) => new ChatGrant(options),
  voice: (options) => new VoiceGrant(options),
  video: (options) => new VideoGrant(options),
  sync: (options) => new SyncGrant(options),
  taskRouter: (options) => new TaskRouterGrant(options),
  playback: (grant) => new PlaybackGrant({ grant }),
};

/** Grants as grant objects or as a `GrantsSpec`. */
export type GrantsInput = readonly Grant[] | GrantsSpec;

/** Turns either form of grants into grant objects, rejecting unknown keys and non-grants. */
export function toGrantList(grants: GrantsInput | undefined): Grant[] {
  if (grants === undefined || grants === null) return [];
  if (Array.isArray(grants)) {
    for (const grant of grants) assertGrant(grant);
    return [...grants];
  }
  if (typeof grants !== 'object') {
    throw new AccessTokenError('INVALID_GRANT', `grants must be a list of grants or an object such as { video: { room } } (got ${describe(grants)}).`);
  }
  const list: Grant[] = [];
  for (const [name, options] of Object.entries(grants)) {
    const factory = Object.hasOwn(GRANT_FACTORIES, name) ? (GRANT_FACTORIES[name as keyof GrantsSpec] as (options: object) => Grant) : undefined;
    if (!factory) {
      throw new AccessTokenError('INVALID_GRANT', `Unknown grant "${name}". Use one of: ${Object.keys(GRANT_FACTORIES).join(', ')}.`);
    }
    if (options === undefined || options === null || options === false) continue;
    if (typeof options !== 'object') {
      throw new AccessTokenError('INVALID_GRANT', `grants.${name} must be an object of options (got ${describe(options)}).`);
    }
    list.push(factory(options));
  }
  return list;
}

/** Throws unless the value looks like a grant (twilio-node accepts any `{ key, toPayload }`). */
export function assertGrant(grant: unknown): asserts grant is Grant {
  const candidate = grant as Grant | null | undefined;
  if (typeof candidate?.key !== 'string' || typeof candidate.toPayload !== 'function') {
    throw new AccessTokenError('INVALID_GRANT', `Expected a grant object such as new VideoGrant({ room }) (got ${describe(grant)}).`);
  }
}

/** The grant keys a Twilio product SDK accepts: a token with none of them is refused by every SDK. */
export const PRODUCT_GRANT_KEYS: ReadonlySet<string> = new Set(['chat', 'voice', 'video', 'data_sync', 'task_router', 'player']);
