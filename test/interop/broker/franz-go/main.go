// A franz-go program (github.com/twmb/franz-go, from the Go module proxy) against a Kafka broker:
// kadm creates a topic and lists it, an idempotent acks=all zstd producer sends 30 records to chosen
// partitions, a transactional producer commits one transaction and aborts another, two members of
// one group (franz-go's default cooperative-sticky balancer, read_committed) share the partitions and
// commit, and kadm describes the group and fetches its offsets. Prints one JSON line.
//
// Usage: franz-go-interop BOOTSTRAP TOPIC GROUP
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

const partitions = 3

type result struct {
	Partitions int32      `json:"partitions"`
	Acked      [][2]int64 `json:"acked"`
	Seen       []string   `json:"seen"`
	Assigned   [][]int32  `json:"assigned"`
	Balancer   string     `json:"balancer"`
	State      string     `json:"state"`
	Members    int        `json:"members"`
	Committed  [][2]int64 `json:"committed"`
}

func main() {
	if err := run(os.Args[1], os.Args[2], os.Args[3]); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(bootstrap, topic, group string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var out result

	admin, err := kgo.NewClient(kgo.SeedBrokers(bootstrap))
	if err != nil {
		return err
	}
	defer admin.Close()
	adm := kadm.NewClient(admin)
	created, err := adm.CreateTopics(ctx, partitions, 1, nil, topic)
	if err != nil {
		return err
	}
	if err := created.Error(); err != nil {
		return fmt.Errorf("create: %w", err)
	}
	listed, err := adm.ListTopics(ctx, topic)
	if err != nil {
		return err
	}
	out.Partitions = int32(len(listed[topic].Partitions))

	producer, err := kgo.NewClient(
		kgo.SeedBrokers(bootstrap),
		kgo.RequiredAcks(kgo.AllISRAcks()),
		kgo.ProducerBatchCompression(kgo.ZstdCompression()),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
	)
	if err != nil {
		return err
	}
	var records []*kgo.Record
	for i := 0; i < 30; i++ {
		records = append(records, &kgo.Record{
			Topic:     topic,
			Partition: int32(i % partitions),
			Key:       []byte(fmt.Sprintf("key-%d", i)),
			Value:     []byte(fmt.Sprintf("value-%d", i)),
		})
	}
	produced := producer.ProduceSync(ctx, records...)
	producer.Close()
	if err := produced.FirstErr(); err != nil {
		return fmt.Errorf("produce: %w", err)
	}
	// In the order sent (ProduceSync reports by partition): the client set each record's offset.
	for _, r := range records {
		out.Acked = append(out.Acked, [2]int64{int64(r.Partition), r.Offset})
	}

	tx, err := kgo.NewClient(
		kgo.SeedBrokers(bootstrap),
		kgo.TransactionalID("franz-tx"),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
	)
	if err != nil {
		return err
	}
	for _, commit := range []bool{true, false} {
		if err := tx.BeginTransaction(); err != nil {
			return err
		}
		word := map[bool]string{true: "committed", false: "aborted"}[commit]
		for i := 0; i < partitions; i++ {
			r := &kgo.Record{Topic: topic, Partition: int32(i), Value: []byte(fmt.Sprintf("%s-%d", word, i))}
			if err := tx.ProduceSync(ctx, r).FirstErr(); err != nil {
				return fmt.Errorf("transactional produce: %w", err)
			}
		}
		if err := tx.EndTransaction(ctx, kgo.TransactionEndTry(commit)); err != nil {
			return fmt.Errorf("end transaction: %w", err)
		}
	}
	tx.Close()

	// Two members; each polls in its own goroutine until together they have seen every committed
	// record and both hold partitions, then commits what it consumed.
	const expected = 30 + partitions
	var mu sync.Mutex
	seen := map[string]bool{}
	// Per partition, the highest offset any member delivered, and per member the highest it did.
	highest := map[int32]int64{}
	delivered := []map[int32]int64{{}, {}}
	assigned := make([][]int32, 2)
	done := make(chan struct{})
	var once sync.Once
	var wg sync.WaitGroup
	members := make([]*kgo.Client, 2)
	errs := make([]error, 2)
	for m := 0; m < 2; m++ {
		members[m], err = kgo.NewClient(
			kgo.SeedBrokers(bootstrap),
			kgo.ConsumerGroup(group),
			kgo.ConsumeTopics(topic),
			kgo.FetchIsolationLevel(kgo.ReadCommitted()),
			kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()),
			kgo.DisableAutoCommit(),
			kgo.ClientID(fmt.Sprintf("franz-member-%d", m)),
			kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, got map[string][]int32) {
				mu.Lock()
				defer mu.Unlock()
				assigned[m] = append(assigned[m], got[topic]...)
			}),
			kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, lost map[string][]int32) {
				mu.Lock()
				defer mu.Unlock()
				assigned[m] = without(assigned[m], lost[topic])
			}),
		)
		if err != nil {
			return err
		}
		wg.Add(1)
		go func(m int) {
			defer wg.Done()
			client := members[m]
			for {
				select {
				case <-done:
					errs[m] = client.CommitUncommittedOffsets(ctx)
					return
				case <-ctx.Done():
					errs[m] = ctx.Err()
					return
				default:
				}
				pollCtx, pollCancel := context.WithTimeout(ctx, 200*time.Millisecond)
				fetches := client.PollFetches(pollCtx)
				pollCancel()
				fetches.EachRecord(func(r *kgo.Record) {
					mu.Lock()
					seen[fmt.Sprintf("%d/%d/%s/%s", r.Partition, r.Offset, r.Key, r.Value)] = true
					highest[r.Partition] = max(highest[r.Partition], r.Offset)
					delivered[m][r.Partition] = max(delivered[m][r.Partition], r.Offset)
					mu.Unlock()
				})
				mu.Lock()
				// Done when every record was seen and each member has delivered its partitions to the
				// end: one handed a partition in a rebalance a moment ago reads it again first.
				caughtUp := len(assigned[0]) > 0 && len(assigned[1]) > 0
				for who, held := range assigned {
					for _, p := range held {
						last, ok := delivered[who][p]
						caughtUp = caughtUp && ok && last >= highest[p]
					}
				}
				if len(seen) >= expected && caughtUp {
					once.Do(func() { close(done) })
				}
				mu.Unlock()
			}
		}(m)
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return fmt.Errorf("consume: %w", e)
		}
	}
	for s := range seen {
		out.Seen = append(out.Seen, s)
	}
	sort.Strings(out.Seen)
	// A copy: closing the members below revokes their partitions through the callbacks.
	mu.Lock()
	for _, a := range assigned {
		held := append([]int32(nil), a...)
		sort.Slice(held, func(i, j int) bool { return held[i] < held[j] })
		out.Assigned = append(out.Assigned, held)
	}
	mu.Unlock()

	described, err := adm.DescribeGroups(ctx, group)
	if err != nil {
		return err
	}
	g := described[group]
	if g.Err != nil {
		return fmt.Errorf("describe group: %w", g.Err)
	}
	out.Balancer, out.State, out.Members = g.Protocol, g.State, len(g.Members)
	offsets, err := adm.FetchOffsets(ctx, group)
	if err != nil {
		return err
	}
	for p := int32(0); p < partitions; p++ {
		o, _ := offsets.Lookup(topic, p)
		out.Committed = append(out.Committed, [2]int64{int64(p), o.At})
	}
	for _, c := range members {
		c.Close()
	}
	line, err := json.Marshal(out)
	if err != nil {
		return err
	}
	fmt.Println(string(line))
	return nil
}

func without(have, drop []int32) []int32 {
	var kept []int32
	for _, p := range have {
		gone := false
		for _, d := range drop {
			gone = gone || d == p
		}
		if !gone {
			kept = append(kept, p)
		}
	}
	return kept
}
