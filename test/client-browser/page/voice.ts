// The Voice SDK's Device, fed by a token source: the test's fake signaling server drives it.
import { Device } from '@twilio/voice-sdk';
import { expose, forgetSource, getTokens, logEvents, pageSource, type StartOptions } from './common.js';

const params = { sdk: 'voice' };
/** Every Device the page made, the last one last. */
const devices: Device[] = [];

expose({
  tokens: getTokens.bind(null, params),
  /** Makes a Device with the source's token, attaches the source and registers (the fake answers). */
  async start({ tokenRefreshMs }: StartOptions = {}): Promise<string> {
    const source = pageSource(params);
    const { token } = await source.getToken();
    const device = new Device(token, { logLevel: 'error', ...(tokenRefreshMs ? { tokenRefreshMs } : {}) });
    devices.push(device);
    logEvents(device, ['tokenWillExpire', 'registered', 'unregistered', 'error']);
    source.attach(device);
    await device.register();
    return token;
  },
  /** A token from the page's source (after a login as someone else, say). */
  getToken: async () => (await pageSource(params).getToken()).token,
  /** Logout as the README says, less `device.destroy()`: the Device stays, to show nothing reaches it. */
  logout() {
    pageSource(params).close();
    forgetSource();
  },
  /** Each Device's token and identity, and its tokenWillExpire listeners (the page's log, and the source's while attached). */
  devices: () => devices.map((device) => ({ token: device.token, identity: device.identity, expiryListeners: device.listenerCount('tokenWillExpire') })),
});
