import type { Command } from 'commander';
import { registerQuery } from '../audit-log/audit-query.js';
import { registerRecord } from '../audit-log/audit-record.js';
import { registerReplay } from '../audit-log/audit-replay.js';
import { registerStats } from '../audit-log/audit-stats.js';
import { registerVerify } from '../audit-log/audit-verify.js';
import type { CommandModule } from '../command-module.js';
import type { CliIO } from '../io.js';

/** `dotbus audit record|query|verify|replay|stats`: the audit log of `dotbus/audit`. */
export const auditCommand: CommandModule = {
  name: 'audit',
  register(program: Command, io: CliIO): void {
    const audit = program
      .command('audit')
      .description('the audit log: record a namespace, query it, verify its hash chain, replay it, show its totals (default log: ./dotbus-audit.db)')
      .addHelpText(
        'after',
        "\nExamples:\n  dotbus audit record --redis redis://127.0.0.1:6379 --namespace shop --durable\n  dotbus audit query 'order.*' --from 2025-05-01T00:00:00Z --limit 20\n" +
          '  dotbus audit verify\n  dotbus audit replay --redis redis://127.0.0.1:6379 --namespace shop-replay --speed 10x\n  dotbus audit stats --db postgres://audit@db.internal/audit',
      );
    registerRecord(audit, io);
    registerQuery(audit, io);
    registerVerify(audit, io);
    registerReplay(audit, io);
    registerStats(audit, io);
  },
};
