import Fastify from 'fastify';
import { describe } from 'vitest';
import { describeFastifyPlugin } from './contract.js';

describe('@grantor/fastify on Fastify 5 (newest)', () => describeFastifyPlugin(() => Fastify()));
