/**
 * Queued commands shared by the instances of a cluster, delivered once. Pure decisions, no MQTT: the cluster
 * module carries the offers and messages these return.
 *
 * The protocol. A command for a device that is not connected where it was issued becomes an offer, retained
 * on the broker where every instance sees it. Only its issuer changes it, so the issuer is the lock: it grants
 * the offer to one instance life at a time (`grant`, with a sequence number), and republishes it with every
 * change. An instance delivers an offer only while it holds a grant to its own life, only while the device is
 * connected to it, and only once (it remembers what it delivered). An instance holding the device claims an
 * offer nobody holds; a grantee that does not hold the device releases that grant (and never uses it later).
 * The issuer grants again only after a release, or when the grantee's life has ended (its last will). The first
 * status of the delivery withdraws the offer.
 *
 * Guarantee: a command is written to a device at most once, and exactly once when the device connects to any
 * instance before the command expires, while its issuer and the broker are reachable. The limit: if the
 * instance that delivered it dies between writing it and its status reaching the broker, the issuer sees the
 * grant's life end and grants again (the device may get the command twice: at least once beats lost).
 */
import type { CommandRecord } from './command-queue';
import { type InboxMessage, type InstanceRef, type Offer, sameRef } from './cluster-protocol';
import { dropOldest } from '../lru';

export type DeskAction =
  /** Ask the issuer for the offer (this instance holds the device). */
  | { kind: 'claim'; offer: Offer }
  /** Give a grant back (the device is not here). */
  | { kind: 'release'; offer: Offer; seq: number }
  /** Write it to the device now (granted to this life, device here, never delivered). */
  | { kind: 'deliver'; offer: Offer }
  /** Delivered before: tell the issuer the latest status again (it may have missed it). */
  | { kind: 'report'; offer: Offer };

/** A set that forgets its oldest members past `max`. */
class RecentSet {
  private readonly items = new Set<string>();
  constructor(private readonly max: number) {}
  has(k: string): boolean {
    return this.items.has(k);
  }
  add(k: string): void {
    this.items.add(k);
    if (this.items.size > this.max) dropOldest(this.items);
  }
}

/** What an offer takes from the command it queues. */
export type NewOffer = Pick<CommandRecord, 'id' | 'deviceId' | 'command' | 'origin' | 'createdAt' | 'expiresAt'>;

/** The issuer's side: the offers it issued, each granted to at most one live instance life at a time. */
export class OfferBook {
  private readonly offers = new Map<string, Offer>();

  constructor(
    private readonly me: InstanceRef,
    /** Whether an instance life is still running (its announcement is on the broker). */
    private readonly isLive: (ref: InstanceRef) => boolean,
  ) {}

  get size(): number {
    return this.offers.size;
  }

  has(id: string): boolean {
    return this.offers.has(id);
  }

  /** A new offer; pre-granted to the instance the device is connected to, when it is connected somewhere. */
  issue(o: NewOffer, holder?: InstanceRef): Offer {
    const offer: Offer = { v: 1, ...o, issuer: this.me.instance, grants: 0 };
    if (offer.origin === undefined) delete offer.origin;
    if (holder) offer.grant = { instance: holder.instance, run: holder.run, seq: ++offer.grants };
    this.offers.set(offer.id, offer);
    return offer;
  }

  /** An offer of this instance found on the broker when it started (issued by its previous life). */
  adopt(offer: Offer): void {
    if (offer.issuer === this.me.instance && !this.offers.has(offer.id)) this.offers.set(offer.id, { ...offer });
  }

  /**
   * A holder of the device asks. Granted (the offer returned, to publish) when no live life holds a grant;
   * a repeated claim by the grantee returns the offer again; otherwise undefined.
   */
  claim(id: string, from: InstanceRef): Offer | undefined {
    const o = this.offers.get(id);
    if (!o) return undefined;
    if (o.grant && sameRef(o.grant, from)) return o;
    if (o.grant && this.isLive(o.grant)) return undefined;
    o.grant = { instance: from.instance, run: from.run, seq: ++o.grants };
    return o;
  }

  /** The grantee gives its grant back: the offer is open again (returned, to publish). */
  release(id: string, seq: number, from: InstanceRef): Offer | undefined {
    const o = this.offers.get(id);
    if (!o?.grant || o.grant.seq !== seq || !sameRef(o.grant, from)) return undefined;
    delete o.grant;
    return o;
  }

  /** A status came from the delivery: the offer leaves the queue (returned, to withdraw). */
  settle(id: string): Offer | undefined {
    const o = this.offers.get(id);
    this.offers.delete(id);
    return o;
  }

  /** Grants held by lives that ended go back; the offers returned are open again (to publish). */
  revokeDead(): Offer[] {
    const open: Offer[] = [];
    for (const o of this.offers.values()) {
      if (o.grant && !this.isLive(o.grant)) {
        delete o.grant;
        open.push(o);
      }
    }
    return open;
  }

  /** Offers past their time-to-live that no live instance is delivering: removed and returned. */
  expire(now: number): Offer[] {
    const gone: Offer[] = [];
    for (const o of this.offers.values()) {
      if (o.expiresAt <= now && !(o.grant && this.isLive(o.grant))) {
        this.offers.delete(o.id);
        gone.push(o);
      }
    }
    return gone;
  }

  all(): Offer[] {
    return [...this.offers.values()];
  }
}

/** Every instance's side: the offers it sees, and what to do about each. */
export class OfferDesk {
  private readonly byDevice = new Map<string, Map<string, Offer>>();
  private readonly delivered: RecentSet;
  private readonly released: RecentSet;
  private count = 0;

  constructor(
    private readonly me: InstanceRef,
    /** Whether the device is connected to this instance now. */
    private readonly here: (deviceId: string) => boolean,
    remember = 100000,
  ) {
    this.delivered = new RecentSet(remember);
    this.released = new RecentSet(remember);
  }

  get size(): number {
    return this.count;
  }

  /** Offers waiting for a device. */
  waiting(deviceId: string): number {
    return this.byDevice.get(deviceId)?.size ?? 0;
  }

  offers(deviceId: string): Offer[] {
    return [...(this.byDevice.get(deviceId)?.values() ?? [])];
  }

  /** An offer was published or republished: what this instance does about it now. */
  seen(offer: Offer): DeskAction | undefined {
    let list = this.byDevice.get(offer.deviceId);
    if (!list) {
      list = new Map();
      this.byDevice.set(offer.deviceId, list);
    }
    if (!list.has(offer.id)) this.count++;
    list.set(offer.id, offer);
    return this.decide(offer);
  }

  withdrawn(deviceId: string, id: string): void {
    const list = this.byDevice.get(deviceId);
    if (!list?.delete(id)) return;
    this.count--;
    if (!list.size) this.byDevice.delete(deviceId);
  }

  /** The device connected here: what to do about the offers waiting for it. */
  arrived(deviceId: string): DeskAction[] {
    const actions: DeskAction[] = [];
    for (const o of this.offers(deviceId)) {
      const a = this.decide(o);
      if (a) actions.push(a);
    }
    return actions;
  }

  /** Keeps only the offers `keep` accepts (after a reconnect: those the broker still has). */
  retain(keep: (offer: Offer) => boolean): void {
    for (const [deviceId, list] of this.byDevice)
      for (const o of list.values()) if (!keep(o)) this.withdrawn(deviceId, o.id);
  }

  private decide(o: Offer): DeskAction | undefined {
    const here = this.here(o.deviceId);
    const g = o.grant;
    if (this.delivered.has(o.id))
      return g === undefined || sameRef(g, this.me) ? { kind: 'report', offer: o } : undefined;
    if (g && sameRef(g, this.me)) {
      const key = `${o.id}#${g.seq}`;
      if (this.released.has(key)) return undefined; // wait for the issuer to reopen it
      if (here) {
        this.delivered.add(o.id);
        return { kind: 'deliver', offer: o };
      }
      this.released.add(key);
      return { kind: 'release', offer: o, seq: g.seq };
    }
    // Open, or granted to another life (the issuer judges whether that life still runs).
    return here ? { kind: 'claim', offer: o } : undefined;
  }
}

/** What the exchange needs done outside (the cluster module: MQTT and the command lifecycle). */
export interface ExchangeIO {
  /** Publish an offer, retained (its new grant, or open again). */
  publish(offer: Offer): void;
  /** Clear an offer's retained message: it left the queue. */
  withdraw(offer: Offer): void;
  /** Send a claim or release to the offer's issuer. */
  send(issuer: string, message: InboxMessage): void;
  /** Write the command to the device now; its statuses must reach `settled` at the issuer. */
  deliver(offer: Offer): void;
  /** Send the latest status of a delivered offer to its issuer again. */
  report(offer: Offer): void;
}

/**
 * One instance's part in the protocol above: its book (as issuer) and its desk (as holder), driven by what
 * arrives from the broker and from its own devices.
 */
export class OfferExchange {
  readonly book: OfferBook;
  readonly desk: OfferDesk;

  constructor(
    private readonly me: InstanceRef,
    isLive: (ref: InstanceRef) => boolean,
    here: (deviceId: string) => boolean,
    private readonly io: ExchangeIO,
  ) {
    this.book = new OfferBook(me, isLive);
    this.desk = new OfferDesk(me, here);
  }

  /** Queues a command here: published, and pre-granted to the instance holding the device, if any. */
  issue(o: NewOffer, holder?: InstanceRef): Offer {
    const offer = this.book.issue(o, holder);
    this.desk.seen(offer);
    this.io.publish(offer);
    return offer;
  }

  /** An offer as the broker has it now (`adopt`: this instance's previous life issued it). */
  offer(offer: Offer, adopt = false): void {
    if (adopt) this.book.adopt(offer);
    this.act(this.desk.seen(offer));
  }

  withdrawn(deviceId: string, id: string): void {
    this.desk.withdrawn(deviceId, id);
  }

  /** A claim or a release addressed to this instance as issuer. */
  inbox(message: Exclude<InboxMessage, { t: 'status' }>): void {
    const o =
      message.t === 'claim'
        ? this.book.claim(message.id, message.from)
        : this.book.release(message.id, message.seq, message.from);
    if (o) this.republish(o);
  }

  /** The device connected here. */
  arrived(deviceId: string): void {
    for (const a of this.desk.arrived(deviceId)) this.act(a);
  }

  /** An instance life ended: its grants go back. */
  lifeEnded(): void {
    for (const o of this.book.revokeDead()) this.republish(o);
  }

  /** A status of an offer this instance issued arrived: it leaves the queue. */
  settled(id: string): void {
    const o = this.book.settle(id);
    if (!o) return;
    this.desk.withdrawn(o.deviceId, o.id);
    this.io.withdraw(o);
  }

  /** Offers past their time-to-live: withdrawn and returned (the caller reports them expired). */
  expire(now: number): Offer[] {
    const gone = this.book.expire(now);
    for (const o of gone) {
      this.desk.withdrawn(o.deviceId, o.id);
      this.io.withdraw(o);
    }
    return gone;
  }

  private republish(o: Offer): void {
    this.io.publish(o);
    this.act(this.desk.seen(o)); // this instance's own view at once (its echo from the broker changes nothing)
  }

  private act(a: DeskAction | undefined): void {
    if (!a) return;
    const o = a.offer;
    if (a.kind === 'deliver') this.io.deliver(o);
    else if (a.kind === 'report') this.io.report(o);
    else {
      const message: Exclude<InboxMessage, { t: 'status' }> =
        a.kind === 'claim'
          ? { t: 'claim', id: o.id, from: this.me }
          : { t: 'release', id: o.id, seq: a.seq, from: this.me };
      // The issuer decides; when that is this instance, without a trip through the broker.
      if (o.issuer === this.me.instance) this.inbox(message);
      else this.io.send(o.issuer, message);
    }
  }
}
