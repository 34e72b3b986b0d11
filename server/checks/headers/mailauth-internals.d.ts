// mailauth ships no types for these modules of its own; we use them as its authenticate() does.
declare module 'mailauth/lib/parse-received.js' {
  export function parseReceived(line: string): false | Record<string, { value?: string; comment?: string }>;
}
declare module 'mailauth/lib/tools.js' {
  export function getPublicKey(
    type: 'DKIM',
    name: string,
    minBitLength: number,
    resolver: (name: string, rrtype: string) => Promise<unknown>,
  ): Promise<{ publicKey: Buffer | string; rr: string; modulusLength?: number }>;
}
