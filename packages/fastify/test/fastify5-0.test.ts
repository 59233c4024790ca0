// The oldest Fastify the peer range claims (^5.0.0), installed as the `fastify5-0` alias.
import Fastify from 'fastify5-0';
import type { FastifyInstance } from 'fastify';
import { describe } from 'vitest';
import { describeFastifyPlugin } from './contract.js';

describe('@grantor/fastify on Fastify 5.0.0', () => describeFastifyPlugin(() => Fastify() as unknown as FastifyInstance));
