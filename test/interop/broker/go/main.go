package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/confluentinc/confluent-kafka-go/kafka"
)

func main() {
	bootstrap := os.Args[1]
	topic := "go-topic"
	p, err := kafka.NewProducer(&kafka.ConfigMap{"bootstrap.servers": bootstrap, "acks": "all", "enable.idempotence": true})
	if err != nil {
		panic(err)
	}
	delivered := make(chan kafka.Event, 10)
	for i := 0; i < 10; i++ {
		if err := p.Produce(&kafka.Message{TopicPartition: kafka.TopicPartition{Topic: &topic, Partition: kafka.PartitionAny}, Key: []byte(fmt.Sprintf("k%d", i)), Value: []byte(fmt.Sprintf("v%d", i))}, delivered); err != nil {
			panic(err)
		}
	}
	acked := 0
	for acked < 10 {
		m := (<-delivered).(*kafka.Message)
		if m.TopicPartition.Error != nil {
			panic(m.TopicPartition.Error)
		}
		acked++
	}
	p.Close()
	c, err := kafka.NewConsumer(&kafka.ConfigMap{"bootstrap.servers": bootstrap, "group.id": "go-group", "auto.offset.reset": "earliest", "enable.auto.commit": false})
	if err != nil {
		panic(err)
	}
	c.SubscribeTopics([]string{topic}, nil)
	values := []string{}
	deadline := time.Now().Add(60 * time.Second)
	for len(values) < 10 && time.Now().Before(deadline) {
		switch e := c.Poll(200).(type) {
		case *kafka.Message:
			values = append(values, string(e.Value))
		case kafka.Error:
			fmt.Fprintln(os.Stderr, e)
		}
	}
	if _, err := c.Commit(); err != nil {
		panic(err)
	}
	committed, err := c.Committed([]kafka.TopicPartition{{Topic: &topic, Partition: 0}}, 10000)
	if err != nil {
		panic(err)
	}
	c.Close()
	out, _ := json.Marshal(map[string]interface{}{"acked": acked, "values": values, "committed": int64(committed[0].Offset)})
	fmt.Println(string(out))
}
