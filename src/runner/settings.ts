/**
 * Repository secrets and variables (`secrets.*`, `vars.*` in workflows), kept in SQLite.
 *
 * Reproduced from GitHub: names are case-insensitive and stored upper-case; the name rules and
 * their messages are GitHub's documented ones; secrets are 48 KB at most, variables 48 KB.
 * By design: values are stored in the state database (0600, like admin.json) rather than
 * encrypted with a repository public key; secrets are write-only through this API (list gives
 * names and dates only).
 * Deployment environments (`jobs.<id>.environment`) have their own secrets and variables, which
 * override the repository's of the same name in that environment's jobs, as on GitHub.
 * Environment names are case-insensitive and at most 255 characters (GitHub's rules); an
 * environment exists once something is set in it.
 */
import { migrate, type Db } from '../store/database.js';
import { migrateRunner } from './run-store.js';

/** A name or value GitHub would refuse; the message is GitHub's. */
export class RepoSettingsError extends Error {
  override readonly name = 'RepoSettingsError';
}

const MAX_VALUE_BYTES = 48 * 1024;
const MAX_ENVIRONMENT_NAME = 255;

/** One table of environment settings (secrets or variables); environment names are case-insensitive. */
const environmentTable = (table: string) => `CREATE TABLE ${table} (
     repository TEXT NOT NULL,
     environment TEXT NOT NULL COLLATE NOCASE,
     name TEXT NOT NULL,
     value TEXT NOT NULL,
     updated_at TEXT NOT NULL,
     PRIMARY KEY (repository, environment, name)
   );`;

/** Their own module: tables of the repository's deployment environments. */
const ENVIRONMENT_MIGRATIONS = [
  `${environmentTable('runner_environment_secrets')}\n${environmentTable('runner_environment_variables')}`,
];

/** Checks an environment name as GitHub does; returns it unchanged. */
export function checkEnvironmentName(environment: string): string {
  if (environment.trim() === '') throw new RepoSettingsError('Environment name is required.');
  if (environment.length > MAX_ENVIRONMENT_NAME)
    throw new RepoSettingsError(`Environment name must not exceed ${MAX_ENVIRONMENT_NAME} characters.`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(environment))
    throw new RepoSettingsError('Environment name must not contain control characters.');
  return environment;
}

/** One environment of one repository. */
interface Place {
  repository: string;
  environment: string;
}

type Kind = 'Secret' | 'Variable';

/** Checks a secret or variable name against GitHub's rules and returns its stored (upper-case) form. */
export function normaliseSettingName(kind: Kind, name: string): string {
  if (name === '') throw new RepoSettingsError(`${kind} name is required.`);
  if (/^[0-9]/.test(name)) throw new RepoSettingsError(`${kind} names must not start with a number.`);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
    throw new RepoSettingsError(
      `${kind} names can only contain alphanumeric characters ([a-z], [A-Z], [0-9]) or underscores (_). Spaces are not allowed. Must start with a letter ([a-z], [A-Z]) or underscores (_).`,
    );
  }
  if (/^GITHUB_/i.test(name)) throw new RepoSettingsError(`${kind} names must not start with the GITHUB_ prefix.`);
  return name.toUpperCase();
}

/** Secrets and variables per repository. */
export class RepoSettings {
  constructor(
    private readonly db: Db,
    private readonly now: () => Date = () => new Date(),
  ) {
    migrateRunner(db);
    migrate(db, 'runner-environments', ENVIRONMENT_MIGRATIONS);
  }

  setEnvironmentSecret(repository: string, environment: string, name: string, value: string): void {
    this.setIn('runner_environment_secrets', 'Secret', { repository, environment }, name, value);
  }

  deleteEnvironmentSecret(repository: string, environment: string, name: string): boolean {
    return this.removeIn('runner_environment_secrets', { repository, environment }, name);
  }

  listEnvironmentSecrets(repository: string, environment: string): { name: string; updatedAt: string }[] {
    return this.listIn('runner_environment_secrets', { repository, environment }).map(({ name, updatedAt }) => ({
      name,
      updatedAt,
    }));
  }

  setEnvironmentVariable(repository: string, environment: string, name: string, value: string): void {
    this.setIn('runner_environment_variables', 'Variable', { repository, environment }, name, value);
  }

  deleteEnvironmentVariable(repository: string, environment: string, name: string): boolean {
    return this.removeIn('runner_environment_variables', { repository, environment }, name);
  }

  listEnvironmentVariables(
    repository: string,
    environment: string,
  ): { name: string; value: string; updatedAt: string }[] {
    return this.listIn('runner_environment_variables', { repository, environment });
  }

  /** An environment's own secrets and variables (name → value), for a job that names it. */
  environmentValues(
    repository: string,
    environment: string,
  ): { secrets: Record<string, string>; vars: Record<string, string> } {
    const place = { repository, environment };
    const values = (table: string) => Object.fromEntries(this.listIn(table, place).map((row) => [row.name, row.value]));
    return { secrets: values('runner_environment_secrets'), vars: values('runner_environment_variables') };
  }

  private setIn(table: string, kind: Kind, place: Place, name: string, value: string): void {
    const stored = normaliseSettingName(kind, name);
    checkEnvironmentName(place.environment);
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES) throw new RepoSettingsError(`${kind} values are limited to 48 KB.`);
    this.db
      .prepare(
        `INSERT INTO ${table} (repository, environment, name, value, updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(repository, environment, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(place.repository, place.environment, stored, value, this.now().toISOString());
  }

  private removeIn(table: string, place: Place, name: string): boolean {
    return (
      this.db
        .prepare(`DELETE FROM ${table} WHERE repository = ? AND environment = ? AND name = ?`)
        .run(place.repository, place.environment, name.toUpperCase()).changes > 0
    );
  }

  private listIn(table: string, place: Place): { name: string; value: string; updatedAt: string }[] {
    return this.db
      .prepare(
        `SELECT name, value, updated_at AS updatedAt FROM ${table} WHERE repository = ? AND environment = ? ORDER BY name`,
      )
      .all(place.repository, place.environment) as { name: string; value: string; updatedAt: string }[];
  }

  setSecret(repository: string, name: string, value: string): void {
    this.set('runner_secrets', 'Secret', repository, name, value);
  }

  deleteSecret(repository: string, name: string): boolean {
    return this.remove('runner_secrets', repository, name);
  }

  listSecrets(repository: string): { name: string; updatedAt: string }[] {
    return this.db
      .prepare('SELECT name, updated_at AS updatedAt FROM runner_secrets WHERE repository = ? ORDER BY name')
      .all(repository) as { name: string; updatedAt: string }[];
  }

  /** Name → value, for the `secrets` context of a job. */
  secretValues(repository: string): Record<string, string> {
    return this.values('runner_secrets', repository);
  }

  setVariable(repository: string, name: string, value: string): void {
    this.set('runner_variables', 'Variable', repository, name, value);
  }

  deleteVariable(repository: string, name: string): boolean {
    return this.remove('runner_variables', repository, name);
  }

  listVariables(repository: string): { name: string; value: string; updatedAt: string }[] {
    return this.db
      .prepare('SELECT name, value, updated_at AS updatedAt FROM runner_variables WHERE repository = ? ORDER BY name')
      .all(repository) as { name: string; value: string; updatedAt: string }[];
  }

  variableValues(repository: string): Record<string, string> {
    return this.values('runner_variables', repository);
  }

  private set(table: string, kind: Kind, repository: string, name: string, value: string): void {
    const stored = normaliseSettingName(kind, name);
    if (Buffer.byteLength(value) > MAX_VALUE_BYTES) throw new RepoSettingsError(`${kind} values are limited to 48 KB.`);
    this.db
      .prepare(
        `INSERT INTO ${table} (repository, name, value, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(repository, name) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
      )
      .run(repository, stored, value, this.now().toISOString());
  }

  private remove(table: string, repository: string, name: string): boolean {
    return (
      this.db.prepare(`DELETE FROM ${table} WHERE repository = ? AND name = ?`).run(repository, name.toUpperCase())
        .changes > 0
    );
  }

  private values(table: string, repository: string): Record<string, string> {
    const rows = this.db.prepare(`SELECT name, value FROM ${table} WHERE repository = ?`).all(repository) as {
      name: string;
      value: string;
    }[];
    return Object.fromEntries(rows.map((row) => [row.name, row.value]));
  }
}
