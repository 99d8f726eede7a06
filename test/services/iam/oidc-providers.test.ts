/**
 * OpenID Connect providers: the seven operations, their idempotent cases, and AWS's errors.
 */
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ACCOUNT, START, createGithubProvider, createHarness, rejectsWith, type IamHarness } from './fixtures.js';

let h: IamHarness;
beforeEach(() => {
  h = createHarness();
});
afterEach(() => h.dispose());

const THUMB_A = '6938fd4d98bab03faadb97b34396831e3780aea1';
const THUMB_B = '1c58a3a8518e8759bf075b76b750d4f2df264fcd';

interface ProviderOutput {
  Url: string;
  ClientIDList: string[];
  ThumbprintList: string[];
  CreateDate: Date;
  Tags: { Key: string; Value: string }[];
}

const getProvider = (arn: string) =>
  h.call<ProviderOutput>('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: arn });

describe('CreateOpenIDConnectProvider', () => {
  it('keys the provider by URL without scheme, path included; thumbprints and tags are optional', async () => {
    const out = await h.call('CreateOpenIDConnectProvider', {
      Url: 'https://oidc.example.com/realms/ci',
      ClientIDList: ['sts.amazonaws.com', 'sts.amazonaws.com', 'other'],
      ThumbprintList: [THUMB_A],
      Tags: [{ Key: 'owner', Value: 'platform' }],
    });
    const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/oidc.example.com/realms/ci`;
    assert.deepEqual(out, { OpenIDConnectProviderArn: arn, Tags: [{ Key: 'owner', Value: 'platform' }] });
    assert.deepEqual(await getProvider(arn), {
      Url: 'oidc.example.com/realms/ci',
      ClientIDList: ['sts.amazonaws.com', 'other'],
      ThumbprintList: [THUMB_A],
      CreateDate: START,
      Tags: [{ Key: 'owner', Value: 'platform' }],
    });
    assert.equal(h.store.getOpenIdConnectProviderByUrl('oidc.example.com/realms/ci')?.arn, arn);
    assert.equal(h.store.getOpenIdConnectProviderByUrl('oidc.example.com'), undefined);
  });

  it('refuses a second provider for the same URL', async () => {
    await createGithubProvider(h);
    await rejectsWith(
      createGithubProvider(h),
      'EntityAlreadyExists',
      'Provider with url https://token.actions.githubusercontent.com already exists.',
      409,
    );
  });

  it('needs an https URL and 40-character thumbprints, at most five', async () => {
    await rejectsWith(
      h.call('CreateOpenIDConnectProvider', { Url: 'http://token.actions.githubusercontent.com' }),
      'InvalidInput',
      /https:\/\//,
      400,
    );
    await rejectsWith(
      h.call('CreateOpenIDConnectProvider', { Url: 'https://x', ThumbprintList: ['abc'] }),
      'ValidationError',
      /at 'thumbprintList' failed to satisfy constraint: Member must have length greater than or equal to 40/,
    );
    await rejectsWith(
      h.call('CreateOpenIDConnectProvider', {
        Url: 'https://x',
        ThumbprintList: Array.from({ length: 6 }, () => THUMB_A),
      }),
      'ValidationError',
      /Member must have length less than or equal to 5/,
    );
    await rejectsWith(
      h.call('CreateOpenIDConnectProvider', {}),
      'ValidationError',
      "1 validation error detected: Value null at 'url' failed to satisfy constraint: Member must not be null",
    );
  });
});

describe('provider maintenance', () => {
  it('adds and removes client ids idempotently and replaces thumbprints', async () => {
    const arn = await createGithubProvider(h);
    await h.call('AddClientIDToOpenIDConnectProvider', { OpenIDConnectProviderArn: arn, ClientID: 'my-app' });
    await h.call('AddClientIDToOpenIDConnectProvider', { OpenIDConnectProviderArn: arn, ClientID: 'my-app' });
    assert.deepEqual((await getProvider(arn)).ClientIDList, ['sts.amazonaws.com', 'my-app']);
    await h.call('RemoveClientIDFromOpenIDConnectProvider', {
      OpenIDConnectProviderArn: arn,
      ClientID: 'sts.amazonaws.com',
    });
    await h.call('RemoveClientIDFromOpenIDConnectProvider', { OpenIDConnectProviderArn: arn, ClientID: 'never-added' });
    assert.deepEqual((await getProvider(arn)).ClientIDList, ['my-app']);
    await h.call('UpdateOpenIDConnectProviderThumbprint', {
      OpenIDConnectProviderArn: arn,
      ThumbprintList: [THUMB_A, THUMB_B],
    });
    assert.deepEqual((await getProvider(arn)).ThumbprintList, [THUMB_A, THUMB_B]);
    assert.deepEqual(h.store.getOpenIdConnectProviderByUrl('token.actions.githubusercontent.com')?.clientIds, [
      'my-app',
    ]);
  });

  it('lists and deletes; deleting a provider that does not exist succeeds', async () => {
    const github = await createGithubProvider(h);
    await h.call('CreateOpenIDConnectProvider', { Url: 'https://accounts.google.com', ClientIDList: ['x'] });
    assert.deepEqual(await h.call('ListOpenIDConnectProviders'), {
      OpenIDConnectProviderList: [
        { Arn: `arn:aws:iam::${ACCOUNT}:oidc-provider/accounts.google.com` },
        { Arn: github },
      ],
    });
    await h.call('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: github });
    await h.call('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: github });
    assert.equal(h.store.getOpenIdConnectProviderByUrl('token.actions.githubusercontent.com'), undefined);
    assert.equal(
      (await h.call<{ OpenIDConnectProviderList: unknown[] }>('ListOpenIDConnectProviders')).OpenIDConnectProviderList
        .length,
      1,
    );
  });

  it('answers NoSuchEntity for a missing provider and InvalidInput for a malformed ARN', async () => {
    const arn = `arn:aws:iam::${ACCOUNT}:oidc-provider/nowhere.example.com`;
    const missing = `OpenIDConnect Provider not found for arn ${arn}`;
    await rejectsWith(getProvider(arn), 'NoSuchEntity', missing, 404);
    await rejectsWith(
      h.call('AddClientIDToOpenIDConnectProvider', { OpenIDConnectProviderArn: arn, ClientID: 'c' }),
      'NoSuchEntity',
      missing,
    );
    await rejectsWith(
      h.call('RemoveClientIDFromOpenIDConnectProvider', { OpenIDConnectProviderArn: arn, ClientID: 'c' }),
      'NoSuchEntity',
      missing,
    );
    await rejectsWith(
      h.call('UpdateOpenIDConnectProviderThumbprint', { OpenIDConnectProviderArn: arn, ThumbprintList: [THUMB_A] }),
      'NoSuchEntity',
      missing,
    );
    await rejectsWith(
      getProvider('arn:aws:iam::123:saml-provider/x'),
      'InvalidInput',
      'ARN arn:aws:iam::123:saml-provider/x is not valid.',
    );
  });
});
