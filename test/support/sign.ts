/**
 * Hand-signed requests, for the cases the SDKs will not produce (tampered bodies, skewed
 * clocks, unknown keys): signed with the SDK's own SigV4 signer, then altered.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { TestCloud } from './cloud.js';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export interface SignedRequest {
  headers: Record<string, string>;
  body: string;
}

export async function signRequest(
  cloud: TestCloud,
  service: string,
  body: string,
  headers: Record<string, string>,
  credentials: Credentials,
  signingDate?: Date,
): Promise<SignedRequest> {
  const url = new URL(cloud.url);
  const signer = new SignatureV4({ credentials, region: cloud.region, service, sha256: Sha256 });
  const signed = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: { host: url.host, ...headers },
      body,
    },
    signingDate ? { signingDate } : {},
  );
  return { headers: signed.headers as Record<string, string>, body };
}

export async function send(
  cloud: TestCloud,
  request: SignedRequest,
): Promise<{ status: number; body: string; headers: Headers }> {
  const headers = { ...request.headers };
  delete headers.host;
  const response = await fetch(cloud.url, { method: 'POST', headers, body: request.body });
  return { status: response.status, body: await response.text(), headers: response.headers };
}

export const QUERY_TYPE = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
export const jsonTarget = (target: string) => ({
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': target,
});
