/**
 * Whether `file` (a `/`-separated relative path) matches `pattern` as Trivy's ignore file matches paths
 * (github.com/bmatcuk/doublestar): `**` as a whole segment matches any number of segments, `*` any run of
 * characters within a segment, `?` one character within a segment. Other glob syntax is refused, so a pattern
 * never means something else here than in Trivy.
 * @throws {Error} for a pattern with `[`, `{` or `\`
 */
export function _matchesGlob(pattern: string, file: string): boolean {
  if (/[[\]{}\\]/.test(pattern)) throw new Error(`unsupported glob syntax in ${JSON.stringify(pattern)}: use only *, ** and ?`);
  const segments = pattern.split('/').map((segment) =>
    segment === '**'
      ? '(?:[^/]*(?:/|$))*'
      : `${segment
          .replace(/[.+^$()|]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]')}(?:/|$)`,
  );
  return new RegExp(`^${segments.join('')}$`).test(file);
}
