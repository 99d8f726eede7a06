/**
 * The engine as a whole: ping (with Docker's OSType header), version, info and disk usage pass; the event stream is
 * narrowed to the job's objects; `docker login` goes to the login hook first (the cloud answers
 * for its own registry hostnames), then to the engine with the registry mapped; an accepted
 * login is remembered for the registry's other name (image-names.ts RegistryLogins).
 */
import { encode, forwardTo, jsonBody, withJobFilter, type Call, type Handler } from './call.js';
import { mapRegistryHost } from './image-names.js';
import { canonicalKeys, stringAt } from './json-input.js';

const auth: Handler = async (call) => {
  const body = canonicalKeys(await jsonBody(call, 'login'), ['username', 'password', 'serveraddress'], 'login');
  const login = {
    username: stringAt(body, 'username', 'login'),
    password: stringAt(body, 'password', 'login'),
    serverAddress: stringAt(body, 'serveraddress', 'login'),
  };
  const engineAddress = mapRegistryHost(login.serverAddress, call.ctx.registries);
  const credential = { username: login.username, password: login.password };
  const answer = await call.ctx.login?.(login);
  if (answer?.ok) {
    call.ctx.registryLogins.remember(engineAddress, credential);
    return {
      kind: 'answer',
      status: 200,
      body: { Status: 'Login Succeeded', IdentityToken: answer.identityToken ?? '' },
    };
  }
  // Docker answers a refused login with 401 and the registry's reason.
  if (answer) return { kind: 'answer', status: 401, body: { message: answer.message } };
  return forwardTo(call, '/auth', {
    body: encode({ ...body, serveraddress: engineAddress }),
    after: (status) => {
      if (status < 300) call.ctx.registryLogins.remember(engineAddress, credential);
    },
  });
};

export const SYSTEM_HANDLERS = {
  // Podman 4.3 leaves out Docker's OSType header, without which the docker CLI cannot parse --device ("unknown server OS").
  SystemPing: async (call: Call) => forwardTo(call, '/_ping', { responseHeaders: { OSType: 'linux' } }),
  SystemVersion: async (call: Call) => forwardTo(call, '/version'),
  SystemInfo: async (call: Call) => forwardTo(call, '/info'),
  SystemDataUsage: async (call: Call) => forwardTo(call, '/system/df'),
  SystemEvents: async (call: Call) => forwardTo(call, '/events', {}, withJobFilter(call)),
  SystemAuth: auth,
} satisfies Record<string, Handler>;
