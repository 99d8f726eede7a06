/**
 * What a SecureString reads as without WithDecryption: on AWS, the base64 of the KMS ciphertext
 * blob. There is no KMS here, so each version gets random bytes of about the blob's size,
 * behind the header KMS blobs begin with (so it reads `AQICAH…` as AWS's do), drawn once when
 * the version is put: the same version reads the same way every time, and nothing of the
 * value can be learnt from it but a rough length.
 */
import { randomBytes } from 'node:crypto';

const KMS_BLOB_HEADER = Buffer.from([0x01, 0x02, 0x02, 0x00, 0x78]);
/** KMS's envelope around the plaintext: key ARN, IV, tag and framing. */
const ENVELOPE_BYTES = 150;

export function placeholderCiphertext(value: string): string {
  return Buffer.concat([KMS_BLOB_HEADER, randomBytes(Buffer.byteLength(value, 'utf8') + ENVELOPE_BYTES)]).toString(
    'base64',
  );
}
