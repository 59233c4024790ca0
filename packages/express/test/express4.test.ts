import { createRequire } from 'node:module';
import express from 'express';
import express4 from 'express4';
import { describe, expect, test, vi } from 'vitest';
import { createTokenRoute } from '../src/index.js';
import { describeTokenRouteContract } from './contract.js';

// Every `express` import in this file's module graph, the route's included, gets Express 4.
vi.mock('express', async () => await import('express4'));

describe('createTokenRoute on Express 4.16.0, the oldest 4.x the peer range allows', () => {
  test('the route is built with Express 4', async () => {
    const express5 = await vi.importActual<typeof express4>('express');
    const [route] = createTokenRoute({
      credentials: { accountSid: `AC${'a'.repeat(32)}`, keys: { sid: `SK${'b'.repeat(32)}`, secret: 's' } },
      policy: () => false,
    });
    expect(express).toBe(express4);
    expect(Object.getPrototypeOf(route)).toBe(Object.getPrototypeOf(express4.Router()));
    expect(Object.getPrototypeOf(route)).not.toBe(Object.getPrototypeOf(express5.Router()));
    expect(createRequire(import.meta.url)('express4/package.json').version).toBe('4.16.0');
  });

  describeTokenRouteContract();
});
