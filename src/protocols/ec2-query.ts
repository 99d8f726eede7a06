/**
 * ec2Query (EC2): form-encoded requests like awsQuery, but XML responses carry the members
 * directly under <OpResponse> (no Result wrapper), lists as <item>, a lower-case <requestId>
 * first; errors are <Response><Errors><Error><Code/><Message/></Error></Errors><RequestID/></Response>.
 * Handlers return EC2's wire member names (vpcSet, groupId, …) since EC2's shapes are named that way.
 */
import type { AwsError } from '../core/errors.js';
import type { ApiResponse } from './http-types.js';
import { escapeXml, isoDate, renderMembers, type XmlStyle } from './xml.js';

const STYLE: XmlStyle = { listItem: 'item', date: isoDate };

export function ec2Result(xmlns: string, operation: string, output: unknown, requestId: string): ApiResponse {
  const members = output && typeof output === 'object' ? renderMembers(output as Record<string, unknown>, STYLE) : '';
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${xmlns}"><requestId>${requestId}</requestId>${members}</${operation}Response>\n`;
  return { status: 200, headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId }, body };
}

export function ec2Error(error: AwsError, requestId: string): ApiResponse {
  const body =
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>\n`;
  return {
    status: error.status,
    headers: { 'content-type': 'text/xml;charset=UTF-8', 'x-amzn-requestid': requestId },
    body,
  };
}
