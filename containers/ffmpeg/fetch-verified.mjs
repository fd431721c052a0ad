// Image build helper (runs inside `docker build`, before the runtime stage):
//   node fetch-verified.mjs <url> <sha256> <dest>
// Downloads one file and refuses it unless its sha256 is the pinned one.
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';

const [url, expected, dest] = process.argv.slice(2);
if (!url || !/^[0-9a-f]{64}$/.test(expected ?? '') || !dest) {
  console.error('usage: node fetch-verified.mjs <url> <sha256 hex> <dest>');
  process.exit(2);
}
const res = await fetch(url, { redirect: 'follow' });
if (!res.ok) {
  console.error(`${url}: HTTP ${res.status}`);
  process.exit(1);
}
const body = Buffer.from(await res.arrayBuffer());
const got = createHash('sha256').update(body).digest('hex');
if (got !== expected) {
  console.error(`${url}: sha256 ${got} is not the pinned ${expected}`);
  process.exit(1);
}
await writeFile(dest, body);
console.log(`${dest}: ${body.length} bytes, sha256 ok`);
