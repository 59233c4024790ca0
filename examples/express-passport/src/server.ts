import { announceDemo, demoServerConfig } from '@grantor/demo-kit';
import { createApp } from './app.js';

const config = demoServerConfig();

createApp(config).listen(config.port, (error?: Error) => {
  if (error) throw error;
  announceDemo('Express', config);
});
