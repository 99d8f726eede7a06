/**
 * The console's two HTML documents: the login page (plain HTML, a form; served with 401 to
 * anyone without a session) and the app's shell (its stylesheet, its script and the session's
 * CSRF token in a meta element; the script draws every view). No inline script or style: the
 * CSP is `default-src 'self'`.
 */
import type { ConsoleAssets } from './assets.js';
import { CONSOLE_PREFIX } from './contract.js';

function head(assets: ConsoleAssets, title: string, extra = ''): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>${escapeHtml(title)}</title>
<link rel="icon" href="${assets.url(CONSOLE_PREFIX, 'icon.svg')}" type="image/svg+xml">
<link rel="stylesheet" href="${assets.url(CONSOLE_PREFIX, 'console.css')}">
${extra}</head>`;
}

/** The login form; `next` is where to go afterwards (a console path), `error` why the last try failed. */
export function loginPage(assets: ConsoleAssets, options: { next?: string; error?: string } = {}): string {
  const next = options.next !== undefined && isConsolePath(options.next) ? options.next : `${CONSOLE_PREFIX}/`;
  return `${head(assets, 'Log in · dockyard console')}
<body class="login">
<main>
<h1>dockyard console</h1>
<p>Log in with the cloud's admin key (<code>dockyard env</code> prints it), or open the one-time link
<code>dockyard console</code> prints.</p>
${options.error ? `<p class="error" role="alert">${escapeHtml(options.error)}</p>` : ''}
<form method="post" action="${CONSOLE_PREFIX}/login">
<input type="hidden" name="next" value="${escapeHtml(next)}">
<label for="access-key-id">Access key ID</label>
<input id="access-key-id" name="accessKeyId" autocomplete="username" required spellcheck="false">
<label for="secret-access-key">Secret access key</label>
<input id="secret-access-key" name="secretAccessKey" type="password" autocomplete="current-password" required>
<button type="submit">Log in</button>
</form>
</main>
</body>
</html>
`;
}

/** The app: the script renders into <div id="app">. */
export function appShell(assets: ConsoleAssets, csrf: string): string {
  if (!assets.available()) {
    return `${head(assets, 'dockyard console')}
<body><main><h1>dockyard console</h1>
<p class="error" role="alert">The console's browser files are missing: run <code>npm run build</code> in dockyard's
directory, then reload.</p></main></body></html>
`;
  }
  return `${head(
    assets,
    'dockyard console',
    `<meta name="dockyard-csrf" content="${escapeHtml(csrf)}">
<script type="module" src="${assets.url(CONSOLE_PREFIX, 'console.js')}"></script>
`,
  )}
<body>
<div id="app"><p class="loading">Loading…</p></div>
<noscript><p>The console needs JavaScript.</p></noscript>
</body>
</html>
`;
}

/** A path of the console (not another site, not another part of the cloud). */
export function isConsolePath(path: string): boolean {
  return (
    (path === `${CONSOLE_PREFIX}/` || path.startsWith(`${CONSOLE_PREFIX}/`)) &&
    !path.includes('//', 1) &&
    !path.includes('\\') &&
    path.length < 1000
  );
}

export function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
