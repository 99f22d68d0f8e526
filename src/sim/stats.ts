/** Counters and an acknowledgement-latency record for the simulator. */

export class LatencyRecorder {
  private samples: number[] = [];
  private seen = 0;
  constructor(private readonly cap = 1_000_000) {}

  /** Records one latency in ms (reservoir sampling past `cap`, so memory stays bounded). */
  add(ms: number): void {
    this.seen++;
    if (this.samples.length < this.cap) this.samples.push(ms);
    else {
      const i = Math.floor(Math.random() * this.seen);
      if (i < this.cap) this.samples[i] = ms;
    }
  }

  get count(): number {
    return this.seen;
  }

  percentile(p: number): number {
    if (!this.samples.length) return NaN;
    const sorted = Float64Array.from(this.samples).sort();
    return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  }

  reset(): void {
    this.samples = [];
    this.seen = 0;
  }
}

export interface SimCounters {
  devicesUp: number;
  /** Logins acknowledged (a device that reconnects counts again). */
  logins: number;
  connecting: number;
  sent: number;
  acked: number;
  positionsSent: number;
  positionsAcked: number;
  alarmsSent: number;
  alarmsAcked: number;
  /** Frames (or requests) whose answer never came: the connection was lost, or the device stopped, first. */
  unanswered: number;
  wrongReplies: number;
  unexpectedReplies: number;
  reconnects: number;
  connectErrors: number;
}

export function newCounters(): SimCounters {
  return {
    devicesUp: 0,
    logins: 0,
    connecting: 0,
    sent: 0,
    acked: 0,
    positionsSent: 0,
    positionsAcked: 0,
    alarmsSent: 0,
    alarmsAcked: 0,
    unanswered: 0,
    wrongReplies: 0,
    unexpectedReplies: 0,
    reconnects: 0,
    connectErrors: 0,
  };
}
