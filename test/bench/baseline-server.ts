/**
 * The ceiling for `npm run bench`: a plain node:http server that answers every POST with the same bytes
 * the secure server returns for `tools/list` (same payload size, same Content-Type), with no auth, no
 * JSON-RPC parsing and no MCP SDK. Prints one JSON line `{"url","origin"}` like our server entry points.
 */
import http from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';

const payloadFile = process.env.BENCH_PAYLOAD_FILE;
if (!payloadFile) throw Object.assign(new Error('BENCH_PAYLOAD_FILE is required'), { code: 'bad_env' });
const payload = readFileSync(payloadFile);

const server = http.createServer((req, res) => {
  // Drain the request body first, as any real JSON-RPC server must before answering.
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': payload.length });
    res.end(payload);
  });
});
server.listen(0, '127.0.0.1', () => {
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  process.stdout.write(JSON.stringify({ url: `${origin}/mcp`, origin }) + '\n');
});
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
