import { createRequire } from 'node:module';
import express from 'express';
import express50 from 'express5-0';
import { describe, expect, test, vi } from 'vitest';
import { describeTokenRouteContract } from './contract.js';

// Every `express` import in this file's module graph, the route's included, gets Express 5.0.0.
vi.mock('express', async () => await import('express5-0'));

describe('createTokenRoute on Express 5.0.0, the oldest 5.x the peer range allows', () => {
  test('the route is built with Express 5.0.0', () => {
    expect(express).toBe(express50);
    expect(createRequire(import.meta.url)('express5-0/package.json').version).toBe('5.0.0');
  });

  describeTokenRouteContract();
});
