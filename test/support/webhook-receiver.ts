import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedWebhook {
  id: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/**
 * A real HTTP receiver of signed webhooks on 127.0.0.1, as a help desk's would be: it verifies every request's
 * Standard Webhooks signature (a bad one is answered 401 and not kept), answers 503 to the first `failFirst`
 * deliveries, and keeps each delivery once by its `webhook-id`, as consumers dedupe.
 */
export async function startWebhookReceiver(secret: string, options: { failFirst?: number; port?: number; down?: boolean } = {}) {
  let down = options.down ?? false;
  const verifier = new Webhook(secret);
  const received: ReceivedWebhook[] = [];
  const ids = new Set<string>();
  let requests = 0;
  let failures = options.failFirst ?? 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests++;
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown;
      try {
        body = verifier.verify(raw, req.headers as Record<string, string>);
      } catch {
        res.writeHead(401).end('bad signature');
        return;
      }
      if (down || failures > 0) {
        if (down) {
          res.writeHead(503).end('down');
          return;
        }
        failures--;
        res.writeHead(503).end('down for maintenance');
        return;
      }
      const id = String(req.headers['webhook-id']);
      if (!ids.has(id)) {
        ids.add(id);
        received.push({ id, headers: req.headers, body });
      }
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/mailhelp`,
    port: (server.address() as AddressInfo).port,
    received,
    /** Starts taking deliveries (a receiver started `down` answers 503 to every one until then). */
    up() {
      down = false;
    },
    /** Every request that reached the receiver, the refused ones too. */
    get requests() {
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A Standard Webhooks secret: `whsec_` and 24 random-looking bytes in base64. */
export const WEBHOOK_SECRET = `whsec_${Buffer.from('mailhelp-test-secret-0123').toString('base64')}`;
