/*
 * librdkafka harness for `npm run bench -- broker`: the same program measures `trib serve` and
 * Apache Kafka, so the two figures differ only in the broker.
 *
 *   rdkafka-bench produce <bootstrap> <topic> <records> <bytes> <acks>
 *       produces <records> values of <bytes> bytes (no key) as fast as librdkafka takes them and
 *       waits for every delivery report; prints {"records":N,"seconds":S,"errors":E}.
 *   rdkafka-bench consume <bootstrap> <topic> <partitions> <records>
 *       assigns every partition from the beginning (no group) and reads until <records> arrived;
 *       the clock starts at the first record. Prints {"records":N,"bytes":B,"seconds":S}.
 *   rdkafka-bench latency <bootstrap> <topic> <rate> <seconds>
 *       one thread produces 100-byte records at a steady <rate>/s (linger.ms 0, acks 1), each
 *       carrying its send time; another consumes them and records send -> receive time. Prints
 *       {"records":N,"p50":ms,"p99":ms,"p999":ms,"max":ms}.
 *
 * Built by bench/native.ts: gcc -O2 rdkafka-bench.c -lrdkafka -lpthread (Debian's librdkafka-dev).
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <librdkafka/rdkafka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void set(rd_kafka_conf_t *conf, const char *key, const char *value) {
  char err[512];
  if (rd_kafka_conf_set(conf, key, value, err, sizeof err) != RD_KAFKA_CONF_OK) {
    fprintf(stderr, "%s=%s: %s\n", key, value, err);
    exit(2);
  }
}

static long delivered = 0, failed = 0;
static char first_error[512];

static void on_delivery(rd_kafka_t *rk, const rd_kafka_message_t *m, void *opaque) {
  (void)rk;
  (void)opaque;
  if (m->err) {
    if (failed++ == 0) snprintf(first_error, sizeof first_error, "%s", rd_kafka_err2str(m->err));
  } else {
    delivered++;
  }
}

static rd_kafka_t *producer(const char *bootstrap, const char *acks, const char *linger) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char err[512];
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "acks", acks);
  set(conf, "linger.ms", linger);
  set(conf, "queue.buffering.max.messages", "1000000");
  set(conf, "queue.buffering.max.kbytes", "1048576");
  set(conf, "enable.idempotence", "false");
  rd_kafka_conf_set_dr_msg_cb(conf, on_delivery);
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, err, sizeof err);
  if (rk == NULL) {
    fprintf(stderr, "rd_kafka_new: %s\n", err);
    exit(2);
  }
  return rk;
}

static int produce(const char *bootstrap, const char *topic, long records, int bytes, const char *acks) {
  rd_kafka_t *rk = producer(bootstrap, acks, "5");
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  char *value = malloc(bytes);
  memset(value, 'x', bytes);
  double start = now_s();
  for (long i = 0; i < records; i++) {
    while (rd_kafka_produce(rkt, RD_KAFKA_PARTITION_UA, RD_KAFKA_MSG_F_COPY, value, bytes, NULL, 0, NULL) == -1) {
      if (rd_kafka_last_error() != RD_KAFKA_RESP_ERR__QUEUE_FULL) {
        fprintf(stderr, "produce: %s\n", rd_kafka_err2str(rd_kafka_last_error()));
        return 1;
      }
      rd_kafka_poll(rk, 1);
    }
    if ((i & 1023) == 0) rd_kafka_poll(rk, 0);
  }
  while (delivered + failed < records) rd_kafka_poll(rk, 50);
  double seconds = now_s() - start;
  printf("{\"records\":%ld,\"seconds\":%.6f,\"errors\":%ld,\"firstError\":\"%s\"}\n", delivered, seconds, failed,
         first_error);
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  free(value);
  return failed > 0 ? 1 : 0;
}

static rd_kafka_t *consumer(const char *bootstrap, const char *topic, int partitions) {
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  char err[512];
  set(conf, "bootstrap.servers", bootstrap);
  set(conf, "group.id", "rdkafka-bench");
  set(conf, "enable.auto.commit", "false");
  set(conf, "enable.partition.eof", "false");
  set(conf, "fetch.wait.max.ms", "100");
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_CONSUMER, conf, err, sizeof err);
  if (rk == NULL) {
    fprintf(stderr, "rd_kafka_new: %s\n", err);
    exit(2);
  }
  rd_kafka_poll_set_consumer(rk);
  rd_kafka_topic_partition_list_t *list = rd_kafka_topic_partition_list_new(partitions);
  for (int p = 0; p < partitions; p++)
    rd_kafka_topic_partition_list_add(list, topic, p)->offset = RD_KAFKA_OFFSET_BEGINNING;
  rd_kafka_resp_err_t e = rd_kafka_assign(rk, list);
  if (e) {
    fprintf(stderr, "assign: %s\n", rd_kafka_err2str(e));
    exit(2);
  }
  rd_kafka_topic_partition_list_destroy(list);
  return rk;
}

static int consume(const char *bootstrap, const char *topic, int partitions, long records) {
  rd_kafka_t *rk = consumer(bootstrap, topic, partitions);
  rd_kafka_queue_t *queue = rd_kafka_queue_get_consumer(rk);
  rd_kafka_message_t *batch[4096];
  long seen = 0, bytes = 0;
  double start = 0, deadline = now_s() + 120;
  while (seen < records) {
    if (now_s() > deadline) {
      fprintf(stderr, "consume: only %ld of %ld records in 120 s\n", seen, records);
      return 1;
    }
    ssize_t n = rd_kafka_consume_batch_queue(queue, 100, batch, 4096);
    for (ssize_t i = 0; i < n; i++) {
      rd_kafka_message_t *m = batch[i];
      if (m->err) {
        fprintf(stderr, "consume: %s\n", rd_kafka_message_errstr(m));
      } else {
        if (seen == 0) start = now_s();
        seen++;
        bytes += m->len;
      }
      rd_kafka_message_destroy(m);
    }
  }
  double seconds = now_s() - start;
  printf("{\"records\":%ld,\"bytes\":%ld,\"seconds\":%.6f}\n", seen, bytes, seconds);
  rd_kafka_queue_destroy(queue);
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return 0;
}

struct latency_run {
  const char *bootstrap, *topic;
  long records;
  double *samples; /* ms, by record index */
  volatile int ready;
};

static void *latency_consumer(void *arg) {
  struct latency_run *run = arg;
  rd_kafka_t *rk = consumer(run->bootstrap, run->topic, 1);
  long seen = 0;
  double deadline = now_s() + 600;
  while (seen < run->records && now_s() < deadline) {
    rd_kafka_message_t *m = rd_kafka_consumer_poll(rk, 100);
    if (m == NULL) continue;
    int64_t received = now_ns();
    if (!m->err && m->len >= 16) {
      int64_t sent, index;
      memcpy(&sent, m->payload, 8);
      memcpy(&index, (char *)m->payload + 8, 8);
      if (index < 0) run->ready = 1; /* a warm-up record: the consumer is fetching */
      if (index >= 0 && index < run->records) {
        run->samples[index] = (received - sent) / 1e6;
        seen++;
      }
    }
    rd_kafka_message_destroy(m);
  }
  rd_kafka_consumer_close(rk);
  rd_kafka_destroy(rk);
  return NULL;
}

static int cmp(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static int latency(const char *bootstrap, const char *topic, long rate, double seconds) {
  struct latency_run run = {bootstrap, topic, (long)(rate * seconds), NULL, 0};
  run.samples = calloc(run.records, sizeof(double));
  for (long i = 0; i < run.records; i++) run.samples[i] = -1;
  rd_kafka_t *rk = producer(bootstrap, "1", "0");
  rd_kafka_topic_t *rkt = rd_kafka_topic_new(rk, topic, NULL);
  /* Warm up: metadata, connections and the consumer's first fetches, before the clock matters.
     Warm-up records carry index -1; the run starts once the consumer has received one. */
  char value[100];
  memset(value, 'w', sizeof value);
  int64_t warm = -1;
  memcpy(value + 8, &warm, 8);
  pthread_t thread;
  pthread_create(&thread, NULL, latency_consumer, &run);
  for (int tries = 0; !run.ready; tries++) {
    if (tries == 600) {
      fprintf(stderr, "latency: the consumer received nothing in 60 s\n");
      return 1;
    }
    rd_kafka_produce(rkt, 0, RD_KAFKA_MSG_F_COPY, value, sizeof value, NULL, 0, NULL);
    rd_kafka_flush(rk, 100);
    struct timespec tick = {0, 100000000};
    nanosleep(&tick, NULL);
  }
  struct timespec pause = {1, 0};
  nanosleep(&pause, NULL); /* the warm-up records still in flight arrive before the clock starts */
  int64_t start = now_ns(), interval = 1000000000LL / rate;
  for (long i = 0; i < run.records; i++) {
    /* Sleeps until the record is due (never spins: on a small machine a spinning pacer takes a
       core from the broker); a record that fell due while we slept goes at once. */
    int64_t due = start + i * interval;
    if (now_ns() < due) {
      struct timespec at = {due / 1000000000LL, due % 1000000000LL};
      clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &at, NULL);
    }
    int64_t sent = now_ns();
    memcpy(value, &sent, 8);
    memcpy(value + 8, &i, 8);
    rd_kafka_produce(rkt, 0, RD_KAFKA_MSG_F_COPY, value, sizeof value, NULL, 0, NULL);
    rd_kafka_poll(rk, 0);
  }
  rd_kafka_flush(rk, 10000);
  pthread_join(thread, NULL);
  long n = 0;
  for (long i = 0; i < run.records; i++)
    if (run.samples[i] >= 0) run.samples[n++] = run.samples[i];
  qsort(run.samples, n, sizeof(double), cmp);
#define AT(q) (n ? run.samples[(long)((q) * (n - 1))] : -1)
  printf("{\"records\":%ld,\"p50\":%.4f,\"p99\":%.4f,\"p999\":%.4f,\"max\":%.4f}\n", n, AT(0.5), AT(0.99), AT(0.999),
         AT(1.0));
  rd_kafka_topic_destroy(rkt);
  rd_kafka_destroy(rk);
  return n == run.records ? 0 : 1;
}

int main(int argc, char **argv) {
  if (argc == 7 && strcmp(argv[1], "produce") == 0)
    return produce(argv[2], argv[3], atol(argv[4]), atoi(argv[5]), argv[6]);
  if (argc == 6 && strcmp(argv[1], "consume") == 0) return consume(argv[2], argv[3], atoi(argv[4]), atol(argv[5]));
  if (argc == 6 && strcmp(argv[1], "latency") == 0) return latency(argv[2], argv[3], atol(argv[4]), atof(argv[5]));
  fprintf(stderr,
          "usage: rdkafka-bench produce BOOTSTRAP TOPIC RECORDS BYTES ACKS\n"
          "       rdkafka-bench consume BOOTSTRAP TOPIC PARTITIONS RECORDS\n"
          "       rdkafka-bench latency BOOTSTRAP TOPIC RATE SECONDS\n");
  return 2;
}
