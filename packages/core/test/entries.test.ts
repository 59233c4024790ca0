/** The two entries: the public API, and `@grantor/core/internal`, which only grantor's adapters import. */
import * as core from '@grantor/core';
import * as internal from '@grantor/core/internal';
import { describe, expect, it } from 'vitest';

const ADAPTER_INTERNALS = ['handleFetchRequest', 'queryOf', 'requireGetUser', 'textBody'];

describe('the package entries', () => {
  it('keeps what only adapters use out of the public entry', () => {
    for (const name of ADAPTER_INTERNALS) expect(Object.keys(core)).not.toContain(name);
  });

  it('has the adapters’ helpers, and only them, behind @grantor/core/internal', () => {
    expect(Object.keys(internal).sort()).toEqual(ADAPTER_INTERNALS);
  });

  it('still gives apps the routes for any framework and the origin rule', () => {
    expect(typeof core.createFetchHandler).toBe('function');
    expect(typeof core.createTokenHandler).toBe('function');
    expect(typeof core.isAllowedOrigin).toBe('function');
  });
});
