/**
 * The console's services page in Debian's chromium (playwright-core), measured on a cloud that
 * runs many services (bench/ecs.ts's "console" case: 50 services × 2 tasks, steady):
 *   weight   what one cold load transfers: the HTML, the script (Preact included), the
 *            stylesheet, the icon, and the view's data (the first event of its stream, the
 *            same JSON as GET /api/views/services); uncompressed, as the cloud serves it
 *   render   navigation start → the page's first render with data (its performance mark),
 *            and first contentful paint; cold (a new browser context: nothing cached) and warm
 *            (the same context: the hashed script and stylesheet come from the cache). n = 7
 *   view     GET /api/views/services (the view built on the server), beside GET /_dockyard/health
 *            (no work: how busy the cloud's event loop is anyway), medians of 20
 */
import { chromium } from 'playwright-core';
import { median } from './cloud-process.js';

const CHROMIUM = '/usr/bin/chromium';
const RUNS = 7;

export async function measureConsolePage(
  log: (line: string) => void,
  cloudUrl: string,
  admin: { accessKeyId: string; secretAccessKey: string },
  expectedServices: number,
): Promise<void> {
  const consoleUrl = `${cloudUrl}/_dockyard/console`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const login = await browser.newContext();
    const answer = await login.request.post(`${consoleUrl}/login`, {
      form: { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey },
      headers: { origin: cloudUrl },
      maxRedirects: 0,
    });
    if (answer.status() !== 303) throw new Error(`console login answered ${answer.status()}`);
    const state = await login.storageState();
    await login.close();

    // The view's latency beside the health route's (no work): the rest is the cloud's event loop
    // being busy with its runtime (100 tasks) on a shared machine.
    const view: number[] = [];
    const health: number[] = [];
    let dataBytes = 0;
    const probe = await browser.newContext({ storageState: state });
    for (let i = 0; i < 20; i++) {
      let began = performance.now();
      await (await probe.request.get(`${cloudUrl}/_dockyard/health`)).body();
      health.push(performance.now() - began);
      began = performance.now();
      const body = await (await probe.request.get(`${consoleUrl}/api/views/services`)).body();
      view.push(performance.now() - began);
      dataBytes = body.length;
    }
    await probe.close();

    const load = async (page: import('playwright-core').Page) => {
      await page.goto(`${consoleUrl}/`);
      // A function, not a string: the console's CSP forbids evaluating strings in the page.
      await page.waitForFunction(
        (services) => {
          const page = globalThis as unknown as {
            document: { querySelectorAll(selector: string): { length: number } };
            performance: { getEntriesByName(name: string): unknown[] };
          };
          return (
            page.document.querySelectorAll('tr[data-service]').length === services &&
            page.performance.getEntriesByName('dockyard:first-render').length > 0
          );
        },
        expectedServices,
        { timeout: 60_000 },
      );
      return (await page.evaluate(`(() => {
        const navigation = performance.getEntriesByType('navigation')[0];
        const resources = performance.getEntriesByType('resource').map((r) => ({ name: r.name, bytes: r.encodedBodySize, transferred: r.transferSize }));
        return {
          render: performance.getEntriesByName('dockyard:first-render')[0].startTime,
          fcp: performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? NaN,
          html: navigation.encodedBodySize,
          resources,
        };
      })()`)) as {
        render: number;
        fcp: number;
        html: number;
        resources: { name: string; bytes: number; transferred: number }[];
      };
    };

    const cold: number[] = [];
    const coldFcp: number[] = [];
    const warm: number[] = [];
    let weight: { html: number; resources: { name: string; bytes: number }[] } | undefined;
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ storageState: state });
      const page = await context.newPage();
      const first = await load(page);
      cold.push(first.render);
      coldFcp.push(first.fcp);
      weight ??= first;
      const again = await load(page);
      warm.push(again.render);
      await context.close();
    }
    const sizes = new Map(
      (weight?.resources ?? []).map((r) => [r.name.replace(/^.*\/assets\/([^?]+).*$/, '$1'), r.bytes]),
    );
    const kb = (n: number) => (n / 1000).toFixed(1);
    const total = (weight?.html ?? 0) + [...sizes.values()].reduce((a, b) => a + b, 0) + dataBytes;
    log(
      `console: services page with ${expectedServices} services, weight ${kb(total)} kB uncompressed (HTML ${kb(weight?.html ?? 0)}, console.js ${kb(sizes.get('console.js') ?? 0)}, console.css ${kb(sizes.get('console.css') ?? 0)}, icon ${kb(sizes.get('icon.svg') ?? 0)}, the view's data ${kb(dataBytes)} kB)`,
    );
    log(
      `console: first render with data ${median(cold).toFixed(0)} ms cold (first contentful paint ${median(coldFcp).toFixed(0)} ms), ${median(warm).toFixed(0)} ms warm (script and stylesheet cached); n = ${RUNS}, medians; GET /api/views/services answers in ${median(view).toFixed(1)} ms, the health route in ${median(health).toFixed(1)} ms (n = 20)`,
    );
  } finally {
    await browser.close();
  }
}
