import { afterAll, beforeAll } from 'vitest';
import { openPostgresStore } from '../../../src/audit/index.js';
import { describeAuditStore } from '../../conformance/audit-store-suite.js';
import { postgresAvailability, startPostgres, type PostgresServer } from '../../helpers/postgres/postgres-server.js';

const { skip } = postgresAvailability();
let server: PostgresServer | undefined;
let n = 0;

beforeAll(async () => {
  if (skip === undefined) server = await startPostgres();
}, 120_000);
afterAll(async () => {
  await server?.stop();
});

describeAuditStore(
  'postgres',
  async () => {
    const name = `log_${++n}`;
    const url = await server!.createDatabase(name);
    const store = await openPostgresStore({ url, checkpointEvery: 10 });
    return { store, tamper: (sql) => void server!.psql(sql, url) };
  },
  skip,
);
