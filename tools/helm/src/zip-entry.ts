import * as yauzl from 'yauzl';

/**
 * Returns the content of the file `entryPath` inside a zip archive held in memory.
 * @throws if the archive is not a valid zip or holds no file at `entryPath`.
 */
export async function readZipEntry(zip: Buffer, entryPath: string): Promise<Buffer> {
  const zipFile = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  try {
    return await new Promise<Buffer>((resolve, reject) => {
      zipFile.on('error', reject);
      zipFile.on('end', () => reject(new Error(`The zip archive holds no file ${entryPath}`)));
      zipFile.on('entry', (entry: yauzl.Entry) => {
        if (entry.fileName !== entryPath) {
          zipFile.readEntry();
          return;
        }
        zipFile.openReadStream(entry, (error, stream) => {
          if (error !== null) {
            reject(error);
            return;
          }
          const chunks: Buffer[] = [];
          stream.on('data', (chunk: Buffer) => chunks.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => resolve(Buffer.concat(chunks)));
        });
      });
      zipFile.readEntry();
    });
  } finally {
    zipFile.close();
  }
}
