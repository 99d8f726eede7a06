/**
 * OpenID Connect providers, keyed by ARN and findable by URL (host[/path], no scheme) — STS
 * looks a provider up by its token's issuer on every AssumeRoleWithWebIdentity.
 */
import type { Db } from '../../store/database.js';
import { oidcProviderArn } from './arns.js';
import type { OidcProvider, Tag } from './model.js';

interface ProviderRow {
  arn: string;
  url: string;
  client_ids: string;
  thumbprints: string;
  tags: string;
  create_date: number;
}

/** What CreateOpenIDConnectProvider supplies. */
export interface NewOidcProvider {
  url: string;
  clientIds: string[];
  thumbprints: string[];
  tags: Tag[];
}

const COLUMNS = 'arn, url, client_ids, thumbprints, tags, create_date';

/** The account's OpenID Connect providers. */
export class OidcProviderStore {
  private readonly byArn;
  private readonly byUrl;
  private readonly all;
  private readonly insert;
  private readonly updateClientIds;
  private readonly updateThumbprints;
  private readonly remove;

  constructor(
    db: Db,
    private readonly accountId: string,
    private readonly now: () => Date,
  ) {
    this.byArn = db.prepare<[string], ProviderRow>(`SELECT ${COLUMNS} FROM iam_oidc_providers WHERE arn = ?`);
    this.byUrl = db.prepare<[string], ProviderRow>(`SELECT ${COLUMNS} FROM iam_oidc_providers WHERE url = ?`);
    this.all = db.prepare<[], ProviderRow>(`SELECT ${COLUMNS} FROM iam_oidc_providers ORDER BY arn`);
    this.insert = db.prepare(
      `INSERT INTO iam_oidc_providers (${COLUMNS}) VALUES (@arn, @url, @client_ids, @thumbprints, @tags, @create_date)`,
    );
    this.updateClientIds = db.prepare<[string, string]>('UPDATE iam_oidc_providers SET client_ids = ? WHERE arn = ?');
    this.updateThumbprints = db.prepare<[string, string]>(
      'UPDATE iam_oidc_providers SET thumbprints = ? WHERE arn = ?',
    );
    this.remove = db.prepare<[string]>('DELETE FROM iam_oidc_providers WHERE arn = ?');
  }

  get(arn: string): OidcProvider | undefined {
    const row = this.byArn.get(arn);
    return row ? toProvider(row) : undefined;
  }

  /** The provider for an issuer given as host[/path], without scheme. */
  getByUrl(url: string): OidcProvider | undefined {
    const row = this.byUrl.get(url);
    return row ? toProvider(row) : undefined;
  }

  /** Every provider, by ARN. */
  list(): OidcProvider[] {
    return this.all.all().map(toProvider);
  }

  create(input: NewOidcProvider): OidcProvider {
    const provider: OidcProvider = {
      ...input,
      arn: oidcProviderArn(this.accountId, input.url),
      createDate: this.now(),
    };
    this.insert.run({
      arn: provider.arn,
      url: provider.url,
      client_ids: JSON.stringify(provider.clientIds),
      thumbprints: JSON.stringify(provider.thumbprints),
      tags: JSON.stringify(provider.tags),
      create_date: provider.createDate.getTime(),
    });
    return provider;
  }

  setClientIds(provider: OidcProvider, clientIds: string[]): void {
    this.updateClientIds.run(JSON.stringify(clientIds), provider.arn);
  }

  setThumbprints(provider: OidcProvider, thumbprints: string[]): void {
    this.updateThumbprints.run(JSON.stringify(thumbprints), provider.arn);
  }

  delete(arn: string): void {
    this.remove.run(arn);
  }
}

function toProvider(row: ProviderRow): OidcProvider {
  return {
    arn: row.arn,
    url: row.url,
    clientIds: JSON.parse(row.client_ids) as string[],
    thumbprints: JSON.parse(row.thumbprints) as string[],
    createDate: new Date(row.create_date),
    tags: JSON.parse(row.tags) as Tag[],
  };
}
