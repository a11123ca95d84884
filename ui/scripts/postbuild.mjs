// Restores ui/dist/.keep after `vite build` empties the folder: the Go embed
// (embed.go) needs ui/dist to exist in a clean checkout, so the placeholder is
// committed and must survive builds. Also refuses a build that would break the
// server's strict CSP (inline scripts or styles in index.html).
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');
// Same bytes as the committed file, so a build leaves git clean.
writeFileSync(join(dist, '.keep'), 'Placeholder so the Go embed compiles before the UI is built (make ui).\n');

const html = readFileSync(join(dist, 'index.html'), 'utf8');
const problems = [];
for (const m of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)) {
  if (!/\bsrc=/.test(m[0]) || m[1].trim() !== '') problems.push('inline <script>');
}
if (/<style\b/.test(html)) problems.push('inline <style>');
if (/\sstyle=/.test(html)) problems.push('style= attribute');
if (/\son[a-z]+=/.test(html)) problems.push('inline event handler');
if (problems.length) {
  console.error(`postbuild: index.html breaks the CSP: ${problems.join(', ')}`);
  process.exit(1);
}
console.log('postbuild: ui/dist/.keep written; index.html has no inline script or style');
