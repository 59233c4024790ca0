import { announceDemo, demoServerConfig } from '@grantor/demo-kit';
import { createApp } from './app.js';

const config = demoServerConfig();

createApp(config).listen(config.port, () => announceDemo('Koa', config));
