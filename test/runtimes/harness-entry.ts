/**
 * The entry bundled for workerd, the Edge VM, Bun and Deno: grantor imported as an app imports it
 * (`@grantor/core`, resolved by esbuild to the built dist), the shared interpreter, and twilio-node's
 * grant classes. A Worker's fetch handler; `globalThis.__grantorHarness` for the Edge VM and the stdio host.
 */
import * as core from '@grantor/core';
// twilio-node's AccessToken module; bundle.ts stubs its jsonwebtoken, which only toJwt() uses.
import TwilioAccessToken from 'twilio/lib/jwt/AccessToken.js';
import { executeJson, type Implementation } from './calls.js';

const implementation: Implementation = {
  core,
  // Appended to the dist by bundle.ts: the module's own `cryptoRuntime`, not a copy of its logic.
  cryptoRuntimeName: (core as unknown as { __cryptoRuntime?: { name: string } }).__cryptoRuntime?.name,
  twilioAccessToken: TwilioAccessToken as unknown as Implementation['twilioAccessToken'],
};

export const runJson = (callsJson: string): string => executeJson(implementation, callsJson);

(globalThis as { __grantorHarness?: unknown }).__grantorHarness = { runJson };

export default {
  async fetch(request: Request): Promise<Response> {
    if (request.method !== 'POST') return new Response('POST a JSON array of calls', { status: 405 });
    return new Response(runJson(await request.text()), { headers: { 'content-type': 'application/json' } });
  },
};
