import { Option, type Command } from 'commander';
import type { AclMechanism } from '../../redis/index.js';
import { cliErrorOf } from '../cli-error.js';
import type { CommandModule } from '../command-module.js';
import type { CliIO } from '../io.js';
import { loadRedis } from '../redis-module.js';

interface AclFlags {
  readonly mechanism: 'pubsub' | 'streams' | 'both';
  readonly user?: string;
}

/**
 * `dotbus acl NAMESPACE`: the `ACL SETUSER` line of a tenant's Redis user, from the same rules as
 * `aclRulesFor` (no connection is made).
 */
export const aclCommand: CommandModule = {
  name: 'acl',
  register(program: Command, io: CliIO): void {
    program
      .command('acl')
      .description("print the ACL SETUSER line of a Redis user limited to one namespace: its channels, keys and the commands dotbus sends")
      .argument('<namespace>', 'the tenant\'s namespace (--namespace of the other commands)')
      .addOption(new Option('--mechanism <mechanism>', 'the transports the user runs').choices(['pubsub', 'streams', 'both']).default('both'))
      .option('--user <name>', 'the Redis user name (default: the namespace)')
      .addHelpText('after', "\nThe password is left out: add it once with ACL SETUSER NAME >PASSWORD.\nPub/Sub consumers of such a user need --subscribe-to namespace (subscribeTo: 'namespace').\n\nExample:\n  dotbus acl shop --user shop-svc | redis-cli")
      .action((namespace: string, flags: AclFlags) => runAcl(namespace, flags, io));
  },
};

async function runAcl(namespace: string, flags: AclFlags, io: CliIO): Promise<void> {
  const { aclRulesFor, aclSetUserCommand } = await loadRedis('acl');
  const mechanism: readonly AclMechanism[] = flags.mechanism === 'both' ? ['pubsub', 'streams'] : [flags.mechanism];
  const user = flags.user ?? namespace;
  let line: string;
  try {
    line = aclSetUserCommand(user, aclRulesFor({ namespace, mechanism }));
  } catch (e) {
    throw cliErrorOf(e, 'acl');
  }
  io.stdout.write(`${line}\n`);
  io.stderr.write(`dotbus: no password is set; add it once with: ACL SETUSER ${user} >PASSWORD\n`);
}
