//! HTTP/1.1 messages, as much as a metrics endpoint needs: finding and parsing a bounded request
//! head (with `httparse`), reading its query string, and writing a response head.
//!
//! Request bodies are never read: no route takes one, so a request that announces a body is
//! answered and its connection closed, which keeps the next request on the wire in sync without a
//! body parser.

use std::borrow::Cow;
use std::time::{SystemTime, UNIX_EPOCH};

/// Header fields a request may carry; more is answered 431, as a head over the byte limit is.
pub(crate) const MAX_HEADER_FIELDS: usize = 100;

/// Where the head at the start of `buf` ends: the index just past the blank line that closes it
/// (`\r\n\r\n`, or bare `\n\n`, which RFC 9112 lets a server accept), searching from `from`
/// so that a head arriving a byte at a time is scanned once, not once per byte. Blank lines
/// before the request line (RFC 9112 2.2) are not a head's end.
pub(crate) fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    let leading = buf
        .iter()
        .take_while(|b| **b == b'\r' || **b == b'\n')
        .count();
    let mut i = from.max(leading);
    while i < buf.len() {
        if buf[i] == b'\n' {
            if buf.get(i + 1) == Some(&b'\n') {
                return Some(i + 2);
            }
            if buf.get(i + 1) == Some(&b'\r') && buf.get(i + 2) == Some(&b'\n') {
                return Some(i + 3);
            }
        }
        i += 1;
    }
    None
}

/// Where to resume [`find_head_end`] after more bytes arrive: the terminator may straddle reads.
pub(crate) fn rescan_from(scanned_len: usize) -> usize {
    scanned_len.saturating_sub(3)
}

/// The HTTP version of a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Version {
    Http10,
    Http11,
}

/// A parsed request head.
#[derive(Debug)]
pub(crate) struct Request {
    pub method: String,
    /// The path, without the query string and still percent-encoded.
    pub path: String,
    /// The raw query string, after `?`; empty when there is none.
    pub query: String,
    pub version: Version,
    pub headers: Vec<(String, String)>,
}

/// Why a head could not be parsed.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum ParseError {
    /// Answer 400 with this reason.
    BadRequest(&'static str),
    /// An HTTP version other than 1.0 and 1.1: answer 505.
    VersionNotSupported,
    /// More than [`MAX_HEADER_FIELDS`] header fields: answer 431.
    TooManyFields,
}

impl Request {
    /// The value of a header, its repeated fields joined with `, ` as RFC 9110 5.3 allows for
    /// list-valued fields (`Accept`, `Accept-Encoding`); `None` when absent.
    pub fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        let mut values = self
            .headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str());
        let first = values.next()?;
        match values.next() {
            None => Some(Cow::Borrowed(first)),
            Some(second) => {
                let mut joined = format!("{first}, {second}");
                for more in values {
                    joined.push_str(", ");
                    joined.push_str(more);
                }
                Some(Cow::Owned(joined))
            }
        }
    }

    /// Whether the connection must close after this request: HTTP/1.0 without
    /// `Connection: keep-alive`, or `Connection: close`.
    pub fn wants_close(&self) -> bool {
        let connection = self.header("connection");
        let has = |token: &str| {
            connection
                .as_deref()
                .is_some_and(|v| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
        };
        match self.version {
            Version::Http10 => !has("keep-alive"),
            Version::Http11 => has("close"),
        }
    }

    /// Whether the request announces a body, which this server does not read.
    pub fn has_body(&self) -> bool {
        self.header("transfer-encoding").is_some()
            || self
                .header("content-length")
                .is_some_and(|v| v.trim() != "0")
    }

    /// The values of a query parameter, URL-decoded, in order; `name[]=a&name[]=b` gives both.
    pub fn query_values(&self, key: &str) -> Vec<String> {
        self.query
            .split('&')
            .filter(|pair| !pair.is_empty())
            .filter_map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(k) == key).then(|| percent_decode(v))
            })
            .collect()
    }
}

/// Parses a complete head (request line, header fields, blank line), as [`find_head_end`]
/// delimits it.
pub(crate) fn parse_head(head: &[u8]) -> Result<Request, ParseError> {
    let mut fields = [httparse::EMPTY_HEADER; MAX_HEADER_FIELDS];
    let mut parsed = httparse::Request::new(&mut fields);
    match parsed.parse(head) {
        Ok(httparse::Status::Complete(_)) => {}
        Ok(httparse::Status::Partial) => return Err(ParseError::BadRequest("incomplete head")),
        Err(httparse::Error::Version) => return Err(version_error(head)),
        Err(httparse::Error::TooManyHeaders) => return Err(ParseError::TooManyFields),
        Err(e) => return Err(ParseError::BadRequest(reason(e))),
    }
    let (Some(method), Some(target), Some(minor)) = (parsed.method, parsed.path, parsed.version)
    else {
        return Err(ParseError::BadRequest("malformed request line"));
    };
    let version = if minor == 0 {
        Version::Http10
    } else {
        Version::Http11
    };
    let (path, query) = split_target(target)?;
    let mut headers = Vec::with_capacity(parsed.headers.len());
    for field in parsed.headers.iter() {
        // httparse lets obs-text (bytes 0x80-0xff) through, as RFC 9110 5.5 does.
        headers.push((
            field.name.to_owned(),
            String::from_utf8_lossy(field.value.trim_ascii()).into_owned(),
        ));
    }
    let request = Request {
        method: method.to_owned(),
        path: path.to_owned(),
        query: query.to_owned(),
        version,
        headers,
    };
    let lengths: Vec<_> = request
        .headers
        .iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case("content-length"))
        .map(|(_, v)| v.trim())
        .collect();
    // RFC 9112 6.3: an invalid or conflicting Content-Length makes the framing unknowable.
    if lengths
        .iter()
        .any(|v| v.is_empty() || !v.bytes().all(|b| b.is_ascii_digit()))
        || lengths.windows(2).any(|w| w[0] != w[1])
    {
        return Err(ParseError::BadRequest("invalid Content-Length"));
    }
    Ok(request)
}

/// httparse knows HTTP/1.0 and 1.1 only: another well-formed version (`HTTP/2.0`) is answered
/// 505, anything else in its place 400.
fn version_error(head: &[u8]) -> ParseError {
    let line = head
        .iter()
        .position(|b| *b == b'\n')
        .map_or(head, |end| &head[..end]);
    let line = line.trim_ascii_start().strip_suffix(b"\r").unwrap_or(line);
    match line.rsplit(|b| *b == b' ').next() {
        Some([b'H', b'T', b'T', b'P', b'/', major, b'.', minor])
            if major.is_ascii_digit() && minor.is_ascii_digit() =>
        {
            ParseError::VersionNotSupported
        }
        _ => ParseError::BadRequest("malformed request line"),
    }
}

fn reason(error: httparse::Error) -> &'static str {
    match error {
        httparse::Error::HeaderName => "malformed header field name",
        httparse::Error::HeaderValue => "control character in a header field",
        httparse::Error::NewLine => "malformed line ending",
        _ => "malformed request line",
    }
}

/// Splits a request target into path and query. Origin form (`/metrics?x`) is what clients send;
/// absolute form (`http://host/metrics`) is what they send through proxies, and RFC 9112 3.2.2
/// requires a server to accept it.
fn split_target(target: &str) -> Result<(&str, &str), ParseError> {
    let origin = if target.starts_with('/') {
        target
    } else if let Some(rest) = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
    {
        rest.find('/').map_or("/", |i| &rest[i..])
    } else if target == "*" {
        "*"
    } else {
        return Err(ParseError::BadRequest("malformed request target"));
    };
    let origin = origin.split_once('#').map_or(origin, |(before, _)| before);
    Ok(origin.split_once('?').unwrap_or((origin, "")))
}

/// Decodes `application/x-www-form-urlencoded` text: `+` is a space, `%XX` a byte. A `%` not
/// followed by two hex digits stays as it is, as Python's `unquote_plus` leaves it.
pub(crate) fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).copied().and_then(hex),
                bytes.get(i + 2).copied().and_then(hex),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push(hi << 4 | lo);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

/// A response ready to be written.
#[derive(Debug)]
pub(crate) struct Response {
    pub status: u16,
    /// Header fields besides `Date`, `Content-Length` and `Connection`, which the writer adds.
    pub headers: Vec<(&'static str, Cow<'static, str>)>,
    pub body: Vec<u8>,
}

impl Response {
    /// A short plain-text response, for errors.
    pub fn text(status: u16, message: &str) -> Self {
        Response {
            status,
            headers: vec![("Content-Type", "text/plain; charset=utf-8".into())],
            body: format!("{message}\n").into_bytes(),
        }
    }

    /// Adds a header field.
    pub fn with_header(mut self, name: &'static str, value: impl Into<Cow<'static, str>>) -> Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// Appends the response's head to `out`: status line and fields. The body is the caller's to
/// send, unless the request was HEAD (which gets the same fields, `Content-Length` included).
pub(crate) fn write_head(out: &mut Vec<u8>, response: &Response, close: bool) {
    out.extend_from_slice(b"HTTP/1.1 ");
    out.extend_from_slice(itoa::Buffer::new().format(response.status).as_bytes());
    out.push(b' ');
    out.extend_from_slice(reason_phrase(response.status).as_bytes());
    out.extend_from_slice(b"\r\nDate: ");
    out.extend_from_slice(http_date(SystemTime::now()).as_bytes());
    for (name, value) in &response.headers {
        out.extend_from_slice(b"\r\n");
        out.extend_from_slice(name.as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
    }
    out.extend_from_slice(b"\r\nContent-Length: ");
    out.extend_from_slice(itoa::Buffer::new().format(response.body.len()).as_bytes());
    out.extend_from_slice(if close {
        b"\r\nConnection: close\r\n\r\n".as_slice()
    } else {
        b"\r\nConnection: keep-alive\r\n\r\n".as_slice()
    });
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// The IMF-fixdate form of `time` (`Sun, 06 Nov 1994 08:49:37 GMT`) that RFC 9110 6.6.1 asks
/// an origin server with a clock to send in `Date`.
pub(crate) fn http_date(time: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = time.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = secs / 86_400;
    let (year, month, day) = civil_from_days(days as i64);
    let rem = secs % 86_400;
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        day,
        MONTHS[month as usize - 1],
        year,
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// Year, month (1-12) and day (1-31) of a day count since 1970-01-01 (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    /// Feeds `data` in chunks of `chunk` bytes, as a socket might, and returns where the head
    /// ends once it is complete.
    fn head_end_in_chunks(data: &[u8], chunk: usize) -> Option<usize> {
        let mut buf = Vec::new();
        let mut from = 0;
        for piece in data.chunks(chunk) {
            buf.extend_from_slice(piece);
            if let Some(end) = find_head_end(&buf, from) {
                return Some(end);
            }
            from = rescan_from(buf.len());
        }
        None
    }

    #[test]
    fn head_is_found_across_chunk_boundaries() {
        let raw = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n\r\n";
        for chunk in 1..8 {
            let end = head_end_in_chunks(raw, chunk).unwrap();
            assert_eq!(&raw[..end], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        }
        assert_eq!(
            head_end_in_chunks(b"GET / HTTP/1.1\r\nHost: x\r\n", 4),
            None
        );
    }

    #[test]
    fn leading_blank_lines_and_bare_newlines_are_accepted() {
        let raw = b"\r\n\nGET / HTTP/1.1\nHost: x\n\n";
        let end = head_end_in_chunks(raw, 3).unwrap();
        assert_eq!(end, raw.len());
        let request = parse_head(&raw[..end]).unwrap();
        assert_eq!(request.path, "/");
        assert_eq!(request.header("HOST").as_deref(), Some("x"));
    }

    #[test]
    fn too_many_fields_are_told_apart() {
        let mut raw = b"GET / HTTP/1.1\r\n".to_vec();
        for i in 0..=MAX_HEADER_FIELDS {
            raw.extend_from_slice(format!("X-{i}: v\r\n").as_bytes());
        }
        raw.extend_from_slice(b"\r\n");
        assert_eq!(parse_head(&raw).unwrap_err(), ParseError::TooManyFields);
    }

    #[test]
    fn request_line_errors() {
        for bad in [
            "GARBAGE\r\n\r\n",
            "GET  / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1 extra\r\n\r\n",
            "G(T / HTTP/1.1\r\n\r\n",
            "GET metrics HTTP/1.1\r\n\r\n",
            "GET / HTTQ/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nNo colon here\r\n\r\n",
            "GET / HTTP/1.1\r\nName : v\r\n\r\n",
            "GET / HTTP/1.1\r\nA: b\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: x\r\n\r\n",
            "GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
            "GET / HTTP/1.1\r\nA: b\x01c\r\n\r\n",
            "GET /\x7f HTTP/1.1\r\n\r\n",
        ] {
            assert!(
                matches!(parse_head(bad.as_bytes()), Err(ParseError::BadRequest(_))),
                "{bad:?}"
            );
        }
        assert_eq!(
            parse_head(b"GET / HTTP/2.0\r\n\r\n").unwrap_err(),
            ParseError::VersionNotSupported
        );
        assert!(matches!(
            parse_head(b"GET / HTTP/1.1x\r\n\r\n"),
            Err(ParseError::BadRequest(_))
        ));
    }

    #[test]
    fn targets_and_queries() {
        let r = parse_head(b"GET http://h:1/metrics?name[]=a&name%5B%5D=b+c&x=1 HTTP/1.0\r\n\r\n")
            .unwrap();
        assert_eq!(r.path, "/metrics");
        assert_eq!(r.version, Version::Http10);
        assert_eq!(r.query_values("name[]"), ["a", "b c"]);
        assert!(r.wants_close());
        let r = parse_head(b"GET /metrics?name[]=%E2%9C%93%zz%4 HTTP/1.1\r\n\r\n").unwrap();
        assert_eq!(r.query_values("name[]"), ["\u{2713}%zz%4"]);
        assert!(!r.wants_close());
    }

    #[test]
    fn repeated_list_headers_are_joined() {
        let r = parse_head(
            b"GET / HTTP/1.1\r\nAccept: a\r\naccept: b\r\nConnection: Keep-Alive, Close\r\n\r\n",
        )
        .unwrap();
        assert_eq!(r.header("Accept").as_deref(), Some("a, b"));
        assert!(r.wants_close());
        assert!(!r.has_body());
    }

    #[test]
    fn dates_are_imf_fixdate() {
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(http_date(t), "Tue, 29 Feb 2000 00:00:00 GMT");
    }

    #[test]
    fn response_head() {
        let mut out = Vec::new();
        let response = Response::text(404, "not found").with_header("X-A", "b");
        write_head(&mut out, &response, true);
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("HTTP/1.1 404 Not Found\r\nDate: "));
        assert!(text.ends_with(
            "\r\nContent-Type: text/plain; charset=utf-8\r\nX-A: b\r\nContent-Length: 10\r\nConnection: close\r\n\r\n"
        ));
    }
}
