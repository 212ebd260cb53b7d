// Secrets at rest (vCenter passwords, CloudStack secret keys) are sealed with AES-256-GCM. The stored text is
// versioned, `v1:<iv>:<tag>:<ciphertext>` (base64url parts), so the format or key can change later without
// guessing. The optional context is bound as additional authenticated data: a ciphertext copied into another
// column or row purpose fails to open instead of decrypting as the wrong secret.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { MigrateKitError } from '@migratekit/core';

const VERSION = 'v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class SecretBox {
  readonly #key: Buffer;

  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error(`SecretBox needs a 32-byte key, got ${key.length} bytes`);
    this.#key = Buffer.from(key);
  }

  seal(plaintext: string, context = ''): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, iv.toString('base64url'), tag.toString('base64url'), ciphertext.toString('base64url')].join(':');
  }

  open(sealed: string, context = ''): string {
    const parts = sealed.split(':');
    const [version, ivText, tagText, ctText] = parts;
    if (
      parts.length !== 4 ||
      version !== VERSION ||
      ivText === undefined ||
      tagText === undefined ||
      ctText === undefined
    ) {
      throw new MigrateKitError('MKE_SECRET_UNREADABLE', { message: 'Stored secret has an unknown format' });
    }
    try {
      const iv = Buffer.from(ivText, 'base64url');
      const tag = Buffer.from(tagText, 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('bad iv or tag length');
      const decipher = createDecipheriv('aes-256-gcm', this.#key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(Buffer.from(ctText, 'base64url')), decipher.final()]).toString('utf8');
    } catch (cause) {
      // Wrong master key, tampered row, or a ciphertext moved to another context.
      throw new MigrateKitError('MKE_SECRET_UNREADABLE', { cause });
    }
  }

  static isSealed(value: string): boolean {
    return value.startsWith(`${VERSION}:`) && value.split(':').length === 4;
  }
}
