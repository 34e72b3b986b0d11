import { describe, expect, it } from 'vitest';
import { clientNetwork } from '../../server/auth/attempts.ts';

describe('the client a per-address limit counts', () => {
  it('is an IPv4 address, or the /64 of an IPv6 address however it is written', () => {
    expect(clientNetwork('203.0.113.5')).toBe('203.0.113.5');
    expect(clientNetwork('::ffff:203.0.113.5')).toBe('203.0.113.5');
    // One client holds a whole /64: every address in it is the same client.
    const network = clientNetwork('2001:db8:0:12::1');
    expect(network).toBe('2001:db8:0:12::/64');
    for (const ip of ['2001:DB8:0:12:aaaa:bbbb:cccc:dddd', '2001:0db8:0000:0012::ffff', '2001:db8:0:12::1%eth0'])
      expect(clientNetwork(ip), ip).toBe(network);
    expect(clientNetwork('2001:db8:0:13::1')).not.toBe(network);
    expect(clientNetwork('::1')).toBe('0:0:0:0::/64');
    expect(clientNetwork(undefined)).toBe('unknown');
  });
});
