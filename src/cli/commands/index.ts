import type { CommandModule } from '../command-module.js';
import { aclCommand } from './acl.js';
import { auditCommand } from './audit.js';
import { alertsCommand } from './alerts.js';
import { demoCommand } from './demo.js';
import { keysCommand } from './keys.js';
import { metricsCommand } from './metrics.js';
import { publishCommand } from './publish.js';
import { replayCommand } from './replay.js';
import { schemaCommand } from './schema.js';
import { tailCommand } from './tail.js';

/** Every `dotbus` sub-command, in `--help` order. Add a new command's module here. */
export const COMMANDS: readonly CommandModule[] = [demoCommand, tailCommand, publishCommand, replayCommand, metricsCommand, schemaCommand, alertsCommand, auditCommand, keysCommand, aclCommand];
