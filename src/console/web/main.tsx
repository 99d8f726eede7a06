/** The console's script: draws the app into #app and keeps links inside it. */
import { render } from 'preact';
import { App } from './app.js';
import { catchLinks } from './navigation.js';

const root = document.getElementById('app');
if (root) {
  root.replaceChildren();
  catchLinks(document.body);
  render(<App />, root);
}
