//! `download.rs` against a real HTTP server on a local port (a std `TcpListener` thread, HTTP/1.1 by hand): the
//! size cap with and without a Content-Length, and two fetches of one release at once sharing the cache entry.

use super::*;
use sha2::{Digest, Sha512 as Sha512Digest};
use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::sync::atomic::AtomicUsize;

#[test]
fn cache_entries_are_keyed_by_checksum_prefix_and_file_name() {
    let cache = Cache::new(PathBuf::from("/c"));
    let sum = Sha512::from_hex(&"ab".repeat(64)).unwrap();
    assert_eq!(
        cache.entry_path("kafka_2.13-4.1.1.tgz", &sum),
        PathBuf::from("/c/abababababababab/kafka_2.13-4.1.1.tgz")
    );
}

#[test]
fn a_not_found_error_names_every_url_tried() {
    let e = DownloadError::NotFound {
        url: "http://a/x.tgz".into(),
        tried: vec!["http://a/x.tgz".into(), "http://b/x.tgz".into()],
    };
    let msg = e.to_string();
    assert!(msg.contains("http://a/x.tgz") && msg.contains("http://b/x.tgz"), "{msg}");
}

/// A tiny HTTP/1.1 server: `GET /<name>.sha512` answers the body's checksum, `GET /<name>` the body — with a
/// Content-Length or close-delimited, in 16 KiB pieces `pause` apart. Counts the body's GETs.
pub(super) struct Server {
    base: String,
    pub(super) body_gets: Arc<AtomicUsize>,
}

pub(super) const NAME: &str = "kafka_2.13-9.9.9.tgz";

impl Server {
    pub(super) fn start(body: Vec<u8>, content_length: bool, pause: Duration) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let body_gets = Arc::new(AtomicUsize::new(0));
        let gets = body_gets.clone();
        let sum = hex::encode(Sha512Digest::digest(&body));
        let body = Arc::new(body);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                let (body, gets, sum) = (body.clone(), gets.clone(), sum.clone());
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(stream.try_clone().unwrap());
                    let mut request_line = String::new();
                    reader.read_line(&mut request_line).unwrap();
                    loop {
                        let mut header = String::new();
                        if reader.read_line(&mut header).unwrap() == 0 || header == "\r\n" {
                            break;
                        }
                    }
                    let path = request_line.split_whitespace().nth(1).unwrap_or("").to_string();
                    if path == format!("/{NAME}.sha512") {
                        let text = format!("{sum}  {NAME}\n");
                        let head =
                            format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", text.len());
                        let _ = stream.write_all(format!("{head}{text}").as_bytes());
                        return;
                    }
                    if path != format!("/{NAME}") {
                        let _ = stream
                            .write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                        return;
                    }
                    gets.fetch_add(1, Ordering::SeqCst);
                    let length =
                        if content_length { format!("Content-Length: {}\r\n", body.len()) } else { String::new() };
                    let head = format!("HTTP/1.1 200 OK\r\n{length}Connection: close\r\n\r\n");
                    if stream.write_all(head.as_bytes()).is_err() {
                        return;
                    }
                    for piece in body.chunks(16 * 1024) {
                        if stream.write_all(piece).is_err() {
                            return; // the client stopped reading
                        }
                        std::thread::sleep(pause);
                    }
                });
            }
        });
        Server { base, body_gets }
    }

    pub(super) fn source(&self) -> ReleaseSource {
        ReleaseSource {
            file_name: NAME.into(),
            tarball_urls: vec![format!("{}/{NAME}", self.base)],
            checksum_urls: vec![format!("{}/{NAME}.sha512", self.base)],
            local_tarball: None,
            pinned: None,
        }
    }
}

fn body(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 31 % 251) as u8).collect()
}

/// Every file under `dir`.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        if entry.path().is_dir() {
            out.extend(files_under(&entry.path()));
        } else {
            out.push(entry.path());
        }
    }
    out
}

async fn fetch_capped(server: &Server, cache: &Cache, cap: u64) -> Result<Fetched, DownloadError> {
    let options = FetchOptions { max_bytes: cap, ..FetchOptions::default() };
    fetch_release_with(cache, &server.source(), &options, &mut |_, _| {}).await
}

#[tokio::test]
async fn a_download_announcing_more_than_the_cap_is_refused_naming_the_url_and_leaves_nothing() {
    let server = Server::start(body(200 * 1024), true, Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    let err = fetch_capped(&server, &cache, 64 * 1024).await.unwrap_err();
    assert!(matches!(err, DownloadError::TooLarge { limit: 65536, .. }), "{err:?}");
    assert!(err.to_string().contains(&format!("{}/{NAME} is larger than 65536 bytes", server.base)), "{err}");
    assert_eq!(files_under(cache.dir()), Vec::<PathBuf>::new());
    assert_eq!(server.body_gets.load(Ordering::SeqCst), 1, "refused once, not retried");
}

#[tokio::test]
async fn a_download_without_a_length_is_stopped_once_it_grows_past_the_cap() {
    let server = Server::start(body(400 * 1024), false, Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    let err = fetch_capped(&server, &cache, 100 * 1024).await.unwrap_err();
    assert!(matches!(err, DownloadError::TooLarge { limit: 102400, .. }), "{err:?}");
    assert_eq!(files_under(cache.dir()), Vec::<PathBuf>::new(), "the partial file is deleted");
}

#[tokio::test]
async fn a_download_within_the_cap_is_verified_and_cached_in_a_private_directory() {
    let server = Server::start(body(100 * 1024), false, Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    let fetched = fetch_capped(&server, &cache, 100 * 1024).await.unwrap();
    assert!(fetched.downloaded && fetched.size == 100 * 1024);
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!((mode(cache.dir()), mode(fetched.path.parent().unwrap())), (0o700, 0o700));
}

#[tokio::test]
async fn two_fetches_of_one_release_at_once_download_it_once_and_both_get_the_verified_file() {
    // 1 MiB in 64 pieces 20 ms apart: the second fetch arrives while the first is still downloading
    let server = Server::start(body(1024 * 1024), true, Duration::from_millis(20));
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    let source = server.source();
    let options = FetchOptions::default();
    let mut quiet = |_, _| {};
    let first = fetch_release_with(&cache, &source, &options, &mut quiet);
    let second = async {
        tokio::time::sleep(Duration::from_millis(300)).await;
        fetch_release_with(&cache, &source, &FetchOptions::default(), &mut |_, _| {}).await
    };
    let (first, second) = tokio::join!(first, second);
    let (first, second) = (first.unwrap(), second.unwrap());
    assert_eq!((first.downloaded, second.downloaded), (true, false), "the second found it in the cache");
    assert_eq!(first.path, second.path);
    assert_eq!(server.body_gets.load(Ordering::SeqCst), 1);
    assert_eq!(files_under(cache.dir()), vec![first.path.clone()], "no .part left");
}

#[tokio::test]
async fn a_pinned_checksum_needs_no_checksum_url_and_a_file_that_differs_from_the_pin_is_refused_and_deleted() {
    let content = body(50 * 1024);
    let server = Server::start(content.clone(), true, Duration::ZERO);
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::new(dir.path().join("cache"));
    let pin = Sha512::from_hex(&hex::encode(Sha512Digest::digest(&content))).unwrap();
    // no checksum URL at all: the pin is the trusted checksum
    let source = ReleaseSource {
        file_name: NAME.into(),
        tarball_urls: vec![format!("{}/{NAME}", server.base)],
        pinned: Some(pin.clone()),
        ..ReleaseSource::default()
    };
    let fetched = fetch_release(&cache, &source, &mut |_, _| {}).await.unwrap();
    assert!(fetched.downloaded);
    assert_eq!((fetched.sha512, std::fs::read(&fetched.path).unwrap()), (pin, content.clone()));

    let other = Sha512::from_hex(&"ab".repeat(64)).unwrap();
    let wrong = ReleaseSource { pinned: Some(other), ..source };
    let err = fetch_release(&cache, &wrong, &mut |_, _| {}).await.unwrap_err();
    assert!(matches!(err, DownloadError::ChecksumMismatch { .. }), "{err:?}");
    assert!(err.to_string().contains("the catalog's pin"), "{err}");
    assert_eq!(
        files_under(cache.dir()).len(),
        1,
        "only the first, verified file is cached: {:?}",
        files_under(cache.dir())
    );
}
