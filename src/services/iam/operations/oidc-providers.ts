/**
 * OpenID Connect providers: CreateOpenIDConnectProvider, GetOpenIDConnectProvider,
 * ListOpenIDConnectProviders, DeleteOpenIDConnectProvider, AddClientIDToOpenIDConnectProvider,
 * RemoveClientIDFromOpenIDConnectProvider and UpdateOpenIDConnectProviderThumbprint.
 * Adding a client id twice, removing one that is absent and deleting a provider that does not
 * exist all succeed: AWS documents these operations as idempotent.
 */
import type { InputReader } from '../../../core/input-reader.js';
import type { Operation } from '../../../core/operation.js';
import { oidcProviderArn } from '../arns.js';
import { authorization, withTagging } from '../authorization.js';
import { iamErrors } from '../errors.js';
import { ARN, CLIENT_ID, OIDC_URL, THUMBPRINT, readTags } from '../input-rules.js';
import { checkDistinctTagKeys, requireOidcProvider } from '../lookups.js';
import type { Tag } from '../model.js';
import { tagsOutput, type TagOutput } from '../outputs.js';
import type { IamStore } from '../store.js';

const SCHEME = 'https://';
/** Client ids per provider. */
const CLIENT_ID_QUOTA = 100;
/** Thumbprints per provider. */
const MAX_THUMBPRINTS = 5;

/** The issuer as IAM keys it: the URL without its https:// scheme. */
function withoutScheme(url: string): string {
  return url.startsWith(SCHEME) ? url.slice(SCHEME.length) : url;
}

interface CreateProviderInput {
  url: string;
  clientIds: string[];
  thumbprints: string[];
  tags?: Tag[];
}

/** CreateOpenIDConnectProvider: one provider per issuer URL. */
export function createOpenIDConnectProvider(
  store: IamStore,
): Operation<CreateProviderInput, { OpenIDConnectProviderArn: string; Tags?: TagOutput[] }> {
  return {
    input: (r) => ({
      url: r.string('Url', { ...OIDC_URL, required: true }),
      clientIds: r.stringList('ClientIDList', CLIENT_ID) ?? [],
      // Optional since 2023: AWS then trusts the issuer's CA itself.
      thumbprints: r.stringList('ThumbprintList', { ...THUMBPRINT, maxItems: MAX_THUMBPRINTS }) ?? [],
      tags: readTags(r),
    }),
    authorize: (input, ctx) =>
      withTagging(
        authorization('iam:CreateOpenIDConnectProvider', oidcProviderArn(ctx.accountId, withoutScheme(input.url))),
        'iam:TagOpenIDConnectProvider',
        input.tags,
      ),
    run: (input) => {
      checkDistinctTagKeys(input.tags);
      // Wording not verified against AWS; the code is what IAM answers for a bad Url.
      if (!input.url.startsWith(SCHEME) || input.url.length === SCHEME.length)
        throw iamErrors.invalidInput('Invalid URL: the URL must begin with https://');
      if (input.clientIds.length > CLIENT_ID_QUOTA) throw iamErrors.tooManyClientIds();
      const url = withoutScheme(input.url);
      if (store.oidcProviders.getByUrl(url)) throw iamErrors.oidcProviderExists(input.url);
      const provider = store.oidcProviders.create({
        url,
        clientIds: [...new Set(input.clientIds)],
        thumbprints: input.thumbprints,
        tags: input.tags ?? [],
      });
      const tags = tagsOutput(provider.tags);
      return tags ? { OpenIDConnectProviderArn: provider.arn, Tags: tags } : { OpenIDConnectProviderArn: provider.arn };
    },
  };
}

interface ProviderArnInput {
  arn: string;
}

const readProviderArn = (r: InputReader): ProviderArnInput => ({
  arn: r.string('OpenIDConnectProviderArn', { ...ARN, required: true }),
});

interface ProviderOutput {
  Url: string;
  ClientIDList: string[];
  ThumbprintList: string[];
  CreateDate: Date;
  Tags: TagOutput[];
}

/** GetOpenIDConnectProvider. */
export function getOpenIDConnectProvider(store: IamStore): Operation<ProviderArnInput, ProviderOutput> {
  return {
    input: readProviderArn,
    authorize: (input) => [authorization('iam:GetOpenIDConnectProvider', input.arn)],
    run: (input) => {
      const provider = requireOidcProvider(store, input.arn);
      // Url comes back without its scheme, as IAM stores it.
      return {
        Url: provider.url,
        ClientIDList: provider.clientIds,
        ThumbprintList: provider.thumbprints,
        CreateDate: provider.createDate,
        Tags: tagsOutput(provider.tags) ?? [],
      };
    },
  };
}

/** ListOpenIDConnectProviders: ARNs only, unpaged, as AWS. */
export function listOpenIDConnectProviders(
  store: IamStore,
): Operation<Record<string, never>, { OpenIDConnectProviderList: { Arn: string }[] }> {
  return {
    input: () => ({}),
    // ListOpenIDConnectProviders has no resource type in the Service Authorization Reference.
    authorize: () => [authorization('iam:ListOpenIDConnectProviders', '*')],
    run: () => ({ OpenIDConnectProviderList: store.oidcProviders.list().map((p) => ({ Arn: p.arn })) }),
  };
}

/** DeleteOpenIDConnectProvider: idempotent. */
export function deleteOpenIDConnectProvider(store: IamStore): Operation<ProviderArnInput, Record<string, never>> {
  return {
    input: readProviderArn,
    authorize: (input) => [authorization('iam:DeleteOpenIDConnectProvider', input.arn)],
    run: (input) => {
      store.oidcProviders.delete(input.arn);
      return {};
    },
  };
}

interface ClientIdInput extends ProviderArnInput {
  clientId: string;
}

const readClientId = (r: InputReader): ClientIdInput => ({
  ...readProviderArn(r),
  clientId: r.string('ClientID', { ...CLIENT_ID, required: true }),
});

/** AddClientIDToOpenIDConnectProvider: idempotent. */
export function addClientIDToOpenIDConnectProvider(store: IamStore): Operation<ClientIdInput, Record<string, never>> {
  return {
    input: readClientId,
    authorize: (input) => [authorization('iam:AddClientIDToOpenIDConnectProvider', input.arn)],
    run: (input) => {
      const provider = requireOidcProvider(store, input.arn);
      if (provider.clientIds.includes(input.clientId)) return {};
      if (provider.clientIds.length >= CLIENT_ID_QUOTA) throw iamErrors.tooManyClientIds();
      store.oidcProviders.setClientIds(provider, [...provider.clientIds, input.clientId]);
      return {};
    },
  };
}

/** RemoveClientIDFromOpenIDConnectProvider: idempotent. */
export function removeClientIDFromOpenIDConnectProvider(
  store: IamStore,
): Operation<ClientIdInput, Record<string, never>> {
  return {
    input: readClientId,
    authorize: (input) => [authorization('iam:RemoveClientIDFromOpenIDConnectProvider', input.arn)],
    run: (input) => {
      const provider = requireOidcProvider(store, input.arn);
      store.oidcProviders.setClientIds(
        provider,
        provider.clientIds.filter((id) => id !== input.clientId),
      );
      return {};
    },
  };
}

interface ThumbprintInput extends ProviderArnInput {
  thumbprints: string[];
}

/** UpdateOpenIDConnectProviderThumbprint: replaces the whole list. */
export function updateOpenIDConnectProviderThumbprint(
  store: IamStore,
): Operation<ThumbprintInput, Record<string, never>> {
  return {
    input: (r) => ({
      ...readProviderArn(r),
      thumbprints: r.stringList('ThumbprintList', { ...THUMBPRINT, required: true, maxItems: MAX_THUMBPRINTS }) ?? [],
    }),
    authorize: (input) => [authorization('iam:UpdateOpenIDConnectProviderThumbprint', input.arn)],
    run: (input) => {
      store.oidcProviders.setThumbprints(requireOidcProvider(store, input.arn), input.thumbprints);
      return {};
    },
  };
}
