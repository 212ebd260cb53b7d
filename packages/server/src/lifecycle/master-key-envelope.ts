// The master key outside the server, sealed with an operator's passphrase: scrypt derives a key from the
// passphrase, AES-256-GCM encrypts the master key with it. `migratekit backup --with-key` writes this envelope
// next to a database backup; `migratekit restore --key` opens it. A wrong passphrase fails authentication.
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

const FORMAT = 'migratekit-master-key-v1';
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 };

interface Envelope {
  format: typeof FORMAT;
  kdf: 'scrypt';
  salt: string;
  iv: string;
  tag: string;
  ciphertext: string;
}

export const MIN_PASSPHRASE_LENGTH = 12;

function derive(passphrase: string, salt: Buffer): Buffer {
  return scryptSync(passphrase.normalize('NFC'), salt, 32, SCRYPT);
}

export function sealMasterKey(key: Buffer, passphrase: string): string {
  if (passphrase.length < MIN_PASSPHRASE_LENGTH)
    throw new Error(`the passphrase must be at least ${MIN_PASSPHRASE_LENGTH} characters`);
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', derive(passphrase, salt), iv);
  cipher.setAAD(Buffer.from(FORMAT));
  const ciphertext = Buffer.concat([cipher.update(key), cipher.final()]);
  const envelope: Envelope = {
    format: FORMAT,
    kdf: 'scrypt',
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    ciphertext: ciphertext.toString('base64'),
  };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

export function openMasterKey(text: string, passphrase: string): Buffer {
  const envelope = JSON.parse(text) as Partial<Envelope>;
  if (envelope.format !== FORMAT || !envelope.salt || !envelope.iv || !envelope.tag || !envelope.ciphertext)
    throw new Error(`not a ${FORMAT} file`);
  const decipher = createDecipheriv(
    'aes-256-gcm',
    derive(passphrase, Buffer.from(envelope.salt, 'base64')),
    Buffer.from(envelope.iv, 'base64'),
  );
  decipher.setAAD(Buffer.from(FORMAT));
  decipher.setAuthTag(Buffer.from(envelope.tag, 'base64'));
  try {
    return Buffer.concat([decipher.update(Buffer.from(envelope.ciphertext, 'base64')), decipher.final()]);
  } catch (error) {
    throw new Error('the key file does not open with this passphrase (or it was altered)', { cause: error });
  }
}
