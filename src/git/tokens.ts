/**
 * Short-lived git credentials for jobs (what a job gets as GITHUB_TOKEN): each token is bound to
 * one repository and an access level, and is used as the password of HTTP Basic with any user
 * name, as actions/checkout does (`x-access-token:<token>`).
 *
 * By design: tokens live in memory only, like the jobs they belong to, and are kept by SHA-256
 * digest, so a lookup compares digests rather than the secret itself. They look like GitHub's
 * installation tokens (`ghs_…`), which makes them easy to spot (and scrub) in logs.
 */
import { createHash, randomBytes } from 'node:crypto';
import { systemClock, type Clock } from '../core/clock.js';
import type { GitAccessTokens } from './contract.js';

/** A token lives as long as GitHub's longest job by default: 6 hours. */
export const DEFAULT_GIT_TOKEN_TTL_MS = 6 * 60 * 60 * 1000;

export type GitAccess = 'read' | 'write';

/** What a valid token grants. */
export interface GitTokenGrant {
  repository: string;
  access: GitAccess;
}

interface Entry extends GitTokenGrant {
  expiresAt: number;
}

/** GitAccessTokens kept in memory. */
export class InMemoryGitAccessTokens implements GitAccessTokens {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly clock: Clock = systemClock,
    private readonly defaultTtlMs: number = DEFAULT_GIT_TOKEN_TTL_MS,
  ) {}

  issue(repository: string, access: GitAccess, ttlMs: number = this.defaultTtlMs): { token: string; revoke(): void } {
    if (access !== 'read' && access !== 'write')
      throw new TypeError(`access must be 'read' or 'write', got ${String(access)}`);
    if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`ttlMs must be a positive number, got ${ttlMs}`);
    this.sweep();
    const token = `ghs_${randomBytes(30).toString('base64url')}`;
    const digest = digestOf(token);
    this.entries.set(digest, { repository, access, expiresAt: this.clock.now().getTime() + ttlMs });
    return {
      token,
      revoke: () => {
        this.entries.delete(digest);
      },
    };
  }

  /** What the token grants; undefined when it is unknown, revoked or expired. */
  inspect(token: string): GitTokenGrant | undefined {
    if (typeof token !== 'string' || token.length === 0 || token.length > 1024) return undefined;
    const digest = digestOf(token);
    const entry = this.entries.get(digest);
    if (entry === undefined) return undefined;
    if (this.clock.now().getTime() >= entry.expiresAt) {
      this.entries.delete(digest);
      return undefined;
    }
    return { repository: entry.repository, access: entry.access };
  }

  /** True when the token is live, for this repository, and grants `access` (write implies read). */
  verify(token: string, repository: string, access: GitAccess): boolean {
    const grant = this.inspect(token);
    if (grant === undefined || grant.repository !== repository) return false;
    return access === 'read' || grant.access === 'write';
  }

  /** How many tokens are live (for tests and diagnostics). */
  get size(): number {
    this.sweep();
    return this.entries.size;
  }

  /** Drops expired tokens so unrevoked ones do not stay in memory forever. */
  private sweep(): void {
    const now = this.clock.now().getTime();
    for (const [digest, entry] of this.entries) if (now >= entry.expiresAt) this.entries.delete(digest);
  }
}

function digestOf(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
