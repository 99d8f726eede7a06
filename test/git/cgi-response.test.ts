/** parseCgiHead: the Status line, repeated headers, CRLF and LF. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseCgiHead } from '../../src/git/cgi-response.js';

describe('parseCgiHead', () => {
  it('reads Status and the headers, CRLF or LF', () => {
    assert.deepEqual(
      parseCgiHead('Status: 404 Not Found\r\nContent-Type: text/plain\r\nSet-Cookie: a\r\nSet-Cookie: b'),
      {
        status: 404,
        headers: { 'content-type': 'text/plain', 'set-cookie': ['a', 'b'] },
      },
    );
    assert.deepEqual(parseCgiHead('Expires: Fri, 01 Jan 1980 00:00:00 GMT\nCache-Control: no-cache'), {
      status: 200,
      headers: { expires: 'Fri, 01 Jan 1980 00:00:00 GMT', 'cache-control': 'no-cache' },
    });
  });

  it('ignores a malformed status and lines without a name', () => {
    assert.deepEqual(parseCgiHead('Status: banana\n: x\nnonsense'), { status: 200, headers: {} });
  });
});
