import type { WebSocket } from 'ws';
import { UnreadRepliesLimitError } from './transport-errors.js';

/** How much a peer may leave unread: `unreadReplies` of `WebSocketServerTransportOptions`. */
export interface UnreadReplyLimits {
  /**
   * Unread reply bytes (`ws`'s `bufferedAmount`: queued in `ws` and in the
   * socket's write buffer) above which the transport stops reading the
   * peer's frames, until half of them have drained.
   */
  maxBytes: number;
  /**
   * A peer still over `maxBytes` after reading was paused this long is
   * closed with 1008.
   * @default 30_000
   */
  stallTimeoutMs?: number;
  /**
   * Unread bytes above which the connection is closed with 1008 at once:
   * replies to frames read before the pause took effect still pile up.
   * @default 2 × maxBytes
   */
  closeAboveBytes?: number;
}

/** Default of `stallTimeoutMs`. */
export const DEFAULT_UNREAD_STALL_TIMEOUT_MS = 30_000;

/**
 * Backpressure for one server socket whose peer does not read its replies
 * (docs/product.md, "Resource limits"): without it, each request answered
 * adds its reply to the process's memory until the peer reads, or forever.
 * Over the limit, reading pauses (`ws.pause()` stops reading the TCP
 * socket, so the peer's further requests wait in its own buffers, not ours);
 * it resumes once half has drained. The transport calls `written` after each send and `flushed`
 * from each send's callback; `onLimit` hears of every pause and close.
 */
export class UnreadReplyGuard {
  private readonly maxBytes: number;
  private readonly resumeAtBytes: number;
  private readonly closeAboveBytes: number;
  private readonly stallTimeoutMs: number;
  private stallTimer: NodeJS.Timeout | undefined;
  private pausedNow = false;

  constructor(
    private readonly socket: WebSocket,
    limits: UnreadReplyLimits,
    private readonly onLimit: (error: UnreadRepliesLimitError) => void,
  ) {
    const { maxBytes } = limits;
    const closeAboveBytes = limits.closeAboveBytes ?? 2 * maxBytes;
    const stallTimeoutMs = limits.stallTimeoutMs ?? DEFAULT_UNREAD_STALL_TIMEOUT_MS;
    if (!(maxBytes > 0))
      throw new RangeError(`unreadReplies.maxBytes must be positive, got ${maxBytes}`);
    if (!(closeAboveBytes >= maxBytes)) {
      throw new RangeError(
        `unreadReplies.closeAboveBytes must be at least maxBytes, got ${closeAboveBytes}`,
      );
    }
    if (!(stallTimeoutMs > 0)) {
      throw new RangeError(`unreadReplies.stallTimeoutMs must be positive, got ${stallTimeoutMs}`);
    }
    this.maxBytes = maxBytes;
    this.resumeAtBytes = maxBytes / 2;
    this.closeAboveBytes = closeAboveBytes;
    this.stallTimeoutMs = stallTimeoutMs;
  }

  /** True while reading from the peer is paused. */
  get paused(): boolean {
    return this.pausedNow;
  }

  /** After each send: pauses reading over `maxBytes`, reports a close over `closeAboveBytes`. */
  written(): void {
    const unread = this.socket.bufferedAmount;
    if (unread <= this.maxBytes) return;
    if (unread > this.closeAboveBytes) {
      this.stop();
      this.onLimit(
        new UnreadRepliesLimitError(
          unread,
          this.maxBytes,
          true,
          `over ${this.closeAboveBytes}, closed`,
        ),
      );
      return;
    }
    if (this.pausedNow) return;
    this.pausedNow = true;
    this.socket.pause();
    this.stallTimer = setTimeout(this.stalled, this.stallTimeoutMs);
    // The socket keeps the process alive while it is open; the timer need not.
    this.stallTimer.unref();
    this.onLimit(
      new UnreadRepliesLimitError(unread, this.maxBytes, false, 'reading paused until they drain'),
    );
  }

  /** From each send's callback: resumes reading once half of `maxBytes` has drained. */
  flushed(): void {
    if (!this.pausedNow || this.socket.bufferedAmount > this.resumeAtBytes) return;
    this.stop();
    this.socket.resume();
  }

  /** Forgets the pause (the socket is closing); reading is not resumed. */
  stop(): void {
    this.pausedNow = false;
    clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private readonly stalled = (): void => {
    if (!this.pausedNow) return;
    const unread = this.socket.bufferedAmount;
    this.stop();
    this.onLimit(
      new UnreadRepliesLimitError(
        unread,
        this.maxBytes,
        true,
        `not drained within ${this.stallTimeoutMs} ms, closed`,
      ),
    );
  };
}
