/** The web UI's entry: styles, then the app into #app. Built by local/ui-bundle.ts (esbuild). */
import 'uplot/dist/uPlot.min.css';
import './components/components.css';
import './styles.css';
import { render } from 'preact';
import { App } from './app.tsx';

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<App />, root);
}
