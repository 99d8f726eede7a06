/**
 * Moving between the console's pages without reloading: links inside the console are caught
 * and pushed onto the history; Back and Forward work as usual.
 */
import { CONSOLE_PREFIX } from '../contract.js';

const EVENT = 'dockyard:navigate';

export function navigate(path: string): void {
  history.pushState(null, '', path);
  window.dispatchEvent(new Event(EVENT));
  window.scrollTo(0, 0);
}

/** Calls `listener` after every navigation (ours, Back, Forward); returns the unsubscribe function. */
export function onNavigate(listener: () => void): () => void {
  window.addEventListener(EVENT, listener);
  window.addEventListener('popstate', listener);
  return () => {
    window.removeEventListener(EVENT, listener);
    window.removeEventListener('popstate', listener);
  };
}

/** Catches plain clicks on links to the console's pages (not a new tab, not a download, not elsewhere). */
export function catchLinks(root: HTMLElement): void {
  root.addEventListener('click', (event) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    const anchor = (event.target as Element | null)?.closest('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download') || anchor.origin !== location.origin) return;
    if (!anchor.pathname.startsWith(`${CONSOLE_PREFIX}/`) || anchor.pathname.startsWith(`${CONSOLE_PREFIX}/assets/`))
      return;
    event.preventDefault();
    navigate(`${anchor.pathname}${anchor.search}`);
  });
}
