/**
 * The results service: artifacts (actions/upload-artifact@v4, download-artifact@v4) and caches
 * (actions/cache@v4) for jobs, as GitHub's Twirp API at /twirp/github.actions.results.api.v1.*
 * and the Azure Blob subset on signed URLs at /_results/blob/… (see each module's header).
 */
export { BLOB_PREFIX } from './blob-urls.js';
export { createBlobEndpoint } from './blob-endpoint.js';
export { TWIRP_PREFIX } from './twirp.js';
export {
  DEFAULT_LIMITS,
  ResultsService,
  type ResultsJob,
  type ResultsJobRegistration,
  type ResultsLimits,
} from './results-service.js';
