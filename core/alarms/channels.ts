// How a notice leaves the system: a channel per way of reaching a person. The login channel needs
// none: its notices wait on the alarms screen, shown at the next login.
import type { AlarmEvent } from '../cell/fields.ts';

/** What a channel is given to send. */
export interface Notice {
  id: number;
  title: string;
}

export interface Channel {
  /** Sends or throws; a throw is retried later with backoff. */
  send(address: string, notice: Notice): Promise<void>;
}

export type Channels = Partial<Record<Exclude<AlarmEvent, 'login'>, Channel>>;
