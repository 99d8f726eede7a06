/**
 * Finds the directory of the action a step `uses:`, as GitHub's runner does, with the built-ins
 * as the offline fallback:
 * - `./path`: in the job's workspace (after a checkout), as on GitHub;
 * - `owner/name[/path]@ref`, in this order:
 *   1. a copy pinned in the action cache: one `dockyard actions add` made for that ref, or, for a
 *      full commit SHA, that commit downloaded before (a commit never changes: no server asked);
 *   2. this cloud's own git hosting, when it hosts `owner/name` (it stands in for github.com, as
 *      for reusable workflows): resolved and cached as from the actions server (3.), and a ref it
 *      lacks is not looked for elsewhere but the built-ins (the hosted repository is that one);
 *   3. the actions server (./action-server.ts): the tag (before a branch of the same name, as
 *      git resolves names) or branch is looked up, its commit downloaded once into the action
 *      cache ("Download action repository 'owner/name@ref' (SHA:…)", GitHub's line) and the ref
 *      recorded; a full SHA is fetched as it is. A short SHA is refused with GitHub's message;
 *   4. when the server cannot be reached: the commit that ref named when last resolved, with a
 *      notice (a branch may have moved since; it is resolved again once the server answers);
 *   5. dockyard's built-in action (./builtin-actions.ts): by ref, by major, or by the commit of
 *      a release it mirrors;
 *   else the step fails with GitHub's message for what the server said, or says how to add a copy.
 * - `docker://image`: refused (container actions are not supported).
 *
 * The resolved directory is a host directory (the action cache or builtin-actions/), which a job
 * container mounts read-only.
 */
import { realpathSync, rmSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { makePrivateDir } from '../../store/private-files.js';
import { type ActionCache, parseActionSpec, type ActionSpec } from '../action-cache.js';
import type { ActionServer, ActionServerChoice } from './action-server.js';
import { actionFile, type BuiltinActions } from './builtin-actions.js';
import { ActionCacheFullError, type DownloadedActions, type RefKind } from './downloaded-actions.js';
import {
  DEFAULT_DOWNLOAD_LIMITS,
  downloadCommit,
  listRemoteRefs,
  RemoteActionError,
  type DownloadLimits,
  type RemoteRefs,
} from './remote-repository.js';

export { actionFile } from './builtin-actions.js';

/** A `uses:` that cannot be run; the message is meant for the job log. */
export class ActionResolutionError extends Error {
  override readonly name = 'ActionResolutionError';
}

export interface ResolvedAction {
  /** The directory holding action.yml. */
  dir: string;
  /** For GITHUB_ACTION_REPOSITORY / GITHUB_ACTION_REF: empty for local actions, as on GitHub. */
  repository: string;
  ref: string;
  /** Where it came from, for the log. */
  source: 'local' | 'cache' | 'server' | 'builtin';
  /** The commit it is, when known. */
  sha?: string;
}

/** What one job's resolutions share. */
export interface ResolutionContext {
  workspace: string;
  /** A line in the job's log. */
  log(line: string): void;
  /** A notice: in the log and as an annotation of the run. */
  notice(message: string): void;
  /** The job's memory: once the server could not be reached, its later actions do not wait for it again; an action that failed to resolve fails again without a second try. */
  session: ResolutionSession;
}

/** What a job's resolutions remember. */
export interface ResolutionSession {
  serverDown?: string;
  failed?: Map<string, ActionResolutionError>;
}

export interface ResolverDeps {
  /** Copies added by hand (`dockyard actions add`). */
  cache: ActionCache;
  downloads: DownloadedActions;
  builtins: BuiltinActions;
  /** The server to use, read at each resolution. */
  server: () => ActionServerChoice;
  /**
   * This cloud's git hosting as a server for `repository`, when it hosts it (its bare directory,
   * read locally): a hosted repository is asked before the actions server, as reusable
   * workflows are read from it (decision 79).
   */
  hosted?: (repository: string) => ActionServer | undefined;
  limits?: Partial<DownloadLimits>;
  now: () => Date;
}

const FULL_SHA = /^[0-9a-f]{40}$/i;
/** How long a server that ran out of time is left alone. */
const SILENT_SERVER_MS = 60_000;
/** A ref git would take for an abbreviated commit name. */
const SHORT_SHA = /^[0-9a-f]{4,39}$/i;

/** Why the server could not give the action, for the fallback's log line and the final error. */
type ServerMiss =
  | { kind: 'off' }
  | { kind: 'unreachable'; server: ActionServer; reason: string }
  | { kind: 'answered'; server: ActionServer; error: RemoteActionError | 'version' };

export class ActionResolver {
  private readonly limits: DownloadLimits;
  /** Downloads under way, by `owner/name@sha`: concurrent jobs share one. */
  private readonly downloading = new Map<string, Promise<string>>();
  /** A server that let a call run out of time is not asked again for a while: every job would wait as long. */
  private silentServer: { url: string; until: number; reason: string } | undefined;

  constructor(private readonly deps: ResolverDeps) {
    this.limits = { ...DEFAULT_DOWNLOAD_LIMITS, ...deps.limits };
  }

  get builtins(): BuiltinActions {
    return this.deps.builtins;
  }

  async resolve(uses: string, context: ResolutionContext): Promise<ResolvedAction> {
    const failed = context.session.failed?.get(uses);
    if (failed !== undefined) throw failed;
    try {
      return await this.resolveOnce(uses, context);
    } catch (error) {
      if (error instanceof ActionResolutionError && !uses.startsWith('./'))
        (context.session.failed ??= new Map()).set(uses, error);
      throw error;
    }
  }

  private async resolveOnce(uses: string, context: ResolutionContext): Promise<ResolvedAction> {
    if (uses.startsWith('docker://'))
      throw new ActionResolutionError(
        `Container actions are not supported by dockyard: ${uses} (run the image in a step: docker run)`,
      );
    if (uses.startsWith('./') || uses === '.') return resolveLocal(uses, context.workspace);
    let spec: ActionSpec;
    try {
      spec = parseActionSpec(uses);
    } catch {
      throw new ActionResolutionError(`Expected format {org}/{repo}[/path]@ref. Actual '${uses}'`);
    }
    const repository = `${spec.owner}/${spec.name}`;
    const action = `${repository}@${spec.ref}`;
    const fullSha = FULL_SHA.test(spec.ref) ? spec.ref.toLowerCase() : undefined;
    const found = (dir: string, source: ResolvedAction['source'], sha?: string): ResolvedAction => ({
      dir: inside(dir, spec.path),
      repository,
      ref: spec.ref,
      source,
      ...(sha ? { sha } : {}),
    });

    // 1. Pinned in the cache.
    const pinned =
      fullSha === undefined
        ? this.deps.cache.lookup({ ...spec, path: '' })
        : this.deps.downloads.cachedCommit(repository, fullSha);
    if (pinned !== undefined) {
      context.log(
        fullSha === undefined
          ? `Use action '${action}' added to the action cache (dockyard actions add)`
          : `Use action repository '${action}' (SHA:${fullSha}) from the action cache`,
      );
      return found(pinned, 'cache', fullSha);
    }

    // 2. This cloud's git hosting, else the actions server.
    const hosted = this.deps.hosted?.(repository);
    const miss = await this.fromServer(repository, spec.ref, fullSha, context, hosted);
    if ('dir' in miss) return found(miss.dir, 'server', miss.sha);

    // 4. What the ref named before, while the server is away.
    if (miss.kind !== 'answered' && fullSha === undefined) {
      const record = this.deps.downloads.refRecord(repository, spec.ref);
      const dir = record === undefined ? undefined : this.deps.downloads.cachedCommit(repository, record.sha);
      if (record !== undefined && dir !== undefined) {
        const why =
          miss.kind === 'off'
            ? 'Resolution is offline (no actions server)'
            : `The actions server ${miss.server.url} could not be reached (${miss.reason})`;
        const moved =
          record.kind === 'branch'
            ? `; the branch may have moved since, and is resolved again once ${miss.kind === 'off' ? 'a server is set' : 'the server answers'}`
            : '';
        context.notice(
          `${why}: using '${action}' (SHA:${record.sha}) as resolved ${record.resolvedAt.slice(0, 19).replace('T', ' ')} UTC, from the action cache${moved}`,
        );
        return found(dir, 'cache', record.sha);
      }
    }

    // A short SHA is refused, with the full one when it is known (GitHub: the server knows it).
    if (fullSha === undefined && SHORT_SHA.test(spec.ref) && (miss.kind !== 'answered' || miss.error === 'version')) {
      const prefix = spec.ref.toLowerCase();
      const known = [
        ...this.deps.downloads.cachedShasWithPrefix(repository, prefix),
        ...this.deps.builtins.shasWithPrefix(repository, prefix),
      ];
      if (known[0] !== undefined) throw shortShaError(action, spec.ref, known[0]);
    }

    // 5. The built-in copy.
    const builtin = this.deps.builtins.find(repository, spec.path, spec.ref);
    if (builtin !== undefined) {
      const mirrors =
        builtin.release === undefined
          ? ''
          : fullSha === undefined
            ? `, which mirrors tag ${builtin.release}`
            : `, which mirrors ${builtin.release} (SHA:${fullSha})`;
      context.log(
        `Use dockyard's built-in action '${repository}@${builtin.version}'${mirrors}${fallbackReason(miss, repository, spec.ref)}`,
      );
      return { dir: builtin.dir, repository, ref: spec.ref, source: 'builtin', ...(fullSha ? { sha: fullSha } : {}) };
    }
    throw this.failure(miss, action, spec.ref);
  }

  /** The commit's directory from the actions server (or the cloud's hosting, `hosted`), or why not. */
  private async fromServer(
    repository: string,
    ref: string,
    fullSha: string | undefined,
    context: ResolutionContext,
    hosted?: ActionServer,
  ): Promise<{ dir: string; sha: string } | ServerMiss> {
    const server = hosted ?? this.deps.server().server;
    if (server === undefined) return { kind: 'off' };
    if (hosted === undefined && context.session.serverDown !== undefined)
      return { kind: 'unreachable', server, reason: context.session.serverDown };
    const silent = this.silentServer;
    if (hosted === undefined && silent?.url === server.url && this.deps.now().getTime() < silent.until)
      return {
        kind: 'unreachable',
        server,
        reason: `${silent.reason}; not asked again until ${new Date(silent.until).toISOString().slice(11, 19)} UTC`,
      };
    try {
      // Asked even for a full SHA: it tells an unreachable server and a missing repository apart before any download.
      const refs = await listRemoteRefs(server, repository, this.limits, this.cacheRoot());
      let sha = fullSha;
      let kind: RefKind | undefined;
      if (sha === undefined) {
        const named = nameRef(refs, ref);
        if (named === undefined) {
          const prefix = ref.toLowerCase();
          const tip = SHORT_SHA.test(ref)
            ? [...refs.tags.values(), ...refs.heads.values()].find((commit) => commit.startsWith(prefix))
            : undefined;
          if (tip !== undefined) throw shortShaError(`${repository}@${ref}`, ref, tip);
          return { kind: 'answered', server, error: 'version' };
        }
        ({ sha, kind } = named);
      }
      const cached = this.deps.downloads.cachedCommit(repository, sha);
      if (cached !== undefined)
        context.log(`Use action repository '${repository}@${ref}' (SHA:${sha}) from the action cache`);
      const dir = cached ?? (await this.download(server, repository, ref, sha, context));
      if (kind !== undefined)
        this.deps.downloads.recordRef(repository, {
          ref,
          kind,
          sha,
          server: server.url,
          resolvedAt: this.deps.now().toISOString(),
        });
      return { dir, sha };
    } catch (error) {
      if (!(error instanceof RemoteActionError)) throw error;
      if (error.kind === 'unreachable') {
        // The cloud's own hosting failing says nothing about the actions server.
        if (hosted !== undefined) return { kind: 'unreachable', server, reason: error.message };
        context.session.serverDown = error.message;
        if (error.timedOut)
          this.silentServer = {
            url: server.url,
            until: this.deps.now().getTime() + SILENT_SERVER_MS,
            reason: error.message,
          };
        return { kind: 'unreachable', server, reason: error.message };
      }
      if (error.kind === 'too-large' || error.kind === 'unsafe')
        throw new ActionResolutionError(`Unable to resolve action \`${repository}@${ref}\`: ${error.message}`);
      return { kind: 'answered', server, error };
    }
  }

  /** Downloads a commit once (concurrent jobs wait for the same download); returns its directory. */
  private download(
    server: ActionServer,
    repository: string,
    ref: string,
    sha: string,
    context: ResolutionContext,
  ): Promise<string> {
    context.log(`Download action repository '${repository}@${ref}' (SHA:${sha})`);
    const key = `${repository}@${sha}`;
    let pending = this.downloading.get(key);
    if (pending === undefined) {
      pending = this.downloadNow(server, repository, sha).finally(() => this.downloading.delete(key));
      this.downloading.set(key, pending);
    }
    return pending;
  }

  private async downloadNow(server: ActionServer, repository: string, sha: string): Promise<string> {
    const work = this.deps.downloads.newDownloadDir();
    try {
      const tree = await downloadCommit(server, repository, sha, work, this.limits);
      try {
        this.deps.downloads.makeRoom(tree.bytes);
      } catch (error) {
        if (error instanceof ActionCacheFullError) throw new RemoteActionError('too-large', error.message);
        throw error;
      }
      return this.deps.downloads.install(repository, sha, tree.dir, {
        server: server.url,
        bytes: tree.bytes,
        entries: tree.entries,
      });
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** The cache directory, made if missing (git runs there: it must be a directory, and no repository). */
  private cacheRoot(): string {
    makePrivateDir(this.deps.downloads.dir);
    return this.deps.downloads.dir;
  }

  /** The step's error when nothing could provide the action. */
  private failure(miss: ServerMiss, action: string, ref: string): ActionResolutionError {
    if (miss.kind === 'answered') {
      const error = miss.error;
      if (error === 'version' || error.kind === 'commit-not-found') {
        const hint =
          FULL_SHA.test(ref) || !SHORT_SHA.test(ref) || ref.length < 7
            ? ''
            : ' (a commit SHA must be given in full: 40 hexadecimal digits)';
        return new ActionResolutionError(
          `Unable to resolve action \`${action}\`, unable to find version \`${ref}\`${hint}`,
        );
      }
      if (error.kind === 'credentials') {
        return new ActionResolutionError(
          `Unable to resolve action \`${action}\`, repository not found (${miss.server.url} asked for credentials: ${error.message}; set a token with \`dockyard actions server ${miss.server.url} --token-stdin\`)`,
        );
      }
      return new ActionResolutionError(`Unable to resolve action \`${action}\`, repository not found`);
    }
    const builtins = this.deps.builtins.list();
    const why =
      miss.kind === 'off'
        ? 'resolution is offline (no actions server is set)'
        : `the actions server ${miss.server.url} could not be reached (${miss.reason})`;
    return new ActionResolutionError(
      `Unable to resolve action \`${action}\`: ${why}, and dockyard has no copy of it. ` +
        `Add one with \`dockyard actions add ${action} DIR\` (DIR: a checkout of the action at ${ref}), or set ${miss.kind === 'off' ? 'an' : 'a reachable'} actions server with \`dockyard actions server URL\`. ` +
        `Built-in actions: ${builtins.length === 0 ? '(none)' : builtins.join(', ')}.`,
    );
  }
}

/** A local action in the workspace. */
function resolveLocal(uses: string, workspace: string): ResolvedAction {
  const dir = resolve(workspace, uses);
  const rel = relative(workspace, dir);
  if (rel.startsWith('..')) throw new ActionResolutionError(`The local action path '${uses}' leaves the workspace`);
  const file = actionFile(dir);
  if (file === undefined) {
    throw new ActionResolutionError(
      `Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '${dir}'. Did you forget to run actions/checkout before running your local action?`,
    );
  }
  // The runner reads it as the cloud: a link out of the workspace (to the cloud's files) is not followed.
  const within = relative(realpathSync(workspace), realpathSync(file));
  if (within.startsWith('..') || within.startsWith('/'))
    throw new ActionResolutionError(`The local action '${uses}' leads out of the workspace (a symbolic link)`);
  return { dir, repository: '', ref: '', source: 'local' };
}

/** The tag named `ref`, else the branch (git's order for a bare name). */
function nameRef(refs: RemoteRefs, ref: string): { sha: string; kind: RefKind } | undefined {
  const tag = refs.tags.get(ref);
  if (tag !== undefined) return { sha: tag, kind: 'tag' };
  const branch = refs.heads.get(ref);
  return branch === undefined ? undefined : { sha: branch, kind: 'branch' };
}

function inside(dir: string, path: string): string {
  return path === '' ? dir : resolve(dir, path);
}

/** GitHub's refusal of an abbreviated commit SHA. */
function shortShaError(action: string, ref: string, full: string): ActionResolutionError {
  return new ActionResolutionError(
    `Unable to resolve action \`${action}\`, the provided ref \`${ref}\` is the shortened version of a commit SHA, which is not supported. Please use the full commit SHA \`${full}\` instead.`,
  );
}

/** Why the built-in copy is used, for its log line. */
function fallbackReason(miss: ServerMiss, repository: string, ref: string): string {
  if (miss.kind === 'off') return ' (resolution is offline)';
  if (miss.kind === 'unreachable')
    return ` (the actions server ${miss.server.url} could not be reached: ${miss.reason})`;
  if (miss.error === 'version' || miss.error.kind === 'commit-not-found')
    return ` (${miss.server.url} has no version ${ref} of ${repository})`;
  return ` (${miss.server.url} has no repository ${repository}${miss.error.kind === 'credentials' ? ' it lets dockyard read' : ''})`;
}
