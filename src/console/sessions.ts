/**
 * The console's sessions: who logged in with the admin key (or a one-time link `dockyard
 * console` printed), until when. A session is a random token in an HttpOnly, SameSite=Strict
 * cookie scoped to the console's path, and a CSRF token bound to it that every state-changing
 * request must carry. Kept in memory: a restart of the cloud logs everyone out.
 *
 * Tokens are looked up by their SHA-256, so a lookup's timing says nothing about a token.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';

/** A session lasts this long after login, whatever happens in it. */
export const SESSION_TTL_MS = 12 * 60 * 60 * 1000;
/** A one-time link must be opened within this. */
export const LINK_TTL_MS = 5 * 60 * 1000;
/** Sessions and unredeemed links kept at most (the oldest go first). */
const MAX_SESSIONS = 64;
const MAX_LINKS = 16;

export interface Session {
  /** The token the page sends back in the x-dockyard-csrf header. */
  csrf: string;
  expiresAt: number;
}

export class ConsoleSessions {
  private readonly sessions = new Map<string, Session>();
  /** One-time link tokens (by hash) → when they stop working. */
  private readonly links = new Map<string, number>();

  constructor(private readonly clock: Clock) {}

  /** A new session: its cookie token (given to the browser once) and the session. */
  create(): { token: string; session: Session } {
    this.sweep();
    const token = randomToken();
    const session: Session = { csrf: randomToken(), expiresAt: this.now() + SESSION_TTL_MS };
    this.sessions.set(digest(token), session);
    evictOldest(this.sessions, MAX_SESSIONS);
    return { token, session };
  }

  /** The live session of a cookie token. */
  get(token: string | undefined): Session | undefined {
    if (token === undefined || token.length > 100) return undefined;
    const key = digest(token);
    const session = this.sessions.get(key);
    if (session === undefined) return undefined;
    if (session.expiresAt <= this.now()) {
      this.sessions.delete(key);
      return undefined;
    }
    return session;
  }

  end(token: string | undefined): void {
    if (token !== undefined) this.sessions.delete(digest(token));
  }

  /** A token for a one-time login link, valid for LINK_TTL_MS and for one use. */
  link(): string {
    this.sweep();
    const token = randomToken();
    this.links.set(digest(token), this.now() + LINK_TTL_MS);
    evictOldest(this.links, MAX_LINKS);
    return token;
  }

  /** Uses up a link token: true when it was valid (it never works again either way). */
  redeem(token: string): boolean {
    if (token.length > 100) return false;
    const key = digest(token);
    const expiresAt = this.links.get(key);
    this.links.delete(key);
    return expiresAt !== undefined && expiresAt > this.now();
  }

  private sweep(): void {
    const now = this.now();
    for (const [key, session] of this.sessions) if (session.expiresAt <= now) this.sessions.delete(key);
    for (const [key, expiresAt] of this.links) if (expiresAt <= now) this.links.delete(key);
  }

  private now(): number {
    return this.clock.now().getTime();
  }
}

/** Whether the CSRF token a request carries is its session's (timing-safe). */
export function csrfMatches(session: Session, given: string | undefined): boolean {
  if (given === undefined || given.length !== session.csrf.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(session.csrf));
}

function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** Maps keep insertion order: the first entries are the oldest. */
function evictOldest<K, V>(map: Map<K, V>, max: number): void {
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
