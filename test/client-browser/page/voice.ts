// The Voice SDK's Device, fed by a token source: the test's fake signaling server drives it.
import { Device } from '@twilio/voice-sdk';
import { expose, logEvents, tokenSource } from './common.js';

let device: Device | undefined;

expose({
  /** Gets a token, makes a Device with it, attaches the source and registers (the fake answers). */
  async start(): Promise<string> {
    const source = tokenSource({ sdk: 'voice' });
    const { token } = await source.getToken();
    device = new Device(token, { logLevel: 'error' });
    logEvents(device, ['tokenWillExpire', 'registered', 'unregistered', 'error']);
    source.attach(device);
    await device.register();
    return token;
  },
  deviceToken: () => device?.token,
});
