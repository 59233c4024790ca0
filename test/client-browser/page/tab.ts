// One tab of the cross-tab test: a token source for the lobby, shared across tabs or not.
import { expose, tokenSource } from './common.js';

expose({
  async getToken(shareAcrossTabs: boolean): Promise<string> {
    return (await tokenSource({ room: 'lobby' }, { shareAcrossTabs }).getToken()).token;
  },
});
