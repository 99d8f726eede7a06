/**
 * The protocol layer's view of HTTP: a request already read into memory (AWS API bodies are
 * small and bounded) and a response to write. The Node adapter in src/http converts.
 */

export interface ApiRequest {
  method: string;
  /** Raw path as received, without the query string. */
  path: string;
  /** Raw query string without '?'. */
  query: string;
  /** Lower-case header names, as node:http gives them. */
  headers: Readonly<Record<string, string | string[] | undefined>>;
  body: Buffer;
  /** The client's address, for aws:SourceIp. */
  sourceIp: string;
  /**
   * It arrived on one of the cloud's addresses in a job or task network (HttpServer.listenAlso):
   * the client is a job or a task, where AWS's hostnames lead to this cloud.
   */
  fromJobOrTask?: boolean;
}

export interface ApiResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

/** The first value of a header, or undefined. */
export function header(request: Pick<ApiRequest, 'headers'>, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}
