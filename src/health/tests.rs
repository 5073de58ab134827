use super::*;

const LEADER: &str = "Zookeeper version: 3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c, built on 2024-02-12 22:16 UTC
Latency min/avg/max: 0/0.25/7
Received: 12
Sent: 11
Connections: 1
Outstanding: 0
Zxid: 0x100000000
Mode: leader
Node count: 5
Proposal sizes last/min/max: -1/-1/-1
";

#[test]
fn srvr_of_a_leader_gives_mode_version_latency_and_outstanding_requests() {
    let s = parse_srvr(LEADER).unwrap();
    let version = "3.8.4-9316c2a7a97e1666d8f4593f34dd6fc36ecc436c".into();
    assert_eq!(s, ZkStatus { mode: ZkMode::Leader, version, latency_avg_us: Some(250), outstanding: Some(0) });
}

#[test]
fn srvr_modes_are_all_recognised_with_crlf_too() {
    for (word, mode) in [
        ("follower", ZkMode::Follower),
        ("standalone", ZkMode::Standalone),
        ("observer", ZkMode::Observer),
        ("read-only", ZkMode::ReadOnly),
    ] {
        let text = LEADER.replace("Mode: leader", &format!("Mode: {word}")).replace('\n', "\r\n");
        assert_eq!(parse_srvr(&text).unwrap().mode, mode, "{word}");
    }
}

#[test]
fn a_zookeeper_that_is_not_serving_says_so() {
    let s = parse_srvr("This ZooKeeper instance is not currently serving requests\n").unwrap();
    assert_eq!(s.mode, ZkMode::NotServing);
}

#[test]
fn srvr_answers_without_a_known_mode_are_errors() {
    assert_eq!(
        parse_srvr("srvr is not executed because it is not in the whitelist.\n"),
        Err(SrvrParseError::NotWhitelisted)
    );
    assert!(matches!(parse_srvr("Zookeeper version: 3.8.4\n"), Err(SrvrParseError::NoMode(_))));
    assert_eq!(
        parse_srvr(&LEADER.replace("Mode: leader", "Mode: looking")),
        Err(SrvrParseError::UnknownMode("looking".into()))
    );
    assert!(matches!(parse_srvr(""), Err(SrvrParseError::NoMode(_))));
}

#[test]
fn the_metadata_version_is_the_highest_common_one_and_at_least_the_floor() {
    assert_eq!(pick_version((0, 13), (0, 12), 4), Some(12));
    assert_eq!(pick_version((0, 13), (4, 13), 4), Some(13));
    assert_eq!(pick_version((0, 13), (0, 3), 4), None);
    assert_eq!(pick_version((0, 2), (0, 1), 0), Some(1));
    assert_eq!(pick_version((5, 9), (0, 4), 0), None);
}

#[test]
fn error_codes_are_named() {
    assert!(error_name(35).contains("UnsupportedVersion"), "{}", error_name(35));
    let e = HealthError::ErrorCode { addr: "h1:9092".into(), api: "Metadata".into(), code: 35 };
    assert!(e.to_string().contains("h1:9092") && e.to_string().contains("Metadata"), "{e}");
}

#[tokio::test]
async fn a_closed_port_is_unreachable_naming_the_address() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().to_string();
    let err = kafka_metadata(&addr, Duration::from_secs(5)).await.unwrap_err();
    assert!(matches!(&err, HealthError::Unreachable { addr: a, .. } if a == &addr), "{err:?}");
    let err = zookeeper_srvr(&addr, Duration::from_secs(5)).await.unwrap_err();
    assert!(err.to_string().contains(&addr), "{err}");
}

#[tokio::test]
async fn a_server_that_never_answers_times_out() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let _hold = tokio::spawn(async move {
        let (_s, _) = listener.accept().await.unwrap();
        tokio::time::sleep(Duration::from_secs(30)).await;
    });
    let err = kraft_quorum(&addr, Duration::from_millis(300)).await.unwrap_err();
    assert!(matches!(&err, HealthError::Timeout { addr: a } if a == &addr), "{err:?}");
}

#[tokio::test]
async fn a_non_kafka_server_is_a_protocol_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    tokio::spawn(async move {
        let (mut s, _) = listener.accept().await.unwrap();
        let mut buf = [0u8; 64];
        let _ = s.read(&mut buf).await;
        let _ = s.write_all(b"HTTP/1.1 400 Bad Request\r\n\r\n").await;
    });
    let err = kafka_metadata(&addr, Duration::from_secs(5)).await.unwrap_err();
    assert!(matches!(err, HealthError::Protocol { .. }), "{err:?}");
}
