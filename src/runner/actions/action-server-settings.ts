/**
 * The kept actions server setting (`dockyard actions server`), and the one in use: one start's
 * `--actions-url`, else the kept one, else https://github.com.
 *
 * A token is kept with the URL it was given for and is only ever sent to that server: setting
 * another URL drops it, and `up --actions-url` uses it only when the URLs are the same. It is
 * stored like repository secrets (the 0600 state database) and never printed.
 */
import { migrate, type Db } from '../../store/database.js';
import {
  ACTIONS_SERVER_OFF,
  checkActionsToken,
  checkActionsUrl,
  DEFAULT_ACTIONS_URL,
  type ActionServerChoice,
} from './action-server.js';

/** The kept setting, then one start's `--actions-url`, over the default. */
export class ActionServerSettings {
  /** `override` is `--actions-url` (checked with parseActionsUrlFlag), for this start only. */
  constructor(
    private readonly db: Db,
    private readonly override?: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    migrate(db, 'actions-server', [
      'CREATE TABLE actions_server (id INTEGER PRIMARY KEY CHECK (id = 1), url TEXT NOT NULL, token TEXT, updated_at TEXT NOT NULL)',
    ]);
  }

  /** The server to use now (read at each resolution, so a change applies to a running cloud). */
  current(): ActionServerChoice {
    const kept = this.kept();
    if (this.override !== undefined) {
      if (this.override === ACTIONS_SERVER_OFF) return { server: undefined, source: 'flag' };
      const token = kept?.url === this.override ? kept.token : undefined;
      return { server: { url: this.override, ...(token ? { token } : {}) }, source: 'flag' };
    }
    if (kept === undefined) return { server: { url: DEFAULT_ACTIONS_URL }, source: 'default' };
    if (kept.url === ACTIONS_SERVER_OFF) return { server: undefined, source: 'setting' };
    return { server: { url: kept.url, ...(kept.token ? { token: kept.token } : {}) }, source: 'setting' };
  }

  /** Keeps `url` (checked) and its token; without a token, a token kept for the same URL stays, one for another URL goes. */
  set(url: string, token?: string): void {
    const checked = checkActionsUrl(url);
    const kept = this.kept();
    const keptToken = token === undefined ? (kept?.url === checked ? kept.token : undefined) : checkActionsToken(token);
    this.write(checked, keptToken ?? null);
  }

  /** Resolution offline only: the action cache and the built-ins. */
  turnOff(): void {
    this.write(ACTIONS_SERVER_OFF, null);
  }

  /** Back to github.com without a token. */
  reset(): void {
    this.db.prepare('DELETE FROM actions_server').run();
  }

  /** The kept URL and whether a token is kept with it (the token itself is never returned here). */
  describe(): { url: string; hasToken: boolean; source: ActionServerChoice['source'] } {
    const choice = this.current();
    return {
      url: choice.server?.url ?? ACTIONS_SERVER_OFF,
      hasToken: Boolean(choice.server?.token),
      source: choice.source,
    };
  }

  private kept(): { url: string; token: string | null } | undefined {
    return this.db.prepare('SELECT url, token FROM actions_server WHERE id = 1').get() as
      { url: string; token: string | null } | undefined;
  }

  private write(url: string, token: string | null): void {
    this.db
      .prepare(
        'INSERT INTO actions_server (id, url, token, updated_at) VALUES (1, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET url = excluded.url, token = excluded.token, updated_at = excluded.updated_at',
      )
      .run(url, token, this.now().toISOString());
  }
}
