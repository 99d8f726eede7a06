/**
 * Signed blob URLs, shaped like Azure's SAS URLs the clients expect: the blob's address plus
 * `sv`, `sr=b`, `sp` (r = read; cw = create and write), `se` (expiry, ISO 8601) and `sig`
 * (HMAC-SHA256 over those and the blob's id, base64). A URL grants exactly one blob, one
 * permission, until it expires; anything else is AuthenticationFailed, as Azure answers.
 *
 * The address is `<cloud>/_results/blob/<kind>/<blob id>`: the Azure SDK reads `/account/container/blob`
 * from an IP-addressed URL, so `_results` stands for the account and `blob` for the container.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const BLOB_PREFIX = '/_results/blob';
/** The Azure storage service version the endpoint answers as (x-ms-version). */
export const STORAGE_VERSION = '2024-11-04';

export type BlobPermission = 'r' | 'cw';

/** A verified URL's grant. */
export interface BlobGrant {
  blobId: string;
  permission: BlobPermission;
}

const BLOB_ID = /^[a-z0-9-]{1,80}$/;

export class BlobUrls {
  private readonly key = randomBytes(32);

  constructor(private readonly baseUrl: string) {}

  sign(blobId: string, permission: BlobPermission, expiresAt: Date): string {
    const se = expiresAt.toISOString().replace(/\.\d{3}Z$/, 'Z');
    const query = new URLSearchParams({ sv: STORAGE_VERSION, sr: 'b', sp: permission, se });
    query.set('sig', this.mac(blobId, permission, se));
    return `${this.baseUrl}${BLOB_PREFIX}/${blobId}?${query.toString()}`;
  }

  /** The grant of a request's path and query at `now`, or why there is none. */
  verify(path: string, query: URLSearchParams, now: Date): BlobGrant | { refused: string } {
    const blobId = path.startsWith(`${BLOB_PREFIX}/`) ? path.slice(BLOB_PREFIX.length + 1) : '';
    if (!BLOB_ID.test(blobId)) return { refused: 'The specified resource does not exist.' };
    const permission = query.get('sp');
    const se = query.get('se') ?? '';
    const sig = query.get('sig') ?? '';
    if (permission !== 'r' && permission !== 'cw') return { refused: 'Signature fields not well formed.' };
    const expected = Buffer.from(this.mac(blobId, permission, se));
    const given = Buffer.from(sig);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return {
        refused:
          'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.',
      };
    }
    const expiry = Date.parse(se);
    if (!Number.isFinite(expiry) || now.getTime() >= expiry) {
      return { refused: 'Server failed to authenticate the request. Signature not valid in the specified time frame.' };
    }
    return { blobId, permission };
  }

  private mac(blobId: string, permission: string, se: string): string {
    return createHmac('sha256', this.key).update(`${blobId}\n${permission}\n${se}`).digest('base64');
  }
}
