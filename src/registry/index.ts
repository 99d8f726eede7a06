/**
 * The OCI distribution data plane of ECR: `/v2` on the cloud's port, with ECR's Basic-auth
 * challenge and IAM authorization in front, over a content-addressed blob store on disk and
 * the ImageStore the control plane (src/services/ecr) owns.
 *
 * Fidelity
 * - Gaps: no `_catalog` (ECR has none either: 404); no schema1 manifests or conversion; no
 *   OCI-Chunk-Min-Length hint; upload sessions do not survive a restart (404
 *   BLOB_UPLOAD_UNKNOWN, clients restart the blob); ECR's 52,000 MiB layer limit is not
 *   enforced.
 * - By design: blob DELETE is 405 UNSUPPORTED (ECR has no blob deletion; garbage collection
 *   removes unreferenced blobs); manifest DELETE by tag is 400 UNSUPPORTED; an Accept that
 *   admits no stored type gets 404 MANIFEST_UNKNOWN (distribution's answer); an expired
 *   token gets 401 with the challenge (so clients re-login) and ECR's message; a monolithic
 *   `POST ?digest=` answers 201. Immutable tags answer 400 TAG_INVALID with ECR's message
 *   (the status ECR uses is not publicly documented).
 * - Client quirks: several Accept lines (containers/image) are read separately; a PATCH
 *   without Content-Range (skopeo, podman) streams the whole blob, chunked or not;
 *   `Content-Range: bytes a-b/n` (older Docker) is read like the spec's `a-b`; HEAD answers
 *   carry Docker-Content-Digest (containerd needs it).
 */
export { createRegistryHandler } from './handler.js';
export { DiskBlobStore } from './blob-store.js';
export { RegistryTokenStore } from './tokens.js';
