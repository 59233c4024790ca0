/**
 * What a runtime driver is asked to do, as plain JSON data, and the interpreter that does it. The
 * same interpreter runs in-process on Node and bundled inside workerd, the Edge VM, Bun and Deno, so
 * that a case means the same thing everywhere; the assertions and twilio-node stay on the Node side.
 * No Node API here: this file is bundled for runtimes that have none.
 */
import type * as Core from '@grantor/core';

export type GrantKind = 'chat' | 'voice' | 'video' | 'sync' | 'taskRouter' | 'playback';

/**
 * Whose grant classes build the grants: grantor's named exports, grantor's `AccessToken.ChatGrant`
 * statics, or twilio-node's own classes (bundled into the runtime, as a half-migrated app has them).
 */
export type GrantClasses = 'grantor' | 'statics' | 'twilio';

export interface GrantCall {
  kind: GrantKind;
  /** Constructor options; absent means `new Grant()`. */
  options?: Record<string, unknown>;
  /** Properties assigned after construction, as twilio-node's spec does. */
  set?: Record<string, unknown>;
}

/** Properties to assign, and properties to set to undefined (which JSON cannot carry). */
export interface Changes {
  set?: Record<string, unknown>;
  unset?: string[];
}

/** One `toJwt()` of the token: first the changes to the token, and `grantSet[i]` to grant i. */
export interface JwtStep extends Changes {
  grantSet?: Record<number, Changes>;
  algorithm?: string;
}

export type Call =
  /** Which runtime and crypto implementation answered. */
  | { op: 'info' }
  /** `new AccessToken(accountSid, keySid, secret, options)`, grants added, then one `toJwt()` per step (default one). */
  | {
      op: 'accessToken';
      /** Freezes Date.now while the token is built and signed. */
      nowMs?: number;
      accountSid?: string;
      keySid?: string;
      secret?: string;
      options?: Record<string, unknown>;
      grants?: GrantCall[];
      grantClasses?: GrantClasses;
      steps?: JwtStep[];
    }
  /** `createSigner({ ...signer, clock: () => nowMs }).sign(sign)`; grants as grant objects or as a GrantsSpec object. */
  | {
      op: 'sign';
      nowMs?: number;
      signer: Record<string, unknown>;
      sign: Record<string, unknown>;
      grants: GrantCall[] | Record<string, unknown>;
    }
  /** `verifyAccessToken(token, { ...options, clock: () => clockMs })`. */
  | { op: 'verify'; token: string; options: Record<string, unknown>; clockMs?: number }
  /** `inspectAccessToken(token, { ...options, clock: () => clockMs })`. */
  | { op: 'inspect'; token: string; options?: Record<string, unknown>; clockMs?: number }
  /** `decodeAccessToken(token)`. */
  | { op: 'decode'; token: string }
  /** A grant's `toPayload()` after each step's changes. */
  | { op: 'grantPayloads'; kind: GrantKind; grantClasses?: GrantClasses; options?: Record<string, unknown>; steps: Changes[] }
  /** The `AccessToken` statics and constants. */
  | { op: 'statics' }
  /** `value` as the runtime received it: checks the transport itself. */
  | { op: 'echo'; value: unknown };

export interface ErrorResult {
  name: string;
  code?: string;
  twilioCode?: number;
  message: string;
  /** `instanceof AccessTokenError`, as seen inside the runtime. */
  accessTokenError: boolean;
}

export type Outcome<T = unknown> = { value: T; error?: undefined } | { error: ErrorResult; value?: undefined };

export interface RuntimeInfo {
  /** `cryptoRuntime.name` of the grantor module instance the calls run on. */
  cryptoRuntime: string | undefined;
  /** `typeof process?.getBuiltinModule`, as seen inside. */
  getBuiltinModule: string;
  /** `typeof Buffer`, as seen inside. */
  buffer: string;
  userAgent: string | undefined;
  /** `EdgeRuntime`, the global Vercel's Edge runtime defines. */
  edgeRuntime: string | undefined;
  bun: string | undefined;
  deno: string | undefined;
  node: string | undefined;
}

export interface InspectionResult {
  decoded: unknown;
  problems: ErrorResult[];
  warnings: ErrorResult[];
  signatureChecked: boolean;
}

/** What the interpreter needs: the grantor module and twilio-node's AccessToken (for its grant classes). */
export interface Implementation {
  core: typeof Core;
  cryptoRuntimeName: string | undefined;
  twilioAccessToken: Record<string, new (options?: any) => unknown>;
}

const CLASS_NAMES: Record<GrantKind, 'ChatGrant' | 'VoiceGrant' | 'VideoGrant' | 'SyncGrant' | 'TaskRouterGrant' | 'PlaybackGrant'> = {
  chat: 'ChatGrant',
  voice: 'VoiceGrant',
  video: 'VideoGrant',
  sync: 'SyncGrant',
  taskRouter: 'TaskRouterGrant',
  playback: 'PlaybackGrant',
};

function errorResult(error: unknown, core: typeof Core): ErrorResult {
  const value = error as { name?: unknown; code?: unknown; twilioCode?: unknown; message?: unknown };
  return {
    name: String(value?.name),
    code: typeof value?.code === 'string' ? value.code : undefined,
    twilioCode: typeof value?.twilioCode === 'number' ? value.twilioCode : undefined,
    message: String(value?.message ?? error),
    accessTokenError: error instanceof core.AccessTokenError,
  };
}

function outcome<T>(core: typeof Core, action: () => T): Outcome<T> {
  try {
    return { value: action() };
  } catch (error) {
    return { error: errorResult(error, core) };
  }
}

function applyChanges(target: object, changes: Changes | undefined): void {
  Object.assign(target, changes?.set);
  for (const key of changes?.unset ?? []) (target as Record<string, unknown>)[key] = undefined;
}

/** Runs `action` with Date.now frozen at nowMs (when given). */
function atTime<T>(nowMs: number | undefined, action: () => T): T {
  if (nowMs === undefined) return action();
  const realNow = Date.now;
  Date.now = () => nowMs;
  try {
    return action();
  } finally {
    Date.now = realNow;
  }
}

function runtimeInfo(implementation: Implementation): RuntimeInfo {
  const scope = globalThis as Record<string, any>;
  const version = (value: unknown) => (value === undefined ? undefined : String(value));
  return {
    cryptoRuntime: implementation.cryptoRuntimeName,
    getBuiltinModule: typeof scope.process?.getBuiltinModule,
    buffer: typeof scope.Buffer,
    userAgent: version(scope.navigator?.userAgent),
    edgeRuntime: version(scope.EdgeRuntime),
    bun: version(scope.Bun?.version),
    deno: version(scope.Deno?.version?.deno),
    // Bun and Deno report a Node version too; what matters is that only Node has no Bun or Deno.
    node: version(scope.process?.versions?.node),
  };
}

/** Runs one call; a thrown error becomes `{ error }`. */
export function execute(implementation: Implementation, call: Call): Outcome {
  const { core } = implementation;
  const classesOf = (which: GrantClasses = 'grantor'): Record<string, new (options?: any) => any> =>
    which === 'twilio' ? implementation.twilioAccessToken : which === 'statics' ? (core.AccessToken as any) : (core as any);
  const buildGrant = (which: GrantClasses | undefined, draft: GrantCall) => {
    const Grant = classesOf(which)[CLASS_NAMES[draft.kind]]!;
    const grant = draft.options === undefined ? new Grant() : new Grant(draft.options);
    return Object.assign(grant, draft.set);
  };
  const inspection = (result: Core.AccessTokenInspection): InspectionResult => ({
    decoded: result.decoded,
    problems: result.problems.map((problem) => errorResult(problem, core)),
    warnings: result.warnings.map((warning) => errorResult(warning, core)),
    signatureChecked: result.signatureChecked,
  });

  return outcome(core, () => {
    switch (call.op) {
      case 'info':
        return runtimeInfo(implementation);
      case 'statics':
        return {
          DEFAULT_ALGORITHM: core.AccessToken.DEFAULT_ALGORITHM,
          ALGORITHMS: core.AccessToken.ALGORITHMS,
          TWILIO_CONTENT_TYPE: core.TWILIO_CONTENT_TYPE,
          DEFAULT_TTL: core.DEFAULT_TTL,
          MAX_TTL: core.MAX_TTL,
        };
      case 'accessToken':
        return atTime(call.nowMs, () => {
          const token = new core.AccessToken(call.accountSid!, call.keySid!, call.secret!, call.options as unknown as Core.AccessTokenOptions);
          const grants = (call.grants ?? []).map((draft) => buildGrant(call.grantClasses, draft));
          for (const grant of grants) token.addGrant(grant);
          return (call.steps ?? [{}]).map((step) =>
            outcome(core, () => {
              applyChanges(token, step);
              for (const [index, changes] of Object.entries(step.grantSet ?? {})) applyChanges(grants[Number(index)], changes);
              return token.toJwt(step.algorithm);
            }),
          );
        });
      case 'sign':
        return atTime(call.nowMs, () => {
          const clock = call.nowMs === undefined ? undefined : () => call.nowMs!;
          const signer = core.createSigner({ ...(call.signer as unknown as Core.SignerOptions), ...(clock ? { clock } : {}) });
          const grants = Array.isArray(call.grants) ? call.grants.map((draft) => buildGrant('grantor', draft)) : call.grants;
          const issued = signer.sign({ ...(call.sign as unknown as Core.SignOptions), grants: grants as Core.GrantsInput });
          return { ...issued, issuedAt: issued.issuedAt.toISOString(), expiresAt: issued.expiresAt.toISOString() };
        });
      case 'verify': {
        const clock = call.clockMs === undefined ? undefined : () => call.clockMs!;
        return core.verifyAccessToken(call.token, { ...(call.options as unknown as Core.VerifyOptions), ...(clock ? { clock } : {}) });
      }
      case 'inspect': {
        const clock = call.clockMs === undefined ? undefined : () => call.clockMs!;
        return inspection(core.inspectAccessToken(call.token, { ...(call.options as Core.InspectOptions), ...(clock ? { clock } : {}) }));
      }
      case 'decode':
        return core.decodeAccessToken(call.token);
      case 'echo':
        return call.value;
      case 'grantPayloads': {
        const grant = buildGrant(call.grantClasses, { kind: call.kind, options: call.options });
        return call.steps.map((changes) => {
          applyChanges(grant, changes);
          const payload = grant.toPayload();
          // Whether toPayload() hands back the very object in `grant.grant` (PlaybackGrant), which JSON cannot show.
          return { payload, isGrantField: 'grant' in grant && payload === grant.grant };
        });
      }
      default:
        throw new Error(`unknown op ${JSON.stringify((call as { op?: unknown }).op)}`);
    }
  });
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The wire format of every driver, both ways: JSON in which every object is written as
 * `{"entries":[[key, value], ...]}`, so that no key of the data is a JSON key. V8 12.8 and later
 * (Deno, workerd, Node 24+; nodejs/node#63785) can parse an escaped JSON key (`"\u00e9"`, `"\n"`,
 * `"\""`) as a key an earlier object of the same shape had at that place: the differential's playback
 * grant key "é" reached grantor on Deno as "\\". Keys as JSON strings are parsed right.
 */
export function toWire(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    isPlainObject(item) ? { entries: Object.entries(item).filter(([, entry]) => entry !== undefined && typeof entry !== 'function') } : item,
  );
}

/** The value `toWire` wrote. */
export function fromWire(text: string): unknown {
  return JSON.parse(text, (_key, item: unknown) => (isPlainObject(item) ? Object.fromEntries(item.entries as [string, unknown][]) : item));
}

/** A batch of calls in, their outcomes out, both in the wire format. */
export function executeJson(implementation: Implementation, callsJson: string): string {
  const calls = fromWire(callsJson) as Call[];
  return toWire(calls.map((call) => execute(implementation, call)));
}
