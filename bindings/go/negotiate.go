package promemu

// #include "prometheus_emulator.h"
import "C"

// Content negotiation for Handler, decided by the library exactly as its own HTTP exporter
// decides it (src/exposition/negotiate.rs): the binding holds no copy of the rules.

// NegotiateFormat picks the exposition format for an Accept header: OpenMetrics when the header
// prefers it (q-values honoured, the most specific range deciding each format's q-value, unknown
// parameters ignored, unknown versions not acceptable), Prometheus text 0.0.4 otherwise, and for
// an empty or malformed header. FormatProtobuf
// (application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily, delimited) and
// FormatOpenMetrics2 (application/openmetrics-text;version=2.0.0) are chosen only when the header
// names them, never through a wildcard: what Prometheus 3 sends to scrape native histograms.
func NegotiateFormat(accept string) Format {
	header := cString(accept)
	defer free(header)
	var format C.enum_pe_format
	if err := pe_negotiate_format(header, &format); err != nil {
		// Only a header that is not UTF-8 gets here: answer with the fallback format.
		return FormatText
	}
	return Format(format)
}

// Negotiate picks the format and the name escaping to answer a scrape with from its Accept header,
// and the response's Content-Type (pe_negotiate), as the library's exporter and Handler do: the
// format as NegotiateFormat picks it, the escaping from the escaping parameter of the media range
// that chose it, or the format's default when that range names none or an unknown one
// (UnderscoreEscaping; NoEscaping for FormatOpenMetrics2). Prometheus 3's default header gives
// FormatOpenMetrics with NoEscaping and the Content-Type
// "application/openmetrics-text; version=1.0.0; charset=utf-8; escaping=allow-utf-8";
// Prometheus 2's gives FormatOpenMetrics with UnderscoreEscaping. A header that is not UTF-8 gives
// FormatText, UnderscoreEscaping and ContentTypeText.
func Negotiate(accept string) (format Format, escaping EscapingScheme, contentType string) {
	header := cString(accept)
	defer free(header)
	var f C.enum_pe_format
	var e C.enum_pe_escaping
	var ct *C.char
	if err := pe_negotiate(header, &f, &e, &ct); err != nil {
		return FormatText, UnderscoreEscaping, ContentTypeText
	}
	return Format(f), EscapingScheme(e), C.GoString(ct)
}

// AcceptsGzip reports whether an Accept-Encoding header allows gzip: gzip (or x-gzip) with a
// q-value above 0, or else * with a q-value above 0.
func AcceptsGzip(acceptEncoding string) bool {
	header := cString(acceptEncoding)
	defer free(header)
	var gzip C.bool
	if err := pe_accepts_gzip(header, &gzip); err != nil {
		return false
	}
	return bool(gzip)
}
