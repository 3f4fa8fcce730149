/**
 * rxjs interop: a topic's messages as an `Observable`. rxjs is loaded on first use (`../rxjs.ts`).
 *
 * Back-pressure is the consumer's pull: each message is handed to `subscriber.next()` from inside
 * `eachMessage`, and the consumer reads the next record only after `next()` returns. Synchronous
 * observers and operators (map, filter, scan, take…) are therefore never flooded. Work that goes
 * asynchronous inside the pipeline (mergeMap to a promise) is not waited for: give it a bounded
 * buffer of your own, or do it in `eachMessage` instead.
 *
 * Unsubscribing (or an operator like `take(n)` completing) stops the consumer; with `autoCommit`
 * (the default) the offsets of every message whose `next()` returned are committed first, so a
 * later subscription resumes right after the last message handled.
 */
import type { Observable } from 'rxjs';
import { rxjs } from '../rxjs.ts';
import type { Consumer, ConsumerConfig, ConsumerRunConfig } from './consumer.ts';
import type { Tributary } from './tributary.ts';
import type { KafkaMessage } from './types.ts';

/** What an observed topic emits. */
export interface ObservedMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

/** Options of {@link observeConsumer}: run options without the handlers. */
export type ObserveOptions = Omit<ConsumerRunConfig, 'eachMessage' | 'eachBatch'>;

/**
 * The messages of a connected and subscribed consumer. Subscribing runs it; unsubscribing stops it.
 *
 * @example
 * await consumer.connect();
 * await consumer.subscribe({ topics: ['clicks'], fromBeginning: true });
 * consumer.observe().pipe(take(10)).subscribe(({ message }) => console.log(message.value?.toString()));
 */
export function observeConsumer(consumer: Consumer, options: ObserveOptions = {}): Observable<ObservedMessage> {
  return new (rxjs().Observable)<ObservedMessage>((subscriber) => {
    let closed = false;
    consumer
      .run({
        ...options,
        eachMessage: async ({ topic, partition, message }) => {
          if (closed) throw new Error('unsubscribed');
          subscriber.next({ topic, partition, message });
        },
      })
      .catch((err) => subscriber.error(err));
    return () => {
      closed = true;
      void consumer.stop();
    };
  });
}

/** Options of {@link fromTopic}. */
export interface FromTopicOptions extends ObserveOptions {
  topics: (string | RegExp)[] | string;
  /** The group to consume as. Default: a throw-away group of this subscription. */
  groupId?: string;
  fromBeginning?: boolean;
  consumer?: Omit<ConsumerConfig, 'groupId'>;
}

/**
 * A topic's messages, with a consumer created on subscribe and disconnected on unsubscribe.
 *
 * @example
 * fromTopic(tributary, { topics: 'orders', groupId: 'dashboard', fromBeginning: true })
 *   .pipe(map(({ message }) => JSON.parse(String(message.value))), take(100))
 *   .subscribe(console.log);
 */
export function fromTopic(tributary: Tributary, options: FromTopicOptions): Observable<ObservedMessage> {
  return new (rxjs().Observable)<ObservedMessage>((subscriber) => {
    const { topics, groupId, fromBeginning, consumer: consumerConfig, ...run } = options;
    const consumer = tributary.consumer({
      ...consumerConfig,
      groupId: groupId ?? `observable-${Math.random().toString(36).slice(2)}`,
    });
    let closed = false;
    const inner = (async () => {
      await consumer.connect();
      await consumer.subscribe({ topics: typeof topics === 'string' ? [topics] : topics, fromBeginning });
      if (closed) return;
      await consumer.run({
        ...run,
        eachMessage: async ({ topic, partition, message }) => {
          if (closed) throw new Error('unsubscribed');
          subscriber.next({ topic, partition, message });
        },
      });
    })();
    inner.catch((err) => subscriber.error(err));
    return () => {
      closed = true;
      void inner.finally(() => consumer.disconnect());
    };
  });
}
