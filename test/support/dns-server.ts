import dns2 from 'dns2';

// dns2's type declarations lag behind its code (RCODE, plain-object answers): use it untyped here.
const Packet = (dns2 as any).Packet;

export interface ZoneRecord {
  type: 'TXT' | 'MX' | 'A';
  /** TXT: the text (an array for several strings); MX: `priority exchange`; A: the address. */
  value: string | string[];
}

export type Zone = Record<string, ZoneRecord[]>;

/**
 * A real DNS server on 127.0.0.1 (UDP, a free port) answering from a crafted zone: names in the zone answer their
 * records (or NODATA), names outside it NXDOMAIN, names in `silent` never get an answer (a dead server), and names
 * in `servfail` a server failure.
 */
export async function startDnsServer(zone: Zone, silent: string[] = [], servfail: string[] = []) {
  const names = new Map(Object.entries(zone).map(([k, v]) => [k.toLowerCase(), v]));
  const server = (dns2 as any).createServer({
    udp: true,
    handle(request: any, send: (r: any) => void) {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = String(question.name).toLowerCase();
      if (silent.includes(name)) return;
      if (servfail.includes(name)) {
        response.header.rcode = Packet.RCODE.SERVFAIL;
        return send(response);
      }
      const records = names.get(name);
      if (!records) {
        response.header.rcode = Packet.RCODE.NXDOMAIN;
        return send(response);
      }
      for (const r of records) {
        const base = { name: question.name, class: Packet.CLASS.IN, ttl: 60 };
        // A TXT string holds at most 255 bytes: longer records go out as several strings, as DNS servers do.
        const strings = [r.value].flat().flatMap((v) => String(v).match(/.{1,255}/g) ?? ['']);
        if (r.type === 'TXT' && question.type === Packet.TYPE.TXT) response.answers.push({ ...base, type: Packet.TYPE.TXT, data: strings });
        if (r.type === 'A' && question.type === Packet.TYPE.A) response.answers.push({ ...base, type: Packet.TYPE.A, address: r.value });
        if (r.type === 'MX' && question.type === Packet.TYPE.MX) {
          const [priority, exchange] = String(r.value).split(' ');
          response.answers.push({ ...base, type: Packet.TYPE.MX, priority: Number(priority), exchange: exchange === '.' ? '' : exchange });
        }
      }
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: '127.0.0.1' } });
  const port = (addresses as any).udp.port as number;
  return { server: `127.0.0.1:${port}`, close: () => server.close() };
}
