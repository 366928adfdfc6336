/**
 * The floor of `npm run bench:slack`: an HTTP server on loopback, in its own process like the bot,
 * that reads each request's body and answers `200` with an empty body at once — no signature
 * check, no Bolt, no work. The load generator's latencies against it are what the measurement
 * itself costs on this machine (the client's event loop, the loopback TCP stack, the scheduler),
 * the part of the bot's figures no bot could remove. Sends `{ port }` to the parent once
 * listening; exits on the parent's `stop` message.
 */
import { createServer } from 'node:http';

const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-length': 0 });
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.send!({ port: typeof address === 'object' && address ? address.port : 0 });
});
process.on('message', (m) => {
  if (m === 'stop') server.close(() => process.send!({ stopped: true }, () => process.exit(0)));
});
