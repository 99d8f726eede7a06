/**
 * The console's pages as paths: what a path names (parsed) and the path of a page (built).
 * The server serves the same app for every path; this decides what it draws.
 */
import { CONSOLE_PREFIX } from '../contract.js';

export type Route =
  | { page: 'services' }
  | { page: 'service'; cluster: string; name: string }
  | { page: 'task'; cluster: string; id: string }
  | { page: 'repositories' }
  | { page: 'repository'; name: string }
  | { page: 'run'; id: number; attempt?: number; job?: number; step?: number }
  | { page: 'trust' }
  | { page: 'role'; name: string }
  | { page: 'images' }
  | { page: 'image'; name: string }
  | { page: 'missing'; path: string };

/** The page a location names. */
export function parseRoute(pathname: string, search: string): Route {
  const path = pathname.startsWith(CONSOLE_PREFIX) ? pathname.slice(CONSOLE_PREFIX.length) : pathname;
  const parts = path
    .split('/')
    .filter((p) => p !== '')
    .map((p) => decodeURIComponent(p));
  const query = new URLSearchParams(search);
  const number = (name: string) => {
    const value = query.get(name);
    return value !== null && /^\d+$/.test(value) ? Number(value) : undefined;
  };
  const [first, ...rest] = parts;
  switch (first) {
    case undefined:
    case 'services':
      if (rest.length === 2 && rest[0] && rest[1]) return { page: 'service', cluster: rest[0], name: rest[1] };
      if (rest.length === 0) return { page: 'services' };
      break;
    case 'tasks':
      if (rest.length === 2 && rest[0] && rest[1]) return { page: 'task', cluster: rest[0], id: rest[1] };
      break;
    case 'pipelines':
      if (rest.length === 0) return { page: 'repositories' };
      if (rest.length === 2) return { page: 'repository', name: rest.join('/') };
      break;
    case 'runs':
      if (rest.length === 1 && /^\d+$/.test(rest[0] ?? ''))
        return {
          page: 'run',
          id: Number(rest[0]),
          attempt: number('attempt'),
          job: number('job'),
          step: number('step'),
        };
      break;
    case 'trust':
      if (rest.length === 0) return { page: 'trust' };
      if (rest.length === 2 && rest[0] === 'roles' && rest[1]) return { page: 'role', name: rest[1] };
      break;
    case 'images':
      if (rest.length === 0) return { page: 'images' };
      return { page: 'image', name: rest.join('/') };
  }
  return { page: 'missing', path };
}

const enc = encodeURIComponent;

/** Paths of the console's pages. */
export const paths = {
  services: () => `${CONSOLE_PREFIX}/`,
  service: (cluster: string, name: string) => `${CONSOLE_PREFIX}/services/${enc(cluster)}/${enc(name)}`,
  task: (cluster: string, id: string) => `${CONSOLE_PREFIX}/tasks/${enc(cluster)}/${enc(id)}`,
  repositories: () => `${CONSOLE_PREFIX}/pipelines`,
  repository: (name: string) => `${CONSOLE_PREFIX}/pipelines/${name.split('/').map(enc).join('/')}`,
  run: (id: number, options: { attempt?: number; job?: number; step?: number } = {}) => {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(options)) if (value !== undefined) query.set(key, String(value));
    const search = query.toString();
    return `${CONSOLE_PREFIX}/runs/${id}${search ? `?${search}` : ''}`;
  },
  trust: () => `${CONSOLE_PREFIX}/trust`,
  role: (name: string) => `${CONSOLE_PREFIX}/trust/roles/${enc(name)}`,
  images: () => `${CONSOLE_PREFIX}/images`,
  image: (name: string) => `${CONSOLE_PREFIX}/images/${name.split('/').map(enc).join('/')}`,
};

/** The stream a route follows: its view's name and parameters. */
export function viewOf(route: Route): { view: string; params: Record<string, string> } | undefined {
  switch (route.page) {
    case 'services':
    case 'repositories':
    case 'trust':
    case 'images':
      return { view: route.page, params: {} };
    case 'service':
      return { view: 'service', params: { cluster: route.cluster, name: route.name } };
    case 'task':
      return { view: 'task', params: { cluster: route.cluster, id: route.id } };
    case 'repository':
    case 'role':
    case 'image':
      return { view: route.page, params: { name: route.name } };
    case 'run': {
      const params: Record<string, string> = { id: String(route.id) };
      if (route.attempt !== undefined) params.attempt = String(route.attempt);
      if (route.job !== undefined && route.step !== undefined) {
        params.job = String(route.job);
        params.step = String(route.step);
      }
      return { view: 'run', params };
    }
    case 'missing':
      return undefined;
  }
}
