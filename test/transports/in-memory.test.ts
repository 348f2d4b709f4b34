import { InMemoryTransport } from '../../src/index.js';
import { describeTransport } from '../conformance/transport-suite.js';

describeTransport('InMemory', { crossInstance: false, durable: false }, async () => new InMemoryTransport());
