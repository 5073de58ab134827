//! Health checks that prove the cluster: ZooKeeper `srvr`, Kafka Metadata and KRaft DescribeQuorum (deploy issue).
