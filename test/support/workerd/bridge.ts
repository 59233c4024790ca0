// The wire between a grantor route running in workerd and the test process. The worker runs grantor
// with the test's data options (its bindings); the test's functions (policy, hooks, user lookup) stay
// in Node and the worker calls them through the NODE service binding, so the test's options object is
// the only copy of them. This file is imported by both sides: no Node or Workers APIs in it.

/** The function options that can cross: the worker calls each back in Node. */
export const HOOKS = ['policy', 'onIssued', 'onDenied', 'onError'] as const;
export type HookName = (typeof HOOKS)[number];
/** A hook, or `user`: the test's user lookup, for the `x-test-user` header. */
export type Call = HookName | 'user';

/** The framework request the policy and hooks got, as the worker describes it to Node. */
export interface WorkerRequest {
  /** What grantor passed: `Request` (fetch handler), `Context` (Hono), or what else it was. */
  kind: string;
  /** `METHOD /path?query`. */
  line: string;
  /** Lowercased names; repeats joined with `, ` as the Fetch API joins them. */
  headers: Record<string, string>;
}

/** One call's outcome: what the Node function returned, or what it threw. */
export type Outcome = { value?: unknown } | { threw: unknown };

export interface WorkerEnv {
  /** The test process: `POST /<call>` with the encoded arguments, answered with an encoded Outcome. */
  NODE: { fetch(url: string, init: RequestInit): Promise<Response> };
  /** The test's data-only options (credentials, methods, maxTtl, allowedOrigins, rateLimit window...). */
  GRANTOR_OPTIONS: Record<string, unknown>;
  /** The function options the test passed, called back in Node. */
  GRANTOR_HOOKS: HookName[];
}

/** JSON that keeps what grantor's events carry and JSON alone loses: Dates (`expiresAt`) and Errors. */
export function encode(value: unknown): string {
  return JSON.stringify(value, function (this: Record<string, unknown>, key, json: unknown) {
    const raw = this[key];
    if (raw instanceof Date) return { $date: raw.toISOString() };
    if (raw instanceof Error) return { $error: { name: raw.name, message: raw.message } };
    return json;
  });
}

export function decode(text: string): unknown {
  return JSON.parse(text, (_key, value: unknown) => {
    const tagged = value as { $date?: string; $error?: { name: string; message: string } } | null;
    if (typeof tagged?.$date === 'string') return new Date(tagged.$date);
    if (tagged?.$error) return Object.assign(new Error(tagged.$error.message), { name: tagged.$error.name });
    return value;
  });
}
