/**
 * Differential test: random valid inputs signed by twilio-node (the oracle, on Node) and by grantor,
 * both through the drop-in `AccessToken` and through `createSigner().sign()`, must give the same bytes,
 * with grantor running on every runtime (test/runtimes). The same seeded cases go to each runtime in
 * one batch. Replay a failure with GRANTOR_DIFF_SEED=<printed seed>; GRANTOR_DIFF_CASES raises the count.
 */
import { randomInt } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import type { Outcome } from '../runtimes/calls.js';
import { describeEachRuntime, expectTokenErrorOutcome } from '../runtimes/each-runtime.js';
import { accessTokenCall, type GrantDraft, type GrantKind, GRANT_KINDS, signCall, type TokenInput, tokenOutcome, twilioJti, twilioNodeToken } from './mint.js';

const seed = Number(process.env.GRANTOR_DIFF_SEED ?? randomInt(2 ** 31));
const caseCount = Math.max(1000, Number(process.env.GRANTOR_DIFF_CASES ?? 1500));
console.log(`differential: seed ${seed}, ${caseCount} cases (replay with GRANTOR_DIFF_SEED=${seed})`);

/** mulberry32: small, fast and fully determined by the seed. */
function createRandom(initial: number) {
  let state = initial >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)]!;
  const chance = (probability: number): boolean => next() < probability;
  const text = (alphabet: readonly string[], min: number, max: number): string => Array.from({ length: int(min, max) }, () => pick(alphabet)).join('');
  return { int, pick, chance, text };
}
type Random = ReturnType<typeof createRandom>;

const ASCII = Array.from({ length: 95 }, (_, index) => String.fromCharCode(32 + index));
// Accents, CJK, Cyrillic, an astral emoji, JSON specials, a line separator and a lone surrogate.
const UNICODE = [...'éßЖ中文', '😀', '"', '\\', '<', '&', '\n', '\u0001', '\u2028', '\ud800'];
const VOICE_SAFE = [...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_'];
const HEX = [...'0123456789abcdef'];
const REGIONS = ['us1', 'ie1', 'au1', undefined] as const;

const sidOf = (random: Random, prefix: string) => prefix + random.text(HEX, 32, 32);
/** Up to `max` UTF-16 units: a Unicode character may take two. */
const freeText = (random: Random, max: number) => (random.chance(0.3) ? random.text(UNICODE, 0, Math.floor(max / 2)) : random.text(ASCII, 0, max));

/** A JSON value for voice params and playback objects, nested at most `depth` levels. */
function jsonValue(random: Random, depth: number): unknown {
  switch (random.int(0, depth > 0 ? 6 : 4)) {
    case 0:
      return freeText(random, 12);
    case 1:
      return random.int(-1e6, 1e6);
    case 2:
      return random.int(-1e6, 1e6) / 7;
    case 3:
      return random.pick([true, false, null]);
    case 4:
      return random.text(UNICODE, 1, 4);
    case 5:
      return Array.from({ length: random.int(0, 3) }, () => jsonValue(random, depth - 1));
    default:
      return jsonObject(random, depth - 1);
  }
}

function jsonObject(random: Random, depth: number): Record<string, unknown> {
  const object: Record<string, unknown> = {};
  for (let index = random.int(0, 4); index > 0; index -= 1) object[freeText(random, 8) || 'k'] = jsonValue(random, depth);
  return object;
}

/** Each field is present half the time; some grants are left empty on purpose. */
function grantDraft(random: Random): GrantDraft {
  const kind = random.pick(GRANT_KINDS);
  if (random.chance(0.12)) return { kind, options: {} };
  const maybe = <T>(value: () => T): T | undefined => (random.chance(0.5) ? value() : undefined);
  const options: Record<GrantKind, () => Record<string, unknown>> = {
    chat: () => ({
      serviceSid: maybe(() => sidOf(random, 'IS')),
      endpointId: maybe(() => freeText(random, 40)),
      deploymentRoleSid: maybe(() => sidOf(random, 'RL')),
      pushCredentialSid: maybe(() => sidOf(random, 'CR')),
    }),
    voice: () => ({
      incomingAllow: random.pick([true, false, undefined]),
      outgoingApplicationSid: maybe(() => sidOf(random, 'AP')),
      outgoingApplicationParams: maybe(() => (random.chance(0.2) ? {} : jsonObject(random, 2))),
      pushCredentialSid: maybe(() => sidOf(random, 'CR')),
      endpointId: maybe(() => freeText(random, 40)),
    }),
    video: () => ({ room: maybe(() => (random.chance(0.3) ? sidOf(random, 'RM') : freeText(random, 128))) }),
    sync: () => ({ serviceSid: maybe(() => sidOf(random, 'IS')), endpointId: maybe(() => freeText(random, 40)) }),
    taskRouter: () => ({
      workspaceSid: maybe(() => sidOf(random, 'WS')),
      workerSid: maybe(() => sidOf(random, 'WK')),
      role: maybe(() => freeText(random, 20)),
    }),
    playback: () => ({
      grant: maybe(() => ({
        requestCredentials: null,
        playbackUrl: `https://example.invalid/${freeText(random, 30)}?token=${random.text(HEX, 8, 8)}`,
        playerStreamerSid: sidOf(random, 'VJ'),
        ...jsonObject(random, 1),
      })),
    }),
  };
  return { kind, options: options[kind]() };
}

/** An identity twilio-node and grantor both accept; Voice-safe when a Voice grant is present. */
function identityFor(random: Random, hasVoice: boolean): string | number {
  if (random.chance(0.2)) return hasVoice ? random.int(1, 1e15) : random.pick([-1, 1]) * random.int(1, 1e15);
  if (hasVoice) return random.chance(0.1) ? random.text(VOICE_SAFE, 121, 121) : random.text(VOICE_SAFE, 1, 30);
  if (random.chance(0.05)) return random.text(ASCII.slice(1), 256, 256);
  // At most 2 UTF-16 units per character, so 100 characters stay within the 256 limit.
  return random.text(random.chance(0.4) ? UNICODE : ASCII.slice(1), 1, 100).replace(/^ *$/, 'x');
}

interface DiffCase extends TokenInput {
  region: (typeof REGIONS)[number];
  /** Hand twilio-node's own grant objects to grantor's AccessToken, as a half-migrated app would. */
  foreignGrants: boolean;
  /** Pass the signer a GrantsSpec object instead of grant objects (only without duplicate keys). */
  specForm: boolean;
}

function createCase(random: Random): DiffCase {
  const grants = Array.from({ length: random.chance(0.1) ? 0 : random.int(1, 8) }, () => grantDraft(random));
  const nowMs = random.int(1_500_000_000_000, 2_000_000_000_000);
  const now = Math.floor(nowMs / 1000);
  const ttl = random.chance(0.2) ? undefined : random.chance(0.1) ? random.pick([1, 86_400]) : random.int(1, 86_400);
  const kinds = grants.map((grant) => grant.kind);
  return {
    nowMs,
    accountSid: sidOf(random, 'AC'),
    keySid: sidOf(random, 'SK'),
    secret: random.chance(0.4) ? random.text(UNICODE, 1, 40) : random.text(ASCII, 1, 64),
    identity: identityFor(random, kinds.includes('voice')),
    ttl,
    nbf: random.chance(0.5) ? random.int(now - 2 * 86_400, now + (ttl ?? 3600) - 1) : undefined,
    region: random.pick(REGIONS),
    grants,
    foreignGrants: random.chance(0.1),
    specForm: new Set(kinds).size === kinds.length && random.chance(0.5),
  };
}

const random = createRandom(seed);
const cases = Array.from({ length: caseCount }, () => createCase(random));
const replay = (index: number) => `case ${index} of seed ${seed}: ${JSON.stringify(cases[index])}`;

/** twilio-node's tokens for the cases, computed once on Node for every runtime. */
let oracleTokens: string[] | undefined;
function twilioNodeTokens(): string[] {
  if (!oracleTokens) {
    try {
      oracleTokens = cases.map((input) => {
        vi.spyOn(Date, 'now').mockReturnValue(input.nowMs);
        return twilioNodeToken(input);
      });
    } finally {
      vi.restoreAllMocks();
    }
  }
  return oracleTokens;
}

/** Per case: the drop-in AccessToken (with twilio-node's grant objects for foreignGrants), then the signer. */
const calls = cases.flatMap((input) => [
  accessTokenCall(input, input.foreignGrants ? 'twilio' : 'grantor'),
  signCall(input, input.specForm ? 'spec' : 'objects'),
]);

interface IssuedResult {
  token: string;
  identity: string;
  issuedAt: string;
  expiresAt: string;
  ttl: number;
  jti: string;
  keySid: string;
}

describeEachRuntime(`grantor and twilio-node sign the same bytes (seed ${seed})`, (grantor) => {
  it(
    `AccessToken.toJwt() and signer.sign() equal twilio-node's toJwt() on ${caseCount} random cases`,
    async () => {
      const expectedTokens = twilioNodeTokens();
      const outcomes = await grantor.run(calls);
      cases.forEach((input, index) => {
        const expected = expectedTokens[index];
        const accessToken = tokenOutcome(outcomes[2 * index]!);
        expect(accessToken, replay(index)).toEqual({ value: expected });
        const issued = outcomes[2 * index + 1] as Outcome<IssuedResult>;
        if (input.grants.length === 0) {
          // The signer refuses what no SDK accepts; the drop-in AccessToken does not.
          expectTokenErrorOutcome(issued, 'NO_GRANTS', 20106, replay(index));
          return;
        }
        const now = Math.floor(input.nowMs / 1000);
        const ttl = input.ttl ?? 3600;
        expect(issued.error, replay(index)).toBeUndefined();
        expect(issued.value!.token, replay(index)).toBe(expected);
        expect(issued.value, replay(index)).toMatchObject({
          identity: String(input.identity),
          issuedAt: new Date(now * 1000).toISOString(),
          expiresAt: new Date((now + ttl) * 1000).toISOString(),
          ttl,
          jti: twilioJti(input),
          keySid: input.keySid,
        });
      });
    },
    20_000 + caseCount * 5,
  );
});

describe('the random cases', () => {
  it('the random cases cover every input class the comparison claims to cover', () => {
    const count = (predicate: (input: DiffCase) => boolean) => cases.filter(predicate).length;
    const hasKind = (input: DiffCase, kind: GrantKind) => input.grants.some((grant) => grant.kind === kind);
    const coverage = {
      integerIdentity: count((input) => typeof input.identity === 'number'),
      negativeIntegerIdentity: count((input) => typeof input.identity === 'number' && input.identity < 0),
      unicodeIdentity: count((input) => typeof input.identity === 'string' && /[^\x20-\x7e]/.test(input.identity)),
      voiceIdentity121: count((input) => hasKind(input, 'voice') && String(input.identity).length === 121),
      identity256: count((input) => String(input.identity).length === 256),
      nonAsciiSecret: count((input) => /[^\x00-\x7f]/.test(input.secret)),
      defaultTtl: count((input) => input.ttl === undefined),
      maxTtl: count((input) => input.ttl === 86_400),
      nbf: count((input) => input.nbf !== undefined),
      noNbf: count((input) => input.nbf === undefined),
      ...Object.fromEntries(REGIONS.map((region) => [`region ${region}`, count((input) => input.region === region)])),
      noGrants: count((input) => input.grants.length === 0),
      ...Object.fromEntries(GRANT_KINDS.map((kind) => [kind, count((input) => hasKind(input, kind))])),
      emptyGrant: count((input) => input.grants.some((grant) => Object.values(grant.options).every((value) => value === undefined))),
      duplicateGrantKeys: count((input) => new Set(input.grants.map((grant) => grant.kind)).size < input.grants.length),
      voiceParams: count((input) => input.grants.some((grant) => grant.options.outgoingApplicationSid && grant.options.outgoingApplicationParams)),
      emptyVoiceParams: count((input) =>
        input.grants.some((grant) => grant.options.outgoingApplicationSid && Object.keys(grant.options.outgoingApplicationParams ?? { x: 1 }).length === 0),
      ),
      playbackObject: count((input) => input.grants.some((grant) => grant.options.grant)),
      foreignGrants: count((input) => input.foreignGrants && input.grants.length > 0),
      specForm: count((input) => input.specForm),
    };
    for (const [name, hits] of Object.entries(coverage)) expect(hits, name).toBeGreaterThanOrEqual(5);
  });
});
