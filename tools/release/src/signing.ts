/**
 * The PGP key that signs chart provenance files. It comes from the environment, never from the repository:
 * `MEETSCALE_SIGNING_KEY` holds the ASCII-armoured secret key, `MEETSCALE_SIGNING_KEY_PASSPHRASE` its passphrase
 * (if it has one). GnuPG turns it into the binary keyring Helm reads, in a private folder removed afterwards.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment variables a signing key is read from. */
export const SIGNING_KEY_ENV = 'MEETSCALE_SIGNING_KEY';
export const SIGNING_PASSPHRASE_ENV = 'MEETSCALE_SIGNING_KEY_PASSPHRASE';

/** A secret key ready for `helm package --sign`. */
export interface SigningKey {
  /** The key's user id, which `helm package --key` matches. */
  readonly name: string;
  /** The key's fingerprint (40 upper-case hex digits). */
  readonly fingerprint: string;
  /** The binary secret keyring holding only this key. */
  readonly keyring: string;
  /** A file holding the passphrase; undefined when the key has none (Helm fails reading an empty one). */
  readonly passphraseFile: string | undefined;
  /** The public key, ASCII-armoured, for `helm verify --keyring`. */
  readonly publicKey: string;
  /** Removes the keyring and passphrase files. */
  dispose(): void;
}

function gpg(home: string, args: readonly string[], input?: string): string {
  try {
    return execFileSync('gpg', ['--homedir', home, '--batch', '--no-tty', '--pinentry-mode', 'loopback', ...args], {
      encoding: 'utf8',
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`gpg ${args.filter((arg) => !arg.startsWith('--passphrase')).join(' ')} failed: ${stderr || (error as Error).message}`);
  }
}

/**
 * Reads the signing key from the environment.
 * @throws naming the variable when it is unset, holds no secret key, or holds more than one
 */
export function signingKeyFromEnv(env: NodeJS.ProcessEnv = process.env): SigningKey {
  const armoured = env[SIGNING_KEY_ENV];
  if (armoured === undefined || armoured.trim() === '') {
    throw new Error(
      `${SIGNING_KEY_ENV} is not set: export the ASCII-armoured secret PGP key that signs the charts (gpg --export-secret-keys --armor <id>)`,
    );
  }
  if (!armoured.includes('-----BEGIN PGP PRIVATE KEY BLOCK-----')) {
    throw new Error(`${SIGNING_KEY_ENV} holds no ASCII-armoured secret key (it must start with -----BEGIN PGP PRIVATE KEY BLOCK-----)`);
  }
  const passphrase = env[SIGNING_PASSPHRASE_ENV] ?? '';
  const home = mkdtempSync(join(tmpdir(), 'meetscale-signing-'));
  chmodSync(home, 0o700);
  try {
    gpg(home, ['--import'], armoured);
    const secret = gpg(home, ['--list-secret-keys', '--with-colons', '--fixed-list-mode']).split('\n');
    const fingerprints = secret.filter((line) => line.startsWith('fpr:')).map((line) => line.split(':')[9] ?? '');
    const primaries = secret.filter((line) => line.startsWith('sec:'));
    if (primaries.length !== 1) throw new Error(`${SIGNING_KEY_ENV} must hold exactly one secret key; it holds ${primaries.length}`);
    const name = secret.find((line) => line.startsWith('uid:'))?.split(':')[9] ?? '';
    const fingerprint = fingerprints[0] ?? '';
    if (name === '' || fingerprint === '') throw new Error(`${SIGNING_KEY_ENV}: the key has no user id or fingerprint`);
    const keyring = join(home, 'secring.gpg');
    const passphraseFile = join(home, 'passphrase');
    writeFileSync(passphraseFile, passphrase, { mode: 0o600 });
    const exported = execFileSync(
      'gpg',
      [
        '--homedir',
        home,
        '--batch',
        '--pinentry-mode',
        'loopback',
        '--passphrase-file',
        passphraseFile,
        '--export-secret-keys',
        fingerprint,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    writeFileSync(keyring, exported, { mode: 0o600 });
    const publicKey = gpg(home, ['--armor', '--export', fingerprint]);
    return {
      name,
      fingerprint,
      keyring,
      passphraseFile: passphrase === '' ? undefined : passphraseFile,
      publicKey,
      dispose: () => rmSync(home, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(home, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Creates a throw-away signing key (RSA 3072, for tests and for trying the release locally) and returns it
 * ASCII-armoured, with its fingerprint.
 */
export function generateSigningKey(userId: string, passphrase = ''): { armoured: string; fingerprint: string } {
  const home = mkdtempSync(join(tmpdir(), 'meetscale-keygen-'));
  chmodSync(home, 0o700);
  try {
    gpg(home, ['--passphrase', passphrase, '--quick-gen-key', userId, 'rsa3072', 'sign', 'never']);
    const fingerprint =
      gpg(home, ['--list-secret-keys', '--with-colons'])
        .split('\n')
        .find((line) => line.startsWith('fpr:'))
        ?.split(':')[9] ?? '';
    const armoured = gpg(home, ['--passphrase', passphrase, '--armor', '--export-secret-keys', fingerprint]);
    return { armoured, fingerprint };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}
