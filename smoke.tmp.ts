import { mkdtemp } from 'node:fs/promises';
import os from 'node:os'; import path from 'node:path';
import { scanLogs } from './src/logs/scanner.ts';
import { generateLogs } from './bench/log-generator.ts';
const dir = await mkdtemp(path.join(os.tmpdir(), 'i17-pf-'));
const g = await generateLogs(dir, { totalBytes: 5 * 16e6, fileBytes: 16e6 });
for (let r = 0; r < 2; r++) for (const f of g.files) {
  const s = performance.now(); const res = await scanLogs({ paths: [f] });
  console.log(path.basename(f), (performance.now() - s).toFixed(0), 'ms', JSON.stringify(res.totals));
}
