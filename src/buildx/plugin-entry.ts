/** The plugin's process: runs {@link runPlugin} on this process's arguments and exits with its code. */
import { runPlugin } from './main.js';

void runPlugin(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  stdin: process.stdin,
  env: process.env,
}).then((code) => {
  process.exitCode = code;
});
