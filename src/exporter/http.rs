//! HTTP/1.1 messages, as much as a metrics endpoint needs: reading a bounded request head,
//! parsing the request line, headers and query string, and writing a response head.
//!
//! Request bodies are never read: no route takes one, so a request that announces a body is
//! answered and its connection closed, which keeps the next request on the wire in sync without a
//! body parser.

use std::borrow::Cow;
use std::io::{self, ErrorKind, Read};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// A reader whose blocking reads can be bounded, so a head is read against a deadline.
pub(crate) trait TimedRead: Read {
    /// Makes the next reads give up after `timeout`.
    fn set_read_timeout(&mut self, timeout: Duration) -> io::Result<()>;
}

/// Why no request head could be taken from a connection.
#[derive(Debug)]
pub(crate) enum ReadError {
    /// The peer closed, or sent nothing before the deadline: close without answering.
    Idle,
    /// The head did not end within the size limit: answer 431.
    TooLarge,
    /// Part of a head came, then the deadline passed: answer 408.
    TimedOut,
    /// The connection failed (reset, shut down by stop, a TLS error): close without answering.
    Io,
}

/// Reads from `stream` into `buf` until `buf` starts with a complete head, and returns the
/// head's length. `buf` may already hold bytes (a pipelined request); bytes after the head stay
/// in `buf` for the next request. At most `limit` bytes are buffered, so a huge header costs
/// `limit` bytes of memory and no more.
pub(crate) fn read_head(
    stream: &mut impl TimedRead,
    buf: &mut Vec<u8>,
    limit: usize,
    deadline: Instant,
) -> Result<usize, ReadError> {
    let mut scanned = 0;
    loop {
        // RFC 9112 2.2: a server should ignore empty lines received before the request line.
        let blank = buf
            .iter()
            .take_while(|b| **b == b'\r' || **b == b'\n')
            .count();
        if blank > 0 {
            buf.drain(..blank);
            scanned = 0;
        }
        if let Some(end) = find_head_end(buf, scanned) {
            return Ok(end);
        }
        if buf.len() >= limit {
            return Err(ReadError::TooLarge);
        }
        // The terminator may straddle two reads: rescan the last three bytes.
        scanned = buf.len().saturating_sub(3);
        let now = Instant::now();
        if now >= deadline {
            return Err(if buf.is_empty() {
                ReadError::Idle
            } else {
                ReadError::TimedOut
            });
        }
        stream
            .set_read_timeout(deadline - now)
            .map_err(|_| ReadError::Io)?;
        let filled = buf.len();
        buf.resize(limit.min(filled + 4096), 0);
        let result = stream.read(&mut buf[filled..]);
        buf.truncate(filled + *result.as_ref().unwrap_or(&0));
        match result {
            Ok(0) if filled == 0 => return Err(ReadError::Idle),
            Ok(0) => return Err(ReadError::Io),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::WouldBlock | ErrorKind::TimedOut | ErrorKind::Interrupted
                ) => {}
            Err(_) => return Err(ReadError::Io),
        }
    }
}

/// The index just past the blank line that ends a head (`\r\n\r\n`, or bare `\n\n`, which RFC
/// 9112 lets a server accept), searching from `from`.
fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
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

/// Parses a complete head (request line, header fields, blank line).
pub(crate) fn parse_head(head: &[u8]) -> Result<Request, ParseError> {
    let mut lines = head
        .split(|b| *b == b'\n')
        .map(|line| line.strip_suffix(b"\r").unwrap_or(line));
    let request_line = lines
        .next()
        .ok_or(ParseError::BadRequest("empty request"))?;
    let (method, target, version) = parse_request_line(request_line)?;
    let (path, query) = split_target(target)?;
    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        headers.push(parse_header_field(line)?);
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

fn parse_request_line(line: &[u8]) -> Result<(&str, &str, Version), ParseError> {
    const MALFORMED: ParseError = ParseError::BadRequest("malformed request line");
    let line = std::str::from_utf8(line).map_err(|_| MALFORMED)?;
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(MALFORMED);
    };
    if method.is_empty() || !method.bytes().all(is_token_byte) {
        return Err(MALFORMED);
    }
    if target.is_empty() || !target.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(MALFORMED);
    }
    let version = match version {
        "HTTP/1.1" => Version::Http11,
        "HTTP/1.0" => Version::Http10,
        other => {
            let digits = other.strip_prefix("HTTP/").map(str::as_bytes);
            return Err(match digits {
                Some([major, b'.', minor]) if major.is_ascii_digit() && minor.is_ascii_digit() => {
                    ParseError::VersionNotSupported
                }
                _ => MALFORMED,
            });
        }
    };
    Ok((method, target, version))
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

fn parse_header_field(line: &[u8]) -> Result<(String, String), ParseError> {
    if line[0] == b' ' || line[0] == b'\t' {
        // RFC 9112 5.2: obsolete line folding may be rejected with 400.
        return Err(ParseError::BadRequest("folded header field"));
    }
    let colon = line
        .iter()
        .position(|b| *b == b':')
        .ok_or(ParseError::BadRequest("header field without a colon"))?;
    let (name, value) = (&line[..colon], &line[colon + 1..]);
    // RFC 9112 5.1: no whitespace between the field name and the colon.
    if name.is_empty() || !name.iter().copied().all(is_token_byte) {
        return Err(ParseError::BadRequest("malformed header field name"));
    }
    if value
        .iter()
        .any(|b| (b.is_ascii_control() && *b != b'\t') || *b == 0x7f)
    {
        return Err(ParseError::BadRequest(
            "control character in a header field",
        ));
    }
    let value = value.trim_ascii();
    Ok((
        String::from_utf8_lossy(name).into_owned(),
        String::from_utf8_lossy(value).into_owned(),
    ))
}

/// RFC 9110 `tchar`: the bytes a method or a field name may contain.
fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
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
    use std::io::Cursor;

    /// Hands out its data in chunks of a fixed size, as a socket might.
    struct Chunked {
        data: Cursor<Vec<u8>>,
        chunk: usize,
    }

    impl Read for Chunked {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.chunk);
            self.data.read(&mut buf[..n])
        }
    }

    impl TimedRead for Chunked {
        fn set_read_timeout(&mut self, _: Duration) -> io::Result<()> {
            Ok(())
        }
    }

    fn read_all(data: &[u8], chunk: usize, limit: usize) -> (Result<usize, ReadError>, Vec<u8>) {
        let mut stream = Chunked {
            data: Cursor::new(data.to_vec()),
            chunk,
        };
        let mut buf = Vec::new();
        let deadline = Instant::now() + Duration::from_secs(5);
        (read_head(&mut stream, &mut buf, limit, deadline), buf)
    }

    #[test]
    fn head_is_found_across_chunk_boundaries() {
        let raw = b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\nGET / HTTP/1.1\r\n\r\n";
        for chunk in 1..8 {
            let (end, buf) = read_all(raw, chunk, 1024);
            let end = end.unwrap();
            assert_eq!(&buf[..end], b"GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
        }
    }

    #[test]
    fn leading_blank_lines_and_bare_newlines_are_accepted() {
        let (end, buf) = read_all(b"\r\n\nGET / HTTP/1.1\nHost: x\n\n", 3, 1024);
        let request = parse_head(&buf[..end.unwrap()]).unwrap();
        assert_eq!(request.path, "/");
        assert_eq!(request.header("HOST").as_deref(), Some("x"));
    }

    #[test]
    fn oversized_head_and_eof_are_reported() {
        let mut raw = b"GET / HTTP/1.1\r\nX: ".to_vec();
        raw.resize(10_000, b'a');
        assert!(matches!(
            read_all(&raw, 512, 4096).0,
            Err(ReadError::TooLarge)
        ));
        assert!(matches!(read_all(b"", 512, 4096).0, Err(ReadError::Idle)));
        assert!(matches!(
            read_all(b"GET /", 512, 4096).0,
            Err(ReadError::Io)
        ));
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
