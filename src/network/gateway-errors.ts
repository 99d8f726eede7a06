/**
 * The endpoint's own answers, shaped like ALB's: 503 when the service has no registered (healthy)
 * target, 502 when every target failed, 400 for a request Node's parser rejects. Each is ALB's
 * small HTML page with its `Server: awselb/2.0` header, reproduced so a client that recognises
 * ALB's errors recognises these. Built once: answering costs no allocation.
 */
import type { ServerResponse } from 'node:http';

export type GatewayStatus = 400 | 502 | 503;

interface Page {
  reason: string;
  headers: string[];
  body: Buffer;
  /** The whole message with `Connection: close`, for a socket Node's server no longer owns. */
  raw: Buffer;
}

function buildPage(status: GatewayStatus, reason: string): Page {
  const title = `${status} ${reason}`;
  const body = Buffer.from(
    `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`,
  );
  const headers = ['Server', 'awselb/2.0', 'Content-Type', 'text/html', 'Content-Length', String(body.length)];
  let head = `HTTP/1.1 ${title}\r\n`;
  for (let i = 0; i < headers.length; i += 2) head += `${headers[i]}: ${headers[i + 1]}\r\n`;
  return { reason, headers, body, raw: Buffer.concat([Buffer.from(`${head}Connection: close\r\n\r\n`), body]) };
}

const PAGES: Record<GatewayStatus, Page> = {
  400: buildPage(400, 'Bad Request'),
  502: buildPage(502, 'Bad Gateway'),
  503: buildPage(503, 'Service Temporarily Unavailable'),
};

/** Answers `res` with the status's page; the client's connection stays open for its next request. */
export function sendGatewayError(res: ServerResponse, status: GatewayStatus): void {
  const { reason, headers, body } = PAGES[status];
  res.writeHead(status, reason, headers);
  res.end(body);
}

/** Failures that mean a target did not take a request (refused, or reset it unanswered): another target may. */
const REFUSALS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE']);

export function isRefusal(error: NodeJS.ErrnoException): boolean {
  return REFUSALS.has(error.code ?? '');
}

/** The status's page as a complete HTTP/1.1 message that closes the connection. */
export function rawGatewayError(status: GatewayStatus): Buffer {
  return PAGES[status].raw;
}
