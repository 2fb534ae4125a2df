import { describe, expect, it } from 'vitest';
import { addRecordingListener, notifyRecordingListeners } from '../../desktop/renderer/audio/recordingHooks.js';

describe('recording listeners (the streaming hook for a live mode)', () => {
  it('hands every block to each listener in order, isolates failures, and unregisters', () => {
    const seen: string[] = [];
    const removeA = addRecordingListener({
      started: ({ sampleRate, channels }) => seen.push(`a started ${sampleRate} ${channels}`),
      block: (block) => seen.push(`a block ${block.length}x${block[0].length}`),
    });
    const removeB = addRecordingListener({
      block: () => {
        throw new Error('broken listener');
      },
      stopped: (recording) => seen.push(`b stopped ${recording.channels.length}`),
    });
    notifyRecordingListeners('started', { sampleRate: 16000, channels: 2 });
    const errors = notifyRecordingListeners('block', [new Float32Array(1024), new Float32Array(1024)], 16000);
    notifyRecordingListeners('stopped', { sampleRate: 16000, channels: [new Float64Array(1), new Float64Array(1)] });
    expect(seen).toEqual(['a started 16000 2', 'a block 2x1024', 'b stopped 2']);
    expect(errors.map((e) => e.message)).toEqual(['broken listener']);
    removeA();
    removeB();
    notifyRecordingListeners('started', { sampleRate: 8000, channels: 1 });
    expect(seen).toHaveLength(3);
  });
});
