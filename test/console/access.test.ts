/**
 * Who may use the console: without a session every route, every view's JSON and every event
 * stream answers 401 (pages with the login form), the admin key logs in (form or one-time
 * link from `dockyard console`), the session cookie is HttpOnly and SameSite=Strict on the
 * console's path, every state-changing request needs the console's own Origin and the
 * session's CSRF token, and only loopback host names are answered. Bad input gets a clear
 * 4xx. The built browser files are the one thing served without a session (they hold no data).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateRepositoryCommand, ECRClient } from '@aws-sdk/client-ecr';
import { after, before, describe, it } from 'node:test';
import { Cloud } from '../../src/cloud/cloud.js';
import { basicAuthorization } from '../../src/control/admin-auth.js';
import { LINK_TTL_MS } from '../../src/console/sessions.js';
import { dockyard } from '../support/dockyard-cli.js';
import { FollowingClock } from '../support/following-clock.js';
import { call, csrfOf, logIn, openStream } from './support.js';

/** Every route of the console that shows data or acts, as a browser or the page's script would ask. */
const ROUTES: [method: string, path: string][] = [
  ['GET', ''],
  ['GET', '/'],
  ['GET', '/services/apps/web'],
  ['GET', '/tasks/apps/0123456789abcdef0123456789abcdef'],
  ['GET', '/pipelines'],
  ['GET', '/pipelines/me/app'],
  ['GET', '/runs/1?job=1&step=1'],
  ['GET', '/trust'],
  ['GET', '/trust/roles/GitHub_Actions_Role'],
  ['GET', '/images'],
  ['GET', '/images/my-app'],
  ['GET', '/no/such/page'],
  ['HEAD', '/'],
  ['GET', '/api/views/services'],
  ['GET', '/api/views/service?cluster=apps&name=web'],
  ['GET', '/api/views/task?cluster=apps&id=0123456789abcdef0123456789abcdef'],
  ['GET', '/api/views/repositories'],
  ['GET', '/api/views/repository?name=me/app'],
  ['GET', '/api/views/run?id=1'],
  ['GET', '/api/views/trust'],
  ['GET', '/api/views/role?name=GitHub_Actions_Role'],
  ['GET', '/api/views/images'],
  ['GET', '/api/views/image?name=my-app'],
  ['GET', '/api/runs/1/jobs/1/steps/1/log'],
  ['POST', '/api/runs/1/rerun'],
  ['POST', '/api/runs/1/cancel'],
  ['POST', '/api/trust/check'],
  ['POST', '/logout'],
  ['DELETE', '/api/views/services'],
];
const VIEWS = [
  'view=services',
  'view=service&cluster=apps&name=web',
  'view=task&cluster=apps&id=0123456789abcdef0123456789abcdef',
  'view=repositories',
  'view=repository&name=me/app',
  'view=run&id=1&job=1&step=1',
  'view=trust',
  'view=role&name=GitHub_Actions_Role',
  'view=images',
  'view=image&name=my-app',
];

describe('console: access', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dockyard-console-access-'));
  // Wall time, which the link-expiry case skips ahead.
  const clock = new FollowingClock();
  let cloud: Cloud;
  let url: string;
  let admin: { accessKeyId: string; secretAccessKey: string };

  before(async () => {
    // Published (endpoint.json) so `dockyard console` finds it; the engine's certs.d is left alone.
    cloud = await Cloud.start({ dataDir, port: 0, host: '127.0.0.1', clock, publish: true, engineCertsDir: false });
    await cloud.ready();
    url = cloud.url;
    admin = { accessKeyId: cloud.state.admin.accessKeyId, secretAccessKey: cloud.state.admin.secretAccessKey };
  });
  after(async () => {
    await cloud?.stop();
    clock.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers 401 to every route and every event stream without a session, also to a forged or stale cookie and to HTTP Basic', async () => {
    const cookieName = `dockyard_console_${new URL(url).port}`;
    const strangers: Record<string, string>[] = [
      {},
      { cookie: `${cookieName}=forged-${'x'.repeat(43)}` },
      { cookie: `${cookieName}=${'y'.repeat(5000)}` },
      { authorization: basicAuthorization(admin) },
    ];
    for (const headers of strangers) {
      for (const [method, path] of ROUTES) {
        const answer = await call(url, path, {
          method,
          headers: { ...headers, ...(method === 'GET' || method === 'HEAD' ? {} : { origin: url }) },
        });
        assert.equal(answer.status, 401, `${method} ${path} with ${JSON.stringify(Object.keys(headers))}`);
        assert.doesNotMatch(answer.body, /"clusters"|"repositories"|"roles"/, 'no data in a refusal');
      }
      for (const query of VIEWS) {
        const stream = await openStream(url, query, headers.cookie);
        stream.close();
        assert.equal(stream.status, 401, `stream ${query}`);
        assert.doesNotMatch(String(stream.headers['content-type']), /event-stream/);
      }
    }
    const page = await call(url, '/services/apps/web');
    assert.match(
      page.body,
      /<form method="post" action="\/_dockyard\/console\/login">/,
      'pages answer with the login form',
    );
    assert.match(page.body, /name="next" value="\/_dockyard\/console\/services\/apps\/web"/);
  });

  it('serves the built browser files without a session: they hold no data, and the login page needs its stylesheet', async () => {
    for (const name of ['console.js', 'console.css', 'icon.svg']) {
      const asset = await call(url, `/assets/${name}`);
      assert.equal(asset.status, 200, `${name}: ${asset.body.slice(0, 200)}`);
      assert.equal(asset.headers['cache-control'], 'no-cache', 'unversioned URLs are revalidated');
    }
    assert.equal((await call(url, '/assets/../admin.json')).status, 401, 'only the listed files');
    assert.equal((await call(url, '/assets/state.db')).status, 404);
  });

  it('logs in with the admin key: an HttpOnly, SameSite=Strict cookie on the console path, then views and streams answer', async () => {
    const wrong = await call(url, '/login', {
      method: 'POST',
      headers: { origin: url, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ accessKeyId: admin.accessKeyId, secretAccessKey: 'not-it' }).toString(),
    });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /That is not the admin key/);
    assert.equal(wrong.headers['set-cookie'], undefined);

    const session = await logIn(url, admin);
    assert.match(session.setCookie, /; Path=\/_dockyard\/console; HttpOnly; SameSite=Strict; Max-Age=43200$/);
    const views = await call(url, '/api/views/services', { headers: { cookie: session.cookie } });
    assert.equal(views.status, 200);
    assert.deepEqual(JSON.parse(views.body), { clusters: [] });
    const page = await call(url, '/', { headers: { cookie: session.cookie } });
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.equal(page.headers['x-frame-options'], 'DENY');

    const stream = await openStream(url, 'view=images', session.cookie);
    try {
      assert.equal(stream.status, 200);
      assert.match(String(stream.headers['content-type']), /^text\/event-stream/);
      assert.deepEqual(await stream.next('snapshot'), { repositories: [] });
      // The stream follows ECR's change feed: a new repository arrives without asking.
      await new ECRClient({ endpoint: url, region: cloud.region, credentials: admin, maxAttempts: 1 }).send(
        new CreateRepositoryCommand({ repositoryName: 'console-live' }),
      );
      await stream.next('snapshot', (d) => JSON.stringify(d).includes('"console-live"'));
    } finally {
      stream.close();
    }

    const out = await call(url, '/logout', {
      method: 'POST',
      headers: { cookie: session.cookie, origin: url, 'x-dockyard-csrf': session.csrf },
    });
    assert.equal(out.status, 303);
    assert.equal((await call(url, '/api/views/services', { headers: { cookie: session.cookie } })).status, 401);
  });

  it('refuses a state change from another origin, without the CSRF token, or with another session’s', async () => {
    const session = await logIn(url, admin);
    const other = await logIn(url, admin);
    const json = { 'content-type': 'application/json' };
    const body = JSON.stringify({ roleArn: 'arn:aws:iam::000000000000:role/none', repository: 'me/app', ref: 'main' });
    const forged: Record<string, string>[] = [
      // A page of another site (or another port of this host: the same site, so the cookie comes along).
      { origin: 'http://127.0.0.1:1', 'x-dockyard-csrf': session.csrf },
      { origin: 'http://evil.example', 'x-dockyard-csrf': session.csrf },
      { origin: 'null', 'x-dockyard-csrf': session.csrf },
      { 'x-dockyard-csrf': session.csrf },
      { origin: url },
      { origin: url, 'x-dockyard-csrf': other.csrf },
      { origin: url, 'x-dockyard-csrf': `${session.csrf.slice(0, -1)}${session.csrf.endsWith('A') ? 'B' : 'A'}` },
    ];
    for (const headers of forged) {
      for (const path of ['/api/trust/check', '/api/runs/1/cancel', '/api/runs/1/rerun', '/logout']) {
        const answer = await call(url, path, {
          method: 'POST',
          headers: { cookie: session.cookie, ...json, ...headers },
          body,
        });
        assert.equal(answer.status, 403, `${path} ${JSON.stringify(headers)}: ${answer.body}`);
        assert.match(answer.body, /did not come from a console page/);
      }
    }
    const login = await call(url, '/login', {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(admin).toString(),
    });
    assert.equal(login.status, 403, 'a login posted from another site');
    // The session survived every forgery, and the real page's request goes through.
    const real = await call(url, '/api/trust/check', {
      method: 'POST',
      headers: { cookie: session.cookie, origin: url, 'x-dockyard-csrf': session.csrf, ...json },
      body,
    });
    assert.equal(real.status, 200, real.body);
    assert.equal((JSON.parse(real.body) as { admitted: boolean }).admitted, false);
  });

  it('answers only loopback host names (a rebound DNS name gets nothing)', async () => {
    const session = await logIn(url, admin);
    const port = new URL(url).port;
    for (const host of [`evil.example:${port}`, `127.0.0.1.nip.io:${port}`, `0.0.0.0:${port}`, `[::2]:${port}`]) {
      const answer = await call(url, '/api/views/services', { headers: { host, cookie: session.cookie } });
      assert.equal(answer.status, 403, host);
    }
    for (const host of [`localhost:${port}`, `127.0.0.1:${port}`, `LOCALHOST:${port}`]) {
      const answer = await call(url, '/api/views/services', { headers: { host, cookie: session.cookie } });
      assert.equal(answer.status, 200, host);
    }
  });

  it('`dockyard console` prints a one-time link: it logs in once, within five minutes', async () => {
    const printed = await dockyard(['console', '--data', dataDir]);
    assert.equal(printed.status, 0, printed.stderr);
    assert.match(printed.stdout, new RegExp(`^The console: ${url}/_dockyard/console/$`, 'm'));
    const link = /^ {2}(http:\/\/\S+\/link\?token=\S+)$/m.exec(printed.stdout)?.[1];
    assert.ok(link, printed.stdout);
    const opened = await call(url, new URL(link).pathname + new URL(link).search);
    assert.equal(opened.status, 303);
    assert.equal(opened.headers.location, '/_dockyard/console/');
    assert.equal(opened.headers['referrer-policy'], 'no-referrer');
    const cookie = ([opened.headers['set-cookie'] ?? []].flat()[0] ?? '').split(';')[0] ?? '';
    assert.ok(await csrfOf(url, cookie), 'the link gave a session');
    const again = await call(url, new URL(link).pathname + new URL(link).search);
    assert.equal(again.status, 401, 'a link works once');
    assert.match(again.body, /expired or was used already/);

    const late = JSON.parse((await dockyard(['console', '--data', dataDir, '--json'])).stdout) as { link: string };
    clock.advance(LINK_TTL_MS + 1);
    assert.equal((await call(url, new URL(late.link).pathname + new URL(late.link).search)).status, 401);

    const noKey = await call(url, '/links', { method: 'POST' });
    assert.equal(noKey.status, 401, 'a link needs the admin key');
    const fromPage = await call(url, '/links', {
      method: 'POST',
      headers: { authorization: basicAuthorization(admin), origin: url },
    });
    assert.equal(fromPage.status, 403, 'a page may not mint links, even with cached Basic credentials');
  });

  it('says what is wrong with bad input, briefly, and never fails inside', async () => {
    const session = await logIn(url, admin);
    const get = (path: string) => call(url, path, { headers: { cookie: session.cookie } });
    const post = (path: string, body: string, type = 'application/json') =>
      call(url, path, {
        method: 'POST',
        headers: { cookie: session.cookie, origin: url, 'x-dockyard-csrf': session.csrf, 'content-type': type },
        body,
      });
    const cases: [Promise<{ status: number; body: string }>, number, RegExp][] = [
      [get('/api/views/nope'), 404, /no view nope/],
      [get('/api/views/service'), 400, /cluster parameter/],
      [get('/api/views/service?cluster=apps&name=nope'), 404, /Nothing by that name/],
      [get('/api/views/run?id=abc'), 400, /id parameter/],
      [get(`/api/views/repository?name=${'a'.repeat(600)}`), 400, /name parameter/],
      [get('/api/views/task?cluster=apps&id=not-an-id'), 404, /Nothing/],
      [get('/events?view=nope'), 404, /no view/],
      [get('/events?view=run&id=999'), 404, /Nothing by that name/],
      [get('/api/runs/9/jobs/1/steps/1/log'), 404, /No such step/],
      [post('/api/runs/99/rerun', ''), 404, /No run 99/],
      [post('/api/trust/check', '{'), 400, /not valid JSON/],
      [post('/api/trust/check', 'roleArn=x', 'application/x-www-form-urlencoded'), 415, /Send JSON/],
      [post('/api/trust/check', '[]'), 400, /JSON object/],
      [post('/api/trust/check', '{"roleArn":"nope","repository":"a/b","ref":"main"}'), 400, /roleArn is not valid/],
      [
        post('/api/trust/check', '{"roleArn":"arn:aws:iam::000000000000:role/r"}'),
        400,
        /repository and a ref, or a run/,
      ],
      [
        post(
          '/api/trust/check',
          JSON.stringify({ roleArn: 'arn:aws:iam::000000000000:role/r', repository: 'a/b', ref: 'm\u0000' }),
        ),
        400,
        /ref is not valid/,
      ],
      [
        post('/api/trust/check', JSON.stringify({ roleArn: 'arn:aws:iam::000000000000:role/r', runId: 77 })),
        404,
        /No run 77/,
      ],
      [post('/api/trust/check', 'x'.repeat(20_000)), 413, /over 16384 bytes/],
      [post('/api/nothing', '{}'), 404, /No POST/],
    ];
    for (const [answer, status, message] of cases) {
      const got = await answer;
      assert.equal(got.status, status, got.body);
      assert.match(got.body, message);
      assert.doesNotMatch(got.body, /at .*\.js:\d+/, 'no stack trace');
    }
  });
});
