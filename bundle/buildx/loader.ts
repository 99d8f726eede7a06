/**
 * The smallest AMD loader for dockyard's buildx plugin bundle: tsc writes the plugin's modules
 * into one file as `define(name, deps, factory)` calls (module "amd" with outFile); this file
 * comes first and defines `define`, start.ts comes last and runs the entry module. Node's own
 * modules (`node:…`) come from Node's require. A script, not a module: it shares the bundle's scope.
 */
type Factory = (...deps: unknown[]) => void;
const amdModules = new Map<string, { deps: string[]; factory: Factory; exports?: Record<string, unknown> }>();

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by the modules tsc writes after this script
function define(name: string, deps: string[], factory: Factory): void {
  amdModules.set(name, { deps, factory });
}

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- called by start.ts, a later script of the bundle
function amdRequire(name: string): unknown {
  const found = amdModules.get(name);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- Node's own modules, in the CommonJS bundle
  if (!found) return require(name);
  if (found.exports) return found.exports;
  const exports: Record<string, unknown> = {};
  found.exports = exports;
  const args = found.deps.map((dep) =>
    dep === 'require' ? amdRequire : dep === 'exports' ? exports : amdRequire(dep),
  );
  found.factory(...args);
  return exports;
}
