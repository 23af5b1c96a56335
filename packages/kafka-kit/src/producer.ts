import { type Kafka, Partitioners, type Producer } from "kafkajs";

/**
 * A producer for catalogue topics: Java's murmur2 partitioner (kafkajs's `DefaultPartitioner`), so a
 * run id lands on the same partition whichever client, Node or JVM, produced it; and no topic is ever
 * created by producing to it (topics come from `ensureTopics`). Acks from all in-sync replicas
 * (kafkajs's default), so a result the broker acknowledged survives a broker restart.
 */
export function createCatalogueProducer(kafka: Kafka): Producer {
  return kafka.producer({
    createPartitioner: Partitioners.DefaultPartitioner,
    allowAutoTopicCreation: false,
  });
}
