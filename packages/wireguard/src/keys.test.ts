import { execFile } from 'node:child_process';
import { generateKeyPair, isWireGuardKey, keyFromHex, keyToHex, publicKeyFromPrivate } from './keys';

/** What wireguard-tools computes for a private key (the reference implementation). */
function wgPubkey(privateKey: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile('wg', ['pubkey'], (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout.trim())));
    child.stdin?.end(`${privateKey}\n`);
  });
}

function wgGenkey(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('wg', ['genkey'], (error, stdout, stderr) => (error ? reject(new Error(stderr || error.message)) : resolve(stdout.trim())));
  });
}

describe('generateKeyPair', () => {
  it('makes keys in wg format whose public half is what `wg pubkey` derives', async () => {
    for (let round = 0; round < 5; round++) {
      const pair = generateKeyPair();
      expect(isWireGuardKey(pair.privateKey)).toBe(true);
      expect(isWireGuardKey(pair.publicKey)).toBe(true);
      expect(await wgPubkey(pair.privateKey)).toBe(pair.publicKey);
    }
  });

  it('clamps the private key as `wg genkey` does', () => {
    const secret = Buffer.from(generateKeyPair().privateKey, 'base64');
    expect(secret[0]! & 7).toBe(0);
    expect(secret[31]! & 0x80).toBe(0);
    expect(secret[31]! & 0x40).toBe(0x40);
  });

  it('makes a new pair every time', () => {
    expect(generateKeyPair().privateKey).not.toBe(generateKeyPair().privateKey);
  });
});

describe('publicKeyFromPrivate', () => {
  it('agrees with `wg pubkey` for keys made by `wg genkey`', async () => {
    const privateKey = await wgGenkey();
    expect(publicKeyFromPrivate(privateKey)).toBe(await wgPubkey(privateKey));
  });

  it('agrees with `wg pubkey` for an unclamped key (wg clamps on use)', async () => {
    const unclamped = Buffer.alloc(32, 0xff).toString('base64');
    expect(publicKeyFromPrivate(unclamped)).toBe(await wgPubkey(unclamped));
  });

  it('rejects a malformed key with a message that does not repeat it', () => {
    const secretLooking = 'c2VjcmV0LXZhbHVlLXRoYXQtaXMtdG9vLXNob3J0';
    expect(() => publicKeyFromPrivate(secretLooking)).toThrow(/invalid WireGuard private key: expected 44 characters/);
    expect(() => publicKeyFromPrivate(secretLooking)).not.toThrow(new RegExp(secretLooking));
  });
});

describe('hex helpers for the UAPI', () => {
  it('round-trips a key through hex', () => {
    const { publicKey } = generateKeyPair();
    const hex = keyToHex(publicKey);
    expect(hex).toMatch(/^[0-9a-f]{64}$/);
    expect(keyFromHex(hex)).toBe(publicKey);
  });

  it('rejects hex of the wrong length', () => {
    expect(() => keyFromHex('abcd')).toThrow(/expected 64 hex digits/);
  });
});

describe('isWireGuardKey', () => {
  it.each([
    ['', false],
    ['not a key', false],
    [Buffer.alloc(31).toString('base64'), false],
    [Buffer.alloc(33).toString('base64'), false],
    [Buffer.alloc(32).toString('base64url'), false],
    [Buffer.alloc(32, 7).toString('base64'), true],
  ])('%j → %s', (value, expected) => {
    expect(isWireGuardKey(value)).toBe(expected);
  });

  it('derives the public key of RFC 7748 §6.1 (Alice)', () => {
    const hexToBase64 = (hex: string): string => Buffer.from(hex, 'hex').toString('base64');
    const privateKey = hexToBase64('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    expect(publicKeyFromPrivate(privateKey)).toBe(hexToBase64('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'));
  });
});

// Moved from the gateway's key tests.
describe('keys made with wireguard-tools', () => {
  it('derives the public key `wg pubkey` prints (pair made with wireguard-tools)', () => {
    expect(publicKeyFromPrivate('YNqHbfBQKaGvzefSSuufuNKaRYlzPvdTPG3pLyVgIUk=')).toBe('pDQTks0Gc5VJ6CAfj7hrVXHgsaTElAQuOESoJtFIxmY=');
  });

  it('converts between base64 and hex', () => {
    const A = 'xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=';
    expect(keyFromHex(keyToHex(A))).toBe(A);
  });
});
