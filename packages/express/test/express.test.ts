import { describe } from 'vitest';
import { describeTokenRouteContract } from './contract.js';

describe('createTokenRoute on Express 5', describeTokenRouteContract);
