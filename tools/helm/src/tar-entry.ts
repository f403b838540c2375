import * as zlib from 'node:zlib';

const BLOCK = 512;

/** Reads a NUL-terminated ASCII field of a tar header. */
function _field(header: Buffer, offset: number, length: number): string {
  const raw = header.subarray(offset, offset + length);
  const end = raw.indexOf(0);
  return raw.subarray(0, end === -1 ? raw.length : end).toString('utf8');
}

/** Reads an octal (or GNU base-256) numeric field of a tar header. */
function _number(header: Buffer, offset: number, length: number): number {
  const raw = header.subarray(offset, offset + length);
  if (((raw[0] ?? 0) & 0x80) !== 0) {
    let value = 0;
    for (let index = 1; index < raw.length; index += 1) {
      value = value * 256 + (raw[index] ?? 0);
    }
    return value;
  }
  const text = _field(header, offset, length).trim();
  return text === '' ? 0 : Number.parseInt(text, 8);
}

/** The `path` record of a pax extended header, if any. */
function _paxPath(body: Buffer): string | undefined {
  let cursor = 0;
  while (cursor < body.length) {
    const space = body.indexOf(0x20, cursor);
    if (space === -1) break;
    const length = Number.parseInt(body.subarray(cursor, space).toString('ascii'), 10);
    if (!Number.isFinite(length) || length <= 0) break;
    const record = body.subarray(space + 1, cursor + length - 1).toString('utf8');
    const equals = record.indexOf('=');
    if (record.slice(0, equals) === 'path') return record.slice(equals + 1);
    cursor += length;
  }
  return undefined;
}

/**
 * Returns the content of the regular file `entryPath` inside a gzip-compressed tar archive (an npm
 * tarball). Understands ustar prefixes, pax `path` records and GNU long names.
 * @throws if the archive holds no regular file at `entryPath`.
 */
export function readTgzEntry(tgz: Buffer, entryPath: string): Buffer {
  const tar = zlib.gunzipSync(tgz);
  let offset = 0;
  let longName: string | undefined;
  while (offset + BLOCK <= tar.length) {
    const header = tar.subarray(offset, offset + BLOCK);
    if (header.every((byte) => byte === 0)) break;
    const size = _number(header, 124, 12);
    const type = String.fromCharCode(header[156] ?? 0);
    const bodyStart = offset + BLOCK;
    const body = tar.subarray(bodyStart, bodyStart + size);
    offset = bodyStart + Math.ceil(size / BLOCK) * BLOCK;
    if (type === 'x' || type === 'L') {
      longName = type === 'x' ? _paxPath(body) : _field(body, 0, body.length);
      continue;
    }
    if (type === 'g') continue;
    const prefix = _field(header, 345, 155);
    const name = longName ?? (prefix === '' ? _field(header, 0, 100) : `${prefix}/${_field(header, 0, 100)}`);
    longName = undefined;
    if (name === entryPath && (type === '0' || type === '\0')) {
      return Buffer.from(body);
    }
  }
  throw new Error(`The archive holds no file ${entryPath}`);
}
