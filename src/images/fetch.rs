//! Downloading pictures: bounded, retried, capped, cached.
//!
//! News sites are slow, flaky and sometimes hostile, and a nightly run must neither hang nor
//! download the same picture twice. So every request has connect and read timeouts, transient
//! failures (timeouts, dropped connections, 5xx) are retried with backoff, redirects are
//! followed a bounded number of times, bodies are capped, and every successful download is kept
//! in a cache keyed by URL, so a re-run downloads nothing.

use crate::output::{sha256_hex, write_atomic};
use std::path::PathBuf;
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
    /// Holds the `--no-cache` folder until the run ends.
    _scratch: Option<tempfile::TempDir>,
}

/// How many redirects one picture may take before it is given up (loops end here too).
const MAX_REDIRECTS: u32 = 5;

impl Fetcher {
    pub fn new(opts: FetchOptions) -> std::io::Result<Fetcher> {
        let (dir, scratch) = match &opts.cache_dir {
            Some(d) => {
                std::fs::create_dir_all(d)?;
                (d.clone(), None)
            }
            None => {
                let t = tempfile::Builder::new()
                    .prefix("postbook-images-")
                    .tempdir()?;
                (t.path().to_path_buf(), Some(t))
            }
        };
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(opts.timeout))
            .timeout_recv_response(Some(opts.timeout))
            .timeout_recv_body(Some(opts.timeout))
            .max_redirects(MAX_REDIRECTS)
            .user_agent(concat!("postbook/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Ok(Fetcher {
            agent,
            opts,
            dir,
            _scratch: scratch,
        })
    }

    /// Makes sure the picture at `url` is in the cache and returns its file. Errors are
    /// one-line reasons for the user ("HTTP 404", "timed out (after 3 attempts)").
    pub fn fetch(&self, url: &str) -> Result<Fetched, String> {
        let path = self.dir.join(sha256_hex(url.as_bytes()));
        if path.is_file() {
            return Ok(Fetched {
                path,
                from_cache: true,
            });
        }
        if self.opts.offline {
            return Err("not in the image cache, and --offline forbids downloading".into());
        }
        let bytes = self.download(url)?;
        write_atomic(&path, &bytes)
            .map_err(|e| format!("cannot write to the image cache {}: {e}", path.display()))?;
        Ok(Fetched {
            path,
            from_cache: false,
        })
    }

    fn download(&self, url: &str) -> Result<Vec<u8>, String> {
        let mut last = String::new();
        for attempt in 0..self.opts.attempts.max(1) {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(250 << (attempt - 1)));
            }
            match self.try_once(url) {
                Ok(bytes) => return Ok(bytes),
                Err((why, transient)) => {
                    last = why;
                    if !transient {
                        return Err(last);
                    }
                }
            }
        }
        Err(format!(
            "{last} (after {} attempts)",
            self.opts.attempts.max(1)
        ))
    }

    /// One request. The error says whether trying again could help.
    fn try_once(&self, url: &str) -> Result<Vec<u8>, (String, bool)> {
        let mut response = self.agent.get(url).call().map_err(describe)?;
        let too_big = || format!("larger than the {} byte limit", self.opts.max_bytes);
        if response
            .body()
            .content_length()
            .is_some_and(|n| n > self.opts.max_bytes)
        {
            return Err((too_big(), false));
        }
        response
            .body_mut()
            .with_config()
            .limit(self.opts.max_bytes)
            .read_to_vec()
            .map_err(|e| match e {
                ureq::Error::BodyExceedsLimit(_) => (too_big(), false),
                e => describe(e),
            })
    }
}

/// A downloaded picture.
pub struct Fetched {
    /// Its file in the cache.
    pub path: PathBuf,
    /// Whether it came from the cache (the summary counts downloads).
    pub from_cache: bool,
}

/// A reason for the user, and whether the failure is worth retrying.
fn describe(e: ureq::Error) -> (String, bool) {
    match e {
        ureq::Error::StatusCode(code) => (format!("HTTP {code}"), code >= 500 || code == 429),
        ureq::Error::Timeout(_) => ("timed out".into(), true),
        ureq::Error::TooManyRedirects => (
            format!("more than {MAX_REDIRECTS} redirects (a redirect loop?)"),
            false,
        ),
        ureq::Error::HostNotFound => ("host not found".into(), false),
        e @ (ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::BodyStalled) => {
            (e.to_string(), true)
        }
        e => (e.to_string(), false),
    }
}
