/**
 * awsQuery (IAM, STS): form-encoded requests; XML responses wrapped as
 *   <OpResponse xmlns=…><OpResult>…</OpResult><ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></OpResponse>
 * with lists rendered as <member> items and timestamps in ISO 8601. Errors:
 *   <ErrorResponse xmlns=…><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>
 */
import type { AwsError } from '../core/errors.js';
import type { ApiResponse } from './http-types.js';
import { escapeXml, isoDate, renderMembers, type XmlStyle } from './xml.js';

const STYLE: XmlStyle = { listItem: 'member', date: isoDate };

export function queryResult(xmlns: string, operation: string, output: unknown, requestId: string): ApiResponse {
  const members = output && typeof output === 'object' ? renderMembers(output as Record<string, unknown>, STYLE) : '';
  // An operation with no output members (DeleteRole, …) still has its Response element, without a Result.
  const result = members ? `<${operation}Result>${members}</${operation}Result>` : '';
  const body =
    `<${operation}Response xmlns="${xmlns}">${result}` +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>\n`;
  return { status: 200, headers: xmlHeaders(requestId), body };
}

export function queryError(xmlns: string, error: AwsError, requestId: string): ApiResponse {
  const body =
    `<ErrorResponse xmlns="${xmlns}"><Error><Type>${error.fault}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>\n`;
  return { status: error.status, headers: xmlHeaders(requestId), body };
}

function xmlHeaders(requestId: string): Record<string, string> {
  return { 'content-type': 'text/xml', 'x-amzn-requestid': requestId };
}
