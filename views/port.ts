import type { SnapshotFrom } from 'xstate';
import type { releaseMachine } from '../machines/release.js';
import type { SessionEvent } from '../machines/types.js';

// What the console sees of a running session, and all it may do to it.
// The session implements this; views only read snapshots and send events.

export type ReleaseSnapshot = SnapshotFrom<typeof releaseMachine>;

export interface OutputLine {
  step: string;
  stream: 'stdout' | 'stderr';
  /** Already masked and sanitised for the terminal (colour kept, nothing else). */
  text: string;
}

/** A bounded tail kept outside React; `version` grows with every append so a view can poll cheaply. */
export interface LineTail<T> {
  readonly version: number;
  /** The last `count` items, oldest first. */
  tail(count: number): readonly T[];
  /** Everything appended so far, including what the tail no longer holds. */
  readonly total: number;
}

/** Someone attached to the session from another terminal. */
export interface Attendee {
  user: string;
  role: 'observer' | 'approver' | 'driver';
  name?: string;
}

export interface ConsoleSession {
  /** The chart as it is now. */
  getSnapshot(): ReleaseSnapshot;
  /** Called after every chart transition or context change; returns an unsubscribe. */
  subscribe(listener: () => void): () => void;
  /** Output of running steps (bounded tail). */
  output: LineTail<OutputLine>;
  /** Announcement lines, as in communication-log.md (bounded tail). */
  announcements: LineTail<string>;
  /**
   * Sends an answer or decision (APPROVAL, ACKNOWLEDGE, RETRY, WAIVE, ROLLBACK, ABORT,
   * EXTEND_SOAK). The session journals it first; returns false when the chart refuses it.
   */
  send(event: SessionEvent): boolean;
  /** The operator's OS login. */
  operator: string;
  /** Where the evidence goes and how to resume, for the quit message. */
  evidenceDir: string;
  resumeCommand: string;
  /** Who is attached from elsewhere, and as what. */
  attendees(): readonly Attendee[];
}
