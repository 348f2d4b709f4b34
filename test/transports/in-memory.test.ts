import { InMemoryTransport } from '../../src/index.js';
import { describePromises } from '../conformance/promises.js';
import { describeTransport } from '../conformance/transport-suite.js';

describeTransport('InMemory', { crossInstance: false, durable: false }, async () => new InMemoryTransport());
describePromises('InMemory', { delivers: true, options: { queue: 'honoured', waitPolicy: 'honoured', maxInFlight: 'honoured' } }, async () => new InMemoryTransport());
