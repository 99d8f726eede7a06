/**
 * The step agent: a small program that runs inside a job container of the runner image (as its
 * main process, with the image's Node) and starts the job's step processes on the runner's
 * behalf, so a step costs a process spawn instead of an engine exec session (~10 ms instead of
 * ~90 ms with Podman and runc; the seed's workflow starts a dozen processes).
 *
 * It listens on a unix socket in the runner's directory (mounted into the container); the
 * runner connects once, right after the container starts, and keeps that one connection: a step
 * that later replaces the socket file reaches nothing. Messages are JSON lines:
 *   runner → agent  {t:"spawn", id, file, args, env, cwd} | {t:"kill", id, signal}
 *   agent → runner  {t:"ready"} | {t:"out", id, s:"o"|"e", d:<base64>} | {t:"exit", id, code, signal, error?}
 * Each process is its own process group (a kill reaches everything a step started); output
 * from a step's background children is read for 500 ms after it exits, as on the host.
 * Only Node's built-in modules: this file alone is mounted into the container.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';

const OUTPUT_DRAIN_MS = 500;
/** The most one message line may be (a spawn carries the step's environment). */
const MAX_LINE = 16 * 1024 * 1024;

interface Spawn {
  t: 'spawn';
  id: number;
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
}

interface Kill {
  t: 'kill';
  id: number;
  signal: NodeJS.Signals;
}

const socketPath = process.argv[2];
if (socketPath === undefined) {
  process.stderr.write('usage: step-agent SOCKET\n');
  process.exit(2);
}

const children = new Map<number, ChildProcess>();
let served = false;

const server = createServer((socket) => {
  // One runner, one connection: later ones are refused.
  if (served) return void socket.destroy();
  served = true;
  server.close();
  serve(socket);
});
rmSync(socketPath, { force: true });
server.listen(socketPath);

function serve(socket: Socket): void {
  const send = (message: object) => socket.write(`${JSON.stringify(message)}\n`);
  let pending = '';
  socket.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    if (pending.length > MAX_LINE) return void socket.destroy();
    let newline: number;
    while ((newline = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      let message: Spawn | Kill;
      try {
        message = JSON.parse(line) as Spawn | Kill;
      } catch {
        continue;
      }
      if (message.t === 'spawn') start(message, send);
      else if (message.t === 'kill') signalGroup(children.get(message.id), message.signal);
    }
  });
  // The runner went away: the job is over, its container is being removed.
  socket.on('close', () => {
    for (const child of children.values()) signalGroup(child, 'SIGKILL');
    process.exit(0);
  });
  socket.on('error', () => undefined);
  send({ t: 'ready' });
}

function signalGroup(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  if (child?.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // the group has exited
  }
}

function start(message: Spawn, send: (message: object) => void): void {
  let child: ChildProcess;
  try {
    child = spawn(message.file, message.args, {
      cwd: message.cwd,
      env: message.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    send({
      t: 'exit',
      id: message.id,
      code: null,
      signal: null,
      error: error instanceof Error ? error.message : String(error),
    });
    return;
  }
  children.set(message.id, child);
  const streams = [
    { stream: child.stdout, s: 'o' },
    { stream: child.stderr, s: 'e' },
  ];
  const ended = streams.map(
    ({ stream, s }) =>
      new Promise<void>((resolve) => {
        stream?.on('data', (data: Buffer) => send({ t: 'out', id: message.id, s, d: data.toString('base64') }));
        stream?.once('end', resolve);
        stream?.once('close', resolve);
        stream?.once('error', () => resolve());
      }),
  );
  let finished = false;
  const finish = (result: object) => {
    if (finished) return;
    finished = true;
    children.delete(message.id);
    send({ t: 'exit', id: message.id, ...result });
  };
  child.once('error', (error) => finish({ code: null, signal: null, error: error.message }));
  child.once('exit', (code, signal) => {
    let timer: NodeJS.Timeout | undefined;
    const drained = new Promise<void>((resolve) => (timer = setTimeout(resolve, OUTPUT_DRAIN_MS)));
    void Promise.race([Promise.all(ended), drained]).then(() => {
      if (timer !== undefined) clearTimeout(timer);
      child.stdout?.destroy();
      child.stderr?.destroy();
      // Leftover processes of the group are the job's end's to kill (the container goes).
      finish({ code, signal });
    });
  });
}
