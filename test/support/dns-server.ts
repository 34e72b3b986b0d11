import dns2 from 'dns2';

// dns2's type declarations lag behind its code (RCODE, plain-object answers): use it untyped here.
const Packet = (dns2 as any).Packet;
const TYPE_NAMES: Record<number, string> = Object.fromEntries(Object.entries(Packet.TYPE as Record<string, number>).map(([k, v]) => [v, k]));

export interface ZoneRecord {
  type: 'TXT' | 'MX' | 'A' | 'AAAA' | 'PTR' | 'CNAME';
  /**
   * TXT: the text (an array for several strings, an empty array for none; bytes as a Buffer when they must go out
   * exactly, such as ones that are not UTF-8); MX: `priority exchange`; A, AAAA: the address; PTR, CNAME: the name.
   */
  value: string | Buffer | (string | Buffer)[];
}

export type Zone = Record<string, ZoneRecord[]>;

/**
 * A real DNS server on 127.0.0.1 (UDP, a free port) answering from a crafted zone: names in the zone answer their
 * records (or NODATA), names outside it NXDOMAIN, names in `silent` never get an answer (a dead server), names
 * in `servfail` a server failure, and names in `delays` answer after that many milliseconds (a slow server).
 */
export async function startDnsServer(zone: Zone, silent: string[] = [], servfail: string[] = [], delays: Record<string, number> = {}) {
  const names = new Map(Object.entries(zone).map(([k, v]) => [k.toLowerCase(), v]));
  /** Every question asked, in order, as `TYPE name`: tests count the load a check puts on DNS here. */
  const queries: string[] = [];
  let open = true;
  const server = (dns2 as any).createServer({
    udp: true,
    // An answer too long for UDP comes back truncated, and the resolver asks again over TCP, as with real servers.
    tcp: true,
    handle(request: any, reply: (r: any) => void) {
      const response = Packet.createResponseFromRequest(request);
      const [question] = request.questions;
      const name = String(question.name).toLowerCase();
      queries.push(`${TYPE_NAMES[question.type] ?? question.type} ${name}`);
      const delay = delays[name];
      const send = (r: any) => (delay ? setTimeout(() => open && reply(r), delay) : reply(r));
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
        // A TXT string holds at most 255 bytes: longer records go out as several strings, as DNS servers do. Control
        // characters stay inside their string (`[^]`, unlike `.`, also matches a carriage return).
        const strings = [r.value].flat().flatMap((v): (string | Buffer)[] => (Buffer.isBuffer(v) ? [v] : (v.match(/[^]{1,255}/g) ?? [''])));
        if (r.type === 'TXT' && question.type === Packet.TYPE.TXT) response.answers.push({ ...base, type: Packet.TYPE.TXT, data: strings });
        if (r.type === 'A' && question.type === Packet.TYPE.A) response.answers.push({ ...base, type: Packet.TYPE.A, address: r.value });
        if (r.type === 'AAAA' && question.type === Packet.TYPE.AAAA) response.answers.push({ ...base, type: Packet.TYPE.AAAA, address: r.value });
        if (r.type === 'PTR' && question.type === Packet.TYPE.PTR) response.answers.push({ ...base, type: Packet.TYPE.PTR, domain: r.value });
        // A CNAME answers every type of question about its name.
        if (r.type === 'CNAME') response.answers.push({ ...base, type: Packet.TYPE.CNAME, domain: r.value });
        if (r.type === 'MX' && question.type === Packet.TYPE.MX) {
          const [priority, exchange] = String(r.value).split(' ');
          response.answers.push({ ...base, type: Packet.TYPE.MX, priority: Number(priority), exchange: exchange === '.' ? '' : exchange });
        }
      }
      send(response);
    },
  });
  // UDP and TCP on one port, as resolvers expect: take a free UDP port, then the same for TCP.
  const { udp, tcp } = server.servers;
  await udp.listen(0, '127.0.0.1');
  const port = udp.address().port as number;
  await new Promise<void>((resolve, reject) => tcp.once('error', reject).listen(port, '127.0.0.1', resolve));
  return { server: `127.0.0.1:${port}`, queries, close: () => ((open = false), server.close()) };
}
