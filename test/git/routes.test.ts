/** routeGitRequest: the four smart-HTTP requests, both URL forms, and everything refused. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { routeGitRequest } from '../../src/git/index.js';

describe('routeGitRequest', () => {
  it('routes both URL forms to the .git directory', () => {
    for (const url of [
      '/git/octo-org/app.git/info/refs?service=git-upload-pack',
      '/git/octo-org/app/info/refs?service=git-upload-pack',
    ]) {
      assert.deepEqual(routeGitRequest('GET', url), {
        kind: 'git',
        repository: 'octo-org/app',
        service: 'git-upload-pack',
        access: 'read',
        pathInfo: '/octo-org/app.git/info/refs',
        query: 'service=git-upload-pack',
      });
    }
    const push = routeGitRequest('POST', '/git/octo-org/.github/git-receive-pack');
    assert.equal(
      push.kind === 'git' && `${push.repository} ${push.access} ${push.pathInfo}`,
      'octo-org/.github write /octo-org/.github.git/git-receive-pack',
    );
    const advertise = routeGitRequest('GET', '/git/o/n.git/info/refs?service=git-receive-pack');
    assert.equal(advertise.kind === 'git' && advertise.access, 'write');
  });

  it('honours another mount prefix', () => {
    assert.equal(routeGitRequest('POST', '/scm/o/n.git/git-upload-pack', '/scm/').kind, 'git');
    assert.equal(routeGitRequest('POST', '/git/o/n.git/git-upload-pack', '/scm').kind, 'refused');
  });

  it('refuses traversal with 400 and unknown paths with 404', () => {
    const status = (method: string, url: string) => {
      const route = routeGitRequest(method, url);
      return route.kind === 'refused' ? route.status : 200;
    };
    assert.equal(status('GET', '/git/o/../n.git/info/refs?service=git-upload-pack'), 400);
    assert.equal(status('GET', '/git/o/%2e%2e/info/refs?service=git-upload-pack'), 400);
    assert.equal(status('GET', '/git/o/n.git/./info/refs?service=git-upload-pack'), 400);
    assert.equal(status('GET', '/git/'), 400);
    assert.equal(status('GET', '/other/o/n.git/info/refs'), 404);
    assert.equal(status('GET', '/git/o'), 404);
    assert.equal(status('GET', '/git/-o/n.git/info/refs?service=git-upload-pack'), 404);
    assert.equal(status('GET', '/git/o/n.git/objects/pack/x.pack'), 404);
    assert.equal(status('GET', '/git/o/n.git/info/refs?service=git-upload-archive'), 403);
    assert.equal(status('POST', '/git/o/n.git/info/refs?service=git-upload-pack'), 405);
    assert.equal(status('PUT', '/git/o/n.git/git-receive-pack'), 405);
  });
});
