//! Downloading pictures: bounded, retried, capped, cached.
//!
//! News sites are slow, flaky and sometimes hostile, and a nightly run must neither hang nor
//! download the same picture twice. So every request has connect and read timeouts, transient
//! failures (timeouts, dropped connections, 5xx) are retried with backoff, redirects are
//! followed a bounded number of times, bodies are capped, and every successful download is kept
//! in a cache keyed by URL, so a re-run downloads nothing. Hosts that are not public are
//! refused (see [`super::hosts`]) unless `--allow-private-hosts`.

use super::hosts::{check_url, GuardedResolver, Refused};
use crate::interrupt::Temporary;
use crate::output::{sha256_hex, write_atomic};
use indicatif::ProgressBar;
use rayon::prelude::*;
use std::fmt;
use std::path::PathBuf;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Duration;

/// How downloads behave.
#[derive(Debug, Clone)]
pub struct FetchOptions {
    /// Cache folder; `None` means `--no-cache`: downloads go to a temporary folder that is
    /// removed at the end of the run.
    pub cache_dir: Option<PathBuf>,
    /// Use only the cache; never touch the network (`--offline`).
    pub offline: bool,
    /// Refuse bodies larger than this (`--max-image-bytes`).
    pub max_bytes: u64,
    /// Connect and read timeout (`--image-timeout`).
    pub timeout: Duration,
    /// Attempts per URL for transient failures.
    pub attempts: u32,
    /// Download from loopback, private and link-local addresses too
    /// (`--allow-private-hosts`); otherwise such pictures are refused before any request.
    pub allow_private_hosts: bool,
}

impl FetchOptions {
    /// The platform cache folder (`~/.cache/postbook/images` on Linux).
    pub fn default_cache_dir() -> Option<PathBuf> {
        dirs::cache_dir().map(|d| d.join("postbook").join("images"))
    }
}

/// Downloads pictures over HTTP(S) into the cache folder. Downloads live on disk, not in
/// memory, so a thousand pictures cost a thousand files, not a gigabyte of RAM.
pub struct Fetcher {
    agent: ureq::Agent,
    opts: FetchOptions,
    dir: PathBuf,
}

/// The `--no-cache` download folder: removed when dropped, or by a second Ctrl-C. Held apart
/// from the [`Fetcher`], whose threads an interrupted run abandons.
pub struct Scratch {
    _dir: tempfile::TempDir,
    _registered: Temporary,
}

/// Each URL given to [`Fetcher::fetch_all`], in order, with what its download gave.
pub type FetchResults = Vec<(String, Result<Fetched, FetchError>)>;

/// How many redirects one picture may take before it is given up (loops end here too).
const MAX_REDIRECTS: u32 = 5;

impl Fetcher {
    /// A fetcher into the cache folder, or into a new scratch folder (`--no-cache`) that the
    /// caller holds until the pictures are read.
    pub fn new(opts: FetchOptions) -> std::io::Result<(Fetcher, Option<Scratch>)> {
        let (dir, scratch) = match &opts.cache_dir {
            Some(d) => {
                std::fs::create_dir_all(d)?;
                (d.clone(), None)
            }
            None => {
                let t = tempfile::Builder::new()
                    .prefix("postbook-images-")
                    .tempdir()?;
                let scratch = Scratch {
                    _registered: Temporary::register(t.path()),
                    _dir: t,
                };
                (scratch._dir.path().to_path_buf(), Some(scratch))
            }
        };
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(opts.timeout))
            .timeout_recv_response(Some(opts.timeout))
            .timeout_recv_body(Some(opts.timeout))
            .max_redirects(MAX_REDIRECTS)
            .user_agent(concat!("postbook/", env!("CARGO_PKG_VERSION")))
            .build();
        let agent = if opts.allow_private_hosts {
            config.into()
        } else {
            // Every hop of every request is resolved here, and connected only to what passed.
            ureq::Agent::with_parts(
                config,
                ureq::unversioned::transport::DefaultConnector::default(),
                GuardedResolver::default(),
            )
        };
        Ok((Fetcher { agent, opts, dir }, scratch))
    }

    /// Fetches `urls`, `jobs` at a time, and returns what each gave, in order. Ctrl-C stops
    /// the waiting at once: no download starts or is retried after it, the URLs whose download
    /// has not ended are [`FetchError::Interrupted`], and the downloads in flight are left to
    /// their threads (bounded by the time-out; the process usually exits first).
    pub fn fetch_all(
        self,
        urls: Vec<String>,
        jobs: usize,
        progress: &ProgressBar,
    ) -> std::io::Result<FetchResults> {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build()
            .map_err(std::io::Error::other)?;
        let (send, receive) = std::sync::mpsc::channel();
        let wanted = urls.clone();
        let downloads = std::thread::Builder::new()
            .name("downloads".into())
            .spawn(move || {
                pool.install(|| {
                    wanted
                        .par_iter()
                        .enumerate()
                        .for_each_with(send, |send, (i, url)| {
                            // The receiver is gone only when the run stopped waiting.
                            let _ = send.send((i, self.fetch(url)));
                        })
                })
            })?;
        let mut got: Vec<Option<Result<Fetched, FetchError>>> = urls.iter().map(|_| None).collect();
        let mut left = urls.len();
        while left > 0 && !crate::interrupt::requested() {
            match receive.recv_timeout(POLL) {
                Ok((i, result)) => {
                    got[i] = Some(result);
                    left -= 1;
                    progress.inc(1);
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        if left == 0 {
            let _ = downloads.join();
        }
        let results = urls.into_iter().zip(got);
        Ok(results
            .map(|(url, r)| (url, r.unwrap_or(Err(FetchError::Interrupted))))
            .collect())
    }

    /// Makes sure the picture at `url` is in the cache and returns its file. Errors read as
    /// one-line reasons for the user ("HTTP 404", "timed out (after 3 attempts)").
    pub fn fetch(&self, url: &str) -> Result<Fetched, FetchError> {
        let path = self.dir.join(sha256_hex(url.as_bytes()));
        if path.is_file() {
            return Ok(Fetched {
                path,
                from_cache: true,
            });
        }
        if self.opts.offline {
            return Err(FetchError::Offline);
        }
        let bytes = self.download(url)?;
        if crate::interrupt::requested() {
            // The run stopped waiting for it, and may have removed the scratch folder.
            return Err(FetchError::Interrupted);
        }
        write_atomic(&path, &bytes).map_err(|e| FetchError::CacheWrite {
            path: path.clone(),
            detail: e.to_string(),
        })?;
        Ok(Fetched {
            path,
            from_cache: false,
        })
    }

    fn download(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        if !self.opts.allow_private_hosts {
            check_url(url).map_err(FetchError::Refused)?;
        }
        let attempts = self.opts.attempts.max(1);
        let mut attempt = 1;
        loop {
            if crate::interrupt::requested() {
                return Err(FetchError::Interrupted);
            }
            match self.try_once(url) {
                Ok(bytes) => return Ok(bytes),
                Err(e) if !e.transient() => return Err(e),
                Err(e) if attempt == attempts => {
                    let last = Box::new(e);
                    return Err(FetchError::GaveUp { last, attempts });
                }
                Err(_) => back_off(Duration::from_millis(250 << (attempt - 1))),
            }
            attempt += 1;
        }
    }

    /// One request; [`FetchError::transient`] says whether trying again could help.
    fn try_once(&self, url: &str) -> Result<Vec<u8>, FetchError> {
        let mut response = self.agent.get(url).call().map_err(FetchError::from)?;
        let too_big = FetchError::TooLarge {
            limit: self.opts.max_bytes,
        };
        if response
            .body()
            .content_length()
            .is_some_and(|n| n > self.opts.max_bytes)
        {
            return Err(too_big);
        }
        response
            .body_mut()
            .with_config()
            .limit(self.opts.max_bytes)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => too_big,
                e => FetchError::from(e),
            })
    }
}

/// How often waiting threads look whether Ctrl-C was pressed.
const POLL: Duration = Duration::from_millis(50);

/// Waits `pause` before another attempt, or less when Ctrl-C is pressed meanwhile.
fn back_off(pause: Duration) {
    let until = std::time::Instant::now() + pause;
    while !crate::interrupt::requested() {
        let now = std::time::Instant::now();
        if now >= until {
            break;
        }
        std::thread::sleep(POLL.min(until - now));
    }
}

/// A downloaded picture.
pub struct Fetched {
    /// Its file in the cache.
    pub path: PathBuf,
    /// Whether it came from the cache (the summary counts downloads).
    pub from_cache: bool,
}

/// Why a picture could not be downloaded. Its message is a one-line reason for the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// `--offline` and the picture is not in the cache.
    Offline,
    /// The download could not be stored in the cache folder.
    CacheWrite {
        path: PathBuf,
        detail: String,
    },
    /// The server answered with an HTTP error status.
    Status(u16),
    /// Connecting or reading took longer than `--image-timeout`.
    TimedOut,
    /// More than [`MAX_REDIRECTS`] redirects.
    TooManyRedirects,
    HostNotFound,
    /// The body is larger than `--max-image-bytes`.
    TooLarge {
        limit: u64,
    },
    /// The connection failed or broke off (worth another attempt).
    Connection(String),
    /// The URL, a redirect or a DNS answer leads to an address that is not public, and
    /// `--allow-private-hosts` was not given.
    Refused(Refused),
    /// Any other failure of the HTTP client, in its words.
    Other(String),
    /// Ctrl-C was pressed before the download ended.
    Interrupted,
    /// Every attempt failed for a reason worth retrying; `last` is the last one's.
    GaveUp {
        last: Box<FetchError>,
        attempts: u32,
    },
}

impl FetchError {
    /// Whether trying again could help: time-outs, broken connections, server errors (5xx)
    /// and rate limits (429).
    pub fn transient(&self) -> bool {
        match self {
            FetchError::Status(code) => *code >= 500 || *code == 429,
            FetchError::TimedOut | FetchError::Connection(_) => true,
            FetchError::Offline
            | FetchError::CacheWrite { .. }
            | FetchError::TooManyRedirects
            | FetchError::HostNotFound
            | FetchError::TooLarge { .. }
            | FetchError::Refused(_)
            | FetchError::Other(_)
            | FetchError::Interrupted
            | FetchError::GaveUp { .. } => false,
        }
    }
}

impl fmt::Display for FetchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FetchError::Offline => {
                f.write_str("not in the image cache, and --offline forbids downloading")
            }
            FetchError::CacheWrite { path, detail } => {
                write!(
                    f,
                    "cannot write to the image cache {}: {detail}",
                    path.display()
                )
            }
            FetchError::Status(code) => write!(f, "HTTP {code}"),
            FetchError::TimedOut => f.write_str("timed out"),
            FetchError::TooManyRedirects => {
                write!(f, "more than {MAX_REDIRECTS} redirects (a redirect loop?)")
            }
            FetchError::HostNotFound => f.write_str("host not found"),
            FetchError::TooLarge { limit } => write!(f, "larger than the {limit} byte limit"),
            FetchError::Connection(detail) | FetchError::Other(detail) => f.write_str(detail),
            FetchError::Refused(r) => r.fmt(f),
            FetchError::Interrupted => f.write_str("interrupted"),
            FetchError::GaveUp { last, attempts } => {
                write!(f, "{last} (after {attempts} attempts)")
            }
        }
    }
}

impl std::error::Error for FetchError {}

impl From<ureq::Error> for FetchError {
    fn from(e: ureq::Error) -> Self {
        // A refusal by the resolver travels through ureq as an I/O error carrying its reason.
        if let ureq::Error::Io(io) = &e {
            if let Some(r) = io.get_ref().and_then(|r| r.downcast_ref::<Refused>()) {
                return FetchError::Refused(r.clone());
            }
        }
        match e {
            ureq::Error::StatusCode(code) => FetchError::Status(code),
            ureq::Error::Timeout(_) => FetchError::TimedOut,
            ureq::Error::TooManyRedirects => FetchError::TooManyRedirects,
            ureq::Error::HostNotFound => FetchError::HostNotFound,
            e @ (ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::BodyStalled) => {
                FetchError::Connection(e.to_string())
            }
            e => FetchError::Other(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The messages are the ones users and scripts know from earlier versions.
    #[test]
    fn messages_and_retries() {
        let cases = [
            (FetchError::Status(404), "HTTP 404", false),
            (FetchError::Status(503), "HTTP 503", true),
            (FetchError::Status(429), "HTTP 429", true),
            (FetchError::TimedOut, "timed out", true),
            (
                FetchError::TooManyRedirects,
                "more than 5 redirects (a redirect loop?)",
                false,
            ),
            (FetchError::HostNotFound, "host not found", false),
            (FetchError::Interrupted, "interrupted", false),
            (
                FetchError::Refused(Refused {
                    name: None,
                    address: "127.0.0.1".into(),
                }),
                "refused: 127.0.0.1 is a private address (use --allow-private-hosts)",
                false,
            ),
            (
                FetchError::TooLarge { limit: 10 },
                "larger than the 10 byte limit",
                false,
            ),
            (
                FetchError::Offline,
                "not in the image cache, and --offline forbids downloading",
                false,
            ),
            (
                FetchError::GaveUp {
                    last: Box::new(FetchError::TimedOut),
                    attempts: 3,
                },
                "timed out (after 3 attempts)",
                false,
            ),
        ];
        for (e, message, transient) in cases {
            assert_eq!(e.to_string(), message);
            assert_eq!(e.transient(), transient, "{e}");
        }
    }
}
