/**
 * `dockyard console`: where the web console is, and a one-time login link for it (valid five
 * minutes, once), so nobody has to paste the admin key into a browser. The running cloud
 * makes the link when asked with the admin key; the link's token is never written to disk.
 */
import { basicAuthorization } from '../control/admin-auth.js';
import { CONSOLE_PREFIX } from '../console/contract.js';
import { resolveDataDir } from '../cloud/config.js';
import { cloudSession } from './cloud-session.js';
import { CliError, DATA_OPTION, parseFlags, stringFlag, type Command } from './command.js';

const USAGE = `Usage: dockyard console [--data DIR] [--json]

Prints the web console's address (${CONSOLE_PREFIX}/ on the cloud) and a one-time login link:
open it in a browser on this machine within five minutes. Without the link, the console's
login form takes the admin key (\`dockyard env\` prints it).`;

/** The console's address on a cloud at `url`. */
export function consoleUrl(url: string): string {
  return `${url}${CONSOLE_PREFIX}/`;
}

export const consoleCommand: Command = {
  name: ['console'],
  usage: USAGE,
  async run(argv) {
    const flags = parseFlags(argv, { ...DATA_OPTION, json: { type: 'boolean' } }, USAGE);
    if (!flags) return 0;
    const { cloud, admin } = cloudSession(resolveDataDir(stringFlag(flags, 'data')));
    let response: Response;
    try {
      response = await fetch(`${cloud.url}${CONSOLE_PREFIX}/links`, {
        method: 'POST',
        headers: { authorization: basicAuthorization(admin) },
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new CliError(`the cloud at ${cloud.url} did not answer: ${(error as Error).message}`);
    }
    const body = (await response.json().catch(() => ({}))) as { url?: string; message?: string };
    if (response.status !== 201 || !body.url)
      throw new CliError(`the cloud refused a login link: ${body.message ?? `HTTP ${response.status}`}`);
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ console: consoleUrl(cloud.url), link: body.url }, null, 2)}\n`);
      return 0;
    }
    process.stdout.write(
      `The console: ${consoleUrl(cloud.url)}\n` +
        `Log in with this one-time link (valid 5 minutes, once; only on this machine):\n  ${body.url}\n`,
    );
    return 0;
  },
};
