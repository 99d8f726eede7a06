/**
 * Header rewriting between a client and a target, as ALB does. Hop-by-hop headers stay on their
 * hop (RFC 9110 §7.6.1: Connection and the headers it names, Keep-Alive, Proxy-Connection, TE,
 * Trailer, Upgrade outside a tunnel); X-Forwarded-For gets the client's address appended,
 * X-Forwarded-Proto and X-Forwarded-Port are replaced by how the client reached the endpoint;
 * everything else, Host included, passes in its order and spelling (repeated Set-Cookie too).
 *
 * Framing is left to Node: a request keeps its Content-Length or Transfer-Encoding, which Node's
 * client honours when it sends the body on; a response loses `Transfer-Encoding: chunked`, so
 * Node's server frames the body for this client (chunked for HTTP/1.1, close-delimited for
 * 1.0). Expect is dropped: Node's server has already answered `100 Continue`.
 *
 * Both take and return raw header arrays (name, value, name, value, …) and copy: the message's
 * own array must stay as it is, Node builds its `headers` object from it on demand (the Agent
 * reads `keep-alive` from a response after it ended).
 */

/** ALB's limit for a response's headers. */
export const MAX_RESPONSE_HEADER_BYTES = 32 * 1024;

/** How clients reach the endpoint, for the headers a target receives. */
export interface Listener {
  /** The endpoint's port: X-Forwarded-Port. */
  port: string;
  /** `127.0.0.1:<port>`: the Host of an HTTP/1.0 request that has none (HTTP/1.1 requires one). */
  host: string;
}

const REQUEST_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'te',
  'trailer',
  'upgrade',
  'expect',
  'x-forwarded-proto',
  'x-forwarded-port',
]);
/** A tunnel's request goes on as the client wrote it: the upgrade is negotiated end to end. */
const TUNNEL_KEPT = new Set(['connection', 'upgrade']);
const RESPONSE_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'trailer', 'upgrade']);
/** Connection tokens that are not header names. */
const CONNECTION_OPTIONS = new Set(['close', 'keep-alive', 'upgrade']);
/** Only names of these lengths are lowercased and looked up: most headers skip both. */
const WATCHED_LENGTHS = new Set(
  [...REQUEST_HOP, ...RESPONSE_HOP, 'host', 'x-forwarded-for', 'content-length', 'transfer-encoding'].map(
    (name) => name.length,
  ),
);

const lowerIfWatched = (name: string): string => (WATCHED_LENGTHS.has(name.length) ? name.toLowerCase() : '');

/** A request's headers as a target receives them, and whether a body follows them. */
export interface ForwardedRequest {
  headers: string[];
  hasBody: boolean;
}

/**
 * A client request's raw headers rewritten for a target. `tunnel`: an Upgrade or CONNECT
 * request, whose Connection and Upgrade headers are kept.
 */
export function forwardedRequest(
  raw: readonly string[],
  clientIp: string,
  listener: Listener,
  tunnel: boolean,
): ForwardedRequest {
  const headers: string[] = [];
  let forwardedFor: string | undefined;
  let connection: string | undefined;
  let hasHost = false;
  let hasBody = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    const lower = lowerIfWatched(name);
    if (lower === 'x-forwarded-for') {
      forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
      continue;
    }
    if (lower === 'connection') connection = connection === undefined ? value : `${connection}, ${value}`;
    else if (lower === 'host') hasHost = true;
    else if (lower === 'content-length') hasBody ||= value !== '0';
    else if (lower === 'transfer-encoding') hasBody = true;
    if (REQUEST_HOP.has(lower) && !(tunnel && TUNNEL_KEPT.has(lower))) continue;
    headers.push(name, value);
  }
  if (connection !== undefined && !tunnel) dropNamedBy(connection, headers);
  if (!hasHost) headers.push('Host', listener.host);
  headers.push(
    'X-Forwarded-For',
    forwardedFor === undefined ? clientIp : `${forwardedFor}, ${clientIp}`,
    'X-Forwarded-Proto',
    'http',
    'X-Forwarded-Port',
    listener.port,
  );
  return { headers, hasBody };
}

/** A target's raw response headers rewritten for the client. */
export function forwardedResponseHeaders(raw: readonly string[]): string[] {
  const headers: string[] = [];
  let connection: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    const lower = lowerIfWatched(name);
    if (lower === 'connection') connection = connection === undefined ? value : `${connection}, ${value}`;
    if (RESPONSE_HOP.has(lower)) continue;
    // Only plain chunking is Node's to redo; another coding (`gzip, chunked`) stays declared.
    if (lower === 'transfer-encoding' && value.toLowerCase() === 'chunked') continue;
    headers.push(name, value);
  }
  if (connection !== undefined) dropNamedBy(connection, headers);
  return headers;
}

/** Drops the headers a Connection header names (`Connection: close, X-Hop` drops X-Hop). */
function dropNamedBy(connection: string, raw: string[]): void {
  const options = connection.toLowerCase();
  if (CONNECTION_OPTIONS.has(options)) return; // the usual `keep-alive` or `close`, nothing named
  const named = new Set(
    options
      .split(',')
      .map((token) => token.trim())
      .filter((token) => token !== '' && !CONNECTION_OPTIONS.has(token)),
  );
  if (named.size === 0) return;
  let kept = 0;
  for (let i = 0; i < raw.length; i += 2) {
    if (named.has(raw[i].toLowerCase())) continue;
    raw[kept++] = raw[i];
    raw[kept++] = raw[i + 1];
  }
  raw.length = kept;
}
