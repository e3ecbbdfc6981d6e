//! Which hosts a picture may be downloaded from: public ones only, unless
//! `--allow-private-hosts`.
//!
//! Posts come from scraped sites, so a picture URL is chosen by a stranger. Without this guard
//! a post could make postbook request `http://169.254.169.254/…` (cloud metadata),
//! `http://127.0.0.1:…` or a router on the local network, and put the answer in a book. So a
//! picture is refused when the address postbook would connect to is loopback, private,
//! link-local, unspecified, multicast or otherwise not public, including IPv4 addresses
//! embedded in IPv6 ones, and `localhost` names.
//!
//! The check is made where the address is known for certain: in ureq's name resolver
//! ([`GuardedResolver`]). ureq connects only to the addresses its resolver returned, so a name
//! that answers a public address to the check and a private one to the connection (DNS
//! rebinding) cannot slip through, and every redirect hop is resolved, hence checked, again.

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

/// Why a host was refused; its message is the picture's warning reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// The name in the URL, when it is not the address itself.
    pub name: Option<String>,
    /// The address refused, or the name when it is refused as a name (`localhost`).
    pub address: String,
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.name {
            Some(name) => write!(
                f,
                "refused: {name} resolves to {}, a private address (use --allow-private-hosts)",
                self.address
            ),
            None => write!(
                f,
                "refused: {} is a private address (use --allow-private-hosts)",
                self.address
            ),
        }
    }
}

impl std::error::Error for Refused {}

/// Whether `ip` is anything but a public unicast address: what a picture must not be fetched
/// from. IPv4 addresses inside IPv6 ones (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`,
/// NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are judged as the IPv4 address they reach.
pub fn is_private(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => is_private_v4(v4),
        IpAddr::V6(v6) => is_private_v6(v6),
    }
}

fn is_private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    ip.is_unspecified()
        || a == 0 // 0.0.0.0/8, "this network"
        || ip.is_loopback() // 127.0.0.0/8
        || ip.is_private() // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local() // 169.254/16: cloud metadata
        || (a == 100 && (b & 0xc0) == 64) // 100.64/10, carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // 192.0.0/24, protocol assignments
        || ip.is_documentation() // 192.0.2/24, 198.51.100/24, 203.0.113/24
        || (a == 198 && (b & 0xfe) == 18) // 198.18/15, benchmarking
        || ip.is_multicast() // 224/4
        || a >= 240 // 240/4 reserved, and the broadcast address
}

fn is_private_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_private_v4(v4);
    }
    let s = ip.segments();
    // ::a.b.c.d (deprecated IPv4-compatible; `::` and `::1` are caught below).
    if s[..6] == [0; 6] && !(ip.is_unspecified() || ip.is_loopback()) {
        return is_private_v4(Ipv4Addr::new(
            (s[6] >> 8) as u8,
            s[6] as u8,
            (s[7] >> 8) as u8,
            s[7] as u8,
        ));
    }
    // NAT64's well-known prefix 64:ff9b::/96 reaches the IPv4 address in its last 32 bits.
    if s[..6] == [0x64, 0xff9b, 0, 0, 0, 0] {
        let v4 = Ipv4Addr::new((s[6] >> 8) as u8, s[6] as u8, (s[7] >> 8) as u8, s[7] as u8);
        return is_private_v4(v4);
    }
    // 6to4 2002::/16 carries an IPv4 address in bits 16-47.
    if s[0] == 0x2002 {
        let v4 = Ipv4Addr::new((s[1] >> 8) as u8, s[1] as u8, (s[2] >> 8) as u8, s[2] as u8);
        return is_private_v4(v4);
    }
    ip.is_unspecified() // ::
        || ip.is_loopback() // ::1
        || ip.is_unique_local() // fc00::/7
        || ip.is_unicast_link_local() // fe80::/10
        || (s[0] & 0xffc0) == 0xfec0 // fec0::/10, the old site-local
        || ip.is_multicast() // ff00::/8
        || (s[0] == 0x2001 && s[1] == 0xdb8) // 2001:db8::/32, documentation
        || (s[0] == 0x100 && s[1..4] == [0; 3]) // 100::/64, discard
}

/// Whether `host` (as in a URL, IPv6 in brackets or not, any case, a final dot or not) is a
/// `localhost` name, which resolves to loopback by definition (RFC 6761).
pub fn is_localhost_name(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "localhost" || h.ends_with(".localhost")
}

/// Checks a URL's host as written, before anything is resolved: `localhost` names and
/// address literals (the `url` crate reads `0x7f.1` and `2130706433` as 127.0.0.1 too). The
/// resolver checks again whatever is actually connected to; this early check also covers
/// downloads through a proxy, where the proxy resolves names.
pub fn check_url(url: &str) -> Result<(), Refused> {
    let Ok(parsed) = url::Url::parse(url) else {
        return Ok(()); // ureq reports the bad URL in its own words
    };
    let refused = |address: String| Refused {
        name: None,
        address,
    };
    match parsed.host() {
        Some(url::Host::Domain(d)) if is_localhost_name(d) => Err(refused(d.to_string())),
        Some(url::Host::Ipv4(ip)) if is_private_v4(ip) => Err(refused(ip.to_string())),
        Some(url::Host::Ipv6(ip)) if is_private_v6(ip) => Err(refused(ip.to_string())),
        _ => Ok(()),
    }
}

/// ureq's default resolver, refusing names and answers that are not public. A refusal is an
/// [`std::io::Error`] of kind `PermissionDenied` carrying a [`Refused`], which
/// [`super::fetch::FetchError`] turns back into the reason.
#[derive(Debug, Default)]
pub struct GuardedResolver {
    inner: DefaultResolver,
}

impl GuardedResolver {
    /// Checks the addresses resolved for `host`: all must be public, or none is used (a name
    /// answering with both is not trusted with either).
    pub fn check_addrs(host: &str, addrs: &ResolvedSocketAddrs) -> Result<(), Refused> {
        let host = host.trim_start_matches('[').trim_end_matches(']');
        match addrs.iter().find(|a| is_private(a.ip())) {
            None => Ok(()),
            Some(a) => {
                let address = a.ip().to_string();
                // An address literal names itself; only a real name "resolves to".
                let name = match host.parse::<IpAddr>() {
                    Ok(_) => None,
                    Err(_) => Some(host.to_string()),
                };
                Err(Refused { name, address })
            }
        }
    }
}

impl Resolver for GuardedResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        // The proxy is the user's own choice (HTTPS_PROXY, ALL_PROXY), often on loopback.
        if config.proxy().is_some_and(|p| p.uri() == uri) {
            return self.inner.resolve(uri, config, timeout);
        }
        let denied = |r: Refused| {
            ureq::Error::Io(std::io::Error::new(std::io::ErrorKind::PermissionDenied, r))
        };
        let host = uri.host().unwrap_or_default();
        if is_localhost_name(host) {
            return Err(denied(Refused {
                name: None,
                address: host.to_string(),
            }));
        }
        let addrs = self.inner.resolve(uri, config, timeout)?;
        Self::check_addrs(host, &addrs).map_err(denied)?;
        Ok(addrs)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::SocketAddr;

    /// Address literals only: nothing here connects anywhere.
    #[test]
    fn classifies_addresses() {
        let private = [
            "127.0.0.1",
            "127.255.0.9",
            "0.0.0.0",
            "0.1.2.3",
            "10.0.0.1",
            "10.255.255.255",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "192.0.0.8",
            "198.18.0.1",
            "224.0.0.1",
            "255.255.255.255",
            "240.0.0.1",
            "::",
            "::1",
            "fc00::1",
            "fd12:3456::1",
            "fe80::1",
            "febf::1",
            "fec0::1",
            "ff02::1",
            "::ffff:127.0.0.1",
            "::ffff:10.1.2.3",
            "::ffff:169.254.169.254",
            "::ffff:0.0.0.0",
            "::127.0.0.1",
            "64:ff9b::a9fe:a9fe",
            "2002:7f00:1::",
            "2002:c0a8:101::1",
            "2001:db8::1",
        ];
        for a in private {
            assert!(is_private(a.parse().unwrap()), "{a} should be private");
        }
        let public = [
            "1.1.1.1",
            "8.8.8.8",
            "93.184.216.34",
            "172.15.255.255",
            "172.32.0.1",
            "192.169.0.1",
            "169.255.0.1",
            "100.128.0.1",
            "11.0.0.1",
            "2606:4700:4700::1111",
            "2a00:1450:4001::200e",
            "::ffff:8.8.8.8",
            "64:ff9b::808:808",
            "2002:808:808::1",
            "fbff::1",
            "fe00::1",
        ];
        for a in public {
            assert!(!is_private(a.parse().unwrap()), "{a} should be public");
        }
    }

    #[test]
    fn localhost_names() {
        for h in ["localhost", "LOCALHOST", "localhost.", "a.b.localhost"] {
            assert!(is_localhost_name(h), "{h}");
        }
        for h in ["localhost.example.com", "mylocalhost", "example.com"] {
            assert!(!is_localhost_name(h), "{h}");
        }
    }

    /// Every hop of a redirect is a fresh URL: a public page redirecting to one of these is
    /// refused at this check (and again at the resolver) before any connection is made.
    #[test]
    fn checks_urls_as_written() {
        let cases = [
            (
                "http://127.0.0.1:8080/a.png",
                "refused: 127.0.0.1 is a private address (use --allow-private-hosts)",
            ),
            (
                "http://169.254.169.254/latest/meta-data/",
                "refused: 169.254.169.254 is a private address (use --allow-private-hosts)",
            ),
            (
                "http://[::1]/a.png",
                "refused: ::1 is a private address (use --allow-private-hosts)",
            ),
            (
                "http://[::ffff:7f00:1]/a.png",
                "refused: ::ffff:127.0.0.1 is a private address (use --allow-private-hosts)",
            ),
            (
                "http://0x7f.1/a.png",
                "refused: 127.0.0.1 is a private address (use --allow-private-hosts)",
            ),
            (
                "http://2130706433/a.png",
                "refused: 127.0.0.1 is a private address (use --allow-private-hosts)",
            ),
            (
                "https://Localhost./a.png",
                "refused: localhost. is a private address (use --allow-private-hosts)",
            ),
            (
                "http://0.0.0.0/",
                "refused: 0.0.0.0 is a private address (use --allow-private-hosts)",
            ),
        ];
        for (url, reason) in cases {
            assert_eq!(check_url(url).unwrap_err().to_string(), reason, "{url}");
        }
        for url in [
            "https://example.com/a.png",
            "http://8.8.8.8/a.png",
            "http://[2606:4700::1]/a.png",
        ] {
            assert_eq!(check_url(url), Ok(()), "{url}");
        }
    }

    fn addrs(list: &[&str]) -> ResolvedSocketAddrs {
        let mut v = GuardedResolver::default().empty();
        for a in list {
            v.push(a.parse::<SocketAddr>().unwrap());
        }
        v
    }

    /// What a DNS answer is checked against: one private address among public ones refuses
    /// the name (a rebinding name may answer both).
    #[test]
    fn checks_resolved_addresses() {
        let ok = addrs(&["93.184.216.34:80", "[2606:2800:220:1::]:80"]);
        assert_eq!(GuardedResolver::check_addrs("example.com", &ok), Ok(()));
        let mixed = addrs(&["93.184.216.34:80", "10.0.0.5:80"]);
        assert_eq!(
            GuardedResolver::check_addrs("rebind.example", &mixed)
                .unwrap_err()
                .to_string(),
            "refused: rebind.example resolves to 10.0.0.5, a private address \
             (use --allow-private-hosts)"
        );
        let literal = addrs(&["[::1]:80"]);
        assert_eq!(
            GuardedResolver::check_addrs("[::1]", &literal)
                .unwrap_err()
                .to_string(),
            "refused: ::1 is a private address (use --allow-private-hosts)"
        );
    }

    /// The resolver itself, on loopback names and literals only: it refuses before anything
    /// is connected to, with the reason carried in the error.
    #[test]
    fn resolver_refuses_loopback() {
        use ureq::unversioned::transport::time::Duration;
        let config = Config::default();
        let timeout = NextTimeout {
            after: Duration::NotHappening,
            reason: ureq::Timeout::Global,
            ..NextTimeout::default()
        };
        for (uri, address) in [
            ("http://127.0.0.1:9/x.png", "127.0.0.1"),
            ("http://[::1]:9/x.png", "::1"),
            ("http://localhost:9/x.png", "localhost"),
        ] {
            let uri: Uri = uri.parse().unwrap();
            let err = GuardedResolver::default()
                .resolve(&uri, &config, timeout)
                .unwrap_err();
            let ureq::Error::Io(io) = err else {
                panic!("{uri}: {err}")
            };
            let refused = io.get_ref().unwrap().downcast_ref::<Refused>().unwrap();
            assert_eq!(refused.address, address, "{uri}");
            assert_eq!(refused.name, None);
        }
    }
}
