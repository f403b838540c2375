import { createHash } from 'node:crypto';
import * as fs from 'node:fs';

/** The SHA-256 of a buffer, as lower-case hex. */
export function sha256Hex(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The SHA-256 of a file, as lower-case hex, read as a stream. */
export async function sha256File(filePath: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of fs.createReadStream(filePath)) {
    hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}
