import { mediaNodesFor, mediaNodeSize, PARTICIPANTS_PER_MEDIA_NODE } from '../src/media-sizing';
import { thrownBy } from './_thrown';

describe('media sizing', () => {
  test('plans 24 participants per bridge: 8 cores × 4 participants per core, filled to three quarters', () => {
    // GIVEN the load figures / WHEN / THEN
    expect(PARTICIPANTS_PER_MEDIA_NODE).toBe(24);
  });

  test('sizes a media node as one 8-core bridge plus a core and 2 GB for the node itself', () => {
    // GIVEN / WHEN / THEN 8 + 1 cores; 2 × 1024 MB for the JVM + 2048 MB reserve, in whole GB
    expect(mediaNodeSize()).toEqual({ cores: 9, ramMb: 4096 });
  });

  test('needs one media node per 24 concurrent participants, rounded up', () => {
    // GIVEN / WHEN / THEN
    expect([1, 24, 25, 240, 2400].map(mediaNodesFor)).toEqual([1, 1, 2, 10, 100]);
  });

  test('rejects a participant count that is not a positive integer', () => {
    // GIVEN / WHEN / THEN
    expect(thrownBy(() => mediaNodesFor(0)).message).toBe('peak participants must be a positive integer, got 0');
  });
});
