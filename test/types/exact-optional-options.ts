// Apps whose tsconfig has exactOptionalPropertyTypes (`tsc --init` turns it on since TypeScript 5.9)
// pass undefined to an option to mean "not set": `ttl: isHost ? 600 : undefined`,
// `video: { room: process.env.ROOM }`. So every optional field of every public options type must
// accept undefined. Compiled with the flag by `pnpm typecheck` (test/types/tsconfig.json) against the
// built .d.ts files users get (after `pnpm build`): a field that refuses undefined fails, named.
import type { GrantorOptions as FastifyOptions } from '@grantor/fastify';
import type { TokenSourceOptions } from '@grantor/client';
import type {
  AccessTokenOptions,
  BearerUserOptions,
  ChatGrantOptions,
  GrantsSpec,
  InspectOptions,
  PlaybackGrantOptions,
  PolicyDecision,
  SharedRateLimit,
  SignerOptions,
  SignOptions,
  SyncGrantOptions,
  TaskRouterGrantOptions,
  TokenHandlerOptions,
  VerifyOptions,
  VideoGrantOptions,
  VoiceGrantOptions,
} from '@grantor/core';
import type { TokenRouteOptions as ExpressOptions } from '@grantor/express';
import type { TokenRouteOptions as HonoOptions } from '@grantor/hono';
import type { TokenRouteOptions as KoaOptions } from '@grantor/koa';
import type { GrantorAsyncOptions, GrantorOptions as NestOptions, GrantorRouteOptions } from '@grantor/nestjs';
import type { ApiRouteOptions, AppRouteOptions } from '@grantor/next';

type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];
/** never when every optional field of T (of each member, for a union) accepts undefined; else their names. */
type RefusingUndefined<T> = T extends object ? { [K in OptionalKeys<T>]-?: undefined extends Required<T>[K] ? never : K }[OptionalKeys<T>] : never;
type None<T extends never> = T;

export type EveryOptionalFieldAcceptsUndefined = [
  None<RefusingUndefined<TokenHandlerOptions>>,
  None<RefusingUndefined<PolicyDecision>>,
  None<RefusingUndefined<GrantsSpec>>,
  None<RefusingUndefined<ChatGrantOptions>>,
  None<RefusingUndefined<VoiceGrantOptions>>,
  None<RefusingUndefined<VideoGrantOptions>>,
  None<RefusingUndefined<SyncGrantOptions>>,
  None<RefusingUndefined<TaskRouterGrantOptions>>,
  None<RefusingUndefined<PlaybackGrantOptions>>,
  None<RefusingUndefined<AccessTokenOptions>>,
  None<RefusingUndefined<SignerOptions>>,
  None<RefusingUndefined<SignOptions>>,
  None<RefusingUndefined<InspectOptions>>,
  None<RefusingUndefined<VerifyOptions>>,
  None<RefusingUndefined<BearerUserOptions>>,
  None<RefusingUndefined<SharedRateLimit>>,
  None<RefusingUndefined<TokenSourceOptions>>,
  None<RefusingUndefined<ExpressOptions<unknown>>>,
  None<RefusingUndefined<KoaOptions>>,
  None<RefusingUndefined<HonoOptions>>,
  None<RefusingUndefined<FastifyOptions<unknown>>>,
  None<RefusingUndefined<AppRouteOptions<unknown>>>,
  None<RefusingUndefined<ApiRouteOptions<unknown>>>,
  None<RefusingUndefined<NestOptions>>,
  None<RefusingUndefined<GrantorRouteOptions>>,
  None<RefusingUndefined<GrantorAsyncOptions>>,
];
