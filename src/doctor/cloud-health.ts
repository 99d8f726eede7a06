/**
 * The running cloud's own health, asked the way its clients ask: the health route, a SigV4-signed
 * AWS API call with the admin key, the ECS runtime's state and its reach to the container engine
 * (as the cloud itself sees it, from `/_dockyard/health?engine=1`), and the OIDC issuer's
 * discovery document and signing keys.
 */
import { HEALTH_PATH } from '../http/router.js';
import { timed, messageOf, type Check } from './check.js';
import { diagnose, SETUP_ENGINE } from './diagnose.js';

/** The cloud to check, as the CLI finds it (endpoint.json and admin.json in its data directory). */
export interface CloudTarget {
  url: string;
  pid: number;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  /** Its log, for the fix of a cloud that does not answer. */
  log: string;
  /** `--data DIR` for the commands in fixes, when not the default. */
  dataFlag: string;
}

const TIMEOUT_MS = 5000;

interface Health {
  status?: string;
  ecsRuntime?: { state?: string; error?: string };
  engine?: { reachable?: boolean; name?: string; version?: string; ms?: number; error?: string };
}

async function getJson<T>(url: string): Promise<T> {
  const res = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!res.ok) throw new Error(`${url} answered HTTP ${res.status}`);
  return (await res.json()) as T;
}

export async function checkCloud(target: CloudTarget): Promise<Check[]> {
  const restart = `dockyard down${target.dataFlag} && dockyard up --detach${target.dataFlag} (its log: ${target.log})`;
  const checks: Check[] = [];
  const healthCheck = await timed(
    { id: 'cloud.health', group: 'cloud', name: 'health' },
    async () => {
      const started = Date.now();
      const answer = await getJson<Health>(`${target.url}${HEALTH_PATH}`);
      if (answer.status !== 'ok') throw new Error(`health answered ${JSON.stringify(answer).slice(0, 200)}`);
      return { status: 'pass', detail: `${target.url} answers (pid ${target.pid}, ${Date.now() - started} ms)` };
    },
    (error) => ({
      detail: `the cloud (pid ${target.pid}) does not answer at ${target.url}`,
      error: messageOf(error),
      fix: restart,
    }),
  );
  checks.push(healthCheck);
  if (healthCheck.status !== 'pass') {
    for (const [id, name] of [
      ['cloud.aws', 'AWS API'],
      ['cloud.ecs', 'ECS runtime'],
      ['cloud.oidc', 'OIDC issuer'],
    ] as const) {
      checks.push({ id, group: 'cloud', name, status: 'skip', detail: 'not run: the cloud does not answer', ms: 0 });
    }
    return checks;
  }
  checks.push(
    await timed(
      { id: 'cloud.aws', group: 'cloud', name: 'AWS API' },
      async () => {
        const { GetCallerIdentityCommand, STSClient } = await import('@aws-sdk/client-sts');
        const sts = new STSClient({
          endpoint: target.url,
          region: target.region,
          credentials: target.credentials,
          maxAttempts: 1,
        });
        try {
          const identity = await sts.send(new GetCallerIdentityCommand({}), {
            abortSignal: AbortSignal.timeout(TIMEOUT_MS),
          });
          return { status: 'pass', detail: `signed sts:GetCallerIdentity → ${identity.Arn ?? '?'}` };
        } finally {
          sts.destroy();
        }
      },
      (error) => ({ detail: 'a signed AWS API call with the admin key failed', error: messageOf(error), fix: restart }),
    ),
  );
  const ecsStarted = Date.now();
  const withEngine = await getJson<Health>(`${target.url}${HEALTH_PATH}?engine=1`).catch(() => undefined);
  checks.push({ ...ecsCheck(withEngine, restart), ms: Date.now() - ecsStarted });
  checks.push(
    await timed(
      { id: 'cloud.oidc', group: 'cloud', name: 'OIDC issuer' },
      async () => {
        const discovery = await getJson<{ issuer?: string; jwks_uri?: string }>(
          `${target.url}/.well-known/openid-configuration`,
        );
        const jwks = await getJson<{ keys?: unknown[] }>(`${target.url}/.well-known/jwks`);
        const keys = jwks.keys?.length ?? 0;
        if (!discovery.issuer || keys === 0)
          throw new Error(`issuer ${discovery.issuer ?? '(none)'} publishes ${keys} signing keys`);
        return { status: 'pass', detail: `${keys} signing key${keys === 1 ? '' : 's'}; issuer ${discovery.issuer}` };
      },
      (error) => ({ detail: 'the OIDC issuer cannot sign job tokens', error: messageOf(error), fix: restart }),
    ),
  );
  return checks;
}

/** The ECS runtime's part of the health answer, as a check. */
function ecsCheck(health: Health | undefined, restart: string): Check {
  const base = { id: 'cloud.ecs', group: 'cloud', name: 'ECS runtime', ms: 0 } as const;
  const runtime = health?.ecsRuntime;
  const engine = health?.engine;
  if (!health) return { ...base, status: 'fail', detail: 'the cloud stopped answering its health route', fix: restart };
  if (!runtime)
    return {
      ...base,
      status: 'skip',
      detail: 'this cloud does not report its ECS runtime (it runs an older dockyard)',
    };
  if (runtime.state === 'off')
    return { ...base, status: 'skip', detail: 'this cloud runs without the ECS runtime (tasks stay records)' };
  if (runtime.state === 'failed') {
    return {
      ...base,
      status: 'fail',
      detail: 'the ECS runtime did not start: no task will run',
      error: runtime.error ?? '',
      fix: `${SETUP_ENGINE}, then ${restart}`,
    };
  }
  if (engine && !engine.reachable) {
    const known = diagnose(engine.error ?? '');
    return {
      ...base,
      status: 'fail',
      detail: `the cloud cannot reach its container engine${known ? `: ${known.what}` : ''}`,
      error: engine.error ?? '',
      fix: known?.fix ?? SETUP_ENGINE,
    };
  }
  const reach = engine
    ? `; it reaches ${engine.name ?? 'the engine'} ${engine.version ?? ''} in ${engine.ms ?? '?'} ms`
    : '';
  return { ...base, status: 'pass', detail: `${runtime.state ?? '?'}${reach}` };
}
