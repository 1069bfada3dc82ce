import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TestServer {
  /** Base URL without a trailing slash, e.g. http://127.0.0.1:41234 */
  url: string;
  close: () => Promise<void>;
}

/** A real HTTP server on 127.0.0.1 and a free port, for probes to talk to. */
export async function startServer(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<TestServer> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A loopback URL where nothing listens: the port was free a moment ago. */
export async function refusedUrl(path = '/healthz'): Promise<string> {
  const server = await startServer(() => {});
  await server.close();
  return `${server.url}${path}`;
}

/** Replies with a fixed status, content type and body. */
export function reply(status: number, body = '', contentType = 'text/plain') {
  return (_req: IncomingMessage, res: ServerResponse): void => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  };
}
